// The CPU's Winograd F(4×4, 3×3) convolutions: which geometries take them, and that they agree
// with the im2col way and with the reference in float32 beyond what the cross-check asks.
@testable import DescentCore
import Descent
import Testing
import _DescentTestSupport

@Suite struct WinogradTests {
    /// The cross-check reaches the Winograd path with several geometries, forward and backward.
    @Test func theCrossCheckCoversTheWinogradPath() {
        let geometries = CrossCheckRun.convolutionGeometries
        #expect(geometries.filter(\.usesWinograd).count >= 4)
        #expect(geometries.filter(\.usesWinogradForInputGradient).count >= 4)
    }

    /// In PyTorch's MNIST network the second convolution (32 → 64 channels) takes it, the first
    /// (one channel in) keeps im2col, and neither stride 2 nor dilation nor groups take it.
    @Test func whichConvolutionsTakeIt() {
        func geometry(channels: Int, stride: Int = 1, padding: Int = 0, dilation: Int = 1, groups: Int = 1) -> Conv2dGeometry {
            Conv2dGeometry(batch: 64, inChannels: channels, height: 26, width: 26, outChannels: 64, kernelHeight: 3, kernelWidth: 3,
                           strideY: stride, strideX: stride, padTop: padding, padLeft: padding, padBottom: padding,
                           padRight: padding, dilationY: dilation, dilationX: dilation, groups: groups)
        }
        #expect(geometry(channels: 32).usesWinograd)
        #expect(geometry(channels: 32, padding: 1).usesWinogradForInputGradient)
        #expect(!geometry(channels: 1).usesWinograd)
        #expect(!geometry(channels: 32, stride: 2).usesWinograd)
        #expect(!geometry(channels: 32, padding: 3).usesWinograd)
        #expect(!geometry(channels: 32, dilation: 2).usesWinograd)
        #expect(!geometry(channels: 32, groups: 2).usesWinograd)
        // 4,096 × 4,096 channels would make 2.4 GB of transformed filters: im2col instead.
        var wide = geometry(channels: 4096)
        wide.outChannels = 4096
        #expect(!wide.usesWinograd)
    }

    /// An empty batch gives an empty output and input gradient, and filters' gradient of zeros
    /// (it read past its sums once: no part of the batch had made them).
    @Test func anEmptyBatchGivesZeroFilterGradients() {
        let s = Conv2dGeometry(batch: 0, inChannels: 8, height: 4, width: 3, outChannels: 8, kernelHeight: 3, kernelWidth: 3,
                               strideY: 1, strideX: 1, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1, dilationY: 1,
                               dilationX: 1, groups: 1)
        #expect(s.usesWinograd && s.usesWinogradForInputGradient)
        let cpu = CPUBackend.shared
        let x = Tensor.zeros(s.inputShape, dtype: .float32), upstream = Tensor.zeros(s.outputShape, dtype: .float32)
        let w = Tensor.randomNormal(s.weightShape, dtype: .float32, seed: 94)
        #expect(cpu.conv2d(x, weight: w, bias: nil, s).shape == s.outputShape)
        #expect(cpu.conv2dInputGradient(upstream, weight: w, s).shape == s.inputShape)
        let filterGradient = cpu.conv2dWeightGradient(upstream, input: x, s)
        #expect(filterGradient.shape == s.weightShape)
        #expect(filterGradient.doubles().allSatisfy { $0 == 0 })
    }

    /// Forward, input gradient and filter gradient against the float64 reference of the same
    /// float32 numbers, to a few float32 roundings of the terms' magnitude.
    @Test(arguments: [(4, 16, 13, 10, 24, 1), (1, 8, 4, 4, 8, 2), (3, 32, 14, 15, 64, 0), (3, 32, 26, 26, 64, 0)])
    func agreesWithTheFloat64Reference(batch: Int, channels: Int, height: Int, width: Int, outChannels: Int, padding: Int) {
        let s = Conv2dGeometry(batch: batch, inChannels: channels, height: height, width: width, outChannels: outChannels,
                               kernelHeight: 3, kernelWidth: 3, strideY: 1, strideX: 1, padTop: padding, padLeft: padding,
                               padBottom: padding, padRight: padding, dilationY: 1, dilationX: 1, groups: 1)
        #expect(s.usesWinograd && s.usesWinogradForInputGradient)
        Self.expectAgreementWithTheFloat64Reference(s, seed: 90)
    }

    /// The CPU's forward pass (with a bias), input gradient and filter gradient of `s` on
    /// float32 samples (seeds `seed` … `seed` + 3), each against the float64 reference of the
    /// same numbers. Returns the inputs and the CPU's output.
    @discardableResult
    static func expectAgreementWithTheFloat64Reference(_ s: Conv2dGeometry, seed: UInt64, context: String = "")
        -> (x: Tensor, weight: Tensor, bias: Tensor, output: Tensor) {
        let x = sample(s.inputShape, seed: seed).cast(to: .float32)
        let w = sample(s.weightShape, seed: seed + 1).cast(to: .float32)
        let b = sample([s.outChannels], seed: seed + 2).cast(to: .float32)
        let cpu = CPUBackend.shared, reference = ReferenceBackend.shared
        let y = cpu.conv2d(x, weight: w, bias: b, s)
        let upstream = sample(y.shape, seed: seed + 3).cast(to: .float32)
        func wide(_ t: Tensor) -> Tensor { t.to(.reference).cast(to: .float64) }
        expectClose(context: context, [
            ("forward", y, reference.conv2d(wide(x), weight: wide(w), bias: wide(b), s)),
            ("input gradient", cpu.conv2dInputGradient(upstream, weight: w, s),
             reference.conv2dInputGradient(wide(upstream), weight: wide(w), s)),
            ("filter gradient", cpu.conv2dWeightGradient(upstream, input: x, s),
             reference.conv2dWeightGradient(wide(upstream), input: wide(x), s)),
        ])
        return (x, w, b, y)
    }

    /// ``expectAgreementWithTheFloat64Reference(_:seed:)``, and the convolution with ReLU fused
    /// bit for bit ReLU of its output: for the paths that compute `s` as another convolution
    /// (the input's phases, or the filter's blocks), whose fused ReLU must survive the detour.
    static func expectAgreementAndFusedReLU(_ s: Conv2dGeometry, seed: UInt64) {
        let (x, w, b, y) = expectAgreementWithTheFloat64Reference(s, seed: seed)
        let fused = CPUBackend.shared.conv2d(x, weight: w, bias: b, s, activation: .relu).doubles()
        #expect(fused.map(\.bitPattern) == y.doubles().map { max($0, 0).bitPattern })
    }

    /// Each (name, float32 result, float64 reference) pair within a few float32 roundings of the
    /// reference's largest magnitude.
    static func expectClose(context: String = "", _ pairs: [(String, Tensor, Tensor)]) {
        for (label, fast, exact) in pairs {
            let name = context.isEmpty ? label : "\(label), \(context)"
            #expect(fast.shape == exact.shape, "\(name)")
            let got = fast.doubles(), want = exact.doubles()
            let scale = want.map(abs).max() ?? 1
            let error = zip(got, want).map { abs($0 - $1) }.max() ?? 0
            #expect(error <= 1e-5 * scale, "\(name): largest error \(error), largest value \(scale)")
        }
    }
}
