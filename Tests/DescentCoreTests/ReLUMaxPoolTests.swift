// maxPool2d(reluOf:): a ReLU then max pooling in one recorded step. Its values and gradients
// must be the two steps' bit for bit (ties, zeros, NaN and −0 included), and its rule must match
// finite differences.
@testable import DescentCore
import Descent
import Testing
import _DescentTestSupport

@Suite struct ReLUMaxPoolTests {
    /// Windows that tile, that overlap, that reach into the padding, dilated, and an unbatched input.
    static let windows: [(kernel: Size2D, stride: Size2D?, padding: Size2D, dilation: Size2D)] = [
        (2, nil, 0, 1), (3, 2, 1, 1), (3, 1, 0, 1), (Size2D(3, 2), Size2D(2, 1), Size2D(1, 0), Size2D(2, 1)),
    ]

    /// Values on a coarse grid with many zeros and negatives (ties are common, whole windows are
    /// ≤ 0), plus NaN and −0.
    static func awkwardInput(_ dtype: DType, device: Device) -> Tensor {
        let shape = [2, 3, 7, 6]
        var values = (0..<shape.reduce(1, *)).map { Double(($0 * 7919) % 9) - 5 }
        values[4] = .nan
        values[17] = -0.0
        values[40] = .nan
        return Tensor(doubles: values, shape: shape, dtype: dtype).to(device)
    }

    @Test(arguments: [DType.float32, .float64], [Device.cpu, .reference])
    func valuesAndGradientsAreTheTwoStepsBitForBit(dtype: DType, device: Device) {
        let x = Self.awkwardInput(dtype, device: device)
        for window in Self.windows {
            for input in [x, x[1]] {
                func pooled(_ fused: Bool, _ x: Tensor) -> Tensor {
                    fused
                        ? maxPool2d(reluOf: x, kernelSize: window.kernel, stride: window.stride, padding: window.padding,
                                    dilation: window.dilation)
                        : maxPool2d(relu(x), kernelSize: window.kernel, stride: window.stride, padding: window.padding,
                                    dilation: window.dilation)
                }
                let outputs = [true, false].map { fused in
                    valueWithGradient(at: input) { x in
                        let y = pooled(fused, x)
                        return (y * Tensor.randomUniform(y.shape, dtype: dtype, seed: 5).to(device)).sum()
                    }
                }
                let values = [true, false].map { pooled($0, input).to(.cpu).doubles() }
                #expect(values[0].map(\.bitPattern) == values[1].map(\.bitPattern), "values, \(window) on \(input.shape)")
                let gradients = outputs.map { $0.gradient.to(.cpu).doubles() }
                #expect(gradients[0].map(\.bitPattern) == gradients[1].map(\.bitPattern),
                        "gradients, \(dtype) \(window) on \(input.shape), \(device)")
                #expect(outputs[0].gradient.shape == input.shape)
            }
        }
    }

    /// The rule against finite differences, on inputs away from ReLU's kink and with distinct
    /// values (no ties, which finite differences cannot measure).
    @Test func ruleMatchesFiniteDifferences() {
        let x = sampleAwayFromZero([2, 3, 7, 5], seed: 120)
        for window in Self.windows {
            expectGradients(at: [x]) { xs in
                maxPool2d(reluOf: xs[0], kernelSize: window.kernel, stride: window.stride, padding: window.padding,
                          dilation: window.dilation)
            }
        }
        expectGradients(at: [x[0]]) { xs in maxPool2d(reluOf: xs[0], kernelSize: 2) }
    }

    /// Training records one node; a recorded graph keeps the two steps, so that it shows the
    /// ReLU's output.
    @Test func recordedGraphShowsTheReLU() {
        let x = Tensor(doubles: [1, -2, 3, -4], shape: [1, 1, 2, 2], dtype: .float64)
        let graph = recordComputationalGraph(at: [("x", x)]) { leaves in maxPool2d(reluOf: leaves[0], kernelSize: 2).sum() }
        let operations = graph.nodes.filter { $0.role == .operation }.map(\.operation)
        #expect(Array(operations.prefix(2)) == ["relu", "maxPool2d"])
        let y = maxPool2d(reluOf: x.asGradientLeaf(), kernelSize: 2)
        #expect(y.gradientNode?.operation == "relu+maxPool2d")
        #expect(y.doubles() == [3])
    }
}
