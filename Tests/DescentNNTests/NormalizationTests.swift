import _DescentTestSupport
import Descent
import Foundation
import Testing

// Decodes Fixtures/norm.json, the PyTorch reference values written by
// Fixtures/make_norm_fixtures.py.
struct BatchNormFixture: Decodable {
    var name, kind: String
    var affine, trackRunningStats: Bool
    var eps: Double
    var momentum: Double?
    var weight, bias, weightGradient, biasGradient: TensorFixture?
    var input, trainingOutput, upstream, inputGradient, secondInput, thirdInput, inferenceOutput: TensorFixture
    var runningMean, runningVar: TensorFixture?
    var numBatchesTracked: Int?
}

struct NormModelFixture: Decodable {
    var input, output, trainingBatch: TensorFixture
    var names: [String]
}

struct NormFixtures: Decodable {
    var batchNorm: [BatchNormFixture]
    var model: NormModelFixture

    static func load() throws -> NormFixtures {
        try JSONDecoder().decode(NormFixtures.self, from: Data(contentsOf: fixtureURL("norm.json", in: Bundle.module)))
    }
}

/// Batch norm as either layer type, so that one test covers both.
private enum AnyBatchNorm {
    case one(BatchNorm1d), two(BatchNorm2d)

    init(_ fixture: BatchNormFixture, dtype: DType, device: Device) {
        let (features, momentum) = (fixture.input.shape[1], fixture.momentum)
        if fixture.kind == "1d" {
            self = .one(BatchNorm1d(featureCount: features, epsilon: fixture.eps, momentum: momentum, affine: fixture.affine,
                                    trackRunningStatistics: fixture.trackRunningStats, dtype: dtype).to(device))
        } else {
            self = .two(BatchNorm2d(featureCount: features, epsilon: fixture.eps, momentum: momentum, affine: fixture.affine,
                                    trackRunningStatistics: fixture.trackRunningStats, dtype: dtype).to(device))
        }
        if let weight = fixture.weight, let bias = fixture.bias {
            setAffine(weight.tensor(dtype).to(device), bias.tensor(dtype).to(device))
        }
    }

    var layer: any Layer {
        switch self {
        case let .one(layer): layer
        case let .two(layer): layer
        }
    }

    mutating func setAffine(_ weight: Tensor, _ bias: Tensor) {
        switch self {
        case var .one(layer): layer.weight = weight; layer.bias = bias; self = .one(layer)
        case var .two(layer): layer.weight = weight; layer.bias = bias; self = .two(layer)
        }
    }

    mutating func forwardUpdatingBuffers(_ input: Tensor) -> Tensor {
        switch self {
        case var .one(layer): defer { self = .one(layer) }; return layer.forwardUpdatingBuffers(input)
        case var .two(layer): defer { self = .two(layer) }; return layer.forwardUpdatingBuffers(input)
        }
    }

    mutating func setTraining(_ isTraining: Bool) {
        switch self {
        case var .one(layer): layer.setTraining(isTraining); self = .one(layer)
        case var .two(layer): layer.setTraining(isTraining); self = .two(layer)
        }
    }
}

