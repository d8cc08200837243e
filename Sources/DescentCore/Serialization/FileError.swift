import Foundation

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

extension FileError {
    /// The most specific words in a Foundation error (why a file could not be read, why JSON
    /// could not be parsed), for a message in Descent's words rather than Foundation's dump
    /// (`Error Domain=NSCocoaErrorDomain Code=… UserInfo={…}`).
    public static func reason(for error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if nsError.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(nsError.code))) }
        if nsError.domain == NSCocoaErrorDomain, nsError.code == CocoaError.fileReadNoSuchFile.rawValue {
            return "No such file or directory"
        }
        return nsError.userInfo[NSDebugDescriptionErrorKey] as? String ?? nsError.localizedDescription
    }

    /// Throws a clear error when `url` names a folder where a file is expected (Foundation's own
    /// error for that case says only "The operation could not be completed").
    static func checkNotAFolder(_ url: URL) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), isFolder.boolValue {
            throw FileError(.read, path: url.path, reason: "it is a folder, not a file")
        }
    }
}
