/// A file-system operation that failed: what Descent tried to do, on which path, and why.
///
/// Thrown by ``AtomicFile`` and by the readers of Descent's file formats when the file itself
/// cannot be read or written (as opposed to a file that was read but holds bad data).
public struct FileError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What Descent was doing when the file system said no.
    public enum Operation: String, Sendable, Equatable {
        case read = "read"
        case write = "write"
        case createFolder = "create folder"
        case replace = "replace"
        case remove = "remove"
    }

    /// The operation that failed.
    public var operation: Operation
    /// The path it failed on.
    public var path: String
    /// The underlying reason, e.g. "No such file or directory".
    public var reason: String
    /// The POSIX error number, when the failure came from a system call.
    public var errorNumber: Int32?

    /// Creates an error for `operation` on `path`.
    public init(_ operation: Operation, path: String, reason: String, errorNumber: Int32? = nil) {
        self.operation = operation
        self.path = path
        self.reason = reason
        self.errorNumber = errorNumber
    }

    public var description: String {
        "cannot \(operation.rawValue) '\(path)': \(reason)"
    }
}
