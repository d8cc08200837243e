import Descent
import Foundation
import Testing
import _DescentTestSupport

/// XOR as a dataset: four examples, a float target per example.
private let xor = Dataset(features: Tensor([[0, 0], [0, 1], [1, 0], [1, 1]] as [[Float]]),
                          labels: Tensor([[0], [1], [1], [0]] as [[Float]]))

private func perceptron(seed: UInt64) -> Sequential {
    var generator = RandomGenerator(seed: seed)
    return Sequential {
        Dense(inputCount: 2, outputCount: 8, activation: .tanh, using: &generator)
        Dense(inputCount: 8, outputCount: 1, activation: .sigmoid, using: &generator)
    }
}

/// Counts the optimisation steps of each epoch.
private final class StepCounter: TrainingCallback {
    var stepsPerEpoch: [Int: Int] = [:]
    func handle(_ event: TrainingEvent) {
        if case let .stepEnded(epoch, _, _, _, _, _) = event { stepsPerEpoch[epoch, default: 0] += 1 }
    }
}

@Suite struct FitTests {
    /// The three regimes of gradient descent all learn XOR: full batch (one update per epoch),
    /// stochastic (one example per update) and mini-batch (two examples per update).
    @Test(arguments: [
        (Batching.fullBatch, 1, 1.0, 1500),
        (Batching.stochastic, 4, 0.5, 500),
        (Batching.miniBatch(size: 2), 2, 0.5, 700),
    ])
    func xorIsLearnedInEveryRegime(batching: Batching, stepsPerEpoch: Int, learningRate: Double, epochs: Int) throws {
        var model = perceptron(seed: 7)
        let counter = StepCounter()
        let history = try model.fit(xor, epochs: epochs, loss: .meanSquaredError,
                                    optimizer: SGD(learningRate: learningRate, momentum: 0.9),
                                    batching: batching, seed: 1, callbacks: [counter])
        #expect(history.epochCount == epochs)
        #expect(counter.stepsPerEpoch[1] == stepsPerEpoch)
        let cost = model.evaluate(on: xor, loss: .meanSquaredError)["loss"]!
        #expect(cost < 0.01, "final cost \(cost) with \(batching)")
        let predictions = model.predict(xor.features).scalars(as: Float.self).map { $0.rounded() }
        #expect(predictions == [0, 1, 1, 0])
        #expect(history["loss"]!.last! < history["loss"]!.first!)
    }

    @Test func theSameSeedGivesTheSameWeightsBitForBit() throws {
        func train() throws -> [[Float]] {
            var generator = RandomGenerator(seed: 3)
            var model = Sequential {
                Dense(inputCount: 2, outputCount: 16, activation: .relu, using: &generator)
                Dropout(rate: 0.3, using: &generator)
                Dense(inputCount: 16, outputCount: 1, using: &generator)
            }
            try model.fit(xor, epochs: 20, loss: .meanSquaredError, optimizer: Adam(learningRate: 0.01),
                          batching: .miniBatch(size: 3), seed: 11)
            return model.parameters.map { $0.value.scalars(as: Float.self) }
        }
        #expect(try train() == train())
    }

