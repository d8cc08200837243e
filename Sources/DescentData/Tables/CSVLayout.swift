import Foundation

/// Where the records of a CSV file are: the header's end, the number of data rows, and the file
/// cut into chunks that each start at a record, so that chunks can be parsed on several cores.
///
/// Finding a record boundary needs to know whether a line break is inside a quoted cell, which
/// depends on every quote before it; so this one pass runs from the start of the file to the end,
/// counting records and lines, and notes a boundary about every ``targetChunkBytes``. It only
/// looks for quotes and line breaks, which is several times faster than parsing the cells.
struct CSVLayout: Sendable {
    /// A run of whole records.
    struct Chunk: Sendable {
        /// The byte offset of its first record.
        var start: Int
        /// The byte offset just past its last record.
        var end: Int
        /// The 0-based data row of its first record.
        var firstRow: Int
        /// The number of data rows (non-blank records) in it.
        var rowCount: Int
        /// The 1-based line of the file its first byte is on.
        var firstLine: Int
    }

    /// The bytes of the header record (without its line break); the data start after it.
    var header: [UInt8]
    /// The 1-based line on which the header record starts.
    var headerLine: Int
    /// The data rows, in order.
    var chunks: [Chunk]
    /// The number of data rows.
    var rowCount: Int { chunks.last.map { $0.firstRow + $0.rowCount } ?? 0 }

    /// About how many bytes a chunk holds: large enough that starting one costs nothing, small
    /// enough that each worker's buffer is a small constant beside the parsed numbers.
    static let targetChunkBytes = 4 << 20

    /// Scans `file`.
    ///
    /// - Throws: ``DataError`` (`.emptyFile`) when there is no header row, and (`.corrupt`)
    ///   for a quoted cell that is never closed.
    init(file: some ByteSource, targetChunkBytes: Int = CSVLayout.targetChunkBytes) throws {
        let size = file.size, path = file.path
        let blockSize = 1 << 20
        var block = [UInt8](repeating: 0, count: blockSize)
        var offset = 0
        var line = 1
        var inQuotes = false
        var quoteOpenedOnLine = 1
        var previousWasCarriageReturn = false
        var recordHasBytes = false
        // A quote opens a quoted cell only at the start of a cell (elsewhere it is text, as the
        // cell parser reads it), or right after a closing quote (a doubled quote inside one).
        var previousByte = CSVBytes.newline
        var justClosedQuote = false
        var recordStart = 0
        var recordLine = 1
        var header: [UInt8]?
        var headerLine = 1
        var chunks: [Chunk] = []
        var chunkStart = 0, chunkFirstRow = 0, chunkFirstLine = 1, rows = 0

        // A record ended at `position` (exclusive) with the terminator byte before `next`.
        func endRecord(at position: Int, next: Int) throws {
            defer { recordStart = next; recordLine = line; recordHasBytes = false }
            guard recordHasBytes else { return }  // a blank line
            if header == nil {
                header = try file.bytes(in: recordStart..<position)
                headerLine = recordLine
                chunkStart = next
                chunkFirstLine = line
                return
            }
            rows += 1
        }

        while offset < size {
            let count = min(blockSize, size - offset)
            try block.withUnsafeMutableBytes { buffer in
                try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<count]), at: offset)
            }
            var skip = 0
            if offset == 0, count >= 3, block[0] == 0xEF, block[1] == 0xBB, block[2] == 0xBF {
                skip = 3  // a UTF-8 byte-order mark
                recordStart = 3
                chunkStart = 3
            }
            try block.withUnsafeBufferPointer { bytes in
                var index = skip
                let raw = UnsafeRawPointer(bytes.baseAddress!)
                while index < count {
                    // Eight bytes at a time past those that are neither a quote nor a line break:
                    // most of a file, which this pass only needs to step over.
                    var skipped = false
                    while index + 8 <= count, !Self.hasStructuralByte(raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)) {
                        index += 8
                        skipped = true
                    }
                    if skipped {
                        if !inQuotes { recordHasBytes = true }
                        previousWasCarriageReturn = false
                        previousByte = bytes[index - 1]
                        justClosedQuote = false
                        if index >= count { break }
                    }
                    let byte = bytes[index]
                    if inQuotes {
                        if byte == CSVBytes.quote {
                            inQuotes = false  // a doubled quote opens again at once
                            justClosedQuote = true
                            previousByte = byte
                            previousWasCarriageReturn = false
                            index += 1
                            continue
                        } else if byte == CSVBytes.newline {
                            if !previousWasCarriageReturn { line += 1 }
                        } else if byte == CSVBytes.carriageReturn {
                            line += 1
                        }
                    } else if byte == CSVBytes.newline {
                        if !previousWasCarriageReturn { line += 1 }
                        let position = offset + index
                        // CRLF: the record already ended at the CR.
                        if !previousWasCarriageReturn || recordHasBytes {
                            try endRecord(at: position, next: position + 1)
                        } else {
                            recordStart = position + 1
                            // A chunk starts after the whole CRLF, not between its two bytes.
                            if chunkStart == position { chunkStart = position + 1 }
                        }
                        if header != nil, position + 1 - chunkStart >= targetChunkBytes {
                            chunks.append(Chunk(start: chunkStart, end: position + 1, firstRow: chunkFirstRow,
                                                rowCount: rows - chunkFirstRow, firstLine: chunkFirstLine))
                            chunkStart = position + 1
                            chunkFirstRow = rows
                            chunkFirstLine = line
                        }
                    } else if byte == CSVBytes.carriageReturn {
                        line += 1
                        let position = offset + index
                        try endRecord(at: position, next: position + 1)
                    } else {
                        if byte == CSVBytes.quote && (justClosedQuote || previousByte == CSVBytes.comma
                                                      || previousByte == CSVBytes.newline || previousByte == CSVBytes.carriageReturn) {
                            inQuotes = true
                            quoteOpenedOnLine = line
                        }
                        recordHasBytes = true
                    }
                    previousWasCarriageReturn = byte == CSVBytes.carriageReturn
                    previousByte = byte
                    justClosedQuote = false
                    index += 1
                }
            }
            offset += count
        }
        if inQuotes {
            throw DataError(.corrupt, file: path, line: quoteOpenedOnLine,
                            "a quoted cell is never closed: expected a closing \" before the end of the file")
        }
        try endRecord(at: size, next: size)
        guard let header else {
            throw DataError(.emptyFile, file: path, line: 1, "the CSV file is empty; expected a header row naming the columns")
        }
        if chunkStart < size || chunks.isEmpty {
            chunks.append(Chunk(start: min(chunkStart, size), end: size, firstRow: chunkFirstRow,
                                rowCount: rows - chunkFirstRow, firstLine: chunkFirstLine))
        }
        self.header = header
        self.headerLine = headerLine
        self.chunks = chunks
    }
}

