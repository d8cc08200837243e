import Foundation

/// A table read from a CSV file whose first row names the columns.
///
/// Follows RFC 4180: cells are separated by commas and rows by line breaks (LF, CRLF or CR); a
/// cell in double quotes may hold commas, line breaks and doubled quotes (`""` for `"`). Blank
/// lines are skipped, and so is a UTF-8 byte-order mark. Every row must have as many cells as the
/// header. Cells are kept as text; ``numbers(inColumns:)`` converts them.
public struct CSVTable: Sendable {
    /// The header row.
    public let columnNames: [String]
    /// The data rows, each with one cell per column.
    public let rows: [[String]]
    /// The 1-based line of the file on which each row starts (a quoted cell may span lines).
    public let rowLines: [Int]
    /// The file the table came from, for error messages.
    public let file: String?

    /// Reads a CSV file.
    public init(contentsOf url: URL) throws {
        try self.init(bytes: Files.read(url), file: url.path)
    }

    /// Parses CSV text.
    public init(parsing text: String, file: String? = nil) throws {
        try self.init(bytes: Array(text.utf8), file: file)
    }

    /// Parses CSV bytes (UTF-8).
    ///
    /// - Throws: ``DataError``: `.emptyFile` if there is no header row, `.raggedRow` for a row
    ///   with the wrong number of cells, `.corrupt` for an unterminated quoted cell, text after a
    ///   closing quote, or a column name used twice — each with its line.
    public init(bytes: [UInt8], file: String? = nil) throws {
        var records = try CSVParser(bytes: bytes, file: file).records()
        guard let header = records.first else {
            throw DataError(.emptyFile, file: file, line: 1, "the CSV file is empty; expected a header row naming the columns")
        }
        records.removeFirst()
        var seen: [String: Int] = [:]
        for (index, name) in header.cells.enumerated() {
            if let earlier = seen[name] {
                throw DataError(.corrupt, file: file, line: header.line,
                                "column name '\(name)' is used twice (columns \(earlier + 1) and \(index + 1)); names must be unique")
            }
            seen[name] = index
        }
        for record in records where record.cells.count != header.cells.count {
            throw DataError(.raggedRow, file: file, line: record.line,
                            "expected \(header.cells.count) cells (as in the header), found \(record.cells.count)")
        }
        columnNames = header.cells
        rows = records.map(\.cells)
        rowLines = records.map(\.line)
        self.file = file
    }

    /// The position of the column called `name`.
    ///
    /// - Throws: ``DataError`` (`.unknownColumn`) listing the columns there are.
    public func columnIndex(named name: String) throws -> Int {
        guard let index = columnNames.firstIndex(of: name) else {
            throw DataError(.unknownColumn, file: file,
                            "no column named '\(name)'; the columns are: \(columnNames.map { "'\($0)'" }.joined(separator: ", "))")
        }
        return index
    }

    /// The cells of the given columns as a float32 tensor `[rows.count, columns.count]`.
    ///
    /// - Throws: ``DataError`` (`.nonNumericCell`) for the first cell that is not a finite
    ///   number or is beyond float32's range, with its line, column name and text.
    public func numbers(inColumns columns: [Int]) throws -> Tensor {
        var values = [Float](repeating: 0, count: rows.count * columns.count)
        for r in rows.indices {
            for (c, column) in columns.enumerated() {
                values[r * columns.count + c] = try float32(row: r, column: column)
            }
        }
        return Tensor(shape: [rows.count, columns.count], scalars: values)
    }

    /// The cell at (`row`, `column`) as a finite float32: a number such as 1e39 would become
    /// infinity, which is refused as `inf` written out is.
    func float32(row: Int, column: Int) throws -> Float {
        let value = try number(row: row, column: column)
        let single = Float(value)
        guard single.isFinite else {
            throw DataError(.nonNumericCell, file: file, line: rowLines[row],
                            "column '\(columnNames[column])': '\(rows[row][column])' is beyond float32's range "
                                + "(±\(Float.greatestFiniteMagnitude)); expected a number that float32 holds")
        }
        return single
    }

    /// The cell at (`row`, `column`) as a finite number.
    func number(row: Int, column: Int) throws -> Double {
        let text = rows[row][column]
        if let value = Self.number(text) { return value }
        let found = text.trimmingCharacters(in: .whitespaces).isEmpty ? "an empty cell (missing values are not supported)" : "'\(text)'"
        throw DataError(.nonNumericCell, file: file, line: rowLines[row],
                        "column '\(columnNames[column])': expected a number, found \(found)")
    }

    /// The finite number a cell holds, ignoring surrounding spaces, or nil.
    static func number(_ text: String) -> Double? {
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite else { return nil }
        return value
    }
}

/// Splits CSV bytes into records of cells (RFC 4180).
private struct CSVParser {
    struct Record {
        var cells: [String]
        var line: Int
    }

    let bytes: [UInt8]
    let file: String?

    private static let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","),
                       newline = UInt8(ascii: "\n"), carriageReturn = UInt8(ascii: "\r")

    func records() throws -> [Record] {
        var records: [Record] = []
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var line = 1
        let end = bytes.count
        while index < end {
            // One record.
            let recordLine = line
            var cells: [String] = []
            var sawQuotes = false
            while true {
                var cell: [UInt8] = []
                if index < end && bytes[index] == Self.quote {
                    sawQuotes = true
                    let openingLine = line
                    index += 1
                    while true {
                        guard index < end else {
                            throw DataError(.corrupt, file: file, line: openingLine,
                                            "a quoted cell is never closed: expected a closing \" before the end of the file")
                        }
                        let byte = bytes[index]
                        if byte == Self.quote {
                            if index + 1 < end && bytes[index + 1] == Self.quote {
                                cell.append(Self.quote)
                                index += 2
                                continue
                            }
                            index += 1
                            break
                        }
                        if byte == Self.newline || (byte == Self.carriageReturn && (index + 1 == end || bytes[index + 1] != Self.newline)) {
                            line += 1
                        }
                        cell.append(byte)
                        index += 1
                    }
                    if index < end, ![Self.comma, Self.newline, Self.carriageReturn].contains(bytes[index]) {
                        throw DataError(.corrupt, file: file, line: line,
                                        "expected a comma or the end of the line after a closing quote, found '\(Character(UnicodeScalar(bytes[index])))'")
                    }
                } else {
                    let start = index
                    while index < end, bytes[index] != Self.comma, bytes[index] != Self.newline, bytes[index] != Self.carriageReturn {
                        index += 1
                    }
                    cell = Array(bytes[start..<index])
                }
                cells.append(String(decoding: cell, as: UTF8.self))
                if index < end && bytes[index] == Self.comma {
                    index += 1
                    continue
                }
                // End of the record: a line break (CRLF, LF or CR) or the end of the input.
                if index < end {
                    if bytes[index] == Self.carriageReturn && index + 1 < end && bytes[index + 1] == Self.newline { index += 1 }
                    index += 1
                    line += 1
                }
                break
            }
            let isBlankLine = cells.count == 1 && cells[0].isEmpty && !sawQuotes
            if !isBlankLine { records.append(Record(cells: cells, line: recordLine)) }
        }
        return records
    }
}
