import Foundation

/// The project's shared data folder (`shared/data`), found by walking up from this file: the
/// repository sits beside `shared/` (`../shared`) or one level deeper in a worktree (`../../shared`).
/// Tests that need it are skipped, with a message, where it is absent.
enum SharedData {
    static let folder: URL? = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        for _ in 0..<6 {
            directory = directory.deletingLastPathComponent()
            let candidate = directory.appendingPathComponent("shared/data")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("mnist").path) { return candidate }
        }
        return nil
    }()

    static var mnist: URL? { folder?.appendingPathComponent("mnist") }
    static var tabular: URL? { folder?.appendingPathComponent("tabular") }
}
