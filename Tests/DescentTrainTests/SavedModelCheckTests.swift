import Descent
import Foundation
import Testing
import _DescentTestSupport

/// A saved model folder, or the inputs given to it, that would give meaningless numbers is
/// refused with an error naming the file, the place and the value (issue 12).
@Suite struct SavedModelCheckTests {
    /// A folder holding a 4-3 classifier, after `change` has had its way with the weights.
    private func savedFolder(classNames: [String] = ["a", "b", "c"],
                             change: (inout Sequential) -> Void = { _ in }) throws -> URL {
        var model = Sequential { Dense(inputCount: 4, outputCount: 3, seed: 1) }
        change(&model)
        let folder = scratchFolder.appendingPathComponent("descent-check-\(UUID().uuidString)")
        try model.save(to: folder, metadata: ModelMetadata(classNames: classNames, lossName: "cross-entropy"))
        return folder
    }

    private func message(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func nanWeightsAreRefusedNamingTensorPlaceAndValue() throws {
        let folder = try savedFolder { model in
            model.visitParameters { name, parameter in
                guard name == "0.weight" else { return }
                var values = parameter.doubles()
                values[5] = .nan   // row 1, column 1 of [3, 4]
                parameter = Tensor(doubles: values, shape: parameter.shape, dtype: parameter.dtype)
            }
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = message { _ = try SavedModel(folder: folder.path) }
        #expect(text.hasSuffix("model.safetensors': tensor '0.weight' at [1, 1]: expected finite numbers, found nan"), "\(text)")
    }

    @Test func infiniteBiasIsRefused() throws {
        let folder = try savedFolder { model in
            model.visitParameters { name, parameter in
                guard name == "0.bias" else { return }
                parameter = Tensor(doubles: [0, -.infinity, 0], shape: [3], dtype: parameter.dtype)
            }
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = message { _ = try SavedModel(folder: folder.path) }
        #expect(text.hasSuffix("tensor '0.bias' at [1]: expected finite numbers, found -inf"), "\(text)")
    }

    @Test func fewerClassNamesThanOutputsAreRefused() throws {
        let folder = try savedFolder(classNames: ["a", "b"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = message { _ = try SavedModel(folder: folder.path) }
        #expect(text.hasSuffix("model.json': metadata.class_names: expected 3 class names, one per output, found 2 (\"a\", \"b\")"),
                "\(text)")
    }

    @Test func aBinaryClassifiersTwoNamesForOneOutputAreAccepted() throws {
        let model = Sequential { Dense(inputCount: 4, outputCount: 1, seed: 1) }
        let folder = scratchFolder.appendingPathComponent("descent-check-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try model.save(to: folder, metadata: ModelMetadata(classNames: ["no", "yes"], lossName: "bce-logits"))
        #expect(try SavedModel(folder: folder.path).metadata.classNames == ["no", "yes"])
    }

    @Test func aHeaderOnlyCSVIsAnErrorNotATrap() throws {
        let folder = try savedFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = folder.appendingPathComponent("header-only.csv")
        try Data("w,x,y,z\n".utf8).write(to: csv)
        let text = message { _ = try SavedModel(folder: folder.path).predict(inputsAt: csv.path) }
        #expect(text == "\(csv.path):2: the CSV file has a header but no data rows; expected at least one example to predict")
    }

    @Test func inputsOfAnotherShapeNameBothShapesAndTheFile() throws {
        let folder = try savedFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let npy = folder.appendingPathComponent("inputs.npy")
        try Data(NPY.encode(Tensor(shape: [1, 2, 3], scalars: [1, 2, 3, 4, 5, 6] as [Float]))).write(to: npy)
        let text = message { _ = try SavedModel(folder: folder.path).predict(inputsAt: npy.path) }
        #expect(text.hasSuffix("the model expects 4 input features (examples of shape [4]), but '\(npy.path)' has 6 "
                               + "(examples of shape [6])"), "\(text)")
    }

    /// A batch norm that keeps no running statistics normalizes each batch by its own, in
    /// inference too, and one example has no variance: a file of one example (or 1,025) is an
    /// error naming the layer, not a trap. Two examples, or a batch norm with running
    /// statistics, predict.
    @Test func oneExampleForABatchNormWithoutRunningStatisticsIsAnError() throws {
        let folder = try savedFolder { model in
            model = Sequential([Dense(inputCount: 4, outputCount: 3, seed: 1),
                                BatchNorm1d(featureCount: 3, trackRunningStatistics: false)])
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        func inputs(_ count: Int) throws -> String {
            let npy = folder.appendingPathComponent("inputs-\(count).npy")
            try Data(NPY.encode(Tensor.randomNormal([count, 4], seed: 3))).write(to: npy)
            return npy.path
        }
        for count in [1, inferenceBatchSize + 1] {
            let path = try inputs(count)
            let text = message { _ = try SavedModel(folder: folder.path).predict(inputsAt: path) }
            #expect(text == "BatchNorm1d(3, trackRunningStats: false) normalizes each batch by its own statistics (it keeps "
                        + "no running statistics), and '\(path)' leaves a batch of 1 example (\(count) in batches of 256): "
                        + "it cannot normalize a single value per feature")
        }
        #expect(try SavedModel(folder: folder.path).predict(inputsAt: inputs(2)).outputs.shape == [2, 3])
        let tracking = try savedFolder { model in
            model = Sequential([Dense(inputCount: 4, outputCount: 3, seed: 1), BatchNorm1d(featureCount: 3)])
        }
        defer { try? FileManager.default.removeItem(at: tracking) }
        #expect(try SavedModel(folder: tracking.path).predict(inputsAt: inputs(1)).outputs.shape == [1, 3])
    }

    @Test func nanInputsInAnNPYAreRefused() throws {
        let folder = try savedFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let npy = folder.appendingPathComponent("inputs.npy")
        let inputs = Tensor(shape: [2, 4], scalars: [1, 2, 3, 4, 5, .nan, 7, 8] as [Float])
        try Data(NPY.encode(inputs)).write(to: npy)
        let text = message { _ = try SavedModel(folder: folder.path).predict(inputsAt: npy.path) }
        #expect(text == "\(npy.path): row 1, column 1 (from 0): expected a finite number, found nan")
    }

    @Test func anNPYWithoutRowsIsRefused() throws {
        let folder = try savedFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let npy = folder.appendingPathComponent("inputs.npy")
        try Data(NPY.encode(Tensor(shape: [0, 4], scalars: [] as [Float]))).write(to: npy)
        let text = message { _ = try SavedModel(folder: folder.path).predict(inputsAt: npy.path) }
        #expect(text == "\(npy.path): the array has no rows (shape [0, 4]); expected at least one example to predict")
    }

    /// Class names holding a comma or a quote are quoted whole (RFC 4180), prefix and all, so
    /// the table reads back with one header cell per column.
    @Test func thePredictionsHeaderIsValidCSV() throws {
        let outputs = PredictionOutputs(outputs: Tensor(shape: [1, 3], scalars: [0, 1, 2] as [Float]),
                                        classNames: ["a,b", "say \"hi\"", "plain"], lossName: "cross-entropy")
        let text = outputs.csv()
        #expect(text.hasPrefix("prediction,\"p_a,b\",\"p_say \"\"hi\"\"\",p_plain\nplain,"))
        let table = try CSVTable(parsing: text)
        #expect(table.columnNames == ["prediction", "p_a,b", "p_say \"hi\"", "p_plain"])
        #expect(table.rows.count == 1 && table.rows[0].count == 4)
    }
}

/// Training data that leave nothing to learn are refused before training (issue 12).
@Suite struct TrainingDataCheckTests {
    @Test func aOneClassTargetIsRefused() throws {
        let file = scratchFolder.appendingPathComponent("descent-one-class-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data("x,species\n1,setosa\n2,setosa\n3,setosa\n".utf8).write(to: file)
        var job = TrainingJob(dataset: file.path)
        job.epochs = 1
        #expect(throws: TrainingError.incompatibleData("'\(file.path)': the target has 1 class ('setosa'); a classifier needs at least two")) {
            try job.run()
        }
    }
}
