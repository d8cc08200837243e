// batchNormalization(…, activation: .relu): batch normalization and its ReLU in one recorded
// step. Its values and gradients must be the two steps', bit for bit, on the CPU and the
// reference, in float32 and float64; its rule must match finite differences; a recorded graph
// must still show the two steps.
@testable import DescentCore
import Descent
import Testing
import _DescentTestSupport

@Suite struct BatchNormalizationReLUTests {
    /// Dense features, images, images without weight and bias, and channels long enough to be
    /// shared out among threads. The biases leave about half the outputs negative.
    static let cases: [(shape: [Int], affine: Bool)] = [([8, 5], true), ([3, 4, 5, 6], true), ([2, 3, 4, 4], false),
                                                        ([16, 4, 24, 24], true)]

    static func inputs(_ index: Int, _ dtype: DType, device: Device) -> [Tensor] {
        let (shape, affine) = Self.cases[index], seed = 170 + 3 * UInt64(index)
        let x = Tensor.randomNormal(shape, dtype: dtype, seed: seed) * 2 + 1
        guard affine else { return [x.to(device)] }
        return [x, Tensor.randomNormal([shape[1]], dtype: dtype, seed: seed + 1),
                Tensor.randomNormal([shape[1]], dtype: dtype, seed: seed + 2) * 0.5].map { $0.to(device) }
    }

    static func normalization(_ xs: [Tensor], activation: LinearActivation) -> Tensor {
        batchNormalization(xs[0], weight: xs.count > 1 ? xs[1] : nil, bias: xs.count > 2 ? xs[2] : nil,
                           activation: activation).output
    }

    @Test(arguments: [DType.float32, .float64], [Device.cpu, .reference])
    func valuesAndGradientsAreTheTwoStepsBitForBit(dtype: DType, device: Device) {
        for index in Self.cases.indices {
            let xs = Self.inputs(index, dtype, device: device)
            let results = [true, false].map { fused in
                valueWithGradient(at: xs) { xs in
                    let y = fused ? Self.normalization(xs, activation: .relu) : relu(Self.normalization(xs, activation: .identity))
                    return (y * Tensor.randomUniform(y.shape, lowerBound: -1, upperBound: 1, dtype: dtype, seed: 9)
                        .to(device)).sum()
                }
            }
            let what = "\(Self.cases[index].shape), \(dtype), \(device)"
            let outputs = [LinearActivation.relu, .identity].map { Self.normalization(xs, activation: $0).to(.cpu).doubles() }
            // Compared as one Bool: a failure would otherwise print every bit pattern.
            let sameValues = outputs[0].map(\.bitPattern) == outputs[1].map { max($0, 0).bitPattern }
            #expect(sameValues, "values, \(what)")
            // Some outputs were negative: ReLU had something to do.
            #expect(outputs[1].contains { $0 < 0 } && outputs[1].contains { $0 > 0 }, "\(what)")
            let names = ["input", "weight", "bias"].prefix(xs.count)
            for (name, (fused, unfused)) in zip(names, zip(results[0].gradients, results[1].gradients)) {
                let same = fused.to(.cpu).doubles().map(\.bitPattern) == unfused.to(.cpu).doubles().map(\.bitPattern)
                #expect(same, "\(name) gradient, \(what)")
            }
            // The statistics do not depend on the activation.
            let statistics = [LinearActivation.relu, .identity].map {
                batchNormalization(xs[0], activation: $0)
            }
            #expect(statistics[0].mean.to(.cpu).doubles() == statistics[1].mean.to(.cpu).doubles(), "mean, \(what)")
            #expect(statistics[0].variance.to(.cpu).doubles() == statistics[1].variance.to(.cpu).doubles(),
                    "variance, \(what)")
        }
    }

    /// The rule against finite differences in Float64, where no output is near ReLU's kink (the
    /// rule is the same on every device, which the test above holds to the two steps).
    @Test(arguments: [Device.cpu, .reference])
    func ruleMatchesFiniteDifferences(on device: Device) throws {
        let xs = [Tensor.randomNormal([3, 2, 2, 3], dtype: .float64, seed: 190) * 2 + 1,
                  Tensor.randomNormal([2], dtype: .float64, seed: 191),
                  Tensor.randomNormal([2], dtype: .float64, seed: 192) * 0.5].map { $0.to(device) }
        let z = Self.normalization(xs, activation: .identity).to(.cpu).doubles()
        try #require(z.allSatisfy { abs($0) > 1e-3 } && z.contains { $0 < 0 }, "outputs at the kink, or none negative")
        expectGradientsMatchFiniteDifferences(at: xs) { xs in
            let y = Self.normalization(xs, activation: .relu)
            return (y * weights(like: y).to(device)).sum()
        }
    }

    /// Training records one node; a recorded graph keeps the textbook's two steps, the
    /// normalized value before ReLU, then ReLU.
    @Test func recordedGraphShowsBatchNormalizationThenReLU() {
        let xs = Self.inputs(1, .float64, device: .cpu)
        let graph = recordComputationalGraph(at: [("weight", xs[1])]) { leaves in
            Self.normalization([xs[0], leaves[0], xs[2]], activation: .relu).sum()
        }
        let operations = graph.nodes.filter { $0.role == .operation }.map(\.operation)
        #expect(Array(operations.prefix(2)) == ["batchNormalization", "relu"])
        let z = graph.nodes.first { $0.operation == "batchNormalization" }
        #expect(z?.value.doubles() == Self.normalization(xs, activation: .identity).doubles())
        let y = Self.normalization([xs[0], xs[1].asGradientLeaf(), xs[2]], activation: .relu)
        #expect(y.gradientNode?.operation == "batchNormalization+relu")
        #expect(y.gradientNode?.inputs.count == 3)
    }
}
