import Descent
import Foundation
import Testing
import _DescentTestSupport

/// Records, after every step, how many read-backs the counter has seen.
private final class ReadBackLog: TrainingCallback {
    let counter: ReadBackCounter
    var afterEachStep: [Int] = []
    init(_ counter: ReadBackCounter) { self.counter = counter }
    func handle(_ event: TrainingEvent) {
        if case .stepEnded = event { afterEachStep.append(counter.count) }
    }
}

/// A small classifier with dropout, so that every kind of primitive a training step uses runs.
private func classifier(seed: UInt64) -> Sequential {
    var generator = RandomGenerator(seed: seed)
    return Sequential {
        Dense(inputCount: 64, outputCount: 32, activation: .relu, using: &generator)
        Dropout(rate: 0.2, using: &generator)
        Dense(inputCount: 32, outputCount: 10, using: &generator)
    }
}

/// The first `count` examples of the built-in digits, split 80/20.
private func digits(_ count: Int) throws -> (train: Dataset, validation: Dataset) {
    try Dataset.digits().subset(Array(0..<count)).split(validationFraction: 0.2, seed: 3)
}

@Suite struct DeviceTrainingTests {
    /// A training step on a device reads back its cost and nothing else: the metrics are added
    /// up on the device and read once per epoch, after the last step.
    @Test(arguments: [
        ("sgd", [Metric.accuracy, .topKAccuracy(3)]),
        ("rmsprop", [Metric.accuracy]),
        ("adagrad", [Metric]()),
    ])
    func aTrainingStepReadsBackAtMostItsCost(optimizerName: String, metrics: [Metric]) throws {
        let (train, validation) = try digits(200)
        var model = classifier(seed: 1).to(.reference)
        let optimizer: any Optimizer = switch optimizerName {
        case "sgd": SGD(learningRate: 0.1, momentum: 0.9)
        case "rmsprop": RMSProp(learningRate: 1e-3)
        default: Adagrad(learningRate: 0.1)
        }
        let counter = ReadBackCounter()
        let log = ReadBackLog(counter)
        try counter.counting {
            _ = try model.fit(train, validation: validation, epochs: 2, loss: .crossEntropy(), optimizer: optimizer,
                              batching: .miniBatch(size: 32), metrics: metrics,
                              gradientClipping: .globalNorm(1), callbacks: [log])
        }
        let stepsPerEpoch = Batching.miniBatch(size: 32).batchCount(forCount: train.count)
        #expect(log.afterEachStep.count == 2 * stepsPerEpoch)
        // Within an epoch, one read-back per step.
        var previous = 0
        for (step, count) in log.afterEachStep.enumerated() {
            let perEpochReads = step == stepsPerEpoch ? metrics.count + 1 + metrics.count : 0
            #expect(count - previous == 1 + perEpochReads, "step \(step + 1)")
            previous = count
        }
        // After the last step: the epoch's metrics, then validation's cost and metrics.
        #expect(counter.count - previous == 2 * metrics.count + 1)
        #expect(model.device == .reference)
    }

    /// The same training on the textbook loops and on the fast kernels ends with the same
    /// weights, to the rounding of the arithmetic (the kernels add in another order).
    @Test func referenceAndCPUTrainTheSameModel() throws {
        let (train, validation) = try digits(240)
        var onCPU = classifier(seed: 5)
        var onReference = classifier(seed: 5).to(.reference)
        let cpuHistory = try onCPU.fit(train, validation: validation, epochs: 3, loss: .crossEntropy(),
                                       optimizer: Adam(learningRate: 1e-3), batching: .miniBatch(size: 16),
                                       seed: 2, metrics: [.accuracy])
        let referenceHistory = try onReference.fit(train, validation: validation, epochs: 3, loss: .crossEntropy(),
                                                   optimizer: Adam(learningRate: 1e-3), batching: .miniBatch(size: 16),
                                                   seed: 2, metrics: [.accuracy])
        for ((name, a), (_, b)) in zip(onCPU.parameters, onReference.parameters) {
            #expect(b.device == .reference)
            expectClose(a, b.to(.cpu), relative: 1e-3, absolute: 1e-4, "\(name)")
        }
        expectClose(cpuHistory["val_loss"]!, referenceHistory["val_loss"]!, relative: 1e-3, absolute: 1e-4)
        #expect(cpuHistory["val_accuracy"] == referenceHistory["val_accuracy"])
    }

