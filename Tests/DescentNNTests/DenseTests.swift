import _DescentTestSupport
import Descent
import Testing

@Suite struct DenseTests {
    /// Forward output and the gradients of sum(output · upstream) for input, weight and bias
    /// agree with PyTorch's `F.linear` (+ activation), on every device under test.
    @Test(arguments: floatingPointTypes, try testDevices())
    func matchesPyTorch(dtype: DType, device: Device) throws {
        let fixtures = try LayerFixtures.load()
        for (fixture, activation) in [(fixtures.dense, Activation.identity), (fixtures.denseRank3Tanh, .tanh),
                                      (fixtures.denseWithoutBias, .identity)] {
            let x = fixture.input.tensor(dtype).to(device), upstream = fixture.upstream.tensor(dtype).to(device)
            var inputs = [x, fixture.weight.tensor(dtype).to(device)]
            if let bias = fixture.bias { inputs.append(bias.tensor(dtype).to(device)) }
            let (output, gradients) = valueWithGradient(at: inputs) { p in
                let layer = Dense(weight: p[1], bias: p.count > 2 ? p[2] : nil, activation: activation)
                return (layer(p[0]) * upstream).sum()
            }
            let layer = Dense(weight: inputs[1], bias: inputs.count > 2 ? inputs[2] : nil, activation: activation)
            // The output sums over the inputs, the input gradient over the outputs, the weight's
            // and bias' gradients over the rows; the value sums every output.
            let rows = fixture.input.shape.dropLast().reduce(1, *)
            let sumLength = max(fixture.weight.shape[0], fixture.weight.shape[1], rows)
            let expected = fixture.output.tensor(dtype)
            expectClose(layer(x), expected, on: device, sumLength: sumLength, "output")
            expectClose(output, (expected * fixture.upstream.tensor(dtype)).sum(), on: device,
                        sumLength: sumLength + fixture.output.values.count, "value")
            expectClose(gradients[0], fixture.inputGradient.tensor(dtype), on: device, sumLength: sumLength, "input gradient")
            expectClose(gradients[1], fixture.weightGradient.tensor(dtype), on: device, sumLength: sumLength, "weight gradient")
            if let biasGradient = fixture.biasGradient {
                expectClose(gradients[2], biasGradient.tensor(dtype), on: device, sumLength: sumLength, "bias gradient")
            }
        }
    }

