// Inputs and checks shared by the core tests.
import Descent
import Testing
import _DescentTestSupport

/// A float64 tensor of pseudo-random values in `range`, fixed by `seed`.
func sample(_ shape: [Int], in range: ClosedRange<Double> = -2...2, seed: UInt64) -> Tensor {
    Tensor.randomUniform(shape, lowerBound: range.lowerBound, upperBound: range.upperBound, dtype: .float64, seed: seed)
}

/// A float64 tensor of pseudo-random values with magnitudes in `magnitude` and random signs:
/// inputs kept away from 0, where relu, abs and friends have a kink that finite differences
/// cannot measure.
func sampleAwayFromZero(_ shape: [Int], magnitude: ClosedRange<Double> = 0.2...2, seed: UInt64) -> Tensor {
    let sizes = sample(shape, in: magnitude, seed: seed)
    let signs = 2 * (sample(shape, in: 0...1, seed: seed &+ 1000) .> 0.5) - 1
    return sizes * signs
}

/// Fixed pseudo-random weights of `y`'s shape and dtype.
func weights(like y: Tensor) -> Tensor {
    Tensor.randomUniform(y.shape, lowerBound: -1.5, upperBound: 1.5, dtype: y.dtype, seed: 99)
}

/// Expects backpropagation through `f` to agree with finite differences, for the cost
/// Σ w ⊙ f(xs) with fixed weights w. Weighting matters: with the plain sum, the gradient arriving
/// at `f`'s output is all ones, and a pullback that puts gradients in the wrong places (a wrong
/// permutation, a slice off by one) would still pass.
func expectGradients(at inputs: [Tensor], relative: Double = 1e-5, absolute: Double = 1e-7,
                     sourceLocation: SourceLocation = #_sourceLocation, _ f: ([Tensor]) -> Tensor) {
    expectGradientsMatchFiniteDifferences(at: inputs, relative: relative, absolute: absolute,
                                          sourceLocation: sourceLocation) { xs in
        let y = f(xs)
        return (y * weights(like: y)).sum()
    }
}

/// `expectGradients` for a function of one tensor.
func expectGradients(at input: Tensor, sourceLocation: SourceLocation = #_sourceLocation,
                     _ f: (Tensor) -> Tensor) {
    expectGradients(at: [input], sourceLocation: sourceLocation) { xs in f(xs[0]) }
}
