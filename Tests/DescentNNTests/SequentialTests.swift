@testable import DescentCore
import _DescentTestSupport
import Descent
import Testing

@Suite struct SequentialTests {
    /// Keras' mnist_mlp: 784-512-512-10 with dropout.
    static func mnistMLP() -> Sequential {
        var generator = RandomGenerator(seed: 1)
        return Sequential {
            Dense(inputCount: 784, outputCount: 512, activation: .relu, using: &generator)
            Dropout(rate: 0.2, using: &generator)
            Dense(inputCount: 512, outputCount: 512, activation: .relu, using: &generator)
            Dropout(rate: 0.2, using: &generator)
            Dense(inputCount: 512, outputCount: 10, using: &generator)
        }
    }

    /// The value and gradients of Σ weights·model(x), run by `Sequential` and layer by layer.
    private static func fusedAndLayerByLayer(_ model: Sequential, _ x: Tensor, _ weights: Tensor)
        -> (fused: (value: Tensor, gradient: Gradients), layerByLayer: (value: Tensor, gradient: Gradients)) {
        (valueWithGradient(at: model) { model in (model(x) * weights).sum() },
         valueWithGradient(at: model) { model in (model.layers.reduce(x) { $1($0) } * weights).sum() })
    }

    /// The operations training records for `model(x)`, from the input on, following each
    /// node's first input: which pairs ran as one step.
    private static func recordedOperations(_ model: Sequential, _ x: Tensor) -> [String] {
        var operations: [String] = []
        _ = valueWithGradient(at: x) { x in
            let y = model(x)
            var node = y.gradientNode
            while let current = node {
                operations.append(current.operation)
                node = current.inputs.first ?? nil
            }
            return y.sum()
        }
        return operations.reversed()
    }

    private static func bits(_ tensor: Tensor) -> [UInt32] { tensor.to(.cpu).scalars(as: Float.self).map(\.bitPattern) }

    /// A ReLU followed by max pooling runs as one recorded step: the same output and gradients,
    /// bit for bit, as the layers applied one by one (and as `forwardUpdatingBuffers`), on every
    /// device under test.
    @Test(arguments: try testDevices())
    func reluThenMaxPoolingGivesTheLayerByLayerGradients(device: Device) {
        var generator = RandomGenerator(seed: 4)
        var model = Sequential([
            Conv2d(inChannels: 2, outChannels: 3, kernelSize: 3, using: &generator), ReLU(), MaxPool2d(kernelSize: 2),
            ReLU(), Flatten(),
        ]).to(device)
        let x = Tensor.randomNormal([2, 2, 9, 8], seed: 3).to(device)
        let weights = Tensor.randomNormal([2, 27], seed: 5).to(device)
        let (fused, layerByLayer) = Self.fusedAndLayerByLayer(model, x, weights)
        let bits = Self.bits
        #expect(fused.value.device == device)
        #expect(bits(fused.value) == bits(layerByLayer.value))
        for name in ["0.weight", "0.bias"] {
            #expect(bits(fused.gradient[name]!) == bits(layerByLayer.gradient[name]!), "\(name)")
        }
        #expect(bits(model.forwardUpdatingBuffers(x)) == bits(model.layers.reduce(x) { $1($0) }))
    }

