import CDescentKernels
/// Adam: gradient descent with per-parameter step sizes from bias-corrected moving averages of
/// the gradient (first moment) and of its square (second moment) — PyTorch's `torch.optim.Adam`.
///
/// For each parameter θ with gradient g at step t, with β₁, β₂, ε, weight decay λ and learning
/// rate η:
///
///     g ← g + λθ                  (when λ ≠ 0; L2 regularization)
///     m ← m + (1 − β₁)(g − m)     (= β₁m + (1 − β₁)g)
///     v ← β₂v + (1 − β₂)g²
///     v̂ ← max(v̂, v)              (AMSGrad; then v̂ replaces v below)
///     θ ← θ − η/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
///
/// With `decoupledWeightDecay` the decay shrinks the parameter directly, θ ← θ(1 − ηλ), before
/// the step instead of joining the gradient; that is ``AdamW``.
public final class Adam: Optimizer {
    /// η.
    public var learningRate: Double
    /// β₁, the smoothing of the gradient's moving average.
    public var beta1: Double
    /// β₂, the smoothing of the squared gradient's moving average.
    public var beta2: Double
    /// ε, added to the denominator so it is never 0.
    public var epsilon: Double
    /// λ.
    public var weightDecay: Double
    /// Whether to divide by the largest second moment seen so far (AMSGrad).
    public var amsgrad: Bool
    /// Whether weight decay shrinks the parameter directly (AdamW) instead of joining the gradient.
    public var decoupledWeightDecay: Bool

    public typealias State = AdamState

    public var states: [String: State] = [:]

    public init(learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), epsilon: Double = 1e-8,
                weightDecay: Double = 0, amsgrad: Bool = false, decoupledWeightDecay: Bool = false) {
        validateAdamSettings("Adam", learningRate, betas, epsilon, weightDecay)
        self.learningRate = learningRate
        (self.beta1, self.beta2) = betas
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.amsgrad = amsgrad
        self.decoupledWeightDecay = decoupledWeightDecay
    }

    public func makeState(for parameter: Tensor) -> State {
        AdamState(for: parameter, amsgrad: amsgrad)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func update<Scalar: FloatingPointScalar>(_ parameter: inout Tensor, along gradient: Tensor,
                                                    state: inout State, as scalar: Scalar.Type) {
        adamUpdate(&parameter, along: gradient, state: &state, as: Scalar.self,
                   learningRate: learningRate, betas: (beta1, beta2), epsilon: epsilon, weightDecay: weightDecay,
                   amsgrad: amsgrad, decoupledWeightDecay: decoupledWeightDecay)
    }
}

/// AdamW: ``Adam`` with decoupled weight decay — the parameter shrinks by θ ← θ(1 − ηλ) before
/// each Adam step, instead of λθ joining the gradient — PyTorch's `torch.optim.AdamW`.
public final class AdamW: Optimizer {
    /// η.
    public var learningRate: Double
    /// β₁, the smoothing of the gradient's moving average.
    public var beta1: Double
    /// β₂, the smoothing of the squared gradient's moving average.
    public var beta2: Double
    /// ε, added to the denominator so it is never 0.
    public var epsilon: Double
    /// λ, the fraction of η by which each step shrinks the parameter.
    public var weightDecay: Double
    /// Whether to divide by the largest second moment seen so far (AMSGrad).
    public var amsgrad: Bool

    public typealias State = AdamState

    public var states: [String: State] = [:]

    public init(learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), epsilon: Double = 1e-8,
                weightDecay: Double = 1e-2, amsgrad: Bool = false) {
        validateAdamSettings("AdamW", learningRate, betas, epsilon, weightDecay)
        self.learningRate = learningRate
        (self.beta1, self.beta2) = betas
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.amsgrad = amsgrad
    }

    public func makeState(for parameter: Tensor) -> State {
        AdamState(for: parameter, amsgrad: amsgrad)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func update<Scalar: FloatingPointScalar>(_ parameter: inout Tensor, along gradient: Tensor,
                                                    state: inout State, as scalar: Scalar.Type) {
        adamUpdate(&parameter, along: gradient, state: &state, as: Scalar.self,
                   learningRate: learningRate, betas: (beta1, beta2), epsilon: epsilon, weightDecay: weightDecay,
                   amsgrad: amsgrad, decoupledWeightDecay: true)
    }
}

