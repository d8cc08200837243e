// Pooling: backpropagation against finite differences in Float64, the first maximum taking the
// gradient on ties, and PyTorch's output sizes.
import Descent
import Testing
import _DescentTestSupport

@Suite struct PoolingGradientTests {
    /// Distinct values (uniform draws never tie), so every window has one maximum and finite
    /// differences measure the gradient the rule gives.
    let x = sample([2, 3, 7, 5], seed: 70)

    @Test func maxPoolingMatchesFiniteDifferences() {
        expectGradients(at: x) { x in maxPool2d(x, kernelSize: 2) }
        expectGradients(at: x) { x in maxPool2d(x, kernelSize: 3, stride: 2, padding: 1) }
        expectGradients(at: x) { x in maxPool2d(x, kernelSize: 3, stride: 1) }          // overlapping windows
        expectGradients(at: x) { x in maxPool2d(x, kernelSize: Size2D(3, 2), stride: Size2D(2, 1),
                                                padding: Size2D(1, 0), dilation: Size2D(2, 1)) }
        expectGradients(at: x) { x in maxPool2d(x, kernelSize: 2, ceilMode: true) }
        expectGradients(at: x[0]) { x in maxPool2d(x, kernelSize: 2) }                   // [C, H, W]
    }

    @Test func averagePoolingMatchesFiniteDifferences() {
        for countIncludePad in [true, false] {
            expectGradients(at: x) { x in avgPool2d(x, kernelSize: 2, countIncludePad: countIncludePad) }
            expectGradients(at: x) { x in avgPool2d(x, kernelSize: 3, stride: 2, padding: 1, countIncludePad: countIncludePad) }
            expectGradients(at: x) { x in
                avgPool2d(x, kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: countIncludePad)
            }
            expectGradients(at: x) { x in
                avgPool2d(x, kernelSize: Size2D(2, 3), stride: Size2D(1, 2), padding: Size2D(1, 1),
                          countIncludePad: countIncludePad)
            }
        }
        expectGradients(at: x[1]) { x in avgPool2d(x, kernelSize: 2) }
    }

    @Test func adaptiveAveragePoolingMatchesFiniteDifferences() {
        expectGradients(at: x) { x in adaptiveAvgPool2d(x, outputSize: 1) }
        expectGradients(at: sample([2, 2, 6, 4], seed: 71)) { x in adaptiveAvgPool2d(x, outputSize: Size2D(3, 2)) }
    }

    /// After a ReLU most windows hold several zeros: PyTorch sends the gradient to the first of
    /// them in row-major order, and so does Descent, on every device.
    @Test func tiesSendTheGradientToTheFirstMaximum() {
        let input = Tensor(doubles: [0, 0, 1, 1,
                                     0, 0, 1, 0,
                                     2, 0, 0, 0,
                                     0, 2, 0, 0], shape: [1, 1, 4, 4], dtype: .float64)
        for device in Device.allCases {
            let (value, firstMaxima) = valueWithGradient(at: input.to(device)) { x in
                (maxPool2d(x, kernelSize: 2) * Tensor(doubles: [1, 2, 3, 4], shape: [1, 1, 2, 2], dtype: .float64).to(device)).sum()
            }
            #expect(value.doubleValue == 0 + 2 + 6 + 0)
            #expect(firstMaxima.doubles() == [1, 0, 2, 0,
                                              0, 0, 0, 0,
                                              3, 0, 4, 0,
                                              0, 0, 0, 0], "\(device)")
            // Overlapping windows of equal values: each sends its gradient to its own first element.
            let flat = Tensor.ones([1, 1, 3, 3], dtype: .float64).to(device)
            let overlapping = gradient(at: flat) { x in maxPool2d(x, kernelSize: 2, stride: 1).sum() }
            #expect(overlapping.doubles() == [1, 1, 0, 1, 1, 0, 0, 0, 0], "\(device)")
        }
    }

    @Test func outputSizesFollowPyTorch() {
        func size(_ n: Int, _ window: PoolingWindow2d) -> Int? { window.outputSize(for: Size2D(n, n))?.height }
        #expect(size(7, PoolingWindow2d(kernelSize: 2)) == 3)
        #expect(size(7, PoolingWindow2d(kernelSize: 2, ceilMode: true)) == 4)
        // Ceil mode drops a last window that would start in the right padding.
        #expect(size(5, PoolingWindow2d(kernelSize: 2, stride: 2, padding: 1, ceilMode: true)) == 3)
        #expect(size(6, PoolingWindow2d(kernelSize: 3, stride: 2, padding: 1, ceilMode: true)) == 4)
        #expect(size(7, PoolingWindow2d(kernelSize: 3, dilation: 2)) == 1)
        #expect(size(4, PoolingWindow2d(kernelSize: 3, dilation: 2)) == nil)   // no window fits
        #expect(PoolingWindow2d(kernelSize: 3, padding: 2).problem != nil)     // more than half the kernel
        #expect(PoolingWindow2d(kernelSize: 0).problem != nil)
        #expect(maxPool2d(Tensor.zeros([2, 3, 7, 5]), kernelSize: 3, stride: 2, padding: 1).shape == [2, 3, 4, 3])
        #expect(avgPool2d(Tensor.zeros([3, 7, 5]), kernelSize: 2).shape == [3, 3, 2])
        #expect(adaptiveAvgPool2d(Tensor.zeros([2, 3, 7, 5]), outputSize: 1).shape == [2, 3, 1, 1])
        #expect(maxPool2d(Tensor.zeros([0, 3, 4, 4]), kernelSize: 2).shape == [0, 3, 2, 2])
    }
}
