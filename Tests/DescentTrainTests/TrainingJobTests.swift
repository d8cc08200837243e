import Descent
import Foundation
import Testing
import _DescentTestSupport

/// `TrainingJob`: what `descent train` does, called from Swift; `SavedModel`: what `evaluate` and
/// `predict` do with the folder it saves.
@Suite struct TrainingJobTests {
    /// A fresh folder path (not created) for one test's model.
    private func temporaryPath(_ name: String) -> String {
        scratchFolder.appendingPathComponent("\(name)-\(UUID().uuidString)").path
    }

    @Test func trainsTheDigitsAndSavesTheFolder() throws {
        let output = temporaryPath("descent-job")
        defer { try? FileManager.default.removeItem(atPath: output) }
        var job = TrainingJob()
        #expect(job.dataset == "digits" && job.epochs == 60 && job.optimizer.name == .adam)
        job.epochs = 5
        job.output = output

        var started: [TrainingJob.Plan] = []
        var epochsEnded = 0
        let outcome = try job.run { event in
            switch event {
            case .started(let plan): started.append(plan)
            case .training(.epochEnded): epochsEnded += 1
            case .training(.stepEnded): break
            }
        }
        // The command line's split: 20 % of the 1,797 digits held out with seed 0.
        let plan = try #require(started.first)
        #expect(started.count == 1 && epochsEnded == 5)
        #expect(plan.training.count == 1438 && plan.validation?.count == 359 && plan.validationName == "validation")
        #expect(plan.training.task == .classification && plan.training.classCount == 10)
        #expect(plan.recipe.loss == .crossEntropy() && plan.recipe.outputCount == 10)

        #expect(outcome.history.epochCount == 5 && outcome.finalValues["epochs"] == 5)
        #expect(outcome.metricNames == ["loss", "accuracy"])
        let accuracy = try #require(outcome.finalMetrics["accuracy"])
        #expect(accuracy == outcome.history["val_accuracy"]?.last)
        #expect(accuracy > 0.85 && accuracy <= 1, "validation accuracy \(accuracy)")
        #expect(outcome.metadata.classNames == (0..<10).map(String.init) && outcome.metadata.task == .classification)

        for file in ["model.json", "model.safetensors", "history.csv", "history.svg"] {
            #expect(FileManager.default.fileExists(atPath: output + "/" + file), "\(file)")
        }
        #expect(outcome.savedFolder?.path == URL(fileURLWithPath: output).path)

        // The saved folder measures as the trained model did.
        let saved = try SavedModel(folder: output)
        let evaluation = try saved.evaluate(on: "digits")
        #expect(evaluation.count == 1797 && evaluation.names == ["loss", "accuracy"])
        #expect((evaluation.values["accuracy"] ?? 0) > 0.85)
    }

    @Test func badSettingsAreRefusedBeforeAnyDataAreRead() throws {
        var job = TrainingJob(dataset: "no-such-file.csv")
        job.epochs = 0
        #expect(throws: SettingError(.epochs, .invalid(expected: "at least 1", found: "0"))) { try job.run() }
        job.epochs = 1
        job.validation = .split(fraction: 1)
        #expect(throws: SettingError.self) { try job.check() }
        job.validation = .file("v.npy")
        #expect(throws: SettingError(.validationFile, .invalid(expected: "a .csv file", found: "'v.npy'"))) { try job.check() }
        job.validation = .split(fraction: 0.2)
        job.batching = .miniBatch(size: 0)
        #expect(throws: SettingError.self) { try job.check() }
        job.batching = .fullBatch
        job.optimizer = OptimizerSettings(name: .adam, alpha: 0.9)
        let error = try #require(throws: SettingError.self) { try job.check() }
        #expect(error.description == "the smoothing constant alpha applies to the optimizer rmsprop, not adam")
        job.optimizer = OptimizerSettings(name: .adam)
        #expect(throws: Never.self) { try job.check() }
        // A validation file is matched to a CSV training file's columns.
        var digits = TrainingJob()
        digits.validation = .file("v.csv")
        #expect(throws: SettingError(.validationFile, .needs(other: .dataset, expected: "a CSV file with the same columns",
                                                              found: "'digits'"))) { try digits.check() }
        // Settings that other data would leave unread are refused, not ignored.
        digits.validation = .split(fraction: 0.2)
        digits.target = "label"
        let target = try #require(throws: SettingError.self) { try digits.check() }
        #expect(target.description == "the target column needs the dataset to be a CSV file, found 'digits'")
        digits.target = nil
        digits.dataDirectory = "data/mnist"
        #expect(throws: SettingError(.dataDirectory, .needs(other: .dataset, expected: "'mnist' or 'cifar10'",
                                                             found: "'digits'"))) { try digits.check() }
        digits.dataset = "MNIST"
        #expect(throws: Never.self) { try digits.check() }
    }

    @Test func aSavedModelPredictsFromAFile() throws {
        let folder = temporaryPath("descent-predict")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let csv = "a,b,label\n0,0,no\n0,1,yes\n1,0,yes\n1,1,no\n"
        try csv.write(toFile: folder + "/xor.csv", atomically: true, encoding: .utf8)
        var job = TrainingJob(dataset: folder + "/xor.csv")
        job.architecture = .layerList("8,tanh")
        job.optimizer = OptimizerSettings(name: .adam, learningRate: 0.05)
        job.epochs = 300
        job.batching = .fullBatch
        job.validation = .split(fraction: 0)
        job.output = folder + "/model"
        let outcome = try job.run()
        #expect(outcome.plan.validation == nil && outcome.plan.training.task == .binary)
        #expect(outcome.finalMetrics["accuracy"] == outcome.history["accuracy"]?.last)

        let saved = try SavedModel(folder: folder + "/model")
        let predictions = try saved.predict(inputsAt: folder + "/xor.csv")
        #expect(predictions.tensor.scalars(as: Int32.self) == [0, 1, 1, 0])
        try predictions.write(to: folder + "/p.npy")
        #expect(try NPY.read(contentsOf: URL(fileURLWithPath: folder + "/p.npy")).scalars(as: Int32.self) == [0, 1, 1, 0])
        #expect(throws: TrainingError.self) { try saved.predict(inputsAt: folder + "/missing.csv") }
        #expect(throws: TrainingError.self) { try SavedModel(folder: folder + "/no-model") }
    }
}
