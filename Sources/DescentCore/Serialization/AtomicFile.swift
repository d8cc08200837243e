import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes files and folders so that a crash, a full disk or a thrown error never leaves a
/// half-written result: readers see either the old contents or the new ones, never a mix.
///
/// The trick is the one every careful program uses: write the new contents under a temporary
/// name in the *same* folder (so both names live on one file system), flush them to the disk,
/// and only then rename them over the destination — a rename within a file system is atomic.
///
/// Neither function creates missing parent folders: whether a path's folder should exist is the
/// caller's decision (a typo in a folder name should be an error, not a new folder). Call
/// `FileManager.default.createDirectory(at:withIntermediateDirectories:)` first if you want that.
public enum AtomicFile {
    /// Replaces the file at `url` with `data`, atomically.
    ///
    /// The data goes to a uniquely named temporary file beside `url`, is flushed with `fsync`, and
    /// is then renamed over `url`. On any failure the temporary file is removed and `url` is left
    /// exactly as it was; temporary files that a killed write to `url` left are removed by the
    /// next write that succeeds. A new file gets the usual permissions (0666 less the umask).
    ///
    /// - Throws: ``FileError`` naming `url` and the reason (e.g. its folder does not exist or is
    ///   not writable, the disk is full, `url` is a folder).
    public static func write(_ data: Data, to url: URL) throws {
        let destination = url.path
        let temporary = temporarySibling(of: url, purpose: "tmp").path

        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else { throw FileError.fromErrno(.write, path: destination) }
        var renamed = false
        defer { if !renamed { unlink(temporary) } }

        do {
            try writeAll(data, to: descriptor, path: destination)
            // Without fsync the rename could reach the disk before the data does, and a power cut
            // would leave an empty file under the final name.
            guard fsync(descriptor) == 0 else { throw FileError.fromErrno(.write, path: destination) }
        } catch {
            close(descriptor)
            throw error
        }
        guard close(descriptor) == 0 else { throw FileError.fromErrno(.write, path: destination) }
        guard rename(temporary, destination) == 0 else { throw FileError.fromErrno(.write, path: destination) }
        renamed = true
        syncFolder(url.deletingLastPathComponent())
        // What an earlier write to this name, killed before its rename, left behind.
        Leftovers.recover(besides: url, using: SystemFileOperations())
    }

    /// Builds the folder at `url` all at once: `fill` writes the contents into a fresh temporary
    /// folder beside `url`, which then takes `url`'s place.
    ///
    /// Use it for results made of several files that belong together, such as a model folder
    /// with `model.json` and `model.safetensors`:
    ///
    /// ```swift
    /// try AtomicFile.writeFolder(at: folder) { temporary in
    ///     try AtomicFile.write(json, to: temporary.appendingPathComponent("model.json"))
    ///     try weights.write(to: temporary.appendingPathComponent("model.safetensors"))
    /// }
    /// ```
    ///
    /// The new folder replaces an existing one as ``writeFolder(at:files:using:)`` says. If
    /// `fill` throws, the temporary folder is removed and `url` is untouched.
    ///
    /// - Parameters:
    ///   - url: The folder to create or replace. Its parent folder must exist. If something other
    ///     than a folder is at `url`, nothing is replaced and the call throws.
    ///   - fill: Writes the folder's contents into the temporary folder it is given.
    /// - Throws: ``FileError`` for file-system failures, or whatever `fill` throws.
    public static func writeFolder(at url: URL, _ fill: (URL) throws -> Void) throws {
        try replaceFolder(at: url, using: SystemFileOperations()) { temporary in
            try fill(temporary)
            syncContents(of: temporary)
        }
    }

