import Foundation

/// NAdam: ``Adam`` with Nesterov momentum — the step looks ahead along the next moving average —
/// and a momentum that warms up over the first steps — PyTorch's `torch.optim.NAdam`.
///
/// For each parameter θ with gradient g at step t, with β₁, β₂, ε, momentum decay ψ, weight
/// decay λ and learning rate η:
///
///     g ← g + λθ                              (L2; or θ ← θ(1 − ηλ) when decoupled)
///     μₜ = β₁(1 − ½·0.96^(tψ)),  μₜ₊₁ = β₁(1 − ½·0.96^((t+1)ψ))
///     m ← m + (1 − β₁)(g − m)
///     v ← β₂v + (1 − β₂)g²
///     d = √(v / (1 − β₂ᵗ)) + ε
///     θ ← θ − η(1 − μₜ)/(1 − μ₁⋯μₜ) · g/d − ημₜ₊₁/(1 − μ₁⋯μₜ₊₁) · m/d
public final class NAdam: Optimizer {
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
    /// ψ, how fast the momentum warms up to β₁.
    public var momentumDecay: Double
    /// Whether weight decay shrinks the parameter directly (as in AdamW) instead of joining the gradient.
    public var decoupledWeightDecay: Bool

    /// What NAdam remembers about one parameter.
    public struct State: Sendable {
        /// t, the number of updates made so far.
        public var step = 0
        /// μ₁⋯μₜ, the product of the momentum coefficients so far. Kept in `Double`; PyTorch keeps
        /// it in its default dtype (float32), so float64 parameters agree with PyTorch to about
        /// 1e-9 rather than to the last bit.
        public var momentumProduct = 1.0
        /// m, the moving average of gradients.
        public var exponentialAverage: Tensor
        /// v, the moving average of squared gradients.
        public var exponentialAverageOfSquares: Tensor
    }

    public var states: [String: State] = [:]

    /// Whether each update runs as one fused backend step (`OptimizerStep/nadam(_:)`) rather
    /// than the tensor operations below; the two agree to the last bits.
    public var usesFusedStep = true

    public init(learningRate: Double = 2e-3, betas: (Double, Double) = (0.9, 0.999), epsilon: Double = 1e-8,
                weightDecay: Double = 0, momentumDecay: Double = 4e-3, decoupledWeightDecay: Bool = false) {
        validateAdamSettings("NAdam", learningRate, betas, epsilon, weightDecay)
        precondition(momentumDecay >= 0, "NAdam: momentum decay \(momentumDecay) is negative")
        self.learningRate = learningRate
        (self.beta1, self.beta2) = betas
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.momentumDecay = momentumDecay
        self.decoupledWeightDecay = decoupledWeightDecay
    }

    public func makeState(for parameter: Tensor) -> State {
        State(exponentialAverage: .stateBuffer(like: parameter),
              exponentialAverageOfSquares: .stateBuffer(like: parameter))
    }

    public func update(_ parameter: inout Tensor, along gradient: Tensor, state: inout State) {
        state.step += 1
        let t = Double(state.step)
        let μ = beta1 * (1 - 0.5 * Foundation.pow(0.96, t * momentumDecay))
        let μNext = beta1 * (1 - 0.5 * Foundation.pow(0.96, (t + 1) * momentumDecay))
        state.momentumProduct *= μ
        let gradientStep = learningRate * (1 - μ) / (1 - state.momentumProduct)
        let averageStep = learningRate * μNext / (1 - state.momentumProduct * μNext)
        if usesFusedStep {
            let step = NAdamStep(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                                 weightDecay: weightDecay, decoupledWeightDecay: decoupledWeightDecay,
                                 gradientStep: gradientStep, averageStep: averageStep, step: state.step)
            var buffers = [state.exponentialAverage, state.exponentialAverageOfSquares]
            // The state's references go, so that the step updates the buffers in place.
            state.exponentialAverage = Tensor.zeros([0], dtype: parameter.dtype)
            state.exponentialAverageOfSquares = state.exponentialAverage
            parameter.applyOptimizerStep(.nadam(step), gradient: gradient, buffers: &buffers)
            (state.exponentialAverage, state.exponentialAverageOfSquares) = (buffers[0], buffers[1])
            return
        }
        var g = gradient
        if weightDecay != 0 {
            if decoupledWeightDecay {
                parameter = parameter * (1 - learningRate * weightDecay)
            } else {
                g = g + weightDecay * parameter
            }
        }
        state.exponentialAverage = lerp(state.exponentialAverage, g, weight: 1 - beta1)
        state.exponentialAverageOfSquares = state.exponentialAverageOfSquares * beta2 + (1 - beta2) * g * g
        let d = (state.exponentialAverageOfSquares / (1 - power(beta2, state.step))).squareRoot() + epsilon
        parameter = parameter - gradientStep * (g / d)
        parameter = parameter - averageStep * (state.exponentialAverage / d)
    }
}
