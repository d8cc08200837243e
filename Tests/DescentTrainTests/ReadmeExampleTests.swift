import Descent
import Foundation
import Testing

/// The README's training example, kept compiling and working here (with fewer epochs).
@Suite struct ReadmeExampleTests {
    @Test func theDigitsExampleLearns() throws {
        var model = Sequential {
            Dense(inputCount: 64, outputCount: 64, activation: .relu, seed: 1)
            Dropout(rate: 0.2, seed: 2)
            Dense(inputCount: 64, outputCount: 10, seed: 3)
        }
        let (train, test) = try Dataset.digits().split(validationFraction: 0.2, seed: 1)

        let optimizer = SGD(learningRate: 0.05, momentum: 0.9)
        var costs: [Double] = []
        for batch in train.batches(.miniBatch(size: 32), shuffled: true, seed: 7) {
            let (cost, gradients) = valueWithGradient(at: model) { model in
                crossEntropy(logits: model(batch.inputs), labels: batch.labels)
            }
            optimizer.update(&model, along: gradients)
            costs.append(cost.doubleValue)
        }
        #expect(costs.suffix(5).reduce(0, +) < costs.prefix(5).reduce(0, +))

        let history = try model.fit(train, validation: test, epochs: 5, loss: .crossEntropy(),
                                    optimizer: RMSProp(learningRate: 1e-3), batching: .miniBatch(size: 32),
                                    metrics: [.accuracy])
        #expect(history["val_accuracy"]!.last! > 0.9)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("digits-mlp-\(UUID().uuidString)")
        try model.save(to: folder.path)
        let loaded = try Sequential.load(from: folder.path)
        #expect(loaded.evaluate(on: test, loss: .crossEntropy(), metrics: [.accuracy])["accuracy"]!
                == history["val_accuracy"]!.last!)
    }

    /// The README's `TrainingJob` example, as it is there but for the folder (a temporary one
    /// here, not `digits-model` in the working directory).
    @Test func theTrainingJobExampleLearns() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("digits-model-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }

        var job = TrainingJob(dataset: "digits")      // or the path of a CSV file
        job.epochs = 20
        job.standardize = true
        job.optimizer = OptimizerSettings(name: .sgd, learningRate: 0.1, momentum: 0.9)
        job.schedule = ScheduleSettings(name: .cosine)
        job.output = folder                           // model.json, model.safetensors, history.csv, history.svg
        let outcome = try job.run()
        print(outcome.finalMetrics["accuracy"]!)      // on the 20 % held out: 0.983

        let saved = try SavedModel(folder: folder)
        print(try saved.evaluate(on: "digits").values["accuracy"]!)   // on all 1,797 digits

        #expect(outcome.finalMetrics["accuracy"]! > 0.97)
        #expect(try saved.evaluate(on: "digits").values["accuracy"]! > 0.97)
    }

    /// The README's devices example: the same model on the CPU's kernels and on the textbook
    /// loops.
    @Test func theDevicesExampleAgrees() {
        let model = Sequential {
            Dense(inputCount: 64, outputCount: 32, activation: .relu, seed: 1)
            Dense(inputCount: 32, outputCount: 10, seed: 2)
        }
        let x = Tensor.randomNormal([5, 64], seed: 3)
        let fast = model(x)
        let textbook = model.to(.reference)(x.to(.reference))
        #expect(textbook.device == .reference)
        #expect((fast - textbook.to(.cpu)).abs().max().doubleValue < 1e-5)
    }
}
