// The CPU's convolutions with filters larger than 3×3 as 3×3 convolutions of the input's
// shifted copies: which geometries take that way, that the copies and the filters' blocks hold
// what they should and go back, and that the results agree with the float64 reference, forward
// and backward.
@testable import DescentCore
import Descent
import Testing
import _DescentTestSupport

@Suite struct BlockedFilterConvolutionTests {
    static func geometry(batch: Int = 2, channels: Int = 8, height: Int = 14, width: Int = 14, outChannels: Int = 8,
                         kernel: (Int, Int) = (5, 5), stride: Int = 1, padding: (Int, Int, Int, Int) = (2, 2, 2, 2),
                         dilation: Int = 1, groups: Int = 1) -> Conv2dGeometry {
        Conv2dGeometry(batch: batch, inChannels: channels, height: height, width: width, outChannels: outChannels,
                       kernelHeight: kernel.0, kernelWidth: kernel.1, strideY: stride, strideX: stride,
                       padTop: padding.0, padLeft: padding.1, padBottom: padding.2, padRight: padding.3,
                       dilationY: dilation, dilationX: dilation, groups: groups)
    }

    /// A 5×5 convolution becomes a 3×3 one without padding of 4 shifted copies of the input, cut
    /// to the output's size plus 2; a 7×7 one of 9 copies; the others keep their way.
    @Test func whichConvolutionsTakeIt() throws {
        let blocks = try #require(Self.geometry().blockConvolution)
        #expect(blocks == Conv2dGeometry(batch: 2, inChannels: 32, height: 16, width: 16, outChannels: 8, kernelHeight: 3,
                                         kernelWidth: 3, strideY: 1, strideX: 1, padTop: 0, padLeft: 0, padBottom: 0,
                                         padRight: 0, dilationY: 1, dilationX: 1, groups: 1))
        #expect(blocks.outputShape == Self.geometry().outputShape)
        #expect(Self.geometry(height: 18, width: 18, kernel: (7, 7), padding: (0, 0, 0, 0)).blockConvolution?.inChannels == 72)
        #expect(Self.geometry(height: 18, width: 18, kernel: (7, 7), padding: (0, 0, 0, 0)).blockConvolution?.height == 14)
        #expect(Self.geometry(kernel: (5, 3), padding: (1, 0, 3, 2)).blockConvolution?.inChannels == 16)
        #expect(Self.geometry(kernel: (5, 4), padding: (2, 2, 2, 1)).blockConvolution?.inChannels == 32)
        #expect(Self.geometry(kernel: (3, 3)).blockConvolution == nil)  // Winograd directly
        #expect(Self.geometry(kernel: (1, 7)).blockConvolution == nil)
        // Blocks mostly padding (4×4: 16 taps of 36) do not pay for the detour.
        #expect(Self.geometry(kernel: (4, 4), padding: (2, 2, 1, 1)).blockConvolution == nil)
        #expect(Self.geometry(stride: 2).blockConvolution == nil)
        #expect(Self.geometry(padding: (4, 4, 4, 4), dilation: 2).blockConvolution == nil)
        #expect(Self.geometry(groups: 2).blockConvolution == nil)
        // Nor do outputs under 12 on a side.
        #expect(Self.geometry(height: 7, width: 7).blockConvolution == nil)
        #expect(Self.geometry(height: 12, width: 11).blockConvolution == nil)
        #expect(Self.geometry(height: 12, width: 12).blockConvolution != nil)
        // The stacked convolution must take the Winograd path: 8 channels in.
        #expect(Self.geometry(channels: 1).blockConvolution == nil)
        #expect(Self.geometry(channels: 2).blockConvolution != nil)
        // A batch whose stacked input would pass its limit takes it too, in runs of examples.
        #expect(Self.geometry(batch: 1024, channels: 64, height: 32, width: 32).blockConvolution != nil)
    }

    @Test func theCrossCheckCoversIt() {
        #expect(CrossCheckRun.convolutionGeometries.filter { $0.blockConvolution != nil }.count >= 3)
    }

    /// Channel block·C + c of the stacked input is the padded input's channel c shifted by
    /// (3a, 3b), zero where that reads padding; the gradient adds each copy back at its shift.
    @Test(arguments: [((5, 5), (2, 2, 2, 2)), ((7, 7), (3, 1, 3, 5)), ((5, 4), (0, 0, 0, 0)), ((6, 5), (7, 2, 1, 9))])
    func shiftedCopiesHoldThePaddedInput(kernel: (Int, Int), padding: (Int, Int, Int, Int)) {
        let s = Self.geometry(channels: 3, height: 7, width: 9, kernel: kernel, padding: padding)
        let (down, across) = s.filterBlocks
        let (height, width) = (s.outHeight + 2, s.outWidth + 2)
        let x = Tensor(shape: s.inputShape, scalars: (0..<s.inputShape.reduce(1, *)).map { Double($0 + 1) }).cast(to: .float32)
        let stacked = CPUBackend.shared.stackShiftedCopies(x, s)
        #expect(stacked.shape == [2, down * across * 3, height, width])
        let values = x.doubles(), stackedValues = stacked.doubles()
        func padded(_ n: Int, _ c: Int, _ i: Int, _ j: Int) -> Double {
            let (row, column) = (i - s.padTop, j - s.padLeft)
            guard (0..<s.height).contains(row), (0..<s.width).contains(column) else { return 0 }
            return values[((n * 3 + c) * s.height + row) * s.width + column]
        }
        var misplaced = 0
        var expectedGradient = [Double](repeating: 0, count: values.count)
        for n in 0..<2 {
            for a in 0..<down {
                for b in 0..<across {
                    for c in 0..<3 {
                        for r in 0..<height {
                            for q in 0..<width {
                                let index = (((n * down * across + a * across + b) * 3 + c) * height + r) * width + q
                                if stackedValues[index] != padded(n, c, r + 3 * a, q + 3 * b) { misplaced += 1 }
                                let (row, column) = (r + 3 * a - s.padTop, q + 3 * b - s.padLeft)
                                if (0..<s.height).contains(row), (0..<s.width).contains(column) {
                                    expectedGradient[((n * 3 + c) * s.height + row) * s.width + column] += stackedValues[index]
                                }
                            }
                        }
                    }
                }
            }
        }
        #expect(misplaced == 0)
        #expect(CPUBackend.shared.addShiftedCopies(stacked, s).doubles() == expectedGradient)
    }

    /// Channel block·C + c of the stacked filters holds taps (3a + u, 3b + v) of channel c, zero
    /// past the filter's edge; unstacking gives the filters back.
    @Test func filterBlocksHoldTheTaps() {
        let s = Self.geometry(channels: 2, outChannels: 3, kernel: (5, 4))
        let w = Tensor(shape: s.weightShape, scalars: (0..<s.weightShape.reduce(1, *)).map { Double($0 + 1) }).cast(to: .float32)
        let stacked = CPUBackend.shared.stackFilterBlocks(w, s)
        #expect(stacked.shape == [3, 8, 3, 3])
        let values = w.doubles(), stackedValues = stacked.doubles()
        var misplaced = 0
        for o in 0..<3 {
            for block in 0..<4 {
                for c in 0..<2 {
                    for u in 0..<3 {
                        for v in 0..<3 {
                            let (tapRow, tapColumn) = (3 * (block / 2) + u, 3 * (block % 2) + v)
                            let want = tapRow < 5 && tapColumn < 4 ? values[((o * 2 + c) * 5 + tapRow) * 4 + tapColumn] : 0
                            if stackedValues[(((o * 8) + block * 2 + c) * 3 + u) * 3 + v] != want { misplaced += 1 }
                        }
                    }
                }
            }
        }
        #expect(misplaced == 0)
        #expect(CPUBackend.shared.unstackFilterBlocks(stacked, s).doubles() == values)
    }

    /// A batch whose stacked input would pass the limit goes through in runs of examples: the
    /// output and the input's gradient are the whole batch's bit for bit (each example's own
    /// arithmetic), the filters' gradient sums the runs' and agrees with the float64 reference.
    @Test func runsOfExamplesGiveTheWholeBatchsResults() {
        let s = Self.geometry(batch: 5)
        let perExample = 32 * 16 * 16  // 4 copies of 8 channels, the output's 14×14 plus 2
        #expect(s.blockChunks(limit: 2 * perExample + 1) == [0..<2, 2..<4, 4..<5])
        #expect(s.blockChunks(limit: 1) == (0..<5).map { $0..<($0 + 1) })
        #expect(s.blockChunks() == [0..<5])
        #expect(Self.geometry(batch: 0).blockChunks() == [0..<0])
        let x = sample(s.inputShape, seed: 80).cast(to: .float32), w = sample(s.weightShape, seed: 81).cast(to: .float32)
        let b = sample([s.outChannels], seed: 82).cast(to: .float32)
        let upstream = sample(s.outputShape, seed: 83).cast(to: .float32)
        let cpu = CPUBackend.shared, limit = 2 * perExample
        func bits(_ t: Tensor) -> [UInt64] { t.doubles().map(\.bitPattern) }
        #expect(bits(cpu.blockConv2d(x, weight: w, bias: b, s, activation: .relu, limit: limit))
            == bits(cpu.conv2d(x, weight: w, bias: b, s, activation: .relu)))
        #expect(bits(cpu.blockConv2dInputGradient(upstream, weight: w, s, limit: limit))
            == bits(cpu.conv2dInputGradient(upstream, weight: w, s)))
        func wide(_ t: Tensor) -> Tensor { t.to(.reference).cast(to: .float64) }
        WinogradTests.expectClose([
            ("filter gradient in runs", cpu.blockConv2dWeightGradient(upstream, input: x, s, limit: limit),
             ReferenceBackend.shared.conv2dWeightGradient(wide(upstream), input: wide(x), s)),
        ])
    }

    /// Forward (with ReLU fused, and without), input gradient and filter gradient against the
    /// float64 reference of the same float32 numbers, to a few float32 roundings of the terms'
    /// magnitude, as the Winograd path's own test asks: 5×5 "same", 7×7 without padding, uneven
    /// filters and paddings, a padding wider than the filter, and an empty batch.
    @Test(arguments: [(2, 8, 14, 14, 16, (5, 5), (2, 2, 2, 2)), (3, 4, 18, 19, 8, (7, 7), (0, 0, 0, 0)),
                      (2, 3, 13, 13, 8, (5, 4), (1, 3, 2, 0)), (1, 8, 9, 10, 8, (6, 6), (7, 1, 2, 6)),
                      (0, 8, 14, 14, 8, (5, 5), (2, 2, 2, 2))])
    func agreesWithTheFloat64Reference(batch: Int, channels: Int, height: Int, width: Int, outChannels: Int,
                                       kernel: (Int, Int), padding: (Int, Int, Int, Int)) throws {
        let s = Self.geometry(batch: batch, channels: channels, height: height, width: width, outChannels: outChannels,
                              kernel: kernel, padding: padding)
        try #require(s.blockConvolution != nil)
        WinogradTests.expectAgreementAndFusedReLU(s, seed: 70)
    }
}
