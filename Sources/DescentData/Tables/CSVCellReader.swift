import DescentCore
import Foundation

/// Reads a CSV file into ``TableCells``: one scan for the record boundaries (``CSVLayout``),
/// then the chunks parsed on several cores, each writing its rows' numbers in place.
///
/// The cells follow RFC 4180 as ``CSVTable`` reads them (quotes, doubled quotes, line breaks in
/// quotes, LF/CRLF/CR, blank lines skipped, a byte-order mark skipped).
struct CSVCellReader {
    /// Where each column's cells go.
    enum Destination: Equatable {
        case feature(Int)
        case target
        case ignored
    }

    /// Which column is read into ``TableCells/target``.
    enum TargetColumn: Equatable {
        case none
        case named(String)
        case last
    }

    let source: any ByteSource
    /// Columns to leave out, by name.
    var ignored: Set<String> = []
    /// When set, the only columns read as features (the others, but the target, are left out).
    var onlyFeatures: Set<String>?
    /// The column read into ``TableCells/target``.
    var target: TargetColumn = .none
    /// Columns whose cells are kept as text even when they look like numbers, by name.
    var textColumns: Set<String> = []
    /// About how many bytes each chunk parsed on its own holds.
    var chunkBytes = CSVLayout.targetChunkBytes
    /// Called with the fraction of the rows parsed, from any thread, after each chunk.
    var progress: (@Sendable (Double) -> Void)?

    /// Reads the file.
    ///
    /// - Throws: ``DataError``: `.emptyFile` without a header, `.corrupt` for malformed quoting
    ///   or a column name used twice, `.raggedRow` for a row with the wrong number of cells,
    ///   `.unknownColumn` for a target that is not a column, `.nonNumericCell` for a number too
    ///   large for a float32 — each with its line.
    func read() throws -> TableCells {
        let layout = try CSVLayout(file: source, targetChunkBytes: chunkBytes)
        let headerTable = try CSVTable(bytes: layout.header, file: source.path)
        let names = headerTable.columnNames
        var destinations = names.map { _ in Destination.ignored }
        var featureColumns: [Int] = []
        var targetColumn: Int?
        switch target {
        case .none: break
        case .last: targetColumn = names.count - 1
        case .named(let name):
            guard let index = names.firstIndex(of: name) else {
                throw DataError(.unknownColumn, file: source.path,
                                "no column named '\(name)'; the columns are: \(names.map { "'\($0)'" }.joined(separator: ", "))")
            }
            targetColumn = index
        }
        if let targetColumn { destinations[targetColumn] = .target }
        for (index, name) in names.enumerated()
        where index != targetColumn && !ignored.contains(name) && onlyFeatures.map({ $0.contains(name) }) != false {
            destinations[index] = .feature(featureColumns.count)
            featureColumns.append(index)
        }
        let isText = names.map { textColumns.contains($0) }
        let rowCount = layout.rowCount
        var features = Tensor.zeros([rowCount, featureColumns.count])
        var target = [Float](repeating: 0, count: targetColumn == nil ? 0 : rowCount)
        let chunks = layout.chunks
        var results = [ChunkResult?](repeating: nil, count: chunks.count)
        var firstError: (chunk: Int, error: Error)?
        let lock = NSLock()
        let progressCounter = ProgressCounter(total: max(1, rowCount), report: progress)
        let width = featureColumns.count
        let source = self.source

        features.withUnsafeMutableBufferPointer(as: Float.self) { featureBuffer in
            target.withUnsafeMutableBufferPointer { targetBuffer in
                results.withUnsafeMutableBufferPointer { resultBuffer in
                    let featureBase = featureBuffer.baseAddress, targetBase = targetBuffer.baseAddress
                    let resultBase = resultBuffer.baseAddress!
                    Parallel.forEachChunk(count: chunks.count, minimumChunk: 1) { range in
                        var buffer: [UInt8] = []
                        for index in range {
                            let chunk = chunks[index]
                            do {
                                buffer.removeAll(keepingCapacity: true)
                                buffer.append(contentsOf: repeatElement(0, count: chunk.end - chunk.start))
                                try buffer.withUnsafeMutableBytes { try source.read(into: $0, at: chunk.start) }
                                var parser = ChunkParser(names: names, destinations: destinations, isText: isText, width: width,
                                                         features: featureBase, target: targetBase, file: source.path)
                                resultBase[index] = try buffer.withUnsafeBufferPointer { try parser.parse($0, chunk: chunk) }
                                progressCounter.add(chunk.rowCount)
                            } catch {
                                lock.lock()
                                if firstError == nil || firstError!.chunk > index { firstError = (index, error) }
                                lock.unlock()
                                return
                            }
                        }
                    }
                }
            }
        }
        if let firstError { throw firstError.error }

        var texts: [Int: TableCells.TextCells] = [:]
        var missing = [Int](repeating: 0, count: names.count), numbers = missing
        for result in results {
            guard let result else { continue }
            for column in names.indices {
                missing[column] += result.missingCounts[column]
                numbers[column] += result.numberCounts[column]
                if !result.texts[column].rows.isEmpty {
                    texts[column, default: .init()].rows += result.texts[column].rows
                    texts[column, default: .init()].texts += result.texts[column].texts
                }
            }
        }
        return TableCells(columnNames: names, file: source.path, layout: layout, featureColumns: featureColumns,
                          features: features, targetColumn: targetColumn, target: target, texts: texts,
                          missingCounts: missing, numberCounts: numbers,
                          textColumns: Set(names.indices.filter { isText[$0] }))
    }
}