@Suite struct BatchNormTests {
    /// Training output and gradients, running statistics after three steps, and the inference
    /// output after them agree with PyTorch, for every flag and rank, on every device under test.
    @Test(arguments: floatingPointTypes, try testDevices())
    func matchesPyTorch(dtype: DType, device: Device) throws {
        let tolerance = dtype == .float32 ? 1e-4 : 1e-9
        for fixture in try NormFixtures.load().batchNorm {
            // The statistics and the gradients add every element of a feature across the batch.
            let sumLength = fixture.input.values.count / fixture.input.shape[1]
            func tensor(_ fixture: TensorFixture) -> Tensor { fixture.tensor(dtype).to(device) }
            func check(_ actual: Tensor?, _ expected: TensorFixture?, _ what: String) {
                guard let actual, let expected else {
                    #expect(actual == nil && expected == nil, "\(fixture.name): \(what) is missing on one side")
                    return
                }
                #expect(actual.dtype == dtype, "\(fixture.name): \(what)")
                expectClose(actual, expected.tensor(dtype), on: device, sumLength: sumLength, relative: tolerance,
                            absolute: tolerance, "\(fixture.name): \(what)")
            }
            var norm = AnyBatchNorm(fixture, dtype: dtype, device: device)
            let x = tensor(fixture.input), upstream = tensor(fixture.upstream)
            let untouched = norm.layer.buffers

            var inputs = [x]
            if let weight = fixture.weight, let bias = fixture.bias { inputs += [tensor(weight), tensor(bias)] }
            let (_, gradients) = valueWithGradient(at: inputs) { p in
                var copy = norm
                if p.count == 3 { copy.setAffine(p[1], p[2]) }
                return (copy.layer(p[0]) * upstream).sum()
            }
            check(norm.layer(x), fixture.trainingOutput, "training output")
            check(gradients[0], fixture.inputGradient, "input gradient")
            check(gradients.count > 1 ? gradients[1] : nil, fixture.weightGradient, "weight gradient")
            check(gradients.count > 2 ? gradients[2] : nil, fixture.biasGradient, "bias gradient")
            // The plain forward pass, training or not, leaves the buffers as they were.
            #expect(zip(norm.layer.buffers, untouched).allSatisfy { $0.value.doubles() == $1.value.doubles() })

            check(norm.forwardUpdatingBuffers(x), fixture.trainingOutput, "output while updating")
            _ = norm.forwardUpdatingBuffers(tensor(fixture.secondInput))
            _ = norm.forwardUpdatingBuffers(tensor(fixture.thirdInput))
            let buffers = Dictionary(uniqueKeysWithValues: norm.layer.buffers.map { ($0.name, $0.value) })
            check(buffers["running_mean"], fixture.runningMean, "running mean")
            check(buffers["running_var"], fixture.runningVar, "running variance")
            if let tracked = buffers["num_batches_tracked"] {
                #expect(tracked.dtype == .int64 && tracked.shape == [] && tracked.device == device)
                #expect(tracked.scalars(as: Int64.self) == [Int64(try #require(fixture.numBatchesTracked))])
            } else {
                #expect(fixture.numBatchesTracked == nil)
            }
            #expect(norm.layer.parameters.map(\.name) == (fixture.affine ? ["weight", "bias"] : []))
            #expect(buffers.keys.sorted()
                    == (fixture.trackRunningStats ? ["num_batches_tracked", "running_mean", "running_var"] : []))

            norm.setTraining(false)
            check(norm.layer(x), fixture.inferenceOutput, "inference output")
            // In inference, updating is the plain forward pass.
            check(norm.forwardUpdatingBuffers(x), fixture.inferenceOutput, "inference output while updating")
            #expect(norm.layer.buffers.allSatisfy { buffers[$0.name]?.doubles() == $0.value.doubles() })
        }
    }

    /// Batch norm's gradient in training (batch statistics: the fused operation's own rule) and
    /// in inference (running statistics: tensor operations and the chain rule).
    @Test func gradientsMatchFiniteDifferences() {
        var generator = RandomGenerator(seed: 11)
        func random(_ shape: [Int]) -> Tensor { Tensor.randomNormal(shape, dtype: .float64, using: &generator) }
        for (shape, isTraining) in [([5, 3], true), ([3, 3, 4], true), ([2, 3, 2, 3], true), ([2, 3, 2, 3], false)] {
            let x = random(shape) * 2 + 1, weight = random([3]), bias = random([3]), upstream = random(shape)
            var statistics = BatchNorm2d(featureCount: 3, dtype: .float64)
            _ = statistics.forwardUpdatingBuffers(random([4, 3, 2, 2]))
            expectGradientsMatchFiniteDifferences(at: [x, weight, bias]) { p in
                if shape.count == 4 {
                    var layer = statistics
                    layer.weight = p[1]; layer.bias = p[2]
                    return (layer.training(isTraining)(p[0]) * upstream).sum()
                }
                var layer = BatchNorm1d(featureCount: 3, dtype: .float64)
                layer.weight = p[1]; layer.bias = p[2]
                return (layer(p[0]) * upstream).sum()
            }
        }
    }

    @Test func defaultsArePyTorchs() {
        let layer = BatchNorm2d(featureCount: 4)
        #expect(layer.weight?.doubles() == [1, 1, 1, 1] && layer.bias?.doubles() == [0, 0, 0, 0])
        #expect(layer.runningMean?.doubles() == [0, 0, 0, 0] && layer.runningVariance?.doubles() == [1, 1, 1, 1])
        #expect(layer.batchesTracked?.dtype == .int64 && layer.batchesTracked?.scalars(as: Int64.self) == [0])
        #expect(layer.epsilon == 1e-5 && layer.momentum == 0.1 && layer.isTraining)
        #expect(layer.parameterCount == 8)
        #expect("\(layer)" == "BatchNorm2d(4)")
        #expect("\(BatchNorm1d(featureCount: 3, momentum: nil, affine: false))"
                == "BatchNorm1d(3, momentum: cumulative, affine: false)")
        let bare = BatchNorm1d(featureCount: 3, affine: false, trackRunningStatistics: false)
        #expect(bare.parameters.isEmpty && bare.buffers.isEmpty && bare.weight == nil && bare.runningMean == nil)
    }

    @Test func shapesAreChecked() throws {
        #expect(try BatchNorm1d(featureCount: 3).outputShape(for: [3]) == [3])
        #expect(try BatchNorm1d(featureCount: 3).outputShape(for: [3, 7]) == [3, 7])
        #expect(try BatchNorm2d(featureCount: 3).outputShape(for: [3, 5, 6]) == [3, 5, 6])
        #expect(throws: LayerShapeError.self) { try BatchNorm1d(featureCount: 3).outputShape(for: [4]) }
        #expect(throws: LayerShapeError.self) { try BatchNorm1d(featureCount: 3).outputShape(for: [3, 2, 2]) }
        #expect(throws: LayerShapeError.self) { try BatchNorm2d(featureCount: 3).outputShape(for: [2, 5, 6]) }
        #expect(throws: LayerShapeError.self) { try BatchNorm2d(featureCount: 3).outputShape(for: [3, 5]) }
        let error = try #require(throws: LayerShapeError.self) {
            try Sequential { Flatten(); BatchNorm1d(featureCount: 5) }.outputShape(for: [2, 3])
        }
        #expect(error.index == 1 && error.found == [6])
    }

    /// `model.json` holds PyTorch's argument names, defaults left out, every value range-checked.
    @Test func configurationRoundTripsAndIsChecked() throws {
        var generator = RandomGenerator(seed: 1)
        #expect(BatchNorm2d(featureCount: 8).configuration.description == #"{"type": "batchnorm2d", "num_features": 8}"#)
        let custom = BatchNorm1d(featureCount: 3, epsilon: 1e-3, momentum: nil, affine: false, trackRunningStatistics: false)
        #expect(custom.configuration.description
                == #"{"type": "batchnorm1d", "num_features": 3, "eps": 0.001, "momentum": null, "affine": false, "track_running_stats": false}"#)
        let read = try BatchNorm1d(configuration: custom.configuration, using: &generator)
        #expect(read.configuration == custom.configuration)
        #expect(read.momentum == nil && read.epsilon == 1e-3 && read.parameters.isEmpty && read.buffers.isEmpty)

        for fields in [[(key: "num_features", value: JSONValue.integer(0))],
                       [(key: "num_features", value: .integer(2)), (key: "momentum", value: .number(1.5))],
                       [(key: "num_features", value: .integer(2)), (key: "eps", value: .number(-1))],
                       [(key: "num_features", value: .integer(2)), (key: "affine", value: .integer(1))],
                       [(key: "num_features", value: .integer(2)), (key: "groups", value: .integer(1))],
                       [(key: "num_features", value: .integer(1 << 60))],
                       [(key: "eps", value: .number(1e-5))]] {
            #expect(throws: ModelFileError.self) {
                _ = try BatchNorm2d(configuration: LayerConfiguration(type: "batchnorm2d", fields: fields), using: &generator)
            }
        }
    }

    /// A PyTorch `nn.Sequential` with batch norm loads from its state_dict and gives PyTorch's
    /// inference output on every device under test; the buffers, int64 counter included, are
    /// PyTorch's.
    @Test(arguments: try testDevices())
    func pyTorchStateDictLoads(device: Device) throws {
        let fixture = try NormFixtures.load().model
        var model = Self.model()
        #expect((model.parameters + model.buffers).map(\.name).sorted() == fixture.names.sorted())
        try model.loadParameters(contentsOf: fixtureURL("norm_model.safetensors", in: Bundle.module))
        model.setTraining(false)
        // The longest sum is a dense layer's 18 inputs.
        expectClose(model.to(device)(fixture.input.tensor().to(device)), fixture.output.tensor(), on: device, sumLength: 18)
        let tracked = model.buffers.filter { $0.name.hasSuffix("num_batches_tracked") }
        #expect(tracked.count == 3 && tracked.allSatisfy { $0.value.dtype == .int64 && $0.value.scalars(as: Int64.self) == [3] })
    }

    /// What Descent saves after a training step is what PyTorch computes for the same step, and
    /// `load_state_dict(strict=True)` takes it: Fixtures/check_norm_descent_written.py loads
    /// Fixtures/norm_descent.safetensors, which this test checks against what Descent writes now.
    /// To rewrite that file, run the test with DESCENT_WRITE_FIXTURES=1.
    @Test func descentWrittenStateDictMatchesTheFileThatPyTorchChecks() throws {
        let fixture = try NormFixtures.load().model
        var model = Self.model()
        try model.loadParameters(contentsOf: fixtureURL("norm_model.safetensors", in: Bundle.module))
        // Training mode, but without channel dropout, whose masks PyTorch cannot reproduce.
        model.setTraining(true)
        model.layers[1].setTraining(false)
        _ = model.forwardUpdatingBuffers(fixture.trainingBatch.tensor())
        let written = model.parametersFile(metadata: ["format": "pt"])
        let committedURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/norm_descent.safetensors")
        if ProcessInfo.processInfo.environment["DESCENT_WRITE_FIXTURES"] != nil {
            try written.write(to: committedURL)
        }
        let committed = try SafeTensorsFile(contentsOf: fixtureURL("norm_descent.safetensors", in: Bundle.module))
        #expect(committed.tensors.keys.sorted() == written.tensors.keys.sorted())
        for (name, tensor) in written.tensors {
            let other = try #require(committed.tensors[name])
            #expect(other.shape == tensor.shape, "\(name)")
            expectClose(other.cast(to: .float64), tensor.cast(to: .float64), "\(name)")
        }
        #expect(written.tensors["7.num_batches_tracked"]?.scalars(as: Int64.self) == [4])
        // The counters are written as I64, as PyTorch's strict loading requires.
        let header = String(decoding: try written.serialized().prefix(2000), as: UTF8.self)
        #expect(header.components(separatedBy: #""dtype":"I64""#).count - 1 == 3)
    }

    /// A small model with batch norm, as make_norm_fixtures.py builds it in PyTorch.
    static func model() -> Sequential {
        Sequential {
            BatchNorm2d(featureCount: 2)
            Dropout2d(rate: 0.25, seed: 1)
            Flatten()
            Dense(inputCount: 18, outputCount: 4, seed: 2)
            BatchNorm1d(featureCount: 4, affine: false)
            ReLU()
            Dense(inputCount: 4, outputCount: 3, seed: 3)
            BatchNorm1d(featureCount: 3, momentum: 0.2)
        }
    }

    /// Saved and loaded, a model keeps its buffers and gives the same outputs in inference.
    @Test func sequentialSavesAndLoadsBuffers() throws {
        let fixture = try NormFixtures.load().model
        var model = Self.model()
        _ = model.forwardUpdatingBuffers(fixture.trainingBatch.tensor())
        _ = model.forwardUpdatingBuffers(fixture.trainingBatch.tensor() * 0.5)
        let folder = scratchFolder.appendingPathComponent("descent-norm-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try model.save(to: folder)
        let loaded = try Sequential.load(from: folder)
        #expect(loaded.layers.map { "\($0)" } == model.layers.map { "\($0)" })
        #expect(loaded.buffers.map(\.name) == model.buffers.map(\.name))
        for (a, b) in zip(loaded.buffers, model.buffers) {
            #expect(a.value.dtype == b.value.dtype)
            #expect(a.value.doubles() == b.value.doubles(), "\(a.name)")
        }
        let input = fixture.input.tensor()
        #expect(loaded.training(false)(input).doubles() == model.training(false)(input).doubles())
    }

    /// `fit` moves the running statistics once per step.
    @Test func fitUpdatesRunningStatistics() throws {
        var model = Sequential {
            BatchNorm1d(featureCount: 2)
            Dense(inputCount: 2, outputCount: 1, seed: 1)
        }
        let data = Dataset(features: Tensor([[1, 2], [3, 4], [5, 6], [7, 9]] as [[Float]]),
                           labels: Tensor([[1], [2], [3], [4]] as [[Float]]))
        try model.fit(data, epochs: 3, loss: .meanSquaredError, optimizer: SGD(learningRate: 0.01),
                      batching: .miniBatch(size: 2), shuffled: false)
        let buffers = Dictionary(uniqueKeysWithValues: model.buffers.map { ($0.name, $0.value) })
        #expect(buffers["0.num_batches_tracked"]?.scalars(as: Int64.self) == [6])
        // The same two batches three times: running = (1 − 0.9⁶) · (the average of the two
        // batches' statistics, weighted by when they came), computed here step by step.
        var mean: [Double] = [0, 0], variance: [Double] = [1, 1]
        for _ in 0..<3 {
            for (batchMean, batchVariance) in [([2.0, 3], [2.0, 2]), ([6.0, 7.5], [2.0, 4.5])] {
                mean = zip(mean, batchMean).map { 0.9 * $0 + 0.1 * $1 }
                variance = zip(variance, batchVariance).map { 0.9 * $0 + 0.1 * $1 }
            }
        }
        expectClose(try #require(buffers["0.running_mean"]).doubles(), mean)
        expectClose(try #require(buffers["0.running_var"]).doubles(), variance)
        #expect(model.parameters.map(\.name) == ["0.weight", "0.bias", "1.weight", "1.bias"])
    }
}

@Suite struct Dropout2dTests {
    /// Whole channels are zeroed, about `rate` of them, and the others scaled by 1 / (1 − rate).
    @Test func zeroesWholeChannelsAndScalesTheOthers() {
        let rate = 0.3
        let x = Tensor.randomUniform([100, 50, 3, 4], lowerBound: 1, upperBound: 2, seed: 1)
        let y = Dropout2d(rate: rate, seed: 2)(x)
        let inputs = x.scalars(as: Float.self), outputs = y.scalars(as: Float.self)
        let scale = Float(1 / (1 - rate))
        var dropped = 0
        for channel in 0..<5000 {
            let range = channel * 12..<(channel + 1) * 12
            let zeros = outputs[range].filter { $0 == 0 }.count
            #expect(zeros == 0 || zeros == 12)
            if zeros == 12 { dropped += 1 }
            #expect(zip(inputs[range], outputs[range]).allSatisfy { x, y in y == 0 || y == x * scale })
        }
        // 5,000 channels: the fraction's standard deviation is √(0.3 · 0.7 / 5000) ≈ 0.0065.
        #expect(Swift.abs(Double(dropped) / 5000 - rate) < 0.03)
    }

    /// A rank-3 input is [batch, channels, length], as PyTorch 2 reads it: channels are dropped.
    @Test func rank3InputsDropChannels() {
        let y = Dropout2d(rate: 0.5, seed: 3)(Tensor.ones([20, 30, 7])).scalars(as: Float.self)
        let channels = stride(from: 0, to: y.count, by: 7).map { Set(y[$0..<$0 + 7]) }
        #expect(channels.allSatisfy { $0 == [0] || $0 == [2] })
        #expect(channels.contains([0]) && channels.contains([2]))
    }

    @Test func inferenceModeAndEdgeRatesAndDevices() {
        let x = Tensor.randomNormal([2, 3, 4, 4], seed: 3)
        let layer = Dropout2d(rate: 0.5, seed: 4)
        #expect(layer.isTraining)
        #expect(layer.training(false)(x).doubles() == x.doubles())
        #expect(Dropout2d(rate: 0, seed: 4)(x).doubles() == x.doubles())
        #expect(Dropout2d(rate: 1, seed: 4)(x).doubles().allSatisfy { $0 == 0 })
        // The same seed gives the same masks on every device.
        let cpu = Dropout2d(rate: 0.5, seed: 5)(x).doubles()
        #expect(Dropout2d(rate: 0.5, seed: 5)(x.to(.reference)).doubles() == cpu)
    }

    @Test func gradientIsTheMaskTimesTheUpstreamGradient() {
        let x = Tensor.randomNormal([3, 4, 2, 2], dtype: .float64, seed: 5)
        let upstream = Tensor.randomNormal([3, 4, 2, 2], dtype: .float64, seed: 6)
        let mask = Dropout2d(rate: 0.4, seed: 8)(Tensor.ones([3, 4, 2, 2], dtype: .float64))
        let gradient = gradient(at: x) { x in (Dropout2d(rate: 0.4, seed: 8)(x) * upstream).sum() }
        expectClose(gradient, mask * upstream)
    }

    @Test func shapesAndConfiguration() throws {
        var generator = RandomGenerator(seed: 1)
        #expect(try Dropout2d(rate: 0.5).outputShape(for: [3, 4, 5]) == [3, 4, 5])
        #expect(try Dropout2d(rate: 0.5).outputShape(for: [3, 4]) == [3, 4])
        #expect(throws: LayerShapeError.self) { try Dropout2d(rate: 0.5).outputShape(for: [12]) }
        #expect(Dropout2d(rate: 0.5).configuration.description == #"{"type": "dropout2d"}"#)
        #expect(Dropout2d(rate: 0.25).configuration.description == #"{"type": "dropout2d", "p": 0.25}"#)
        #expect(try Dropout2d(configuration: Dropout2d(rate: 0.25).configuration, using: &generator).rate == 0.25)
        for fields in [[(key: "p", value: JSONValue.number(1.5))], [(key: "rate", value: .number(0.5))]] {
            #expect(throws: ModelFileError.self) {
                _ = try Dropout2d(configuration: LayerConfiguration(type: "dropout2d", fields: fields), using: &generator)
            }
        }
    }
}
