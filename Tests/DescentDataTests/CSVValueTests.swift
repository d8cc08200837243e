import Descent
import Foundation
import Testing

/// Values a CSV file holds that would quietly change the data are refused, naming the file, the
/// line, the column and the cell (issue 12).
@Suite struct CSVValueTests {
    private func error(_ text: String, task: PredictionTask? = nil) -> DataError? {
        do {
            _ = try Dataset(table: CSVTable(parsing: text, file: "data.csv"), task: task)
            return nil
        } catch {
            return error as? DataError
        }
    }

    @Test func aFeatureBeyondFloat32IsRefusedAsInfIs() throws {
        let overflow = try #require(error("x,y\n1,0\n1e39,1\n"))
        #expect(overflow.description == "data.csv:3: column 'x': '1e39' is beyond float32's range (±3.4028235e+38); "
                + "expected a number that float32 holds")
        let infinity = try #require(error("x,y\n1,0\ninf,1\n"))
        #expect(infinity.kind == .nonNumericCell && infinity.line == 3)
    }

    @Test func aRegressionTargetBeyondFloat32IsRefused() throws {
        let overflow = try #require(error("x,y\n1,0.5\n2,-1e39\n", task: .regression))
        #expect(overflow.description.hasPrefix("data.csv:3: column 'y': '-1e39' is beyond float32's range"))
    }

    @Test func aStrayNaNInANumericTargetIsAnErrorNotAClassification() throws {
        let rows = (0..<30).map { "\($0),\(Double($0) * 0.37)" } + ["30,nan"] + (31..<40).map { "\($0),\(Double($0) * 0.37)" }
        let stray = try #require(error("x,y\n" + rows.joined(separator: "\n") + "\n"))
        #expect(stray.description == "data.csv:32: column 'y' (the target) holds numbers, but this cell is 'nan'; expected a finite number")
    }

    @Test func textClassesMayStillIncludeAnyName() throws {
        let data = try Dataset(table: CSVTable(parsing: "x,y\n1,cat\n2,nan\n3,dog\n"))
        #expect(data.classNames == ["cat", "dog", "nan"])
    }
}
