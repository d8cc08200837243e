/// Stochastic gradient descent, optionally with momentum (heavy-ball or Nesterov) and weight
/// decay — PyTorch's `torch.optim.SGD`.
///
/// For each parameter θ with gradient g, weight decay λ, momentum μ, dampening τ and learning
/// rate η:
///
///     g ← g + λθ                        (when λ ≠ 0)
///     b ← g                             (first step)
///     b ← μb + (1 − τ)g                 (later steps)           } when μ ≠ 0
///     g ← g + μb  (Nesterov)  or  g ← b (heavy ball)            }
///     θ ← θ − ηg
///
/// With μ = 0 and λ = 0 this is plain gradient descent, θ ← θ − η∇C(θ): full-batch, stochastic
/// or mini-batch depending only on how many examples the gradient was computed from.
public final class SGD: Optimizer {
    /// η.
    public var learningRate: Double
    /// μ, the fraction of the previous step's velocity kept in this one.
    public var momentum: Double
    /// τ, the fraction of the gradient held back when it joins the velocity.
    public var dampening: Double
    /// λ, L2 regularization added to the gradient.
    public var weightDecay: Double
    /// Whether to look ahead along the velocity (Nesterov momentum).
    public var nesterov: Bool
    /// Whether each step runs as one fused kernel of the backend (the default) or as the tensor
    /// operations below (the same formulas, step by step).
    public var usesFusedStep = true

    /// What SGD remembers about one parameter.
    public struct State: Sendable {
        /// The number of updates made so far.
        public var step = 0
        /// The buffers of the fused rule, in ``OptimizerStep/sgd(_:)``'s order.
        var buffers: [Tensor]
        /// b, the velocity; empty when momentum is 0.
        public var momentumBuffer: Tensor { buffers[0] }
    }

    public var states: [String: State] = [:]

    /// - Precondition: Nesterov momentum needs a momentum above 0 and no dampening (as in PyTorch).
    public init(learningRate: Double = 1e-3, momentum: Double = 0, dampening: Double = 0,
                weightDecay: Double = 0, nesterov: Bool = false) {
        precondition(learningRate >= 0, "SGD: learning rate \(learningRate) is negative")
        precondition(momentum >= 0, "SGD: momentum \(momentum) is negative")
        precondition(weightDecay >= 0, "SGD: weight decay \(weightDecay) is negative")
        precondition(!nesterov || (momentum > 0 && dampening == 0),
                     "SGD: Nesterov momentum requires a momentum above 0 and zero dampening")
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
    }

    public func makeState(for parameter: Tensor) -> State {
        State(buffers: [.stateBuffer(like: parameter, if: momentum != 0)])
    }

    public func update(_ parameter: inout Tensor, along gradient: Tensor, state: inout State) {
        state.step += 1
        if usesFusedStep {
            let step = SGDStep(learningRate: learningRate, momentum: momentum, dampening: dampening,
                               weightDecay: weightDecay, nesterov: nesterov, isFirstStep: state.step == 1)
            parameter.applyOptimizerStep(.sgd(step), gradient: gradient, buffers: &state.buffers)
            return
        }
        var g = gradient
        if weightDecay != 0 { g = g + weightDecay * parameter }
        if momentum != 0 {
            let b = state.step == 1 ? g : momentum * state.buffers[0] + (1 - dampening) * g
            state.buffers[0] = b
            g = nesterov ? g + momentum * b : b
        }
        parameter = parameter - learningRate * g
    }
}
