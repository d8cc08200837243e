// CUDATrainingGraph: what is refused before any GPU is touched, what the errors say, and — on a
// machine with a GPU — that graphed training is ungraphed training, step for step.
import Descent
import Testing

@Suite struct CUDATrainingGraphTests {
    private static let gpuWorks = (try? Device.cuda(0).checkAvailable()) != nil

    private func model(on device: Device) -> Sequential {
        var generator = RandomGenerator(seed: 11)
        return Sequential([
            Dense(inputCount: 6, outputCount: 16, activation: .relu, using: &generator),
            Dropout(rate: 0.25, using: &generator),
            Dense(inputCount: 16, outputCount: 3, using: &generator),
        ]).to(device)
    }

    private func cost(_ model: Sequential, _ inputs: Tensor, _ labels: Tensor) -> Tensor {
        crossEntropy(logits: model(inputs), labels: labels)
    }

    /// The error of making a graph of `model` on `device`, or `nil`.
    private func graphError(_ model: Sequential, on device: Device) -> CUDAGraphError.Kind? {
        do {
            _ = try CUDATrainingGraph(model, optimizer: Adam(), on: device, cost: cost)
            return nil
        } catch {
            return error.kind
        }
    }

    @Test func onlyAGPUHasTrainingGraphs() {
        for device in [Device.cpu, .reference] {
            #expect(graphError(model(on: device), on: device) == .notCUDA(device))
        }
    }

    @Test func aModelOnAnotherDeviceIsNamed() {
        #expect(graphError(model(on: .cpu), on: .cuda(0)) == .modelDevice(.cpu))
    }

    @Test(.enabled(if: !gpuWorks, "a GPU works here: the no-GPU error cannot be seen"))
    func withoutAGPUTheErrorIsCUDAs() {
        // A model without parameters is on every device: the GPU is the first thing missing.
        guard case .cuda? = graphError(Sequential([Flatten()]), on: .cuda(0)) else {
            Issue.record("expected CUDA's error")
            return
        }
    }