/// What parsing one chunk found besides the numbers it wrote in place.
private struct ChunkResult {
    var texts: [TableCells.TextCells]
    var missingCounts: [Int]
    var numberCounts: [Int]
}

/// Adds up the rows parsed by all threads and reports the fraction done.
private final class ProgressCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var done = 0
    private let total: Int
    private let report: (@Sendable (Double) -> Void)?

    init(total: Int, report: (@Sendable (Double) -> Void)?) {
        self.total = total
        self.report = report
    }

    func add(_ rows: Int) {
        guard let report else { return }
        lock.lock()
        done += rows
        let fraction = Double(done) / Double(total)
        lock.unlock()
        report(fraction)
    }
}

/// Parses the records of one chunk, writing numbers to their rows of the shared outputs (each
/// chunk owns its rows, so threads never write the same place).
private struct ChunkParser {
    let names: [String]
    let destinations: [CSVCellReader.Destination]
    let isText: [Bool]
    let width: Int
    let features: UnsafeMutablePointer<Float>?
    let target: UnsafeMutablePointer<Float>?
    let file: String?
    private var scratch: [UInt8] = []

    init(names: [String], destinations: [CSVCellReader.Destination], isText: [Bool], width: Int,
         features: UnsafeMutablePointer<Float>?, target: UnsafeMutablePointer<Float>?, file: String?) {
        self.names = names
        self.destinations = destinations
        self.isText = isText
        self.width = width
        self.features = features
        self.target = target
        self.file = file
    }

