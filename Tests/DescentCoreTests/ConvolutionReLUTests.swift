// conv2d(…, activation: .relu): a convolution and its ReLU in one recorded step. Its values and
// gradients must be the two steps' (bit for bit, but for the bias's gradient) on every CPU path
// (matrix multiply, 1×1, Winograd, depthwise) and on the reference, its rule must match finite
// differences, and a recorded graph must still show the two steps.
@testable import DescentCore
import Descent
import Testing
import _DescentTestSupport

@Suite struct ConvolutionReLUTests {
    /// One convolution per CPU path, each with a bias that leaves about half its outputs negative.
    static let cases: [(path: String, input: [Int], weight: [Int], stride: Size2D, groups: Int)] = [
        ("matrix multiply", [2, 4, 9, 8], [6, 2, 3, 3], 2, 2),
        ("1×1", [2, 4, 6, 5], [3, 4, 1, 1], 1, 1),
        ("Winograd", [2, 8, 10, 9], [8, 8, 3, 3], 1, 1),
        ("depthwise", [2, 3, 9, 8], [6, 1, 3, 3], 2, 3),
    ]

    static func convolution(_ index: Int, _ xs: [Tensor], activation: LinearActivation) -> Tensor {
        let padding: Conv2dPadding = Self.cases[index].weight[2] == 1 ? 0 : 1
        return conv2d(xs[0], weight: xs[1], bias: xs[2], stride: Self.cases[index].stride, padding: padding,
                      groups: Self.cases[index].groups, activation: activation)
    }

    static func inputs(_ index: Int, _ dtype: DType, device: Device) -> [Tensor] {
        let c = Self.cases[index], seed = 130 + 3 * UInt64(index)
        return [Tensor.randomNormal(c.input, dtype: dtype, seed: seed),
                Tensor.randomNormal(c.weight, dtype: dtype, seed: seed + 1),
                Tensor.randomNormal([c.weight[0]], dtype: dtype, seed: seed + 2)].map { $0.to(device) }
    }

    /// The geometries take the paths their names say (so that the tests below reach them).
    @Test func casesReachEveryPath() {
        let geometry = { (index: Int) in
            let c = Self.cases[index]
            return Conv2dGeometry(batch: 2, inChannels: c.input[1], height: c.input[2], width: c.input[3],
                                  outChannels: c.weight[0], kernelHeight: c.weight[2], kernelWidth: c.weight[3],
                                  strideY: c.stride.height, strideX: c.stride.width,
                                  padTop: c.weight[2] == 1 ? 0 : 1, padLeft: c.weight[2] == 1 ? 0 : 1,
                                  padBottom: c.weight[2] == 1 ? 0 : 1, padRight: c.weight[2] == 1 ? 0 : 1,
                                  dilationY: 1, dilationX: 1, groups: c.groups)
        }
        #expect(!geometry(0).usesWinograd && !geometry(0).usesDepthwiseKernel && !geometry(0).isPointwise)
        #expect(geometry(1).isPointwise)
        #expect(geometry(2).usesWinograd)
        #expect(geometry(3).usesDepthwiseKernel)
    }

    @Test(arguments: [DType.float32, .float64], [Device.cpu, .reference])
    func valuesAndGradientsAreTheTwoStepsBitForBit(dtype: DType, device: Device) {
        for index in Self.cases.indices {
            let xs = Self.inputs(index, dtype, device: device)
            let results = [true, false].map { fused in
                valueWithGradient(at: xs) { xs in
                    let y = fused ? Self.convolution(index, xs, activation: .relu)
                        : relu(Self.convolution(index, xs, activation: .identity))
                    return (y * Tensor.randomUniform(y.shape, lowerBound: -1, upperBound: 1, dtype: dtype, seed: 7)
                        .to(device)).sum()
                }
            }
            let path = "\(Self.cases[index].path), \(dtype), \(device)"
            let outputs = [LinearActivation.relu, .identity].map { Self.convolution(index, xs, activation: $0).to(.cpu).doubles() }
            #expect(outputs[0].map(\.bitPattern) == outputs[1].map { max($0, 0).bitPattern }, "values, \(path)")
            // Some outputs were negative: ReLU had something to do.
            #expect(outputs[1].contains { $0 < 0 } && outputs[1].contains { $0 > 0 }, "\(path)")
            for (name, (fused, unfused)) in zip(["input", "weight"], zip(results[0].gradients, results[1].gradients)) {
                #expect(fused.to(.cpu).doubles().map(\.bitPattern) == unfused.to(.cpu).doubles().map(\.bitPattern),
                        "\(name) gradient, \(path)")
            }
            // The bias's gradient is summed in the same pass as ReLU's derivative, in another
            // order than `sum`'s: within the rounding of N·H′·W′ terms, each at most 1 in size
            // (ḡ is uniform in ±1).
            let terms = outputs[0].count / Self.cases[index].weight[0]
            let epsilon = dtype == .float32 ? Double(Float.ulpOfOne) : Double.ulpOfOne
            expectClose(results[0].gradients[2].to(.cpu), results[1].gradients[2].to(.cpu), relative: 2 * Double(terms) * epsilon,
                        absolute: 2 * Double(terms) * epsilon * Double(terms), "bias gradient, \(path)")
        }
    }

    /// The rule against finite differences in Float64, where no output is near ReLU's kink (the
    /// rule is the same on every device and path, which the test above holds to the two steps).
    @Test func ruleMatchesFiniteDifferences() throws {
        let xs = [Tensor.randomNormal([2, 4, 5, 4], dtype: .float64, seed: 150),
                  Tensor.randomNormal([6, 2, 3, 3], dtype: .float64, seed: 151), Tensor.randomNormal([6], dtype: .float64, seed: 152)]
        let convolution = { (xs: [Tensor], activation: LinearActivation) in
            conv2d(xs[0], weight: xs[1], bias: xs[2], stride: 2, padding: 1, groups: 2, activation: activation)
        }
        let z = convolution(xs, .identity).doubles()
        try #require(z.allSatisfy { abs($0) > 1e-3 } && z.contains { $0 < 0 }, "outputs at the kink, or none negative")
        expectGradientsMatchFiniteDifferences(at: xs) { xs in
            let y = convolution(xs, .relu)
            return (y * weights(like: y)).sum()
        }
    }

    /// Training records one node; a recorded graph keeps the textbook's two steps, the
    /// convolution's value before ReLU, then ReLU.
    @Test func recordedGraphShowsConvolutionThenReLU() {
        let xs = Self.inputs(0, .float64, device: .cpu)
        let graph = recordComputationalGraph(at: [("weight", xs[1])]) { leaves in
            Self.convolution(0, [xs[0], leaves[0], xs[2]], activation: .relu).sum()
        }
        let operations = graph.nodes.filter { $0.role == .operation }.map(\.operation)
        #expect(Array(operations.prefix(2)) == ["conv2d", "relu"])
        let z = graph.nodes.first { $0.operation == "conv2d" }
        #expect(z?.value.doubles() == Self.convolution(0, xs, activation: .identity).doubles())
        let y = Self.convolution(0, [xs[0], xs[1].asGradientLeaf(), xs[2]], activation: .relu)
        #expect(y.gradientNode?.operation == "conv2d+relu")
        #expect(y.gradientNode?.inputs.count == 3)
    }
}
