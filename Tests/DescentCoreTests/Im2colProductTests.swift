// im2col's products with several examples side by side: how many examples a product takes, and
// that the results agree with the float64 reference when a thread's run of examples splits
// into several products and a shorter last one, for padding, stride 2 (through the input's
// phases), groups, and float64 itself.
@testable import DescentCore
import Descent
import Testing
import _DescentTestSupport

@Suite struct Im2colProductTests {
    static func geometry(batch: Int = 11, channels: Int = 4, size: Int = 7, outChannels: Int = 6, kernel: Int = 5,
                         stride: Int = 1, padding: Int = 2, groups: Int = 1) -> Conv2dGeometry {
        Conv2dGeometry(batch: batch, inChannels: channels, height: size, width: size, outChannels: outChannels,
                       kernelHeight: kernel, kernelWidth: kernel, strideY: stride, strideX: stride, padTop: padding,
                       padLeft: padding, padBottom: padding, padRight: padding, dilationY: 1, dilationX: 1, groups: groups)
    }

    /// About 256 columns a product: 5 outputs of 7×7, 16 of 4×4, one of 14×14 or larger, and one
    /// for a pointwise convolution, whose matrix is its input.
    @Test func examplesPerProduct() {
        #expect(Self.geometry().examplesPerProduct == 5)
        #expect(Self.geometry(size: 4).examplesPerProduct == 16)
        #expect(Self.geometry(size: 14).examplesPerProduct == 1)
        #expect(Self.geometry(size: 28, stride: 2).examplesPerProduct == 1)
        #expect(Self.geometry(size: 14, kernel: 3, stride: 2, padding: 1).examplesPerProduct == 5)
        #expect(Self.geometry(kernel: 1, padding: 0).examplesPerProduct == 1)
    }

    /// Forward, input gradient and filter gradient against the float64 reference of the same
    /// float32 numbers: 11 examples, so that each thread's run makes full products of 5 and a
    /// shorter one.
    @Test(arguments: [(5, 1, 2, 1), (3, 2, 1, 1), (3, 1, 1, 2), (4, 2, 1, 2)])
    func agreesWithTheFloat64Reference(kernel: Int, stride: Int, padding: Int, groups: Int) {
        let s = Self.geometry(size: stride == 2 ? 14 : 7, kernel: kernel, stride: stride, padding: padding, groups: groups)
        #expect(s.examplesPerProduct > 1 && s.blockConvolution == nil && !s.usesWinograd)
        _ = WinogradTests.expectAgreementWithTheFloat64Reference(s, seed: 90)
    }

    /// In float64 the products side by side agree with the reference to float64's own rounding.
    @Test func float64AgreesWithTheReference() {
        let s = Self.geometry(groups: 2)
        let x = sample(s.inputShape, seed: 91), w = sample(s.weightShape, seed: 92), b = sample([s.outChannels], seed: 93)
        let upstream = sample(s.outputShape, seed: 94)
        let cpu = CPUBackend.shared, reference = ReferenceBackend.shared
        func ref(_ t: Tensor) -> Tensor { t.to(.reference) }
        for (name, fast, exact) in [
            ("forward", cpu.conv2d(x, weight: w, bias: b, s), reference.conv2d(ref(x), weight: ref(w), bias: ref(b), s)),
            ("input gradient", cpu.conv2dInputGradient(upstream, weight: w, s),
             reference.conv2dInputGradient(ref(upstream), weight: ref(w), s)),
            ("filter gradient", cpu.conv2dWeightGradient(upstream, input: x, s),
             reference.conv2dWeightGradient(ref(upstream), input: ref(x), s)),
        ] {
            let error = zip(fast.doubles(), exact.doubles()).map { abs($0 - $1) }.max() ?? 0
            #expect(error < 1e-12, "\(name): largest error \(error)")
        }
    }
}
