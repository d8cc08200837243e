import CDescentKernels
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The file-system calls that a save makes, one method per step.
///
/// ``AtomicFile/writeFolder(at:files:using:)`` goes through this seam so that a test can make
/// the k-th step fail (or make every step from the k-th on fail, as a killed process would) and
/// check that no step leaves a half-written result behind. ``SystemFileOperations`` is the real
/// thing.
public protocol FileOperations: Sendable {
    /// Creates one folder (its parent must exist).
    func createFolder(at path: String) throws
    /// Creates a new file at `path` (it must not exist), writes `data` and flushes it to the disk.
    func writeFile(_ data: Data, to path: String) throws
    /// Renames `source` to `destination`, replacing a file (or an empty folder) there.
    func rename(_ source: String, to destination: String) throws
    /// Swaps `first` and `second` in one step; returns false, having changed nothing, where the
    /// system or the file system cannot.
    func exchange(_ first: String, _ second: String) throws -> Bool
    /// Removes a file, or a folder with everything in it.
    func remove(_ path: String) throws
    /// The names in a folder, hidden ones included.
    func contentsOfFolder(at path: String) throws -> [String]
    /// Flushes a folder's entries (names created or renamed in it) to the disk; best effort.
    func syncFolder(at path: String)
}

/// The operating system's file calls, as ``FileOperations``.
public struct SystemFileOperations: FileOperations {
    public init() {}

    public func createFolder(at path: String) throws {
        guard mkdir(path, 0o777) == 0 else { throw FileError.fromErrno(.createFolder, path: path) }
    }

    public func writeFile(_ data: Data, to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else { throw FileError.fromErrno(.write, path: path) }
        do {
            try AtomicFile.writeAll(data, to: descriptor, path: path)
            // Without fsync a rename could reach the disk before the data does.
            guard fsync(descriptor) == 0 else { throw FileError.fromErrno(.write, path: path) }
        } catch {
            close(descriptor)
            throw error
        }
        guard close(descriptor) == 0 else { throw FileError.fromErrno(.write, path: path) }
    }

    public func rename(_ source: String, to destination: String) throws {
        guard systemRename(source, destination) == 0 else { throw FileError.fromErrno(.replace, path: destination) }
    }

    public func exchange(_ first: String, _ second: String) throws -> Bool {
        guard descent_exchange_paths(first, second) != 0 else { return true }
        // Not every file system (nor every kernel) can swap two names; the caller then renames.
        if [EINVAL, ENOSYS, ENOTSUP, EOPNOTSUPP].contains(errno) { return false }
        throw FileError.fromErrno(.replace, path: second)
    }

    public func remove(_ path: String) throws {
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw FileError(.remove, path: path, reason: FileError.reason(for: error))
        }
    }

    public func contentsOfFolder(at path: String) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw FileError(.read, path: path, reason: FileError.reason(for: error))
        }
    }

    public func syncFolder(at path: String) {
        let descriptor = open(path.isEmpty ? "." : path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    private func systemRename(_ source: String, _ destination: String) -> Int32 {
        #if canImport(Darwin)
        Darwin.rename(source, destination)
        #elseif canImport(Musl)
        Musl.rename(source, destination)
        #else
        Glibc.rename(source, destination)
        #endif
    }
}
