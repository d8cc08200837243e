/// RMSProp: divides each step by a moving root-mean-square of recent gradients, so every
/// parameter moves at a similar pace whatever the scale of its gradient — PyTorch's
/// `torch.optim.RMSprop`.
///
/// For each parameter θ with gradient g, smoothing α, weight decay λ, momentum μ, ε and
/// learning rate η:
///
///     g ← g + λθ                                (when λ ≠ 0)
///     v ← αv + (1 − α)g²
///     ḡ ← ḡ + (1 − α)(g − ḡ);  a ← √(v − ḡ²) + ε   (centered)
///                               a ← √v + ε         (not centered)
///     b ← μb + g/a;  θ ← θ − ηb                   (when μ > 0)
///     θ ← θ − η·g/a                               (otherwise)
public final class RMSProp: Optimizer {
    /// η.
    public var learningRate: Double
    /// α, the smoothing constant of the moving averages.
    public var alpha: Double
    /// ε, added to the denominator so it is never 0.
    public var epsilon: Double
    /// λ, L2 regularization added to the gradient.
    public var weightDecay: Double
    /// μ, momentum on the normalized steps.
    public var momentum: Double
    /// Whether to divide by an estimate of the gradient's variance (√(v − ḡ²)) instead of its
    /// uncentered second moment.
    public var centered: Bool
    /// Whether each step runs as one fused kernel of the backend (the default) or as the tensor
    /// operations below (the same formulas, step by step).
    public var usesFusedStep = true

    /// What RMSProp remembers about one parameter.
    public struct State: Sendable {
        /// The number of updates made so far.
        public var step = 0
        /// The buffers of the fused rule, in ``OptimizerStep/rmsProp(_:)``'s order: v, ḡ, b.
        var buffers: [Tensor]
        /// v, the moving average of squared gradients.
        public var squareAverage: Tensor { buffers[0] }
        /// ḡ, the moving average of gradients; empty unless centered.
        public var gradientAverage: Tensor { buffers[1] }
        /// b; empty when momentum is 0.
        public var momentumBuffer: Tensor { buffers[2] }
    }

    public var states: [String: State] = [:]

    public init(learningRate: Double = 1e-2, alpha: Double = 0.99, epsilon: Double = 1e-8,
                weightDecay: Double = 0, momentum: Double = 0, centered: Bool = false) {
        precondition(learningRate >= 0, "RMSProp: learning rate \(learningRate) is negative")
        precondition(alpha >= 0, "RMSProp: alpha \(alpha) is negative")
        precondition(epsilon >= 0, "RMSProp: epsilon \(epsilon) is negative")
        precondition(momentum >= 0, "RMSProp: momentum \(momentum) is negative")
        precondition(weightDecay >= 0, "RMSProp: weight decay \(weightDecay) is negative")
        self.learningRate = learningRate
        self.alpha = alpha
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.momentum = momentum
        self.centered = centered
    }

    public func makeState(for parameter: Tensor) -> State {
        State(buffers: [.stateBuffer(like: parameter), .stateBuffer(like: parameter, if: centered),
                        .stateBuffer(like: parameter, if: momentum > 0)])
    }

    public func update(_ parameter: inout Tensor, along gradient: Tensor, state: inout State) {
        state.step += 1
        if usesFusedStep {
            let step = RMSPropStep(learningRate: learningRate, alpha: alpha, epsilon: epsilon, weightDecay: weightDecay,
                                   momentum: momentum, centered: centered)
            parameter.applyOptimizerStep(.rmsProp(step), gradient: gradient, buffers: &state.buffers)
            return
        }
        var g = gradient
        if weightDecay != 0 { g = g + weightDecay * parameter }
        state.buffers[0] = state.buffers[0] * alpha + (1 - alpha) * g * g
        var a: Tensor
        if centered {
            state.buffers[1] = lerp(state.buffers[1], g, weight: 1 - alpha)
            a = (state.buffers[0] - state.buffers[1] * state.buffers[1]).squareRoot()
        } else {
            a = state.buffers[0].squareRoot()
        }
        a = a + epsilon
        if momentum > 0 {
            state.buffers[2] = state.buffers[2] * momentum + g / a
            parameter = parameter - learningRate * state.buffers[2]
        } else {
            parameter = parameter - learningRate * (g / a)
        }
    }
}

/// PyTorch's spelling of ``RMSProp``.
public typealias RMSprop = RMSProp
