// The CPU's convolutions with dilation 2 through the input's phases: which geometries take
// that way, that splitting into phases and merging them back moves every value where it
// belongs, and that the results agree with the float64 reference, forward and backward.
@testable import DescentCore
import Descent
import Testing
import _DescentTestSupport

@Suite struct DilatedConvolutionTests {
    static func geometry(batch: Int = 2, channels: Int = 8, height: Int = 28, width: Int = 28, outChannels: Int = 8,
                         kernel: Int = 3, stride: Int = 1, padding: (Int, Int, Int, Int) = (2, 2, 2, 2),
                         dilation: Int = 2) -> Conv2dGeometry {
        Conv2dGeometry(batch: batch, inChannels: channels, height: height, width: width, outChannels: outChannels,
                       kernelHeight: kernel, kernelWidth: kernel, strideY: stride, strideX: stride,
                       padTop: padding.0, padLeft: padding.1, padBottom: padding.2, padRight: padding.3,
                       dilationY: dilation, dilationX: dilation, groups: 1)
    }

    /// A 3×3 convolution dilated by 2 with even sizes and paddings becomes one on a batch four
    /// times as large of images half the size, padded by half as much, without dilation; the
    /// others keep their way.
    @Test func whichConvolutionsTakeIt() throws {
        let phases = try #require(Self.geometry().phaseConvolution)
        #expect(phases == Conv2dGeometry(batch: 8, inChannels: 8, height: 14, width: 14, outChannels: 8, kernelHeight: 3,
                                         kernelWidth: 3, strideY: 1, strideX: 1, padTop: 1, padLeft: 1, padBottom: 1,
                                         padRight: 1, dilationY: 1, dilationX: 1, groups: 1))
        #expect(phases.outputShape == [8, 8, 14, 14] && Self.geometry().outputShape == [2, 8, 28, 28])
        #expect(Self.geometry(padding: (0, 2, 4, 0)).phaseConvolution?.padBottom == 2)
        #expect(Self.geometry(height: 27).phaseConvolution == nil)
        #expect(Self.geometry(padding: (1, 1, 1, 1)).phaseConvolution == nil)
        #expect(Self.geometry(stride: 2).phaseConvolution == nil)
        #expect(Self.geometry(dilation: 3).phaseConvolution == nil)
        #expect(Self.geometry(dilation: 1).phaseConvolution == nil)
        // Where the phases' convolution would not take the Winograd path, the detour buys nothing.
        #expect(Self.geometry(channels: 1).phaseConvolution == nil)
        #expect(Self.geometry(kernel: 5, padding: (4, 4, 4, 4)).phaseConvolution == nil)
    }

    /// Example 4n + 2a + b of the split holds rows 2u + a and columns 2v + b of example n, and
    /// merging gives the tensor back, in both float types.
    @Test(arguments: [DType.float32, .float64])
    func phasesHoldEveryOtherRowAndColumn(dtype: DType) {
        let (n, c, h, w) = (2, 3, 6, 8)
        let x = Tensor(shape: [n, c, h, w], scalars: (0..<(n * c * h * w)).map(Double.init)).cast(to: dtype)
        let phases = CPUBackend.shared.splitPhases(x)
        #expect(phases.shape == [4 * n, c, h / 2, w / 2])
        let values = x.doubles(), phaseValues = phases.doubles()
        var misplaced = 0
        for example in 0..<n {
            for channel in 0..<c {
                for a in 0..<2 {
                    for b in 0..<2 {
                        for u in 0..<(h / 2) {
                            for v in 0..<(w / 2) {
                                let phase = (((example * 4 + a * 2 + b) * c + channel) * (h / 2) + u) * (w / 2) + v
                                let original = ((example * c + channel) * h + 2 * u + a) * w + 2 * v + b
                                if phaseValues[phase] != values[original] { misplaced += 1 }
                            }
                        }
                    }
                }
            }
        }
        #expect(misplaced == 0)
        #expect(CPUBackend.shared.mergePhases(phases).doubles() == values)
    }

    /// Forward (with ReLU fused, and without), input gradient and filter gradient against the
    /// float64 reference of the same float32 numbers, to a few float32 roundings of the terms'
    /// magnitude, as the Winograd path's own test asks; and an empty batch.
    @Test(arguments: [(2, 8, 12, 10, 16, (2, 2, 2, 2)), (3, 16, 14, 14, 8, (0, 2, 4, 2)), (1, 8, 8, 6, 8, (4, 4, 4, 4)),
                      (0, 8, 8, 6, 8, (2, 2, 2, 2))])
    func agreesWithTheFloat64Reference(batch: Int, channels: Int, height: Int, width: Int, outChannels: Int,
                                       padding: (Int, Int, Int, Int)) throws {
        let s = Self.geometry(batch: batch, channels: channels, height: height, width: width, outChannels: outChannels,
                              padding: padding)
        try #require(s.phaseConvolution != nil)
        let (x, w, b, y) = WinogradTests.expectAgreementWithTheFloat64Reference(s, seed: 60)
        // ReLU fused: the phases' output with ReLU, merged, is ReLU of the output, bit for bit.
        let fused = CPUBackend.shared.conv2d(x, weight: w, bias: b, s, activation: .relu).doubles()
        #expect(fused.map(\.bitPattern) == y.doubles().map { max($0, 0).bitPattern })
    }
}
