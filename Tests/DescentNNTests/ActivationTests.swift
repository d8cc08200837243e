import _DescentTestSupport
import Descent
import Testing

@Suite struct ActivationTests {
    /// Every activation the fixtures cover, by the name the fixture script gives it (its
    /// `description`).
    static let activations: [Activation] = [
        .identity, .relu, .leakyReLU, .leakyReLU(negativeSlope: 0.2), .elu, .elu(alpha: 0.5), .gelu,
        .gelu(approximation: .tanh), .sigmoid, .tanh, .softplus, .softplus(beta: 2, threshold: 10), .softmax,
        .logSoftmax,
    ]

    /// Forward values and gradients agree with PyTorch, including at 0, ±30, ±100 and around
    /// softplus' threshold, on every device under test.
    @Test(arguments: floatingPointTypes, try testDevices())
    func matchesPyTorch(dtype: DType, device: Device) throws {
        let fixtures = try LayerFixtures.load().activations
        #expect(Set(fixtures.map(\.name)) == Set(Self.activations.map(\.description)))
        for activation in Self.activations {
            let fixture = try #require(fixtures.first { $0.name == activation.description })
            let x = fixture.input.tensor(dtype).to(device), upstream = fixture.upstream.tensor(dtype).to(device)
            let gradient = gradient(at: x) { x in (activation(x) * upstream).sum() }
            let y = activation(x)
            // Softmax and log-softmax sum along the last axis; the others are elementwise.
            let sumLength = fixture.input.shape.last ?? 1
            expectClose(y, fixture.output.tensor(dtype), on: device, sumLength: sumLength, "\(activation) forward, \(dtype)")
            expectClose(gradient, fixture.gradient.tensor(dtype), on: device, sumLength: sumLength,
                        "\(activation) gradient, \(dtype)")
            #expect(y.doubles().allSatisfy(\.isFinite) && gradient.doubles().allSatisfy(\.isFinite))
        }
    }

    @Test func gradientsMatchFiniteDifferences() {
        // Away from the kinks at 0 and the softplus thresholds, where finite differences straddle two branches.
        let x = Tensor(doubles: [-30, -4, -1.5, -0.7, -0.2, 0.3, 0.9, 1.7, 3.2, 6, 25, 40], shape: [3, 4], dtype: .float64)
        let upstream = Tensor.randomNormal([3, 4], dtype: .float64, seed: 4)
        for activation in Self.activations {
            expectGradientsMatchFiniteDifferences(at: [x]) { p in (activation(p[0]) * upstream).sum() }
        }
    }

    /// The named layers (PyTorch's spelling) compute what the enum cases compute.
    @Test func layersAgreeWithTheEnum() {
        let x = Tensor(doubles: [-3, -0.5, 0, 0.5, 3, 30], shape: [2, 3], dtype: .float32)
        let pairs: [(any Layer, Activation)] = [
            (Identity(), .identity), (ReLU(), .relu), (LeakyReLU(negativeSlope: 0.2), .leakyReLU(negativeSlope: 0.2)),
            (ELU(alpha: 0.5), .elu(alpha: 0.5)), (GELU(), .gelu), (GELU(approximation: .tanh), .gelu(approximation: .tanh)),
            (Sigmoid(), .sigmoid), (Tanh(), .tanh), (Softplus(beta: 2, threshold: 10), .softplus(beta: 2, threshold: 10)),
            (Softmax(), .softmax), (LogSoftmax(), .logSoftmax),
        ]
        for (layer, activation) in pairs {
            #expect(layer(x).doubles() == activation(x).doubles(), "\(layer) vs \(activation)")
        }
        expectClose(Softmax(axis: 0)(x), softmax(x, alongAxis: 0))
        expectClose(LogSoftmax(axis: 0)(x).sum(alongAxes: [1]), logSoftmax(x, alongAxis: 0).sum(alongAxes: [1]))
    }

    @Test func freeFunctionsUsePyTorchDefaults() {
        let x = Tensor([-2, 0, 2] as [Float])
        expectClose(leakyReLU(x), Tensor([-0.02, 0, 2] as [Float]))
        expectClose(elu(x), Tensor([Float(-0.8646647), 0, 2]))
        expectClose(gelu(x), Tensor([Float(-0.04550026), 0, 1.9544997]))
        expectClose(softplus(x), Tensor([Float(0.12692805), 0.6931472, 2.126928]))
        expectClose(softplus(Tensor([1000] as [Float])), Tensor([1000] as [Float]))
    }
}