    mutating func parse(_ bytes: UnsafeBufferPointer<UInt8>, chunk: CSVLayout.Chunk) throws -> ChunkResult {
        let columnCount = destinations.count
        var result = ChunkResult(texts: Array(repeating: .init(), count: columnCount),
                                 missingCounts: Array(repeating: 0, count: columnCount),
                                 numberCounts: Array(repeating: 0, count: columnCount))
        guard let base = bytes.baseAddress else { return result }
        let end = bytes.count
        var position = 0
        var line = chunk.firstLine
        var row = chunk.firstRow
        while position < end {
            let first = base[position]
            if first == CSVBytes.newline || first == CSVBytes.carriageReturn {
                // A blank line (or the LF of a CRLF whose CR ended the chunk before).
                if first == CSVBytes.carriageReturn {
                    line += 1
                    if position + 1 < end, base[position + 1] == CSVBytes.newline { position += 1 }
                } else {
                    line += 1
                }
                position += 1
                continue
            }
            let recordLine = line
            // The layout pass counted this chunk's records; never write past its rows.
            guard row < chunk.firstRow + chunk.rowCount else {
                throw DataError(.corrupt, file: file, line: recordLine,
                                "the file's records could not be told apart (a quote in an unexpected place?)")
            }
            var column = 0
            while true {
                var cellStart = position, cellEnd = position
                var quoted = false
                if position < end, base[position] == CSVBytes.quote {
                    quoted = true
                    try readQuotedCell(base, end: end, position: &position, line: &line)
                    if position < end, base[position] != CSVBytes.comma, base[position] != CSVBytes.newline,
                       base[position] != CSVBytes.carriageReturn {
                        throw DataError(.corrupt, file: file, line: line,
                                        "expected a comma or the end of the line after a closing quote, found '\(Character(UnicodeScalar(base[position])))'")
                    }
                } else {
                    while position < end {
                        let byte = base[position]
                        if byte == CSVBytes.comma || byte == CSVBytes.newline || byte == CSVBytes.carriageReturn { break }
                        position += 1
                    }
                    cellEnd = position
                }
                if column < columnCount {
                    if quoted {
                        try scratch.withUnsafeBufferPointer { cell in
                            try store(cell.baseAddress ?? base, count: cell.count, column: column, row: row,
                                      line: recordLine, into: &result)
                        }
                    } else {
                        try store(base + cellStart, count: cellEnd - cellStart, column: column, row: row,
                                  line: recordLine, into: &result)
                    }
                }
                column += 1
                if position < end, base[position] == CSVBytes.comma {
                    position += 1
                    continue
                }
                break
            }
            if column != columnCount {
                throw DataError(.raggedRow, file: file, line: recordLine,
                                "expected \(columnCount) cells (as in the header), found \(column)")
            }
            if position < end {
                if base[position] == CSVBytes.carriageReturn, position + 1 < end, base[position + 1] == CSVBytes.newline {
                    position += 1
                }
                position += 1
                line += 1
            }
            row += 1
        }
        return result
    }

    /// Reads the quoted cell at `position` into ``scratch`` (doubled quotes made single) and
    /// moves past its closing quote.
    private mutating func readQuotedCell(_ base: UnsafePointer<UInt8>, end: Int, position: inout Int, line: inout Int) throws {
        scratch.removeAll(keepingCapacity: true)
        let openingLine = line
        position += 1
        while true {
            guard position < end else {
                throw DataError(.corrupt, file: file, line: openingLine,
                                "a quoted cell is never closed: expected a closing \" before the end of the file")
            }
            let byte = base[position]
            if byte == CSVBytes.quote {
                if position + 1 < end, base[position + 1] == CSVBytes.quote {
                    scratch.append(CSVBytes.quote)
                    position += 2
                    continue
                }
                position += 1
                return
            }
            if byte == CSVBytes.newline
                || (byte == CSVBytes.carriageReturn && (position + 1 == end || base[position + 1] != CSVBytes.newline)) {
                line += 1
            }
            scratch.append(byte)
            position += 1
        }
    }

    /// Files one cell: its number where its column's numbers go, or its text.
    private func store(_ cell: UnsafePointer<UInt8>, count: Int, column: Int, row: Int, line: Int,
                       into result: inout ChunkResult) throws {
        let slot: UnsafeMutablePointer<Float>
        switch destinations[column] {
        case .ignored: return
        case .feature(let index): slot = features! + (row * width + index)
        case .target: slot = target! + row
        }
        let value = CellValue.read(cell, count: count)
        switch value {
        case .number(let number) where !isText[column]:
            slot.pointee = number
            result.numberCounts[column] += 1
        case .missing:
            slot.pointee = .nan
            result.missingCounts[column] += 1
        case .outOfRange where !isText[column]:
            throw DataError(.nonNumericCell, file: file, line: line,
                            "column '\(names[column])': '\(Self.trimmedText(cell, count: count))' is beyond float32's range "
                                + "(±\(Float.greatestFiniteMagnitude)); expected a number that float32 holds")
        default:
            slot.pointee = .nan
            result.texts[column].rows.append(row)
            result.texts[column].texts.append(Self.trimmedText(cell, count: count))
            if case .number = value { result.numberCounts[column] += 1 }
        }
    }

    /// The cell's text without the spaces and tabs around it.
    private static func trimmedText(_ cell: UnsafePointer<UInt8>, count: Int) -> String {
        var first = 0, end = count
        while first < end, cell[first] == 0x20 || cell[first] == 0x09 { first += 1 }
        while end > first, cell[end - 1] == 0x20 || cell[end - 1] == 0x09 { end -= 1 }
        return String(decoding: UnsafeBufferPointer(start: cell + first, count: end - first), as: UTF8.self)
    }
}
