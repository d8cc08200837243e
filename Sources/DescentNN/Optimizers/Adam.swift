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
/// For weight decay that shrinks the parameter directly, θ ← θ(1 − ηλ), instead of joining the
/// gradient, use ``AdamW`` (as in PyTorch, one class for each kind of decay).
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
    /// Whether each step runs as one fused kernel of the backend (the default) or as tensor
    /// operations (the same formulas, step by step).
    public var usesFusedStep = true

    public typealias State = AdamState

    public var states: [String: State] = [:]

    public init(learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), epsilon: Double = 1e-8,
                weightDecay: Double = 0, amsgrad: Bool = false) {
        validateAdamSettings("Adam", learningRate, betas, epsilon, weightDecay)
        self.learningRate = learningRate
        (self.beta1, self.beta2) = betas
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.amsgrad = amsgrad
    }

    public func makeState(for parameter: Tensor) -> State {
        AdamState(for: parameter, amsgrad: amsgrad)
    }

    public func update(_ parameter: inout Tensor, along gradient: Tensor, state: inout State) {
        state.step += 1
        adamUpdate(&parameter, along: gradient, state: &state, fused: usesFusedStep, settings: AdamStep(
            learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay,
            amsgrad: amsgrad, decoupledWeightDecay: false, step: state.step))
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
    /// Whether each step runs as one fused kernel of the backend (the default) or as tensor
    /// operations (the same formulas, step by step).
    public var usesFusedStep = true

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

    public func update(_ parameter: inout Tensor, along gradient: Tensor, state: inout State) {
        state.step += 1
        adamUpdate(&parameter, along: gradient, state: &state, fused: usesFusedStep, settings: AdamStep(
            learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay,
            amsgrad: amsgrad, decoupledWeightDecay: true, step: state.step))
    }
}

/// What ``Adam`` and ``AdamW`` remember about one parameter.
public struct AdamState: Sendable {
    /// t, the number of updates made so far.
    public var step = 0
    /// The buffers of the fused rule, in ``OptimizerStep/adam(_:)``'s order: m, v, v̂.
    var buffers: [Tensor]
    /// m, the moving average of gradients.
    public var exponentialAverage: Tensor { buffers[0] }
    /// v, the moving average of squared gradients.
    public var exponentialAverageOfSquares: Tensor { buffers[1] }
    /// v̂, the largest v seen so far; empty unless AMSGrad.
    public var maximumExponentialAverageOfSquares: Tensor { buffers[2] }

    init(for parameter: Tensor, amsgrad: Bool) {
        buffers = [.stateBuffer(like: parameter), .stateBuffer(like: parameter), .stateBuffer(like: parameter, if: amsgrad)]
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

/// The Adam rule shared by ``Adam`` and ``AdamW`` (see ``Adam`` for the formulas), as one fused
/// step or in tensor operations.
func adamUpdate(_ parameter: inout Tensor, along gradient: Tensor, state: inout AdamState, fused: Bool,
                settings: AdamStep) {
    if fused {
        parameter.applyOptimizerStep(.adam(settings), gradient: gradient, buffers: &state.buffers)
        return
    }
    var g = gradient
    if settings.weightDecay != 0 {
        if settings.decoupledWeightDecay {
            parameter = parameter * (1 - settings.learningRate * settings.weightDecay)
        } else {
            g = g + settings.weightDecay * parameter
        }
    }
    state.buffers[0] = lerp(state.buffers[0], g, weight: 1 - settings.beta1)
    state.buffers[1] = state.buffers[1] * settings.beta2 + (1 - settings.beta2) * g * g
    var secondMoment = state.buffers[1]
    if settings.amsgrad {
        state.buffers[2] = maximum(state.buffers[2], state.buffers[1])
        secondMoment = state.buffers[2]
    }
    let denominator = secondMoment.squareRoot() / settings.biasCorrection2SquareRoot + settings.epsilon
    parameter = parameter - settings.stepSize * (state.buffers[0] / denominator)
}