    /// CUDA graphs are asked for where they cannot be used: refused before the first step, saying why.
    @Test func cudaGraphsOffAGPUOrWithClippingAreRefused() throws {
        let (train, _) = try digits(40)
        var model = classifier(seed: 1)
        #expect(throws: TrainingError.invalidSetting("CUDA graphs need the model on a cuda device; it is on cpu")) {
            try model.fit(train, epochs: 1, loss: .crossEntropy(), optimizer: Adam(), cudaGraphs: true)
        }
    }

    /// On a GPU, fit with CUDA graphs is fit without them: the same history (cost, metrics,
    /// validation) and the same weights, an epoch's last, smaller batch included.
    @Test(.enabled(if: (try? Device.cuda(0).checkAvailable()) != nil, "no GPU here (Device.cuda(0).checkAvailable() throws)"))
    func fitWithCUDAGraphsIsFitWithout() throws {
        let (train, validation) = try digits(200)
        // Two models, not a copy: a copy of a dropout layer shares its random stream, so the
        // second run would draw the masks after the first run's.
        var plain = classifier(seed: 5).to(.cuda(0)), graphed = classifier(seed: 5).to(.cuda(0))
        let settings = { (model: inout Sequential, graphs: Bool) throws -> History in
            try model.fit(train, validation: validation, epochs: 3, loss: .crossEntropy(), optimizer: Adam(learningRate: 1e-3),
                          batching: .miniBatch(size: 32), seed: 2, metrics: [.accuracy],
                          schedule: StepLR(stepSize: 1, gamma: 0.5), cudaGraphs: graphs)
        }
        let plainHistory = try settings(&plain, false), graphedHistory = try settings(&graphed, true)
        for key in ["loss", "accuracy", "val_loss", "val_accuracy", "learning_rate"] {
            for (a, b) in zip(plainHistory[key]!, graphedHistory[key]!) { #expect(abs(a - b) <= 1e-6, "\(key)") }
        }
        for ((name, a), (_, b)) in zip(plain.parameters, graphed.parameters) {
            #expect(b.device == .cuda(0))
            expectClose(a.to(.cpu), b.to(.cpu), relative: 1e-6, absolute: 1e-6, "\(name)")
        }
    }

    /// Dropout's masks come from a counter-based stream: the same on every device.
    @Test func dropoutMasksAreTheSameOnEveryDevice() {
        let x = Tensor.ones([7, 333])
        let onCPU = Dropout(rate: 0.3, seed: 11)(x)
        let onReference = Dropout(rate: 0.3, seed: 11)(x.to(.reference))
        #expect(onReference.device == .reference)
        #expect(onCPU.scalars(as: Float.self) == onReference.scalars(as: Float.self))
        let kept = Double(onCPU.scalars(as: Float.self).filter { $0 != 0 }.count) / Double(x.scalarCount)
        #expect(abs(kept - 0.7) < 0.02)
    }

    /// Clipping by the global norm needs no read-back and scales like PyTorch's
    /// `clip_grad_norm_`: by maxNorm / (‖∇C‖ + 1e-6) when that is below 1.
    @Test func clippingRunsOnTheDevice() {
        let gradients = Gradients(["a": Tensor([Float(3), 0]).to(.reference), "b": Tensor([Float(4)]).to(.reference)])
        let counter = ReadBackCounter()
        let clipped = counter.counting { gradients.clipped(byGlobalNorm: 1) }
        #expect(counter.count == 0)
        expectClose(clipped["a"]!.to(.cpu), Tensor([Float(3), 0]) * (1 / (5 + 1e-6)))
        expectClose(clipped["b"]!.to(.cpu), Tensor([Float(4)]) * (1 / (5 + 1e-6)))
        #expect(abs(gradients.globalNorm - 5) < 1e-6)
    }
}