/// What ``Adam`` and ``AdamW`` remember about one parameter.
public struct AdamState: Sendable {
    /// t, the number of updates made so far.
    public var step = 0
    /// m, the moving average of gradients.
    public var exponentialAverage: Tensor
    /// v, the moving average of squared gradients.
    public var exponentialAverageOfSquares: Tensor
    /// v̂, the largest v seen so far; empty unless AMSGrad.
    public var maximumExponentialAverageOfSquares: Tensor

    init(for parameter: Tensor, amsgrad: Bool) {
        exponentialAverage = .stateBuffer(like: parameter)
        exponentialAverageOfSquares = .stateBuffer(like: parameter)
        maximumExponentialAverageOfSquares = .stateBuffer(like: parameter, if: amsgrad)
    }
}

func validateAdamSettings(_ name: String, _ learningRate: Double, _ betas: (Double, Double), _ epsilon: Double,
                          _ weightDecay: Double) {
    precondition(learningRate >= 0, "\(name): learning rate \(learningRate) is negative")
    precondition((0..<1).contains(betas.0) && (0..<1).contains(betas.1),
                 "\(name): betas \(betas) are not both in [0, 1)")
    precondition(epsilon >= 0, "\(name): epsilon \(epsilon) is negative")
    precondition(weightDecay >= 0, "\(name): weight decay \(weightDecay) is negative")
}

/// The Adam rule shared by ``Adam`` and ``AdamW`` (see ``Adam`` for the formulas).
func adamUpdate<Scalar: FloatingPointScalar>(
    _ parameter: inout Tensor, along gradient: Tensor, state: inout AdamState, as scalar: Scalar.Type,
    learningRate: Double, betas: (Double, Double), epsilon: Double, weightDecay: Double,
    amsgrad: Bool, decoupledWeightDecay: Bool
) {
    state.step += 1
    let t = state.step
    // Scalars are computed in Double, as Python computes them, then rounded once to the
    // parameter's type, as PyTorch's kernels do.
    let stepSize = Scalar(learningRate / (1 - power(betas.0, t)))
    let biasCorrection2SquareRoot = Scalar((1 - power(betas.1, t)).squareRoot())
    let oneMinusβ1 = Scalar(1 - betas.0), β2 = Scalar(betas.1), oneMinusβ2 = Scalar(1 - betas.1)
    let ε = Scalar(epsilon), λ = Scalar(weightDecay), shrink = Scalar(1 - learningRate * weightDecay)
    let addsDecayToGradient = weightDecay != 0 && !decoupledWeightDecay
    let shrinksParameter = weightDecay != 0 && decoupledWeightDecay
    withScalars(of: gradient, mutating: &parameter, &state.exponentialAverage, &state.exponentialAverageOfSquares,
                &state.maximumExponentialAverageOfSquares, as: Scalar.self) { gradient, θ, m, v, vMax in
        if !amsgrad {
            // The same rule without AMSGrad, as a C kernel (see `RuleHelpers`).
            adamStep(gradient, θ, m, v, settings: descent_adam_settings(
                shrinks: shrinksParameter ? 1 : 0, shrink: 1 - learningRate * weightDecay,
                decays: addsDecayToGradient ? 1 : 0, decay: weightDecay,
                oneMinusBeta1: 1 - betas.0, beta2: betas.1, oneMinusBeta2: 1 - betas.1,
                stepSize: learningRate / (1 - power(betas.0, t)),
                biasCorrection2SquareRoot: (1 - power(betas.1, t)).squareRoot(), epsilon: epsilon))
            return
        }
        for i in θ.indices {
            var g = gradient[i]
            if shrinksParameter { θ[i] *= shrink }
            if addsDecayToGradient { g += λ * θ[i] }
            m[i] = lerp(m[i], g, weight: oneMinusβ1)
            v[i] = v[i] * β2 + oneMinusβ2 * g * g
            var secondMoment = v[i]
            if amsgrad {
                vMax[i] = max(vMax[i], v[i])
                secondMoment = vMax[i]
            }
            let denominator = secondMoment.squareRoot() / biasCorrection2SquareRoot + ε
            θ[i] -= stepSize * (m[i] / denominator)
        }
    }
}
