// The CPU's dilated convolutions through the input's phases: which geometries take that way,
// that splitting into phases and merging them back moves every value where it belongs, and that
// the results agree with the float64 reference, forward and backward.
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

    /// A 3×3 convolution dilated by d, with sizes and paddings that d divides, becomes one on a
    /// batch d² times as large of images 1/d the size, padded 1/d as much, without dilation;
    /// the others keep their way.
    @Test func whichConvolutionsTakeIt() throws {
        let phases = try #require(Self.geometry().phaseConvolution)
        #expect(phases == Conv2dGeometry(batch: 8, inChannels: 8, height: 14, width: 14, outChannels: 8, kernelHeight: 3,
                                         kernelWidth: 3, strideY: 1, strideX: 1, padTop: 1, padLeft: 1, padBottom: 1,
                                         padRight: 1, dilationY: 1, dilationX: 1, groups: 1))
        #expect(phases.outputShape == [8, 8, 14, 14] && Self.geometry().outputShape == [2, 8, 28, 28])
        #expect(Self.geometry(padding: (0, 2, 4, 0)).phaseConvolution?.padBottom == 2)
        #expect(Self.geometry(height: 27).phaseConvolution == nil)
        // Phases whose output is under 12 on a side do not pay for the detour.
        #expect(Self.geometry(height: 14, width: 14).phaseConvolution == nil)
        #expect(Self.geometry(padding: (4, 4, 4, 4), dilation: 4).phaseConvolution == nil)
        #expect(Self.geometry(height: 48, width: 48, padding: (4, 4, 4, 4), dilation: 4).phaseConvolution != nil)
        #expect(Self.geometry(padding: (1, 1, 1, 1)).phaseConvolution == nil)
        #expect(Self.geometry(stride: 2).phaseConvolution == nil)
        #expect(Self.geometry(height: 36, width: 39, padding: (3, 3, 3, 3), dilation: 3).phaseConvolution
            == Conv2dGeometry(batch: 18, inChannels: 8, height: 12, width: 13, outChannels: 8, kernelHeight: 3,
                              kernelWidth: 3, strideY: 1, strideX: 1, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1,
                              dilationY: 1, dilationX: 1, groups: 1))
        #expect(Self.geometry(dilation: 3).phaseConvolution == nil)  // 28 rows: not a multiple of 3
        #expect(Self.geometry(dilation: 1).phaseConvolution == nil)
        // Where the phases' convolution would not take the Winograd path, the detour buys nothing.
        #expect(Self.geometry(channels: 1).phaseConvolution == nil)
        #expect(Self.geometry(kernel: 5, padding: (4, 4, 4, 4)).phaseConvolution == nil)
    }

    /// Example d²·n + d·a + b of the split holds rows d·u + a and columns d·v + b of example n,
    /// and merging gives the tensor back, in both float types.
    @Test(arguments: [DType.float32, .float64], [2, 3])
    func phasesHoldRowsAndColumnsByTheirRemainder(dtype: DType, d: Int) {
        let (n, c, h, w) = (2, 3, 2 * d, 4 * d)
        let x = Tensor(shape: [n, c, h, w], scalars: (0..<(n * c * h * w)).map(Double.init)).cast(to: dtype)
        let phases = CPUBackend.shared.splitPhases(x, factor: d)
        #expect(phases.shape == [d * d * n, c, h / d, w / d])
        let values = x.doubles(), phaseValues = phases.doubles()
        var misplaced = 0
        for example in 0..<n {
            for channel in 0..<c {
                for a in 0..<d {
                    for b in 0..<d {
                        for u in 0..<(h / d) {
                            for v in 0..<(w / d) {
                                let phase = (((example * d * d + a * d + b) * c + channel) * (h / d) + u) * (w / d) + v
                                let original = ((example * c + channel) * h + d * u + a) * w + d * v + b
                                if phaseValues[phase] != values[original] { misplaced += 1 }
                            }
                        }
                    }
                }
            }
        }
        #expect(misplaced == 0)
        #expect(CPUBackend.shared.mergePhases(phases, factor: d).doubles() == values)
    }

    /// Forward (with ReLU fused, and without), input gradient and filter gradient against the
    /// float64 reference of the same float32 numbers, to a few float32 roundings of the terms'
    /// magnitude, as the Winograd path's own test asks, for dilations 2, 3 and 4; and an empty
    /// batch.
    @Test(arguments: [(2, 8, 24, 24, 16, (2, 2, 2, 2), 2), (3, 16, 28, 26, 8, (0, 2, 4, 2), 2),
                      (1, 8, 24, 24, 8, (4, 4, 4, 4), 2), (0, 8, 24, 24, 8, (2, 2, 2, 2), 2),
                      (2, 8, 36, 36, 8, (3, 3, 6, 3), 3), (1, 8, 48, 48, 8, (4, 4, 4, 4), 4)])
    func agreesWithTheFloat64Reference(batch: Int, channels: Int, height: Int, width: Int, outChannels: Int,
                                       padding: (Int, Int, Int, Int), dilation: Int) throws {
        let s = Self.geometry(batch: batch, channels: channels, height: height, width: width, outChannels: outChannels,
                              padding: padding, dilation: dilation)
        try #require(s.phaseConvolution != nil)
        WinogradTests.expectAgreementAndFusedReLU(s, seed: 60)
    }
}
