/// A problem with data that came from outside the program: a file, an option, a table.
///
/// Every loader in DescentData throws this one error type, so that a caller (the `descent` tool,
/// a test) can tell what kind of problem it was from ``kind`` and show the user ``description``,
/// which says where the problem is (file, line or byte offset) and what was expected and found.
public struct DataError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What kind of problem it was.
    public enum Kind: String, Equatable, Sendable {
        /// The file or folder does not exist or cannot be read.
        case fileNotFound
        /// The data ends before the format says it should.
        case truncated
        /// The bytes do not follow the format (bad magic number, bad checksum, invalid code…).
        case corrupt
        /// The data is well formed but uses a feature Descent does not read (big-endian, Fortran order…).
        case unsupported
        /// A table has no rows or no columns.
        case emptyFile
        /// A table row has a different number of cells than the header.
        case raggedRow
        /// A cell that must hold a number does not.
        case nonNumericCell
        /// A column named by the caller is not in the table.
        case unknownColumn
        /// An argument is out of its range (a split fraction, a feature count that does not match…).
        case invalidArgument
        /// A file cannot be written.
        case writeFailed
        /// No mirror served a copy of a file whose checksum matched.
        case downloadFailed
    }

    /// What kind of problem it was.
    public var kind: Kind
    /// The file (path or name) the problem is in, if it came from a file.
    public var file: String?
    /// The 1-based line of a text file.
    public var line: Int?
    /// The 0-based byte offset in a binary file (after decompression for a gzip-compressed file,
    /// unless the problem is in the compressed bytes themselves).
    public var offset: Int?
    /// What was wrong: what was expected and what was found.
    public var message: String

    /// An error of `kind` with its location.
    public init(_ kind: Kind, file: String? = nil, line: Int? = nil, offset: Int? = nil, _ message: String) {
        self.kind = kind
        self.file = file
        self.line = line
        self.offset = offset
        self.message = message
    }

    /// One line: `file:line: message` or `file (byte offset N): message`.
    public var description: String {
        var location = file ?? ""
        if let line { location += location.isEmpty ? "line \(line)" : ":\(line)" }
        if let offset { location += location.isEmpty ? "byte offset \(offset)" : " (byte offset \(offset))" }
        return location.isEmpty ? message : "\(location): \(message)"
    }

    /// The same error, attributed to `file` if it names no file yet.
    func inFile(_ file: String) -> DataError {
        var copy = self
        if copy.file == nil { copy.file = file }
        return copy
    }
}
