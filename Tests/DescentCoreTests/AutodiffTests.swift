// The behaviour of backpropagation itself: accumulation, unused and cut-off inputs, the
// public entry points and the gradient checker.
import Descent
import Testing
import _DescentTestSupport

@Suite struct AutodiffTests {
    @Test func gradientOfAKnownFunction() {
        // d/dx Σ x² = 2x
        let x = Tensor([1, -2, 3] as [Double])
        let (value, g) = valueWithGradient(at: x) { x in (x * x).sum() }
        #expect(value.doubleValue == 14)
        #expect(g.doubles() == [2, -4, 6])
    }

    @Test func aTensorUsedSeveralTimesAccumulatesItsGradients() {
        // y = x·x + x + 3x  →  dy/dx = 2x + 4
        let x = Tensor([0.5, -1, 2] as [Double])
        let g = gradient(at: x) { x in (x * x + x + 3 * x).sum() }
        #expect(g.doubles() == [5, 2, 8])
        expectGradients(at: sample([2, 3], seed: 80)) { x in x * exp(x) + tanh(x) * x.sum(alongAxes: [1]) }
    }

    /// A graph of 200,000 operations in a chain (a scalar loop written micrograd's way): the
    /// gradient passes through all of them, and the graph is freed one node at a time, not one
    /// stack frame per node (a chain of 100,000 overflowed the stack when it was freed).
    @Test func aVeryDeepGraph() {
        let x = Tensor([2] as [Double])
        let (value, g) = valueWithGradient(at: x) { x in
            var y = x
            for step in 0..<200_000 { y = step % 2 == 0 ? y * 1.5 : y / 1.5 }
            return y.sum()
        }
        #expect(value.doubleValue == 2)
        #expect(g.doubles() == [1])
    }

    @Test func aDiamondGraph() {
        // Two paths from x to the cost that meet again.
        expectGradients(at: sample([3, 2], seed: 81)) { x in
            let h = tanh(x)
            let left = h * 2, right = exp(h)
            return matmul(left, right, transposeB: true)
        }
    }

    @Test func anUnusedInputGetsAZeroGradient() {
        let x = Tensor([[1, 2], [3, 4]] as [[Float]]), unused = Tensor([5, 6, 7] as [Float])
        let (value, gradients) = valueWithGradient(at: [x, unused]) { xs in xs[0].sum() }
        #expect(value.scalar(as: Float.self) == 10)
        #expect(gradients[0].scalars(as: Float.self) == [1, 1, 1, 1])
        #expect(gradients[1].shape == [3])
        #expect(gradients[1].dtype == .float32)
        #expect(gradients[1].scalars(as: Float.self) == [0, 0, 0])
    }

    @Test func aConstantOutputHasZeroGradient() {
        let g = gradient(at: Tensor([1, 2] as [Double])) { _ in Tensor(Double(3)) }
        #expect(g.doubles() == [0, 0])
    }

    @Test func theIdentityHasGradientOne() {
        let g = gradient(at: Tensor([[1, 2], [3, 4]] as [[Double]])) { x in x }
        #expect(g.doubles() == [1, 1, 1, 1])
    }

    @Test func twoInputEntryPoints() {
        let a = Tensor([1, 2] as [Double]), b = Tensor([3, -1] as [Double])
        let (value, (ga, gb)) = valueWithGradient(at: a, b) { a, b in (a * b).sum() }
        #expect(value.doubleValue == 1)
        #expect(ga.doubles() == [3, -1])
        #expect(gb.doubles() == [1, 2])
        let (ga2, gb2) = gradient(at: a, b) { a, b in (a / b).sum() }
        expectClose(ga2.doubles(), [1.0 / 3, -1])
        expectClose(gb2.doubles(), [-1.0 / 9, -2])
        let gradients = gradient(at: [a, b]) { xs in (xs[0] - xs[1]).sum() }
        #expect(gradients.map { $0.doubles() } == [[1, 1], [-1, -1]])
    }

    @Test func detachedStopsTheGradient() {
        // y = x · stop(x)  →  dy/dx = stop(x) = x, not 2x.
        let x = Tensor([1, 2, 3] as [Double])
        let g = gradient(at: x) { x in (x * x.detached()).sum() }
        #expect(g.doubles() == [1, 2, 3])
        let cut = gradient(at: x) { x in exp(x).detached().sum() }
        #expect(cut.doubles() == [0, 0, 0])
    }

    @Test func withoutGradientsRecordsNothing() {
        let x = Tensor([1, 2, 3] as [Double])
        let g = gradient(at: x) { x in
            let constant = withoutGradients { x * 10 }
            #expect(!constant.requiresGradient)
            return (x + constant).sum()
        }
        #expect(g.doubles() == [1, 1, 1])
    }

    @Test func requiresGradientInsideAndOutside() {
        let x = Tensor([1, 2] as [Float])
        #expect(!x.requiresGradient)
        _ = gradient(at: x) { x in
            #expect(x.requiresGradient)
            #expect((x * 2).requiresGradient)
            #expect(!(x * 2).detached().requiresGradient)
            #expect(!Tensor.ones([2]).requiresGradient)
            return x.sum()
        }
        let (value, _) = valueWithGradient(at: x) { x in x.sum() }
        #expect(!value.requiresGradient)
    }

    @Test func float32GradientsMatchFloat64() {
        let x = sample([4, 3], seed: 82), w = sample([3, 2], seed: 83)
        func cost(_ xs: [Tensor]) -> Tensor { logSoftmax(matmul(tanh(xs[0]), xs[1])).mean() }
        let exact = gradient(at: [x, w], in: cost)
        let single = gradient(at: [x.cast(to: .float32), w.cast(to: .float32)], in: cost)
        #expect(single.map(\.dtype) == [.float32, .float32])
        for (s, e) in zip(single, exact) { expectClose(s, e.cast(to: .float32), relative: 1e-5, absolute: 1e-6) }
    }

    @Test func checkGradientsReportsBothEstimates() {
        let x = Tensor([1, -2, 0.5] as [Double])
        let report = checkGradients(at: [x]) { xs in xs[0] * xs[0] * xs[0] }
        #expect(report.inputs.count == 1)
        expectClose(report.inputs[0].backpropagated.doubles(), [3, 12, 0.75])
        expectClose(report.inputs[0].finiteDifference.doubles(), [3, 12, 0.75], relative: 1e-8)
        #expect(report.inputs[0].largestAbsoluteError < 1e-8)
        #expect(report.inputs[0].largestRelativeError < 1e-8)
        #expect(report.passes())
        #expect(report.description.hasPrefix("input 0: largest absolute error"))
    }

    @Test func checkGradientsCatchesAGradientThatIsNotTheDerivative() {
        // The derivative of a function whose gradient was cut: backprop says 0, the truth is 2x.
        let x = Tensor([1, 2] as [Double])
        let report = checkGradients(at: [x]) { xs in xs[0] * xs[0].detached() + xs[0].detached() * 0 }
        #expect(!report.passes())
        expectClose(report.inputs[0].finiteDifference.doubles(), [2, 4], relative: 1e-6)
        expectClose(report.inputs[0].backpropagated.doubles(), [1, 2])
    }
}