extension CSVLayout {
    /// Whether any of the eight bytes of `word` is a quote, a line feed or a carriage return
    /// (the "has a zero byte" bit trick, applied to the word XOR each byte repeated).
    @inline(__always)
    static func hasStructuralByte(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        func hasZeroByte(_ value: UInt64) -> Bool { (value &- ones) & ~value & highs != 0 }
        return hasZeroByte(word ^ (ones &* UInt64(CSVBytes.quote))) || hasZeroByte(word ^ (ones &* UInt64(CSVBytes.newline)))
            || hasZeroByte(word ^ (ones &* UInt64(CSVBytes.carriageReturn)))
    }
}

/// The bytes that structure a CSV file.
enum CSVBytes {
    // Computed rather than stored: a stored static is initialized lazily, checked on every
    // use in the hottest loops.
    static var quote: UInt8 { 0x22 }
    static var comma: UInt8 { 0x2C }
    static var newline: UInt8 { 0x0A }
    static var carriageReturn: UInt8 { 0x0D }
}

/// Bytes that can be read by range from several threads at once: a file (read with `pread`,
/// so that nothing but the ranges asked for is ever in memory) or bytes already in memory.
protocol ByteSource: Sendable {
    /// The number of bytes.
    var size: Int { get }
    /// The file's path or name, for messages.
    var path: String? { get }
    /// Fills `buffer` with the bytes from `offset` on.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws
}

extension ByteSource {
    /// The bytes in `range`.
    func bytes(in range: Range<Int>) throws -> [UInt8] {
        var result = [UInt8](repeating: 0, count: range.count)
        try result.withUnsafeMutableBytes { try read(into: $0, at: range.lowerBound) }
        return result
    }
}

/// Bytes in memory, as a ``ByteSource``.
struct MemoryBytes: ByteSource {
    let bytes: [UInt8]
    let path: String?
    var size: Int { bytes.count }

    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws {
        bytes.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<offset + buffer.count]))
        }
    }
}

/// An open file, as a ``ByteSource``.
final class FileBytes: ByteSource, @unchecked Sendable {
    // Immutable after init; `pread` does not move a shared file position.
    private let descriptor: Int32
    let path: String?
    let size: Int

    /// Opens the file at `path` for reading.
    ///
    /// - Throws: ``DataError`` (`.fileNotFound`) when it does not exist, is a folder, or cannot
    ///   be opened.
    init(path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DataError(.fileNotFound, file: path, "no such file")
        }
        guard !isDirectory.boolValue else { throw DataError(.fileNotFound, file: path, "expected a file, found a folder") }
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw DataError(.fileNotFound, file: path, "cannot read the file: \(String(cString: strerror(errno)))")
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            close(descriptor)
            throw DataError(.fileNotFound, file: path, "cannot read the file: \(String(cString: strerror(errno)))")
        }
        self.descriptor = descriptor
        self.path = path
        self.size = Int(status.st_size)
    }

    deinit { close(descriptor) }

    /// - Throws: ``DataError`` (`.truncated`) when the file is shorter than that now (it
    ///   changed while being read), or a read error.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws {
        var done = 0
        while done < buffer.count {
            let count = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                throw DataError(count == 0 ? .truncated : .fileNotFound, file: path, offset: offset + done,
                                count == 0 ? "the file ended early (did it change while it was read?)"
                                    : "cannot read the file: \(String(cString: strerror(errno)))")
            }
            done += count
        }
    }
}