    /// Builds the folder at `url` from `files` (paths relative to the folder, such as
    /// `"model.json"` or `"checkpoint/state.json"`, and their contents) all at once.
    ///
    /// The files are written into a hidden `.<name>.<UUID>.tmp` folder beside `url` and flushed
    /// to the disk; then that folder takes `url`'s place in one step where the system can swap
    /// two names (`renameat2` with `RENAME_EXCHANGE` on Linux, `renamex_np` with `RENAME_SWAP`
    /// on macOS), so that there is no moment without a complete folder at `url`. Elsewhere the
    /// old folder is renamed aside to `.<name>.<UUID>.old` first. The old folder is deleted last.
    ///
    /// A save killed part way can leave such hidden folders or files beside `url`, but never a
    /// half-written folder at `url`; the next save into the same place removes them (and, if a
    /// save was killed between its two renames, first puts the old folder back at `url`).
    ///
    /// - Parameters:
    ///   - url: The folder to create or replace. Its parent folder must exist. If something other
    ///     than a folder is at `url`, nothing is replaced and the call throws.
    ///   - files: What the folder holds; subfolders are created as the paths need them.
    ///   - operations: The file-system calls to make; tests pass ones that fail on purpose.
    /// - Throws: ``FileError`` for file-system failures.
    public static func writeFolder(at url: URL, files: [(path: String, contents: Data)],
                                   using operations: any FileOperations = SystemFileOperations()) throws {
        try replaceFolder(at: url, using: operations) { temporary in
            var folders: Set<String> = []
            for file in files {
                let components = file.path.split(separator: "/").map(String.init)
                guard !components.isEmpty, !components.contains(".."), !components.contains(".") else {
                    throw FileError(.write, path: url.appendingPathComponent(file.path).path,
                                    reason: "a file in a folder needs a relative path without '.' or '..'")
                }
                var folder = temporary
                for component in components.dropLast() {
                    folder.appendPathComponent(component)
                    if folders.insert(folder.path).inserted { try operations.createFolder(at: folder.path) }
                }
                do {
                    try operations.writeFile(file.contents, to: temporary.appendingPathComponent(file.path).path)
                } catch let error as FileError {
                    // The temporary folder's name means nothing to the reader; the file's place does.
                    throw FileError(error.operation, path: url.appendingPathComponent(file.path).path, reason: error.reason,
                                    errorNumber: error.errorNumber)
                }
            }
            for folder in folders.sorted(by: >) { operations.syncFolder(at: folder) }
            operations.syncFolder(at: temporary.path)
        }
    }

    /// Fills a temporary folder beside `url` and puts it in `url`'s place.
    private static func replaceFolder(at url: URL, using operations: any FileOperations,
                                      _ fill: (URL) throws -> Void) throws {
        let destination = url.path
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: destination, isDirectory: &isFolder) && !isFolder.boolValue {
            throw FileError(.replace, path: destination, reason: "it exists and is not a folder")
        }
        Leftovers.recover(besides: url, using: operations)
        let exists = FileManager.default.fileExists(atPath: destination)

        let temporary = temporarySibling(of: url, purpose: "tmp")
        try operations.createFolder(at: temporary.path)
        var installed = false
        defer { if !installed { try? operations.remove(temporary.path) } }

        try fill(temporary)

        if !exists {
            try operations.rename(temporary.path, to: destination)
            installed = true
        } else if try operations.exchange(temporary.path, destination) {
            // The temporary name now holds the old folder.
            installed = true
            operations.syncFolder(at: url.deletingLastPathComponent().path)
            // The new folder is in place; a leftover old folder wastes space but loses nothing,
            // and the next save removes it.
            try? operations.remove(temporary.path)
        } else {
            let old = temporarySibling(of: url, purpose: "old")
            try operations.rename(destination, to: old.path)
            do {
                try operations.rename(temporary.path, to: destination)
            } catch {
                try? operations.rename(old.path, to: destination)  // put the old folder back
                throw error
            }
            installed = true
            operations.syncFolder(at: url.deletingLastPathComponent().path)
            try? operations.remove(old.path)
        }
        operations.syncFolder(at: url.deletingLastPathComponent().path)
    }

    // MARK: Helpers

    /// A hidden, unique name beside `url`: `.<name>.<UUID>.<purpose>`.
    static func temporarySibling(of url: URL, purpose: String) -> URL {
        url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).\(purpose)")
    }

    static func writeAll(_ data: Data, to descriptor: Int32, path: String) throws {
        try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < bytes.count {
                let written = systemWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw FileError.fromErrno(.write, path: path)
                }
                offset += written
            }
        }
    }

    private static func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Darwin)
        Darwin.write(descriptor, buffer, count)
        #elseif canImport(Musl)
        Musl.write(descriptor, buffer, count)
        #else
        Glibc.write(descriptor, buffer, count)
        #endif
    }

    /// Flushes every regular file under `folder`, and the folder itself, to the disk.
    private static func syncContents(of folder: URL) {
        if let enumerator = FileManager.default.enumerator(atPath: folder.path) {
            for case let relativePath as String in enumerator {
                let descriptor = open(folder.appendingPathComponent(relativePath).path, O_RDONLY | O_CLOEXEC)
                guard descriptor >= 0 else { continue }
                fsync(descriptor)
                close(descriptor)
            }
        }
        syncFolder(folder)
    }

    /// Flushes a folder's entries (names created or renamed in it) to the disk. Best effort: some
    /// file systems do not support it, and the data itself is already safe.
    private static func syncFolder(_ folder: URL) {
        let path = folder.path.isEmpty ? "." : folder.path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}

extension FileError {
    /// An error for `operation` on `path` whose reason is the current `errno`.
    static func fromErrno(_ operation: Operation, path: String) -> FileError {
        let number = errno
        return FileError(operation, path: path, reason: String(cString: strerror(number)), errorNumber: number)
    }
}
