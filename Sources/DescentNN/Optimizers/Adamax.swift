/// Adamax: ``Adam`` with the infinity norm in place of the root-mean-square — the step is
/// divided by a decaying maximum of |g| — PyTorch's `torch.optim.Adamax`.
///
/// For each parameter θ with gradient g at step t, with β₁, β₂, ε, weight decay λ and learning
/// rate η:
///
///     g ← g + λθ                  (when λ ≠ 0)
///     m ← m + (1 − β₁)(g − m)     (= β₁m + (1 − β₁)g)
///     u ← max(β₂u, |g| + ε)
///     θ ← θ − η/(1 − β₁ᵗ) · m/u
public final class Adamax: Optimizer {
    /// η.
    public var learningRate: Double
    /// β₁, the smoothing of the gradient's moving average.
    public var beta1: Double
    /// β₂, the decay of the running maximum.
    public var beta2: Double
    /// ε, added to |g| so the denominator is never 0.
    public var epsilon: Double
    /// λ, L2 regularization added to the gradient.
    public var weightDecay: Double

    /// What Adamax remembers about one parameter.
    public struct State: Sendable {
        /// t, the number of updates made so far.
        public var step = 0
        /// m, the moving average of gradients.
        public var exponentialAverage: Tensor
        /// u, the decaying maximum of |g|.
        public var exponentialInfinityNorm: Tensor
    }

    public var states: [String: State] = [:]

    /// Whether each update runs as one fused backend step (`OptimizerStep/adamax(_:)`) rather
    /// than the tensor operations below; the two agree to the last bits.
    public var usesFusedStep = true

    public init(learningRate: Double = 2e-3, betas: (Double, Double) = (0.9, 0.999), epsilon: Double = 1e-8,
                weightDecay: Double = 0) {
        validateAdamSettings("Adamax", learningRate, betas, epsilon, weightDecay)
        self.learningRate = learningRate
        (self.beta1, self.beta2) = betas
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    public func makeState(for parameter: Tensor) -> State {
        State(exponentialAverage: .stateBuffer(like: parameter), exponentialInfinityNorm: .stateBuffer(like: parameter))
    }

    public func update(_ parameter: inout Tensor, along gradient: Tensor, state: inout State) {
        state.step += 1
        if usesFusedStep {
            let step = AdamaxStep(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                                  weightDecay: weightDecay, step: state.step)
            var buffers = [state.exponentialAverage, state.exponentialInfinityNorm]
            // The state's references go, so that the step updates the buffers in place.
            state.exponentialAverage = Tensor.zeros([0], dtype: parameter.dtype)
            state.exponentialInfinityNorm = state.exponentialAverage
            parameter.applyOptimizerStep(.adamax(step), gradient: gradient, buffers: &buffers)
            (state.exponentialAverage, state.exponentialInfinityNorm) = (buffers[0], buffers[1])
            return
        }
        let stepSize = learningRate / (1 - power(beta1, state.step))
        var g = gradient
        if weightDecay != 0 { g = g + weightDecay * parameter }
        state.exponentialAverage = lerp(state.exponentialAverage, g, weight: 1 - beta1)
        state.exponentialInfinityNorm = maximum(state.exponentialInfinityNorm * beta2, g.abs() + epsilon)
        parameter = parameter - stepSize * (state.exponentialAverage / state.exponentialInfinityNorm)
    }
}
