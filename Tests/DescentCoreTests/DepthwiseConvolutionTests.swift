// The CPU's direct depthwise convolutions (DepthwiseConvolution.swift, depthwise.c): which
// geometries take them, that they agree with the float64 reference beyond what the cross-check
// asks, in float32 and float64, and that threads do not change a bit.
@testable import DescentCore
import Descent
import Testing
import _DescentTestSupport

@Suite struct DepthwiseConvolutionTests {
    private func geometry(batch: Int = 2, channels: Int, height: Int = 9, width: Int = 8, outChannels: Int,
                          kernel: (Int, Int) = (3, 3), stride: (Int, Int) = (1, 1), padding: (Int, Int, Int, Int) = (1, 1, 1, 1),
                          dilation: (Int, Int) = (1, 1), groups: Int) -> Conv2dGeometry {
        Conv2dGeometry(batch: batch, inChannels: channels, height: height, width: width, outChannels: outChannels,
                       kernelHeight: kernel.0, kernelWidth: kernel.1, strideY: stride.0, strideX: stride.1,
                       padTop: padding.0, padLeft: padding.1, padBottom: padding.2, padRight: padding.3,
                       dilationY: dilation.0, dilationX: dilation.1, groups: groups)
    }

    /// One input channel per group, and more than one group: MobileNet's depthwise layers, with
    /// one filter per channel or several. An ordinary convolution, grouped or not, keeps im2col,
    /// and so does one of a single input channel (no faster this way: see DepthwiseConvolution.swift).
    @Test func whichConvolutionsTakeIt() {
        #expect(geometry(channels: 32, outChannels: 32, groups: 32).usesDepthwiseKernel)
        #expect(geometry(channels: 8, outChannels: 24, groups: 8).usesDepthwiseKernel)
        #expect(!geometry(channels: 1, outChannels: 32, groups: 1).usesDepthwiseKernel)
        #expect(!geometry(channels: 3, outChannels: 32, groups: 1).usesDepthwiseKernel)
        #expect(!geometry(channels: 32, outChannels: 32, groups: 16).usesDepthwiseKernel)
        #expect(!geometry(channels: 32, outChannels: 64, groups: 1).usesDepthwiseKernel)
        #expect(CrossCheckRun.convolutionGeometries.filter(\.usesDepthwiseKernel).count >= 8)
    }

    /// Forward, input gradient and filter gradient against the float64 reference of the same
    /// numbers: float32 to a few roundings of the terms' magnitude, float64 to a few of its own.
    @Test(arguments: [DType.float32, .float64])
    func agreesWithTheFloat64Reference(dtype: DType) {
        let cases = [
            geometry(batch: 3, channels: 4, height: 28, width: 28, outChannels: 4, groups: 4),
            geometry(channels: 3, outChannels: 6, padding: (2, 0, 1, 2), dilation: (2, 2), groups: 3),
            geometry(channels: 4, height: 15, width: 16, outChannels: 4, kernel: (5, 5), stride: (2, 2),
                     padding: (2, 2, 2, 2), groups: 4),
            geometry(channels: 2, height: 11, width: 10, outChannels: 4, kernel: (2, 4), stride: (3, 2),
                     padding: (1, 2, 0, 3), dilation: (1, 2), groups: 2),
            geometry(batch: 4, channels: 2, height: 28, width: 28, outChannels: 32, padding: (0, 0, 0, 0), groups: 2),
            // Two of four row phases read, three of forty column phases.
            geometry(channels: 2, height: 13, width: 12, outChannels: 2, kernel: (5, 3), stride: (4, 40),
                     padding: (2, 1, 2, 1), dilation: (2, 1), groups: 2),
        ]
        let tolerance = dtype == .float32 ? 2e-5 : 1e-13
        for (index, s) in cases.enumerated() {
            let seed = UInt64(400 + 10 * index)
            let x = sample(s.inputShape, seed: seed).cast(to: dtype), w = sample(s.weightShape, seed: seed + 1).cast(to: dtype)
            let b = sample([s.outChannels], seed: seed + 2).cast(to: dtype)
            let upstream = sample(s.outputShape, seed: seed + 3).cast(to: dtype)
            let cpu = CPUBackend.shared, reference = ReferenceBackend.shared
            func wide(_ t: Tensor) -> Tensor { t.to(.reference).cast(to: .float64) }
            let pairs: [(String, Tensor, Tensor)] = [
                ("forward", cpu.conv2d(x, weight: w, bias: b, s), reference.conv2d(wide(x), weight: wide(w), bias: wide(b), s)),
                ("input gradient", cpu.conv2dInputGradient(upstream, weight: w, s),
                 reference.conv2dInputGradient(wide(upstream), weight: wide(w), s)),
                ("filter gradient", cpu.conv2dWeightGradient(upstream, input: x, s),
                 reference.conv2dWeightGradient(wide(upstream), input: wide(x), s)),
            ]
            for (name, fast, exact) in pairs {
                let got = fast.doubles(), want = exact.doubles()
                // The largest value a sum of terms of size up to 2·2 could reach, once per term.
                let scale = Swift.max(1, want.map(abs).max() ?? 0)
                let worst = zip(got, want).map { abs($0 - $1) }.max() ?? 0
                #expect(fast.shape == exact.shape, "case \(index) \(name)")
                #expect(worst <= tolerance * scale, "case \(index) \(name): \(worst)")
            }
        }
    }

    /// Planes are shared out among threads (for the filter gradient, channels, or shares of a
    /// channel's filters when there are fewer channels than threads: 2 channels on 3 threads);
    /// each value is computed whole by one, so the bits do not depend on how many there are.
    @Test(arguments: [16, 2])
    func threadsDoNotChangeABit(channels: Int) {
        let x = Tensor.randomNormal([9, channels, 20, 19], dtype: .float32, seed: 440)
        let weight = Tensor.randomNormal([32, 1, 3, 3], dtype: .float32, seed: 441)
        let bias = Tensor.randomNormal([32], dtype: .float32, seed: 442)
        let upstream = Tensor.randomNormal([9, 32, 10, 10], dtype: .float32, seed: 443)
        func convolve(_ p: [Tensor]) -> Tensor {
            conv2d(p[0], weight: p[1], bias: p[2], stride: 2, padding: 1, groups: channels)
        }
        func run(threads: Int) -> [[UInt32]] {
            ThreadCount.withValue(threads) {
                let (_, gradients) = valueWithGradient(at: [x, weight, bias]) { p in (convolve(p) * upstream).sum() }
                return ([convolve([x, weight, bias])] + gradients).map { $0.scalars(as: Float.self).map(\.bitPattern) }
            }
        }
        let one = run(threads: 1)
        for threads in [2, 3] { #expect(run(threads: threads) == one, "\(threads) threads") }
    }
}