    /// A dense or convolution layer followed by a ReLU runs as one recorded step (the ReLU
    /// applied to the layer's output in the same pass), except where max pooling follows the
    /// ReLU: the same output and gradients, bit for bit but for the convolutions' biases, as
    /// the layers one by one, on every device under test.
    @Test(arguments: try testDevices())
    func layerThenReLUGivesTheLayerByLayerGradients(device: Device) {
        var generator = RandomGenerator(seed: 6)
        var model = Sequential([
            // `Activation.relu` as a layer is a ReLU too, in either pair.
            Conv2d(inChannels: 2, outChannels: 4, kernelSize: 3, padding: 1, using: &generator), ReLU(),
            Conv2d(inChannels: 4, outChannels: 4, kernelSize: 3, stride: 2, groups: 4, using: &generator), Activation.relu,
            Conv2d(inChannels: 4, outChannels: 3, kernelSize: 1, using: &generator), Activation.relu, MaxPool2d(kernelSize: 2),
            Flatten(), Dense(inputCount: 6, outputCount: 5, using: &generator), ReLU(),
            Dense(inputCount: 5, outputCount: 4, activation: .tanh, using: &generator), ReLU(),
        ]).to(device)
        let x = Tensor.randomNormal([2, 2, 9, 8], seed: 7).to(device)
        let weights = Tensor.randomNormal([2, 4], seed: 8).to(device)
        let (fused, layerByLayer) = Self.fusedAndLayerByLayer(model, x, weights)
        let bits = Self.bits
        #expect(bits(fused.value) == bits(layerByLayer.value))
        for (name, _) in model.parameters {
            if ["0.bias", "2.bias"].contains(name) {
                // A fused convolution sums its bias's gradient with ReLU's derivative, in
                // another order than `sum`'s.
                expectClose(fused.gradient[name]!.to(.cpu), layerByLayer.gradient[name]!.to(.cpu), relative: 1e-5,
                            absolute: 1e-5, "\(name)")
            } else {
                #expect(bits(fused.gradient[name]!) == bits(layerByLayer.gradient[name]!), "\(name)")
            }
        }
        #expect(bits(model.forwardUpdatingBuffers(x)) == bits(model.layers.reduce(x) { $1($0) }))
        // Which pairs ran as one step: the nodes training records.
        #expect(Self.recordedOperations(model, x) == ["leaf", "conv2d+relu", "conv2d+relu", "conv2d", "relu+maxPool2d", "reshape",
                                          "linear+relu", "linear", "tanh", "relu"])
    }

    /// A batch normalization layer followed by a ReLU runs as one recorded step, in training
    /// (its running statistics updated as the layer alone updates them) and in inference: the
    /// same output, gradients and buffers, bit for bit, as the layers one by one.
    @Test(arguments: try testDevices())
    func batchNormalizationThenReLUGivesTheLayerByLayerValues(device: Device) {
        var generator = RandomGenerator(seed: 10)
        var model = Sequential([
            Conv2d(inChannels: 2, outChannels: 3, kernelSize: 3, using: &generator), BatchNorm2d(featureCount: 3), ReLU(),
            Flatten(), Dense(inputCount: 3 * 7 * 6, outputCount: 5, using: &generator), BatchNorm1d(featureCount: 5),
            Activation.relu, Dense(inputCount: 5, outputCount: 4, using: &generator),
        ]).to(device)
        let x = Tensor.randomNormal([4, 2, 9, 8], seed: 11).to(device)
        let weights = Tensor.randomNormal([4, 4], seed: 12).to(device)
        let (fused, layerByLayer) = Self.fusedAndLayerByLayer(model, x, weights)
        let bits = Self.bits
        #expect(bits(fused.value) == bits(layerByLayer.value))
        for (name, _) in model.parameters {
            #expect(bits(fused.gradient[name]!) == bits(layerByLayer.gradient[name]!), "\(name)")
        }
        // Training: the fused pairs update the running statistics as the layers one by one do.
        var oneByOne = model
        let output = model.forwardUpdatingBuffers(x)
        let expected = oneByOne.layers.indices.reduce(x) { activation, index in
            oneByOne.layers[index].forwardUpdatingBuffers(activation)
        }
        #expect(bits(output) == bits(expected))
        for (buffer, expectedBuffer) in zip(model.buffers, oneByOne.buffers) where buffer.value.dtype == .float32 {
            #expect(bits(buffer.value) == bits(expectedBuffer.value), "\(buffer.name)")
        }
        #expect(model.buffers.first { $0.name == "1.num_batches_tracked" }?.value.to(.cpu).scalars(as: Int64.self) == [1])
        // Inference, with the running statistics.
        model.setTraining(false)
        #expect(bits(model(x)) == bits(model.layers.reduce(x) { $1($0) }))
        // Which pairs ran as one step in training: the nodes recorded.
        model.setTraining(true)
        #expect(Self.recordedOperations(model, x) == ["leaf", "conv2d", "batchNormalization+relu", "reshape", "linear",
                                          "batchNormalization+relu", "linear"])
    }

    @Test func parametersAreNamedAndCountedLikePyTorch() {
        let model = Self.mnistMLP()
        #expect(model.parameters.map(\.name) == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"])
        #expect(model.parameters.map(\.value.shape) == [[512, 784], [512], [512, 512], [512], [10, 512], [10]])
        #expect(model.parameterCount == 669_706)
    }

    /// An nn.Sequential (Linear, ReLU, Dropout, Linear, Tanh) in eval mode, its state_dict loaded by
    /// name: the same outputs and the same gradients, name by name, on every device under test.
    @Test(arguments: try testDevices())
    func loadsPyTorchStateDictNamesAndMatchesItsGradients(device: Device) throws {
        let fixture = try LayerFixtures.load().sequential
        var model = Sequential {
            Dense(inputCount: 4, outputCount: 8, seed: 1)
            ReLU()
            Dropout(rate: 0.5, seed: 2)
            Dense(inputCount: 8, outputCount: 3, seed: 3)
            Tanh()
        }
        #expect(Set(model.parameters.map(\.name)) == Set(fixture.parameters.keys))
        try model.visitParameters { name, parameter in
            let loaded = try #require(fixture.parameters[name]).tensor()
            #expect(loaded.shape == parameter.shape, "\(name)")
            parameter = loaded
        }
        model.setTraining(false)
        model = model.to(device)
        let x = fixture.input.tensor().to(device), upstream = fixture.upstream.tensor().to(device)
        // The longest sums: the 8 hidden units, or the examples of the batch for a gradient.
        let sumLength = max(8, fixture.input.shape[0])
        expectClose(model(x), fixture.output.tensor(), on: device, sumLength: sumLength)
        let (value, gradients) = valueWithGradient(at: model) { model in (model(x) * upstream).sum() }
        expectClose(value, (fixture.output.tensor() * fixture.upstream.tensor()).sum(), on: device,
                    sumLength: sumLength + fixture.output.values.count)
        #expect(Set(gradients.byName.keys) == Set(fixture.gradients.keys))
        for (name, expected) in fixture.gradients {
            expectClose(try #require(gradients[name]), expected.tensor(), on: device, sumLength: sumLength, "\(name)")
        }
    }

    @Test func valueWithGradientCoversEveryParameter() {
        let model = Self.mnistMLP()
        let x = Tensor.randomNormal([3, 784], seed: 2)
        let (_, gradients) = valueWithGradient(at: model) { model in model(x).sum() }
        for (name, value) in model.parameters {
            #expect(gradients[name]?.shape == value.shape, "\(name)")
        }
        #expect(gradients.byName.count == 6)
    }

    @Test func trainingModeReachesNestedDropout() {
        let model = Sequential {
            Sequential { Dropout(rate: 0.5, seed: 3) }
            Dropout(rate: 0.5, seed: 4)
        }
        let x = Tensor.ones([100])
        #expect(model(x).doubles().contains(0))   // training by default, like PyTorch
        #expect(model.training(false)(x).doubles() == x.doubles())
    }

    @Test func summaryListsLayersShapesAndParameterCounts() {
        let text = Self.mnistMLP().description
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count == 11)
        #expect(lines[0].hasPrefix("#   Layer"))
        #expect(lines[2].hasPrefix("0   Dense(784 → 512, relu)   [batch, 512]"))
        #expect(lines[2].hasSuffix("401,920"))
        #expect(lines[3].contains("Dropout(rate: 0.2)") && lines[3].hasSuffix(" 0"))
        #expect(lines[4].hasSuffix("262,656"))
        #expect(lines[6].contains("[batch, 10]") && lines[6].hasSuffix("5,130"))
        #expect(lines[8] == "Total parameters: 669,706")
        #expect(lines[9] == "Trainable parameters: 669,706")
        #expect(lines[10] == "Non-trainable parameters: 0")
    }

    @Test func summaryWithAnExplicitInputShape() {
        let model = Sequential {
            Flatten()
            Dense(inputCount: 784, outputCount: 10, seed: 1)
            Activation.logSoftmax
        }
        let unknown = model.description   // Flatten hides the input shape
        #expect(unknown.contains("[batch") == false && unknown.contains("?"))
        let text = model.summary(inputShape: [28, 28])
        #expect(text.split(separator: "\n")[2].contains(/0   Flatten +\[batch, 784\] +0/))
        #expect(text.contains("Activation(logSoftmax)"))
        #expect(text.contains("Total parameters: 7,850"))
    }

    @Test func summaryOfAMismatchedModelDoesNotTrap() {
        let model = Sequential {
            Dense(inputCount: 4, outputCount: 8, seed: 1)
            Dense(inputCount: 5, outputCount: 2, seed: 2)
        }
        let lines = model.description.split(separator: "\n")
        #expect(lines[2].contains("[batch, 8]"))
        #expect(lines[3].contains("?"))
        #expect(Dense(inputCount: 3, outputCount: 2, seed: 1).summary().contains("[batch, 2]"))
    }
}
