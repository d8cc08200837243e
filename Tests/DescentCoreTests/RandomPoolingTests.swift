// The CPU's max and average pooling on windows drawn at random, against the reference backend:
// kernels, strides, paddings, dilations, ceil mode and both divisors combine in ways the
// cross-check's eight hand-picked cases cannot all reach (windows clipped at both edges, a last
// window that starts in the padding, inputs smaller than the dilated kernel).
@testable import DescentCore
import Testing
import _DescentTestSupport

@Suite struct RandomPoolingTests {
    /// A window and an input that give an output of at least 1×1, within PyTorch's rules.
    static func draw(_ draws: inout SeededDraws) -> (shape: [Int], window: PoolingWindow2d) {
        while true {
            let kernel = Size2D(1 + draws.upTo(4), draws.next() % 3 == 0 ? 1 + draws.upTo(4) : 0)
            let kernelSize = Size2D(kernel.height, kernel.width == 0 ? kernel.height : kernel.width)
            let stride: Size2D? = draws.next() % 3 == 0 ? nil : Size2D(1 + draws.upTo(3), 1 + draws.upTo(3))
            let window = PoolingWindow2d(
                kernelSize: kernelSize, stride: stride,
                padding: Size2D(draws.upTo(kernelSize.height / 2), draws.upTo(kernelSize.width / 2)),
                dilation: Size2D(1 + draws.upTo(2), 1 + draws.upTo(2)), ceilMode: draws.next() % 2 == 0)
            let shape = [1 + draws.upTo(2), 1 + draws.upTo(3), 1 + draws.upTo(12), 1 + draws.upTo(12)]
            if window.outputSize(for: Size2D(shape[2], shape[3])) != nil { return (shape, window) }
        }
    }

    @Test func maxPoolingAgreesWithTheReferenceExactly() {
        var draws = SeededDraws(seed: 0x9001)
        for index in 0..<300 {
            let (shape, window) = Self.draw(&draws)
            let context = "\(shape) \(window)"
            let x = CrossCheckRun.coarse(shape, .float32, seed: UInt64(index))
            for appliesReLU in [false, true] {
                var pooling = CrossCheckRun.pooling(shape, window, dilated: true)
                pooling.appliesReLU = appliesReLU
                let cpu = CPUBackend.shared.maxPool2d(x, pooling)
                let reference = ReferenceBackend.shared.maxPool2d(x.to(.reference), pooling)
                #expect(cpu.values.doubles().map(\.bitPattern) == reference.values.doubles().map(\.bitPattern),
                        "values, relu \(appliesReLU), \(context)")
                #expect(cpu.indices.doubles() == reference.indices.doubles(), "indices, relu \(appliesReLU), \(context)")
                // Backward: each window's gradient to its maximum, added in output order on both.
                let upstream = CrossCheckRun.normal(cpu.values.shape, .float32, seed: UInt64(index) + 5000)
                let gradient = CPUBackend.shared.maxPool2dBackward(upstream, indices: cpu.indices, inputShape: shape, pooling)
                let expected = ReferenceBackend.shared.maxPool2dBackward(upstream.to(.reference), indices: reference.indices,
                                                                         inputShape: shape, pooling)
                #expect(gradient.doubles() == expected.doubles(), "gradient, relu \(appliesReLU), \(context)")
            }
        }
    }

    @Test func averagePoolingAgreesWithTheFloat64Reference() {
        var draws = SeededDraws(seed: 0xA001)
        for index in 0..<300 {
            let (shape, window) = Self.draw(&draws)
            for countIncludePad in [true, false] {
                let pooling = CrossCheckRun.pooling(shape, window, dilated: false, countIncludePad: countIncludePad)
                let context = "\(shape) \(pooling.window) count_include_pad \(countIncludePad)"
                let x = CrossCheckRun.normal(shape, .float32, seed: UInt64(index))
                let upstream = CrossCheckRun.normal([shape[0], shape[1], pooling.output.height, pooling.output.width],
                                                    .float32, seed: UInt64(index) + 7000)
                func wide(_ t: Tensor) -> Tensor { t.to(.reference).cast(to: .float64) }
                WinogradTests.expectClose(context: context, [
                    ("forward", CPUBackend.shared.avgPool2d(x, pooling), ReferenceBackend.shared.avgPool2d(wide(x), pooling)),
                    ("gradient", CPUBackend.shared.avgPool2dBackward(upstream, pooling),
                     ReferenceBackend.shared.avgPool2dBackward(wide(upstream), pooling)),
                ])
            }
        }
    }
}
