import Foundation

/// Reading and writing whole files, with the errors DescentData promises.
enum Files {
    /// The bytes of the file at `url`.
    static func read(_ url: URL) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw DataError(.fileNotFound, file: url.path, "no such file")
        }
        guard !isDirectory.boolValue else {
            throw DataError(.fileNotFound, file: url.path, "expected a file, found a folder")
        }
        do {
            return [UInt8](try Data(contentsOf: url))
        } catch {
            throw DataError(.fileNotFound, file: url.path, "cannot read the file: \(FileError.reason(for: error))")
        }
    }

    /// Writes `bytes` to `url` atomically: into a temporary file in the same folder, then renamed
    /// over the destination, so that a reader never sees a half-written file and a failure
    /// leaves any previous file untouched.
    static func writeAtomically(_ bytes: [UInt8], to url: URL) throws {
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try Data(bytes).write(to: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)  // a partly written file, if any
            throw DataError(.writeFailed, file: url.path, "cannot write the file: \(FileError.reason(for: error))")
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw DataError(.writeFailed, file: url.path, "cannot move the written file into place: \(reason)")
        }
    }
}
