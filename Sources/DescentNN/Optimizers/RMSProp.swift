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

    /// What RMSProp remembers about one parameter.
    public struct State: Sendable {
        /// The number of updates made so far.
        public var step = 0
        /// v, the moving average of squared gradients.
        public var squareAverage: Tensor
        /// ḡ, the moving average of gradients; empty unless centered.
        public var gradientAverage: Tensor
        /// b; empty when momentum is 0.
        public var momentumBuffer: Tensor
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
        State(squareAverage: .stateBuffer(like: parameter),
              gradientAverage: .stateBuffer(like: parameter, if: centered),
              momentumBuffer: .stateBuffer(like: parameter, if: momentum > 0))
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func update<Scalar: FloatingPointScalar>(_ parameter: inout Tensor, along gradient: Tensor,
                                                    state: inout State, as scalar: Scalar.Type) {
        state.step += 1
        let η = Scalar(learningRate), α = Scalar(alpha), oneMinusα = Scalar(1 - alpha)
        let ε = Scalar(epsilon), λ = Scalar(weightDecay), μ = Scalar(momentum)
        let (hasWeightDecay, hasMomentum, centered) = (weightDecay != 0, momentum > 0, centered)
        withScalars(of: gradient, mutating: &parameter, &state.squareAverage, &state.gradientAverage,
                    &state.momentumBuffer, as: Scalar.self) { gradient, θ, v, ḡ, b in
            if !hasWeightDecay && !hasMomentum && !centered {
                // The plain rule, as a C kernel with packed square roots (see `RuleHelpers`).
                rmsPropStep(gradient, θ, v, α: alpha, η: learningRate, ε: epsilon)
                return
            }
            for i in θ.indices {
                var g = gradient[i]
                if hasWeightDecay { g += λ * θ[i] }
                v[i] = v[i] * α + oneMinusα * g * g
                var a: Scalar
                if centered {
                    ḡ[i] = lerp(ḡ[i], g, weight: oneMinusα)
                    a = (v[i] - ḡ[i] * ḡ[i]).squareRoot()
                } else {
                    a = v[i].squareRoot()
                }
                a += ε
                if hasMomentum {
                    b[i] = b[i] * μ + g / a
                    θ[i] -= η * b[i]
                } else {
                    θ[i] -= η * (g / a)
                }
            }
        }
    }
}

/// PyTorch's spelling of ``RMSProp``.
public typealias RMSprop = RMSProp
