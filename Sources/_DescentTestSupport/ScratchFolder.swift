import Foundation

/// A folder of this test process's own inside the system's temporary folder, made at first use
/// and removed, with everything in it, when the process exits: tests write their files in it,
/// so that a run leaves nothing behind, whether or not a test cleans up after itself.
///
/// Each test names its own files in it with a UUID, as tests run in parallel.
public let scratchFolder: URL = {
    let folder = FileManager.default.temporaryDirectory
        .appendingPathComponent("descent-tests-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
    // A failure here shows as the first test's own error when it writes its file.
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(at: scratchFolder) }
    return folder
}()
