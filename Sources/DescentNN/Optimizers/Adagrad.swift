/// Adagrad: divides each step by the root of the sum of all squared gradients so far, so
/// often-updated parameters slow down — PyTorch's `torch.optim.Adagrad`.
///
/// For each parameter θ with gradient g at step t, with learning-rate decay δ, weight decay λ,
/// ε and learning rate η:
///
///     g ← g + λθ                 (when λ ≠ 0)
///     η′ ← η / (1 + (t − 1)δ)
///     s ← s + g²                 (s starts at the initial accumulator value)
///     θ ← θ − η′ · g / (√s + ε)
public final class Adagrad: Optimizer {
    /// η.
    public var learningRate: Double
    /// δ, how fast the learning rate decays with the step count.
    public var learningRateDecay: Double
    /// λ, L2 regularization added to the gradient.
    public var weightDecay: Double
    /// The value the sum of squared gradients starts from.
    public var initialAccumulatorValue: Double
    /// ε, added to the denominator so it is never 0.
    public var epsilon: Double

    /// What Adagrad remembers about one parameter.
    public struct State: Sendable {
        /// t, the number of updates made so far.
        public var step = 0
        /// s, the sum of squared gradients.
        public var sum: Tensor
    }

    public var states: [String: State] = [:]

    /// Whether each update runs as one fused backend step (`OptimizerStep/adagrad(_:)`) rather
    /// than the tensor operations below; the two agree to the last bits.
    public var usesFusedStep = true

    public init(learningRate: Double = 1e-2, learningRateDecay: Double = 0, weightDecay: Double = 0,
                initialAccumulatorValue: Double = 0, epsilon: Double = 1e-10) {
        precondition(learningRate >= 0, "Adagrad: learning rate \(learningRate) is negative")
        precondition(learningRateDecay >= 0, "Adagrad: learning-rate decay \(learningRateDecay) is negative")
        precondition(weightDecay >= 0, "Adagrad: weight decay \(weightDecay) is negative")
        precondition(initialAccumulatorValue >= 0,
                     "Adagrad: initial accumulator value \(initialAccumulatorValue) is negative")
        precondition(epsilon >= 0, "Adagrad: epsilon \(epsilon) is negative")
        self.learningRate = learningRate
        self.learningRateDecay = learningRateDecay
        self.weightDecay = weightDecay
        self.initialAccumulatorValue = initialAccumulatorValue
        self.epsilon = epsilon
    }

    public func makeState(for parameter: Tensor) -> State {
        State(sum: .stateBuffer(like: parameter, filledWith: initialAccumulatorValue))
    }

    public func update(_ parameter: inout Tensor, along gradient: Tensor, state: inout State) {
        state.step += 1
        let decayedLearningRate = learningRate / (1 + Double(state.step - 1) * learningRateDecay)
        if usesFusedStep {
            let step = AdagradStep(learningRate: decayedLearningRate, weightDecay: weightDecay, epsilon: epsilon)
            var buffers = [state.sum]
            // The state's reference goes, so that the step updates the buffer in place.
            state.sum = Tensor.zeros([0], dtype: parameter.dtype)
            parameter.applyOptimizerStep(.adagrad(step), gradient: gradient, buffers: &buffers)
            state.sum = buffers[0]
            return
        }
        var g = gradient
        if weightDecay != 0 { g = g + weightDecay * parameter }
        state.sum = state.sum + g * g
        parameter = parameter - decayedLearningRate * (g / (state.sum.squareRoot() + epsilon))
    }
}
