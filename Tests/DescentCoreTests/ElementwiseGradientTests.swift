// Backpropagation vs central finite differences (Float64) for arithmetic and elementary
// functions, including every broadcasting pattern the gradient must undo.
import Descent
import Testing
import _DescentTestSupport

@Suite struct ArithmeticGradientTests {
    @Test func addWithRowBroadcast() {
        expectGradients(at: [sample([3, 4], seed: 1), sample([4], seed: 2)]) { xs in xs[0] + xs[1] }
    }

    @Test func subtractWithBroadcastOnTheLeft() {
        expectGradients(at: [sample([4], seed: 3), sample([3, 4], seed: 4)]) { xs in xs[0] - xs[1] }
    }

    @Test func multiplyColumnByRow() {
        // [3, 1] · [1, 4] → [3, 4]: both inputs are broadcast, along different axes.
        expectGradients(at: [sample([3, 1], seed: 5), sample([1, 4], seed: 6)]) { xs in xs[0] * xs[1] }
    }

    @Test func divideRank3ByRank2() {
        expectGradients(at: [sample([2, 3, 4], seed: 7), sampleAwayFromZero([3, 1], magnitude: 0.5...2, seed: 8)]) { xs in
            xs[0] / xs[1]
        }
    }

    @Test func rank0TensorBroadcastsAgainstAMatrix() {
        expectGradients(at: [Tensor(Double(1.5)), sample([2, 3], seed: 9)]) { xs in xs[0] * xs[1] - xs[0] }
    }

    @Test func operationsWithDoubles() {
        let x = sampleAwayFromZero([2, 3], magnitude: 0.5...2, seed: 10)
        expectGradients(at: x) { x in x + 2 }
        expectGradients(at: x) { x in 3 - x }
        expectGradients(at: x) { x in x * 2.5 }
        expectGradients(at: x) { x in 2.5 * x }
        expectGradients(at: x) { x in x / 4 }
        expectGradients(at: x) { x in 2 / x }
        expectGradients(at: x) { x in x - 1 }
    }

    @Test func compoundAssignment() {
        expectGradients(at: [sample([2, 3], seed: 11), sample([3], seed: 12)]) { xs in
            var y = xs[0]
            y += xs[1]
            y *= xs[0]
            y -= 0.5
            y /= 2
            return y
        }
    }

    @Test func negation() {
        expectGradients(at: sample([2, 3], seed: 13)) { x in -x }
    }

    @Test func powerWithTensorExponent() {
        // Base positive: aᵇ's derivative with respect to b needs ln a.
        expectGradients(at: [sample([2, 3], in: 0.5...2, seed: 14), sample([3], in: -2...2, seed: 15)]) { xs in
            pow(xs[0], xs[1])
        }
    }

    @Test(arguments: [2.0, 3.0, 0.5, -1.5])
    func powerWithScalarExponent(exponent: Double) {
        expectGradients(at: sample([2, 3], in: 0.5...2, seed: 16)) { x in pow(x, exponent) }
    }

    @Test func integerPowersOfNegativeBases() {
        let x = sampleAwayFromZero([2, 3], magnitude: 0.5...2, seed: 23)
        expectGradients(at: x) { x in pow(x, 3) }
        expectGradients(at: x) { x in pow(x, 2) }
    }

    @Test func maximumAndMinimumOfTensors() {
        // Distinct values everywhere: at a tie the derivative does not exist.
        let a = sample([3, 4], seed: 17), b = sample([4], seed: 18)
        expectGradients(at: [a, b]) { xs in maximum(xs[0], xs[1]) }
        expectGradients(at: [a, b]) { xs in minimum(xs[0], xs[1]) }
    }

    @Test func maximumAndMinimumWithDoubles() {
        let x = sampleAwayFromZero([2, 5], seed: 19)
        expectGradients(at: x) { x in maximum(x, 0) }
        expectGradients(at: x) { x in minimum(x, 0) }
    }

    @Test func selectionSendsGradientsToTheChosenSide() {
        let condition = Tensor(shape: [3, 1], scalars: [1.0, 0.0, 1.0])
        expectGradients(at: [sample([3, 4], seed: 20), sample([4], seed: 21)]) { xs in
            select(where: condition, xs[0], otherwise: xs[1])
        }
    }

    @Test func clamping() {
        // Values both inside and outside [−0.5, 0.7], none within 1e-3 of a bound.
        let x = Tensor(shape: [2, 4], scalars: [-1.3, -0.2, 0.1, 0.65, 0.9, -0.6, 1.7, 0.3])
        expectGradients(at: x) { x in x.clamped(min: -0.5, max: 0.7) }
        expectGradients(at: x) { x in x.clamped(min: 0) }
        expectGradients(at: x) { x in x.clamped(max: 0.2) }
    }

    @Test func castBetweenFloatingPointTypes() throws {
        // A Float32 round trip loses precision, so compare with a large step on a linear function.
        let report = checkGradients(at: [sample([2, 3], seed: 22)], step: 1e-2) { xs in
            xs[0].cast(to: .float32).cast(to: .float64) * weights(like: xs[0])
        }
        #expect(report.passes(absoluteTolerance: 1e-4, relativeTolerance: 1e-4), "\(report)")

        // The gradient comes back in the input's dtype.
        let x = Tensor([1, 2, 3] as [Float])
        let g = gradient(at: x) { x in (x.cast(to: .float64) * Tensor([0.5, -1, 2] as [Double])).sum() }
        #expect(g.dtype == .float32)
        #expect(g.scalars(as: Float.self) == [0.5, -1, 2])
    }
}

@Suite struct ElementaryFunctionGradientTests {
    @Test func exponentialAndLogarithms() {
        expectGradients(at: sample([2, 3], seed: 30)) { x in exp(x) }
        expectGradients(at: sample([2, 3], in: 0.3...3, seed: 31)) { x in log(x) }
        expectGradients(at: sample([2, 3], in: -0.7...3, seed: 32)) { x in log1p(x) }
    }

    @Test func roots() {
        let x = sample([2, 3], in: 0.3...3, seed: 33)
        expectGradients(at: x) { x in sqrt(x) }
        expectGradients(at: x) { x in x.squareRoot() }
    }

    @Test func absoluteValueAndSign() {
        let x = sampleAwayFromZero([2, 4], seed: 34)
        expectGradients(at: x) { x in abs(x) }
        expectGradients(at: x) { x in x.abs() }
        expectGradients(at: x) { x in x.sign() * x }   // sign is flat: the gradient is sign(x)
    }

    @Test func squareAndReciprocal() {
        let x = sampleAwayFromZero([2, 4], magnitude: 0.5...2, seed: 35)
        expectGradients(at: x) { x in x.squared() }
        expectGradients(at: x) { x in x.reciprocal() }
    }

    @Test func activations() {
        let x = sampleAwayFromZero([3, 4], magnitude: 0.1...4, seed: 36)
        expectGradients(at: x) { x in tanh(x) }
        expectGradients(at: x) { x in erf(x) }
        expectGradients(at: x) { x in sigmoid(x) }
        expectGradients(at: x) { x in relu(x) }
    }

    @Test func sigmoidFarFromZero() {
        // Both branches of the overflow-free formula.
        expectGradients(at: Tensor([-30, -8, -1, 1, 8, 30] as [Double])) { x in sigmoid(x) }
    }
}
