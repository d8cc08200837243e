@testable import DescentData
import Descent
import Foundation
import Testing

/// The fast CSV reader: numbers exactly as `strtof` reads them, and the same cells whether a
/// file is read in one chunk or in many (chunk boundaries never split a quoted line break).
@Suite struct CSVCellReaderTests {
    @Test func numbersAreWhatStrtofGives() {
        var seeded = SeededDigits(state: 0x9E37_79B9_7F4A_7C15)
        for _ in 0..<20_000 {
            let text = seeded.numberText()
            let expected = text.withCString { strtof($0, nil) }
            switch CellValue.read(text) {
            case .number(let value):
                #expect(value.bitPattern == expected.bitPattern, "'\(text)': \(value) but strtof gives \(expected)")
            case .outOfRange:
                #expect(expected.isInfinite, "'\(text)' was called out of range, strtof gives \(expected)")
            case let other:
                Issue.record("'\(text)' read as \(other)")
            }
        }
    }

    @Test func halfwayCasesAndEdges() {
        // 2^24 + 1 lies exactly halfway between two floats; ties go to even.
        for text in ["16777217", "16777219", "0.1", "-0", "3.4028235e38", "1.17549435e-38", "1e-45", "7.038531e-26",
                     "123456789012345678901234567890", "0.000000000000000000000000000001", "+.5", "5.", "1E5"] {
            guard case .number(let value) = CellValue.read(text) else {
                Issue.record("'\(text)' is not a number")
                continue
            }
            #expect(value.bitPattern == strtof(text, nil).bitPattern, "'\(text)'")
        }
        #expect(CellValue.read("1e39") == .outOfRange && CellValue.read("-1e39") == .outOfRange)
        for missing in ["", "  ", "NA", "NaN", "nan", "?"] { #expect(CellValue.read(missing) == .missing, "'\(missing)'") }
        for text in ["yes", "1e", "-", ".", "0x10", "inf", "1,5", "4 4"] { #expect(CellValue.read(text) == .text, "'\(text)'") }
    }

    @Test func chunksRespectQuotedLineBreaks() throws {
        var text = "a,\"b\nname\",c\r\n"
        for row in 0..<300 {
            let quoted = row % 7 == 0 ? "\"x\ny,\"\"\(row)\"\"\"" : "w\(row % 3)"
            text += "\(row),\(quoted),\(Double(row) / 4)\(row % 5 == 0 ? "\r\n" : "\n")"
            if row % 11 == 0 { text += "\n" }  // blank lines are skipped
        }
        let reference = try CSVTable(parsing: text)
        for chunkBytes in [1, 37, 1 << 20] {
            var reader = CSVCellReader(source: MemoryBytes(bytes: Array(text.utf8), path: "q.csv"))
            reader.chunkBytes = chunkBytes
            reader.target = .last
            let cells = try reader.read()
            #expect(cells.layout.chunks.count > (chunkBytes == 1 ? 100 : 0))
            #expect(cells.rowCount == reference.rows.count && cells.columnNames == ["a", "b\nname", "c"])
            let values = cells.features.scalars(as: Float.self)
            #expect(values.enumerated().allSatisfy { $0.offset % 2 == 1 || $0.element == Float(reference.rows[$0.offset / 2][0]) })
            #expect(cells.target == reference.rows.map { Float($0[2])! })
            #expect(cells.texts[1]?.texts == reference.rows.map { $0[1] })
            for row in [0, 7, 150, 299] {
                #expect(cells.line(ofRow: row, in: MemoryBytes(bytes: Array(text.utf8), path: nil)) == reference.rowLines[row])
            }
        }
    }

    @Test func quotesInsideCellsAreText() throws {
        // As CSVTable reads them: a quote that does not open a cell is part of its text.
        let text = "name,quote,y\nno\"quote,\"a \"\"b\"\"\",1\nx\"\"y,\"\",2\n\"multi\nline\",z,3\n"
        let reference = try CSVTable(parsing: text)
        for chunkBytes in [1, 1 << 20] {
            var reader = CSVCellReader(source: MemoryBytes(bytes: Array(text.utf8), path: nil))
            reader.chunkBytes = chunkBytes
            reader.target = .last
            reader.textColumns = ["name", "quote"]
            let cells = try reader.read()
            #expect(cells.rowCount == 3)
            #expect(cells.texts[0]?.texts == reference.rows.map { $0[0] } && cells.texts[1]?.texts == ["a \"b\"", "z"])
            #expect(cells.target == [1, 2, 3])
        }
    }

    @Test func randomTextReadsAsCSVTableReadsIt() {
        // Quotes, commas and line breaks in random places, read in one chunk and in many: the
        // same rows and cells as CSVTable, or an error where CSVTable has one — never a trap.
        var random = SeededDigits(state: 42)
        let alphabet: [Character] = ["a", "1", ",", "\"", "\n", "\r", " ", "2"]
        for _ in 0..<3_000 {
            let text = "x,y\n" + String((0..<random.next(40)).map { _ in alphabet[random.next(alphabet.count)] })
            let reference = try? CSVTable(parsing: text)
            for chunkBytes in [1, 1 << 20] {
                var reader = CSVCellReader(source: MemoryBytes(bytes: Array(text.utf8), path: nil))
                reader.chunkBytes = chunkBytes
                reader.textColumns = ["x", "y"]
                let cells = try? reader.read()
                #expect((cells == nil) == (reference == nil), "\(text.debugDescription), chunks of \(chunkBytes)")
                if let cells, let reference {
                    #expect(cells.rowCount == reference.rows.count, "\(text.debugDescription)")
                }
            }
        }
    }

    @Test func malformedFilesNameTheirLine() throws {
        func failure(_ text: String) throws -> DataError {
            try #require(throws: DataError.self) { try Dataset.csv(parsing: text, file: "t.csv") }
        }
        let ragged = try failure("a,b\n1,2\n3\n")
        #expect(ragged.kind == .raggedRow && ragged.line == 3)
        let unclosed = try failure("a,b\n1,2\n3,\"x\n\n")
        #expect(unclosed.kind == .corrupt && unclosed.line == 3)
        let afterQuote = try failure("a,b\n\"1\"2,3")
        #expect(afterQuote.kind == .corrupt && afterQuote.description.contains("found '2'"))
        let tooLarge = try failure("a,b\n1e39,1\n")
        #expect(tooLarge.description == "t.csv:2: column 'a': '1e39' is beyond float32's range (±3.4028235e+38); "
                    + "expected a number that float32 holds")
        let headerOnly = try failure("a,b\n")
        #expect(headerOnly.kind == .emptyFile)
        let empty = try failure("")
        #expect(empty.kind == .emptyFile)
    }
}

/// Random number texts in many forms: digits before and after a point, long mantissas, and
/// exponents near float32's limits.
private struct SeededDigits {
    var state: UInt64

    mutating func next(_ bound: Int) -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int((state >> 33) % UInt64(bound))
    }

    mutating func digits(_ count: Int) -> String { String((0..<count).map { _ in Character(String(next(10))) }) }

    mutating func numberText() -> String {
        var text = ["", "-", "+"][next(3)]
        let whole = next(12), fraction = next(14)
        text += digits(whole)
        if fraction > 0 || whole == 0 { text += "." + digits(max(fraction, whole == 0 ? 1 : 0)) }
        if next(3) == 0 { text += ["e", "E"][next(2)] + ["", "-", "+"][next(3)] + String(next(46)) }
        if next(20) == 0 { text = digits(18 + next(12)) }  // beyond 19 significant digits
        return text
    }
}