    @Test func modelGradientsAreNamedLikeNNLinear() throws {
        let fixture = try LayerFixtures.load().dense
        let layer = Dense(weight: fixture.weight.tensor(), bias: fixture.bias!.tensor())
        let upstream = fixture.upstream.tensor()
        let (_, gradients) = valueWithGradient(at: layer) { layer in (layer(fixture.input.tensor()) * upstream).sum() }
        #expect(layer.parameters.map(\.name) == ["weight", "bias"])
        #expect(Set(gradients.byName.keys) == ["weight", "bias"])
        expectClose(try #require(gradients["weight"]), fixture.weightGradient.tensor())
        expectClose(try #require(gradients["bias"]), fixture.biasGradient!.tensor())
    }

    @Test func gradientsMatchFiniteDifferences() {
        var generator = RandomGenerator(seed: 3)
        let x = Tensor.randomNormal([2, 3, 4], dtype: .float64, using: &generator)
        let weight = Tensor.randomNormal([5, 4], dtype: .float64, using: &generator)
        let bias = Tensor.randomNormal([5], dtype: .float64, using: &generator)
        let upstream = Tensor.randomNormal([2, 3, 5], dtype: .float64, using: &generator)
        for activation in [Activation.identity, .tanh, .gelu, .softmax] {
            expectGradientsMatchFiniteDifferences(at: [x, weight, bias]) { p in
                (Dense(weight: p[1], bias: p[2], activation: activation)(p[0]) * upstream).sum()
            }
        }
    }

    /// Dense with ReLU runs it in the matrix multiply's epilogue: the same bits as the layer
    /// without an activation followed by a ReLU layer, forward and backward, for rank 2 and 3.
    @Test(arguments: floatingPointTypes)
    func fusedReLUMatchesAReLULayerAfterIt(dtype: DType) {
        let x = Tensor.randomNormal([2, 33, 20], dtype: dtype, seed: 4)
        let weight = Tensor.randomNormal([70, 20], dtype: dtype, seed: 5)
        let bias = Tensor.randomNormal([70], dtype: dtype, seed: 6)
        let upstream = Tensor.randomNormal([2, 33, 70], dtype: dtype, seed: 7)
        for input in [x, x.reshaped(to: [66, 20])] {
            let upstream = upstream.reshaped(to: input.shape.dropLast() + [70])
            let fused = valueWithGradient(at: [input, weight, bias]) { p in
                (Dense(weight: p[1], bias: p[2], activation: .relu)(p[0]) * upstream).sum()
            }
            let composed = valueWithGradient(at: [input, weight, bias]) { p in
                (ReLU()(Dense(weight: p[1], bias: p[2])(p[0])) * upstream).sum()
            }
            let layer = Dense(weight: weight, bias: bias, activation: .relu)
            #expect(layer(input).doubles() == ReLU()(Dense(weight: weight, bias: bias)(input)).doubles())
            #expect(layer(input).doubles().contains(0) && layer(input).doubles().allSatisfy { $0 >= 0 })
            for index in 0..<3 {
                #expect(fused.gradients[index].doubles() == composed.gradients[index].doubles(),
                        "\(dtype) \(input.shape) gradient \(index)")
            }
        }
    }

    @Test func shapesAndParameters() {
        let layer = Dense(inputCount: 4, outputCount: 3, seed: 1)
        #expect(layer.weight.shape == [3, 4])
        #expect(layer.bias?.shape == [3])
        #expect(layer.parameterCount == 15)
        #expect(layer(Tensor.zeros([7, 4])).shape == [7, 3])
        #expect(layer(Tensor.zeros([2, 5, 4])).shape == [2, 5, 3])
        #expect(layer(Tensor.zeros([4])).shape == [3])
        expectClose(layer(Tensor.zeros([4])), layer.bias!)

        let withoutBias = Dense(inputCount: 4, outputCount: 3, useBias: false, seed: 1)
        #expect(withoutBias.parameters.map(\.name) == ["weight"])
        #expect(withoutBias.parameterCount == 12)
        #expect(withoutBias.description == "Dense(4 → 3, no bias)")
        #expect(Dense(inputCount: 784, outputCount: 512, activation: .relu, seed: 0).description == "Dense(784 → 512, relu)")
    }

    @Test func defaultInitializationIsNNLinears() {
        let layer = Dense(inputCount: 300, outputCount: 64, seed: 9)
        let bound = 1 / Double(300).squareRoot()
        for parameter in [layer.weight, layer.bias!] {
            let values = parameter.doubles()
            #expect(values.allSatisfy { Swift.abs($0) <= bound })
            #expect(values.map(Swift.abs).max()! > 0.9 * bound)
        }
    }

    @Test func seedsMakeWeightsReproducibleAndDistinct() {
        // The same seed rebuilds the same layer.
        #expect(Dense(inputCount: 5, outputCount: 4, seed: 11).weight.doubles()
                == Dense(inputCount: 5, outputCount: 4, seed: 11).weight.doubles())

        // One generator passed to every layer: distinct layers, the same model again from the same seed.
        func model(seed: UInt64) -> Sequential {
            var generator = RandomGenerator(seed: seed)
            return Sequential {
                Dense(inputCount: 6, outputCount: 6, activation: .relu, using: &generator)
                Dense(inputCount: 6, outputCount: 6, using: &generator)
            }
        }
        let first = model(seed: 5).parameters, again = model(seed: 5).parameters
        #expect(zip(first, again).allSatisfy { $0.value.doubles() == $1.value.doubles() })
        #expect(first[0].value.doubles() != first[2].value.doubles())

        // No seed at all: layers still differ, and a scoped default seed reproduces them.
        let unseeded = Sequential {
            Dense(inputCount: 784, outputCount: 512, activation: .relu)
            Dense(inputCount: 512, outputCount: 512)
        }.parameters
        #expect(unseeded[0].value.doubles()[..<512] != unseeded[2].value.doubles()[..<512])
        func scoped() -> [Double] {
            DefaultInitialization.withSeed(21) {
                Sequential { Dense(inputCount: 3, outputCount: 3); Dense(inputCount: 3, outputCount: 3) }
            }.parameters.flatMap { $0.value.doubles() }
        }
        #expect(scoped() == scoped())
        #expect(Array(scoped()[0..<9]) != Array(scoped()[12..<21]))
    }

    @Test func mismatchedInputTrapsWithAClearMessage() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let layer = Dense(inputCount: 4, outputCount: 3, seed: 1)
            _ = layer(Tensor.zeros([2, 5]))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("Dense(4 → 3)"))
        #expect(message.contains("4 values"))
        #expect(message.contains("[2, 5]"))
    }
}
