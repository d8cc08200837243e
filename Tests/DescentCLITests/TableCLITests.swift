import Foundation
import Testing

/// Issue 14 on the command line: the options spelled as the issue names them, and a table with
/// words and gaps trained, inspected and applied to a file whose columns come in another order.
@Suite struct TableCLITests {
    private let cars = """
        id,weight,fuel,doors,zip,price
        a1,1.5,gas,4,02134,10500.5
        a2,2.5,diesel,2,02134,20250
        a3,,gas,4,10001,30100
        a4,4.5,rotary,NA,10001,40200.25
        a5,3.0,gas,2,02134,25000
        a6,2.0,diesel,4,10001,18000
        """

    @Test func trainInspectAndPredictATableWithWordsAndGaps() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(cars.utf8).write(to: folder.appendingPathComponent("cars.csv"))

        let refused = try descent(["train", "cars.csv", "--target", "price", "--ignore", "id", "--quiet"], in: folder)
        #expect(refused.status != 0 && refused.standardError.contains("row 3, column 'weight': a missing value"))

        let options = ["--target", "price", "--ignore", "id", "--categorical", "zip", "--missing", "median"]
        let inspect = try descent(["inspect", "cars.csv"] + options, in: folder)
        #expect(inspect.status == 0, "\(inspect.standardError)")
        #expect(inspect.standardOutput.contains("id      ignored      0        0\n"))
        #expect(inspect.standardOutput.contains("zip     categorical  0        1         '02134', '10001'\n"))
        #expect(inspect.standardOutput.contains("doors   numeric      1        1\n"))

        let train = try descent(["train", "cars.csv"] + options + ["--epochs", "2", "--validation-split", "0",
                                                                  "--output", "m", "--quiet"], in: folder)
        #expect(train.status == 0, "\(train.standardError)")
        let unscaled = try descent(["train", "cars.csv"] + options + ["--epochs", "1", "--no-target-scaling", "--quiet"], in: folder)
        #expect(unscaled.status == 0, "\(unscaled.standardError)")

        // Columns in another order, no target, a missing cell filled with the training median.
        try Data("zip,doors,fuel,weight\n10001,4,gas,2.5\n02134,,diesel,\n".utf8).write(to: folder.appendingPathComponent("new.csv"))
        let predict = try descent(["predict", "m", "new.csv"], in: folder)
        #expect(predict.status == 0, "\(predict.standardError)")
        #expect(predict.standardOutput.split(separator: "\n").count == 3)

        try Data("zip,doors,fuel,weight\n10001,4,electric,2.5\n".utf8).write(to: folder.appendingPathComponent("odd.csv"))
        let unknown = try descent(["predict", "m", "odd.csv"], in: folder)
        #expect(unknown.status != 0 && unknown.standardError.contains("row 1, column 'fuel': 'electric' is not one of the categories"))
        let ignored = try descent(["predict", "m", "odd.csv", "--unknown-category", "ignore"], in: folder)
        #expect(ignored.status == 0, "\(ignored.standardError)")

        let evaluate = try descent(["evaluate", "m", "cars.csv", "--json"], in: folder)
        #expect(evaluate.status == 0 && evaluate.standardOutput.contains("\"mae\""), "\(evaluate.standardError)")
    }
}