    @Test func messagesSayWhatWentWrong() {
        #expect("\(CUDAGraphError(.parameterMoved("2.weight")))".contains("'2.weight' was copied"))
        #expect("\(CUDAGraphError(.trainingStep("the optimizer made 3 fused steps, but the captured step 4")))"
            == "the optimizer made 3 fused steps, but the captured step 4")
    }

    // MARK: On a GPU

    /// 30 steps of Adam with dropout and a learning rate that halves every 10 steps, the last of
    /// every 4 a smaller batch (which runs without the graph): the costs, the parameters, and the
    /// optimizer's and the random streams' positions.
    private func train(graphed: Bool) throws -> (costs: [Double], parameters: [[Double]], steps: [Int], offsets: [UInt64]) {
        let device = Device.cuda(0)
        var model = model(on: device)
        let optimizer = Adam(learningRate: 0.01)
        let graph = graphed ? try CUDATrainingGraph(model, optimizer: optimizer, on: device, cost: cost) : nil
        let features = Tensor.randomNormal([40, 6], seed: 4).to(device)
        let labels = Tensor(shape: [40], scalars: (0..<40).map { Int32($0 % 3) }, on: device)
        var costs: [Double] = []
        for step in 0..<30 {
            optimizer.learningRate = 0.01 * (step < 10 ? 1 : step < 20 ? 0.5 : 0.25)
            let rows = step % 4 == 3 ? 32..<40 : (step % 4) * 10..<((step % 4) * 10 + 10)
            if let graph {
                try graph.step(inputs: features[rows], labels: labels[rows])
                costs.append(graph.lastCost!.doubleValue)
            } else {
                let (value, gradients) = valueWithGradient(at: model) { cost($0, features[rows], labels[rows]) }
                optimizer.update(&model, along: gradients)
                costs.append(value.doubleValue)
            }
        }
        let trained = graph?.model ?? model
        return (costs, trained.parameters.map { $0.value.doubles() }, optimizer.states.values.map(\.step).sorted(),
                trained.randomStreams.map(\.stream.offset))
    }

    @Test(.enabled(if: gpuWorks, "no GPU here (Device.cuda(0).checkAvailable() throws)"))
    func graphedTrainingIsUngraphedTraining() throws {
        let plain = try train(graphed: false), graphed = try train(graphed: true)
        #expect(graphed.steps == plain.steps)
        #expect(graphed.offsets == plain.offsets)
        #expect(graphed.costs.count == 30)
        for (a, b) in zip(graphed.costs, plain.costs) { #expect(abs(a - b) <= 1e-6) }
        for (a, b) in zip(graphed.parameters, plain.parameters) {
            #expect(zip(a, b).map { abs($0 - $1) }.max()! <= 1e-6)
        }
    }

    /// The parameters after 12 full-batch steps with a fresh `optimizer()`, graphed or not.
    private func parameters<Rule: Optimizer>(after optimizer: () -> Rule, graphed: Bool) throws -> [[Double]] {
        let device = Device.cuda(0)
        var model = model(on: device)
        let rule = optimizer()
        let graph = graphed ? try CUDATrainingGraph(model, optimizer: rule, on: device, cost: cost) : nil
        let features = Tensor.randomNormal([10, 6], seed: 4).to(device)
        let labels = Tensor(shape: [10], scalars: (0..<10).map { Int32($0 % 3) }, on: device)
        for _ in 0..<12 {
            if let graph {
                try graph.step(inputs: features, labels: labels)
            } else {
                let (_, gradients) = valueWithGradient(at: model) { cost($0, features, labels) }
                rule.update(&model, along: gradients)
            }
        }
        return (graph?.model ?? model).parameters.map { $0.value.doubles() }
    }

    /// Adagrad's decayed rate, Adamax's bias correction and NAdam's momentum schedule change at
    /// every step: the graph's replays take each step's settings, as ungraphed steps do.
    @Test(.enabled(if: gpuWorks, "no GPU here (Device.cuda(0).checkAvailable() throws)"))
    func graphedStepsTakeEachStepsSettings() throws {
        let pairs = [
            try (parameters(after: { Adagrad(learningRate: 0.05, learningRateDecay: 0.1) }, graphed: false),
                 parameters(after: { Adagrad(learningRate: 0.05, learningRateDecay: 0.1) }, graphed: true)),
            try (parameters(after: { Adamax(learningRate: 0.01) }, graphed: false),
                 parameters(after: { Adamax(learningRate: 0.01) }, graphed: true)),
            try (parameters(after: { NAdam(learningRate: 0.01, weightDecay: 0.01) }, graphed: false),
                 parameters(after: { NAdam(learningRate: 0.01, weightDecay: 0.01) }, graphed: true)),
        ]
        for (plain, graphed) in pairs {
            for (a, b) in zip(graphed, plain) { #expect(zip(a, b).map { abs($0 - $1) }.max()! <= 1e-6) }
        }
    }

    @Test(.enabled(if: gpuWorks, "no GPU here (Device.cuda(0).checkAvailable() throws)"))
    func aKeptOptimizerBufferIsRefusedNotTrainedBehindTheModelsBack() throws {
        let device = Device.cuda(0)
        let optimizer = Adam()
        let graph = try CUDATrainingGraph(model(on: device), optimizer: optimizer, on: device, cost: cost)
        let inputs = Tensor.randomNormal([10, 6], seed: 4).to(device)
        let labels = Tensor(shape: [10], scalars: (0..<10).map { Int32($0 % 3) }, on: device)
        for _ in 0..<3 { try graph.step(inputs: inputs, labels: labels) }
        let kept = optimizer.states["0.weight"]!.exponentialAverage
        #expect(throws: CUDAGraphError.self) { try graph.step(inputs: inputs, labels: labels) }
        // Stopped: the optimizer's state may have moved on without the step.
        #expect(throws: CUDAGraphError.self) { try graph.step(inputs: inputs, labels: labels) }
        _ = kept
    }

    @Test(.enabled(if: gpuWorks, "no GPU here (Device.cuda(0).checkAvailable() throws)"))
    func anOptimizerWithoutFusedStepsIsRefusedAtTheFirstStep() throws {
        let device = Device.cuda(0)
        let adagrad = Adagrad(learningRate: 0.1)
        adagrad.usesFusedStep = false  // its update as tensor operations
        let graph = try CUDATrainingGraph(model(on: device), optimizer: adagrad, on: device, cost: cost)
        let inputs = Tensor.randomNormal([10, 6], seed: 4).to(device)
        let labels = Tensor(shape: [10], scalars: (0..<10).map { Int32($0 % 3) }, on: device)
        do {
            try graph.step(inputs: inputs, labels: labels)
            Issue.record("Adagrad's update was taken")
        } catch {
            #expect("\(error)".contains("needs an optimizer whose every step is one fused kernel"))
        }
    }
}