    @Test func aNonFiniteCostStopsTrainingNamingEpochAndStep() throws {
        let broken = Dataset(features: Tensor([[0, 0], [Float.nan, 1]] as [[Float]]),
                             labels: Tensor([[0], [1]] as [[Float]]))
        var model = perceptron(seed: 1)
        #expect(throws: TrainingError.self) {
            try model.fit(broken, epochs: 3, loss: .meanSquaredError, optimizer: SGD(learningRate: 0.1),
                          batching: .stochastic, shuffled: false)
        }
        do {
            try model.fit(broken, epochs: 3, loss: .meanSquaredError, optimizer: SGD(learningRate: 0.1),
                          batching: .stochastic, shuffled: false)
        } catch let TrainingError.nonFiniteCost(epoch, step, value) {
            #expect(epoch == 1 && step == 2 && value.isNaN)
        }
    }

    /// A batch of one example would give batch norm one value per feature in training, which
    /// it cannot normalize (the layer would trap): `fit` says so before training, naming the
    /// layer and the batching. Images, with many values per channel, are fine one at a time.
    @Test func aSingleExampleBatchBeforeBatchNormIsAnError() throws {
        let seven = Dataset(features: Tensor.randomNormal([7, 2], seed: 5), labels: Tensor.randomNormal([7, 1], seed: 6))
        func model() -> Sequential {
            var generator = RandomGenerator(seed: 1)
            return Sequential([Dense(inputCount: 2, outputCount: 3, using: &generator),
                               Sequential([BatchNorm1d(featureCount: 3)]),
                               Dense(inputCount: 3, outputCount: 1, using: &generator)])
        }
        for (batching, message) in [
            (Batching.miniBatch(size: 3), "the epoch's last batch has 1 example (7 in batches of 3), and BatchNorm1d(3) cannot "
                + "normalize a single value per feature in training (PyTorch refuses it too): choose a batch size that does not leave 1 example over"),
            (.stochastic, "stochastic gradient descent takes one example a step, and BatchNorm1d(3) cannot normalize a single "
                + "value per feature in training (PyTorch refuses it too): train in mini-batches"),
        ] {
            var network = model()
            #expect(throws: TrainingError.incompatibleData(message)) {
                try network.fit(seven, epochs: 1, loss: .meanSquaredError, optimizer: SGD(learningRate: 0.1), batching: batching)
            }
        }
        var network = model()
        _ = try network.fit(seven, epochs: 1, loss: .meanSquaredError, optimizer: SGD(learningRate: 0.1),
                            batching: .miniBatch(size: 5))
        let images = Dataset(features: Tensor.randomNormal([3, 1, 4, 4], seed: 7), labels: Tensor.randomNormal([3, 1], seed: 8))
        var convolutional = Sequential([BatchNorm2d(featureCount: 1), Flatten(), Dense(inputCount: 16, outputCount: 1, seed: 2)])
        _ = try convolutional.fit(images, epochs: 1, loss: .meanSquaredError, optimizer: SGD(learningRate: 0.1), batching: .stochastic)
    }

    @Test func historyRecordsCostMetricsValidationAndLearningRate() throws {
        var model = perceptron(seed: 2)
        let labels = Dataset(features: xor.features, labels: Tensor([0, 1, 1, 0] as [Int32]))
        var generator = RandomGenerator(seed: 4)
        var classifier = Sequential {
            Dense(inputCount: 2, outputCount: 8, activation: .tanh, using: &generator)
            Dense(inputCount: 8, outputCount: 2, using: &generator)
        }
        let history = try classifier.fit(labels, validation: labels, epochs: 5, loss: .crossEntropy(),
                                         optimizer: SGD(learningRate: 0.1), batching: .fullBatch,
                                         metrics: [.accuracy], schedule: StepLR(stepSize: 2, gamma: 0.5))
        #expect(history.names == ["loss", "accuracy", "val_loss", "val_accuracy", "learning_rate"])
        #expect(history["learning_rate"] == [0.1, 0.1, 0.05, 0.05, 0.025])
        #expect(history.csv().hasPrefix("epoch,loss,accuracy,val_loss,val_accuracy,learning_rate\n1,"))
        // Full-batch training reports the cost before each update; validation runs after it.
        #expect(history["val_loss"]![0] < history["loss"]![0])
        _ = model
        model = perceptron(seed: 2)
        #expect(throws: TrainingError.self) {
            try model.fit(xor, epochs: 2, loss: .meanSquaredError, optimizer: SGD(learningRate: 0.1),
                          callbacks: [EarlyStopping(monitor: "val_accuracy")])
        }
    }

    @Test func earlyStoppingEndsTrainingWhenTheCostStopsFalling() throws {
        var model = perceptron(seed: 5)
        // A learning rate of 0 never improves the cost, so training stops after `patience` epochs.
        let history = try model.fit(xor, epochs: 50, loss: .meanSquaredError, optimizer: SGD(learningRate: 0),
                                    batching: .fullBatch, callbacks: [EarlyStopping(monitor: "loss", patience: 3)])
        #expect(history.epochCount == 4)
    }

    @Test func maximumStepsEndsTrainingEarly() throws {
        var model = perceptron(seed: 5)
        let counter = StepCounter()
        try model.fit(xor, epochs: 10, maximumSteps: 6, loss: .meanSquaredError, optimizer: SGD(learningRate: 0.1),
                      batching: .stochastic, callbacks: [counter])
        #expect(counter.stepsPerEpoch.values.reduce(0, +) == 6)
    }

    @Test func metricsMatchHandComputedValues() {
        let outputs = Tensor([[2, 1, 0], [0, 3, 1], [1, 0, 5], [4, 2, 3]] as [[Float]])
        let labels = Tensor([0, 2, 2, 1] as [Int32])
        #expect(Metric.accuracy.value(outputs: outputs, labels: labels) == 0.5)
        #expect(Metric.topKAccuracy(2).value(outputs: outputs, labels: labels) == 0.75)
        // One-hot rows (the labels of regression costs on classes) name the same classes.
        let oneHot = Tensor(oneHotAtIndices: labels, depth: 3, dtype: .float32)
        #expect(Metric.accuracy.value(outputs: outputs, labels: oneHot) == 0.5)
        #expect(Metric.topKAccuracy(2).value(outputs: outputs, labels: oneHot) == 0.75)
        let predicted = Tensor([[1], [2], [4]] as [[Float]]), expected = Tensor([[1], [4], [1]] as [[Float]])
        #expect(Swift.abs(Metric.meanAbsoluteError.value(outputs: predicted, labels: expected) - 5.0 / 3) < 1e-6)
        #expect(Swift.abs(Metric.rootMeanSquaredError.value(outputs: predicted, labels: expected) - (13.0 / 3).squareRoot()) < 1e-6)
        let logits = Tensor([[2], [-1], [0.5]] as [[Float]])
        #expect(Metric.accuracy.value(outputs: logits, labels: Tensor([1, 0, 0] as [Int32])) == 2.0 / 3)
    }
}
