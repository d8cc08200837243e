// Backpropagation vs finite differences (Float64) for conv2d: every input's gradient, on both
// devices, across stride, padding (explicit and "same"), dilation and groups.
import Descent
import Testing
import _DescentTestSupport

@Suite struct ConvolutionGradientTests {
    /// `expectGradients` for inputs on any device: the weights of the sum move to the output's.
    private func expectGradients(at inputs: [Tensor], sourceLocation: SourceLocation = #_sourceLocation,
                                 _ f: ([Tensor]) -> Tensor) {
        expectGradientsMatchFiniteDifferences(at: inputs, sourceLocation: sourceLocation) { xs in
            let y = f(xs)
            return (y * weights(like: y).to(y.device)).sum()
        }
    }

    @Test(arguments: [Device.cpu, .reference])
    func inputWeightAndBias(on device: Device) {
        let x = sample([2, 4, 6, 5], seed: 70).to(device), w = sample([6, 2, 3, 2], seed: 71).to(device)
        let b = sample([6], seed: 72).to(device)
        expectGradients(at: [x, w, b]) { xs in conv2d(xs[0], weight: xs[1], bias: xs[2], groups: 2) }
        expectGradients(at: [x, w, b]) { xs in
            conv2d(xs[0], weight: xs[1], bias: xs[2], stride: Size2D(2, 1), padding: .explicit(Size2D(1, 2)), groups: 2)
        }
    }

    @Test(arguments: [Device.cpu, .reference])
    func dilationAndSamePadding(on device: Device) {
        let x = sample([1, 3, 7, 6], seed: 73).to(device), w = sample([2, 3, 2, 3], seed: 74).to(device)
        expectGradients(at: [x, w]) { xs in conv2d(xs[0], weight: xs[1], dilation: 2) }
        // dilation·(kernel − 1) = (1, 4): padding "same" puts the odd row below the input.
        expectGradients(at: [x, w]) { xs in conv2d(xs[0], weight: xs[1], padding: .same, dilation: Size2D(1, 2)) }
    }

    @Test func depthwiseAndOneByOne() {
        let x = sample([2, 3, 5, 5], seed: 75)
        expectGradients(at: [x, sample([6, 1, 3, 3], seed: 76), sample([6], seed: 77)]) { xs in
            conv2d(xs[0], weight: xs[1], bias: xs[2], stride: 2, padding: 1, groups: 3)
        }
        expectGradients(at: [x, sample([4, 3, 1, 1], seed: 78)]) { xs in conv2d(xs[0], weight: xs[1]) }
    }

    /// The CPU's direct depthwise paths (stride 1, and the phases of strides 2 and 3) with
    /// dilation and padding that differs by side.
    @Test func depthwiseWithDilationAndStrides() {
        let x = sample([2, 2, 7, 8], seed: 79)
        expectGradients(at: [x, sample([4, 1, 3, 2], seed: 80), sample([4], seed: 81)]) { xs in
            conv2d(xs[0], weight: xs[1], bias: xs[2], padding: .explicit(Size2D(2, 1)), dilation: Size2D(2, 3), groups: 2)
        }
        expectGradients(at: [x, sample([2, 1, 2, 3], seed: 82)]) { xs in
            conv2d(xs[0], weight: xs[1], stride: Size2D(3, 2), padding: .explicit(Size2D(1, 2)), groups: 2)
        }
    }

    @Test func samePaddingKeepsTheSizeAndPutsTheExtraAfter() {
        // A 2×2 kernel of ones with "same": the one row and column of padding go below and right,
        // so output (i, j) sums x over rows i…i+1 and columns j…j+1.
        let x = Tensor(doubles: (1...9).map(Double.init), shape: [1, 1, 3, 3], dtype: .float64)
        let y = conv2d(x, weight: .ones([1, 1, 2, 2], dtype: .float64), padding: .same)
        #expect(y.shape == [1, 1, 3, 3])
        #expect(y.doubles() == [12, 16, 9, 24, 28, 15, 15, 17, 9])
    }
}
