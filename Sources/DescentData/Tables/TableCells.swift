import DescentCore

/// The cells of a CSV file as read, column by column, before anything is decided about them:
/// numbers where cells hold numbers, NaN where they are missing or hold text, and the text of
/// the cells that hold text.
///
/// The feature columns' numbers are written straight into one float32 `[rows, features]` tensor
/// (the target and ignored columns left out), so that for a table of numbers this tensor *is*
/// the dataset's features and loading needs no second copy.
struct TableCells: @unchecked Sendable {
    /// The cells of one column that hold text, in row order.
    struct TextCells: Sendable {
        var rows: [Int] = []
        var texts: [String] = []
    }

    /// The header, every column of the file.
    var columnNames: [String]
    /// The file, for messages.
    var file: String?
    /// Where the records are in the file.
    var layout: CSVLayout
    /// The columns whose numbers are in ``features``, in order.
    var featureColumns: [Int]
    /// float32 `[rows, featureColumns.count]`; NaN where a cell is missing or text.
    var features: Tensor
    /// The target column, if one was asked for.
    var targetColumn: Int?
    /// The target column's numbers (NaN where missing or text).
    var target: [Float]
    /// The text cells of each column (features and target; none for ignored columns).
    var texts: [Int: TextCells]
    /// The missing cells of each column.
    var missingCounts: [Int]
    /// The cells of each column that hold numbers.
    var numberCounts: [Int]
    /// The columns read as text whatever they hold (their numbers are in ``texts`` too).
    var textColumns: Set<Int>

    /// The number of data rows.
    var rowCount: Int { layout.rowCount }

    /// The 1-based line of the file on which data row `row` (0-based) starts.
    func line(ofRow row: Int, in source: some ByteSource) -> Int? {
        guard let chunk = layout.chunks.first(where: { $0.firstRow <= row && row < $0.firstRow + $0.rowCount }),
              let bytes = try? source.bytes(in: chunk.start..<chunk.end) else { return nil }
        return CSVRecordScan.line(ofRecord: row - chunk.firstRow, in: bytes, firstLine: chunk.firstLine)
    }
}

/// Walking records without parsing their cells.
enum CSVRecordScan {
    /// The line on which the `record`-th non-blank record of `bytes` starts, when `bytes` start
    /// at a record on line `firstLine`.
    static func line(ofRecord record: Int, in bytes: [UInt8], firstLine: Int) -> Int? {
        var line = firstLine, seen = 0, inQuotes = false, recordHasBytes = false, recordLine = firstLine
        var previousWasCarriageReturn = false
        var previousByte = CSVBytes.newline, justClosedQuote = false
        for byte in bytes {
            defer { previousByte = byte }
            if inQuotes {
                if byte == CSVBytes.quote {
                    inQuotes = false
                    justClosedQuote = true
                    previousWasCarriageReturn = false
                    continue
                }
                if byte == CSVBytes.carriageReturn || (byte == CSVBytes.newline && !previousWasCarriageReturn) { line += 1 }
            } else if byte == CSVBytes.newline || byte == CSVBytes.carriageReturn {
                if byte == CSVBytes.carriageReturn || !previousWasCarriageReturn { line += 1 }
                if recordHasBytes {
                    if seen == record { return recordLine }
                    seen += 1
                }
                recordHasBytes = false
                recordLine = line
            } else {
                if byte == CSVBytes.quote && (justClosedQuote || previousByte == CSVBytes.comma
                                              || previousByte == CSVBytes.newline || previousByte == CSVBytes.carriageReturn) {
                    inQuotes = true
                }
                if !recordHasBytes { recordLine = line }
                recordHasBytes = true
            }
            previousWasCarriageReturn = byte == CSVBytes.carriageReturn
            justClosedQuote = false
        }
        return recordHasBytes && seen == record ? recordLine : nil
    }
}
