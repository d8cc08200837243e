/// Adadelta: scales each step by the ratio of the moving root-mean-squares of recent steps and
/// of recent gradients, so the step has the parameter's units — PyTorch's `torch.optim.Adadelta`.
///
/// For each parameter θ with gradient g, with ρ, ε, weight decay λ and learning rate η:
///
///     g ← g + λθ                      (when λ ≠ 0)
///     v ← ρv + (1 − ρ)g²
///     Δ ← √(u + ε) / √(v + ε) · g
///     u ← ρu + (1 − ρ)Δ²
///     θ ← θ − ηΔ
public final class Adadelta: Optimizer {
    /// η, a factor on the step (1 in the original method).
    public var learningRate: Double
    /// ρ, the smoothing of the moving averages.
    public var rho: Double
    /// ε, added under the square roots so they are never 0.
    public var epsilon: Double
    /// λ, L2 regularization added to the gradient.
    public var weightDecay: Double

    /// What Adadelta remembers about one parameter.
    public struct State: Sendable {
        /// The number of updates made so far.
        public var step = 0
        /// v, the moving average of squared gradients.
        public var squareAverage: Tensor
        /// u, the moving average of squared steps.
        public var accumulatedDelta: Tensor
    }

    public var states: [String: State] = [:]

    /// Whether each update runs as one fused backend step (`OptimizerStep/adadelta(_:)`)
    /// rather than the tensor operations below; the two agree to the last bits.
    public var usesFusedStep = true

    public init(learningRate: Double = 1.0, rho: Double = 0.9, epsilon: Double = 1e-6, weightDecay: Double = 0) {
        precondition(learningRate >= 0, "Adadelta: learning rate \(learningRate) is negative")
        precondition((0...1).contains(rho), "Adadelta: rho \(rho) is not in [0, 1]")
        precondition(epsilon >= 0, "Adadelta: epsilon \(epsilon) is negative")
        precondition(weightDecay >= 0, "Adadelta: weight decay \(weightDecay) is negative")
        self.learningRate = learningRate
        self.rho = rho
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    public func makeState(for parameter: Tensor) -> State {
        State(squareAverage: .stateBuffer(like: parameter), accumulatedDelta: .stateBuffer(like: parameter))
    }

    public func update(_ parameter: inout Tensor, along gradient: Tensor, state: inout State) {
        state.step += 1
        if usesFusedStep {
            let step = AdadeltaStep(learningRate: learningRate, rho: rho, epsilon: epsilon, weightDecay: weightDecay)
            var buffers = [state.squareAverage, state.accumulatedDelta]
            // The state's references go, so that the step updates the buffers in place.
            state.squareAverage = Tensor.zeros([0], dtype: parameter.dtype)
            state.accumulatedDelta = state.squareAverage
            parameter.applyOptimizerStep(.adadelta(step), gradient: gradient, buffers: &buffers)
            (state.squareAverage, state.accumulatedDelta) = (buffers[0], buffers[1])
            return
        }
        var g = gradient
        if weightDecay != 0 { g = g + weightDecay * parameter }
        state.squareAverage = state.squareAverage * rho + (1 - rho) * g * g
        let delta = (state.accumulatedDelta + epsilon).squareRoot() / (state.squareAverage + epsilon).squareRoot() * g
        state.accumulatedDelta = state.accumulatedDelta * rho + (1 - rho) * delta * delta
        parameter = parameter - learningRate * delta
    }
}
