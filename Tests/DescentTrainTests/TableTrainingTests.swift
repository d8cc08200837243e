import Descent
import Foundation
import Testing
import _DescentTestSupport

/// Issue 14 through a whole training run: what is learned from a table (categories, fills, the
/// target's scale) is saved with the model, and `evaluate` and `predict` read new files the
/// same way, whatever the order of their columns.
@Suite struct TableTrainingTests {
    private func temporaryFolder() throws -> String {
        let path = scratchFolder.appendingPathComponent("tables-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Houses: a price in dollars from a size, a yes/no column, a three-way category and gaps.
    private func houses(rows: Int) -> String {
        var text = "size,garden,heating,price\n"
        for row in 0..<rows {
            let size = 50 + (row * 37) % 150
            let garden = row % 3 == 0 ? "yes" : "no"
            let heating = ["gas", "oil", "heat pump"][row % 3 == 1 ? 1 : (row % 5 == 0 ? 2 : 0)]
            let price = 1000 * size + (garden == "yes" ? 20000 : 0) + (heating == "oil" ? -10000 : 0)
            text += "\(row % 17 == 5 ? "" : String(size)),\(garden),\(row % 23 == 7 ? "NA" : heating),\(price)\n"
        }
        return text
    }

    @Test func savedTableReadsFilesWithColumnsInAnotherOrder() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try houses(rows: 120).write(toFile: folder + "/houses.csv", atomically: true, encoding: .utf8)
        var job = TrainingJob(dataset: folder + "/houses.csv")
        job.missing = .median
        job.epochs = 3  // standardized by default: a table
        job.output = folder + "/model"
        let outcome = try job.run()
        let table = try #require(outcome.metadata.table)
        #expect(table.missing == .median && table.featureCount == 5)
        #expect(table.columns.map(\.categories) == [nil, ["no", "yes"], ["gas", "heat pump", "oil"]])
        guard case .number? = table.columns[0].fill, case .category("gas")? = table.columns[2].fill else {
            Issue.record("fills: \(table.columns.map(\.fill))")
            return
        }
        // Only the numeric column is standardized; the one-hot and yes/no features stay 0/1.
        let standardizer = try #require(outcome.metadata.standardizer)
        #expect(standardizer.mean[0] > 50 && standardizer.scale[0] > 1)
        #expect(standardizer.mean.dropFirst() == [0, 0, 0, 0] && standardizer.scale.dropFirst() == [1, 1, 1, 1])
        let scaling = try #require(outcome.metadata.targetScaling)
        #expect(scaling.mean[0] > 100_000 && scaling.scale[0] > 10_000)
        // The error metrics are in dollars, the cost in standardized units.
        let mae = try #require(outcome.finalMetrics["mae"])
        #expect(mae > 100 && (outcome.finalMetrics["loss"] ?? 99) < 10)

        let saved = try SavedModel(folder: folder + "/model")
        #expect(saved.metadata == outcome.metadata)
        let text = try String(contentsOfFile: folder + "/model/model.json", encoding: .utf8)
        #expect(text.contains("\"type\": \"table\"") && text.contains("\"target_scaling\""))

        let inOrder = "size,garden,heating\n120,yes,gas\n,no,oil\n80,no,NA\n"
        let reordered = "heating,price,garden,size\ngas,0,yes,120\noil,0,no,\nNA,0,no,80\n"
        try inOrder.write(toFile: folder + "/a.csv", atomically: true, encoding: .utf8)
        try reordered.write(toFile: folder + "/b.csv", atomically: true, encoding: .utf8)
        let first = try saved.predict(inputsAt: folder + "/a.csv").outputs.scalars(as: Float.self)
        let second = try saved.predict(inputsAt: folder + "/b.csv").outputs.scalars(as: Float.self)
        #expect(first.count == 3 && first == second)
        // In dollars: near the prices the model was trained on, not near 0.
        #expect(first.allSatisfy { $0 > 10_000 })

        let evaluation = try saved.evaluate(on: folder + "/houses.csv")
        #expect(evaluation.count == 120 && (evaluation.values["mae"] ?? 0) > 100)

        try "size,garden,heating\n100,maybe,gas\n".write(toFile: folder + "/c.csv", atomically: true, encoding: .utf8)
        #expect(throws: DataError.self) { try saved.predict(inputsAt: folder + "/c.csv") }
        #expect(try saved.predict(inputsAt: folder + "/c.csv", unknownCategory: .ignore).outputs.shape == [1, 1])
    }

    @Test func targetScalingCanBeTurnedOff() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try houses(rows: 40).write(toFile: folder + "/houses.csv", atomically: true, encoding: .utf8)
        var job = TrainingJob(dataset: folder + "/houses.csv")
        job.missing = .dropRows
        job.scalesTarget = false
        job.epochs = 1
        let outcome = try job.run()
        #expect(outcome.metadata.targetScaling == nil && outcome.plan.targetScaling == nil)
        #expect(outcome.plan.training.count + (outcome.plan.validation?.count ?? 0) < 40)  // rows with gaps dropped
        #expect(outcome.metadata.table?.missing == .dropRows)
    }

    /// Tables are standardized unless told not to; other data only when told to.
    @Test func standardizingIsTheDefaultForTablesOnly() {
        var table = TrainingJob(dataset: "houses.CSV")
        #expect(table.standardizesFeatures)
        table.standardize = false
        #expect(!table.standardizesFeatures)
        var digits = TrainingJob(dataset: "digits")
        #expect(!digits.standardizesFeatures)
        digits.standardize = true
        #expect(digits.standardizesFeatures)
    }

    @Test func validationFilesAreFilledWithTheTrainingStatistics() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try houses(rows: 60).write(toFile: folder + "/train.csv", atomically: true, encoding: .utf8)
        try "price,heating,size,garden\n90000,oil,,no\n150000,gas,130,yes\n"
            .write(toFile: folder + "/validation.csv", atomically: true, encoding: .utf8)
        var job = TrainingJob(dataset: folder + "/train.csv")
        job.missing = .mean
        job.validation = .file(folder + "/validation.csv")
        job.standardize = false  // to see the filled value itself
        job.epochs = 1
        let outcome = try job.run()
        let validation = try #require(outcome.plan.validation)
        guard case .number(let mean)? = outcome.metadata.table?.columns[0].fill else {
            Issue.record("no fill")
            return
        }
        #expect(validation.count == 2 && validation.features.scalars(as: Float.self)[0] == Float(mean))
    }
}
