import Foundation

// The optimizers' update rules, element by element, exactly as their documentation writes them.

extension ReferenceBackend {
    func optimizerStep(_ step: OptimizerStep, parameter: Tensor, gradient: Tensor, buffers: [Tensor]) {
        func run<S: FloatingPointScalar>(_: S.Type) {
            let θ = parameter.storage.typed(S.self), g = gradient.storage.typed(S.self)
            let state = buffers.map { $0.storage.typed(S.self) }
            for i in 0..<parameter.scalarCount {
                switch step {
                case .sgd(let settings): Self.sgd(settings, &θ[i], g[i], momentum: state[0] + i)
                case .rmsProp(let settings):
                    Self.rmsProp(settings, &θ[i], g[i], squareAverage: state[0] + i, gradientAverage: state[1] + i,
                                 momentum: state[2] + i)
                case .adam(let settings):
                    Self.adam(settings, &θ[i], g[i], m: state[0] + i, v: state[1] + i, vMax: state[2] + i)
                case .adadelta(let settings):
                    Self.adadelta(settings, &θ[i], g[i], squareAverage: state[0] + i, accumulatedDelta: state[1] + i)
                case .adagrad(let settings): Self.adagrad(settings, &θ[i], g[i], sum: state[0] + i)
                case .adamax(let settings): Self.adamax(settings, &θ[i], g[i], m: state[0] + i, u: state[1] + i)
                case .nadam(let settings): Self.nadam(settings, &θ[i], g[i], m: state[0] + i, v: state[1] + i)
                }
            }
        }
        parameter.dtype == .float32 ? run(Float.self) : run(Double.self)
    }

    // Each rule reads a state element only when its option is on (an empty buffer is never
    // touched).

    private static func sgd<S: FloatingPointScalar>(_ settings: SGDStep, _ θ: inout S, _ gradient: S,
                                                    momentum b: UnsafeMutablePointer<S>) {
        var g = gradient
        if settings.weightDecay != 0 { g += S(settings.weightDecay) * θ }                         // g ← g + λθ
        if settings.momentum != 0 {
            b.pointee = settings.isFirstStep ? g : S(settings.momentum) * b.pointee + S(1 - settings.dampening) * g
            g = settings.nesterov ? g + S(settings.momentum) * b.pointee : b.pointee              // b ← μb + (1 − τ)g
        }
        θ -= S(settings.learningRate) * g                                                         // θ ← θ − ηg
    }

    private static func rmsProp<S: FloatingPointScalar>(
        _ settings: RMSPropStep, _ θ: inout S, _ gradient: S, squareAverage v: UnsafeMutablePointer<S>,
        gradientAverage ḡ: UnsafeMutablePointer<S>, momentum b: UnsafeMutablePointer<S>
    ) {
        var g = gradient
        if settings.weightDecay != 0 { g += S(settings.weightDecay) * θ }
        v.pointee = v.pointee * S(settings.alpha) + S(1 - settings.alpha) * g * g                 // v ← αv + (1 − α)g²
        var a: S
        if settings.centered {
            ḡ.pointee = lerp(ḡ.pointee, g, weight: S(1 - settings.alpha))
            a = (v.pointee - ḡ.pointee * ḡ.pointee).squareRoot()                                  // √(v − ḡ²)
        } else {
            a = v.pointee.squareRoot()                                                            // √v
        }
        a += S(settings.epsilon)
        if settings.momentum > 0 {
            b.pointee = b.pointee * S(settings.momentum) + g / a
            θ -= S(settings.learningRate) * b.pointee
        } else {
            θ -= S(settings.learningRate) * (g / a)
        }
    }

    private static func adadelta<S: FloatingPointScalar>(
        _ settings: AdadeltaStep, _ θ: inout S, _ gradient: S, squareAverage v: UnsafeMutablePointer<S>,
        accumulatedDelta u: UnsafeMutablePointer<S>
    ) {
        var g = gradient
        if settings.weightDecay != 0 { g += S(settings.weightDecay) * θ }                         // g ← g + λθ
        v.pointee = v.pointee * S(settings.rho) + S(1 - settings.rho) * g * g                     // v ← ρv + (1 − ρ)g²
        let ε = S(settings.epsilon)
        let Δ = (u.pointee + ε).squareRoot() / (v.pointee + ε).squareRoot() * g                   // Δ ← √(u + ε)/√(v + ε)·g
        u.pointee = u.pointee * S(settings.rho) + S(1 - settings.rho) * Δ * Δ                     // u ← ρu + (1 − ρ)Δ²
        θ -= S(settings.learningRate) * Δ                                                         // θ ← θ − ηΔ
    }

    private static func adam<S: FloatingPointScalar>(
        _ settings: AdamStep, _ θ: inout S, _ gradient: S, m: UnsafeMutablePointer<S>, v: UnsafeMutablePointer<S>,
        vMax: UnsafeMutablePointer<S>
    ) {
        let g = decayed(&θ, gradient, weightDecay: settings.weightDecay, decoupled: settings.decoupledWeightDecay,
                        learningRate: settings.learningRate)
        m.pointee = lerp(m.pointee, g, weight: S(1 - settings.beta1))                             // m ← β₁m + (1 − β₁)g
        v.pointee = v.pointee * S(settings.beta2) + S(1 - settings.beta2) * g * g                 // v ← β₂v + (1 − β₂)g²
        var secondMoment = v.pointee
        if settings.amsgrad {
            vMax.pointee = Swift.max(vMax.pointee, v.pointee)
            secondMoment = vMax.pointee
        }
        let denominator = secondMoment.squareRoot() / S(settings.biasCorrection2SquareRoot) + S(settings.epsilon)
        θ -= S(settings.stepSize) * (m.pointee / denominator)
    }

    private static func adagrad<S: FloatingPointScalar>(_ settings: AdagradStep, _ θ: inout S, _ gradient: S,
                                                        sum s: UnsafeMutablePointer<S>) {
        var g = gradient
        if settings.weightDecay != 0 { g += S(settings.weightDecay) * θ }                         // g ← g + λθ
        s.pointee = s.pointee + g * g                                                             // s ← s + g²
        θ -= S(settings.learningRate) * (g / (s.pointee.squareRoot() + S(settings.epsilon)))      // θ ← θ − η′g/(√s + ε)
    }

    private static func adamax<S: FloatingPointScalar>(_ settings: AdamaxStep, _ θ: inout S, _ gradient: S,
                                                       m: UnsafeMutablePointer<S>, u: UnsafeMutablePointer<S>) {
        var g = gradient
        if settings.weightDecay != 0 { g += S(settings.weightDecay) * θ }
        m.pointee = lerp(m.pointee, g, weight: S(1 - settings.beta1))                             // m ← lerp(m, g, 1 − β₁)
        let decayed = u.pointee * S(settings.beta2), fresh = Swift.abs(g) + S(settings.epsilon)
        u.pointee = decayed.isNaN || decayed > fresh ? decayed : fresh                           // u ← max(β₂u, |g| + ε)
        θ -= S(settings.stepSize) * (m.pointee / u.pointee)                                       // θ ← θ − η/(1 − β₁ᵗ)·m/u
    }

    private static func nadam<S: FloatingPointScalar>(_ settings: NAdamStep, _ θ: inout S, _ gradient: S,
                                                      m: UnsafeMutablePointer<S>, v: UnsafeMutablePointer<S>) {
        let g = decayed(&θ, gradient, weightDecay: settings.weightDecay, decoupled: settings.decoupledWeightDecay,
                        learningRate: settings.learningRate)
        m.pointee = lerp(m.pointee, g, weight: S(1 - settings.beta1))
        v.pointee = v.pointee * S(settings.beta2) + S(1 - settings.beta2) * g * g                 // v ← β₂v + (1 − β₂)g²
        let d = (v.pointee / S(settings.biasCorrection2)).squareRoot() + S(settings.epsilon)      // d = √(v/(1 − β₂ᵗ)) + ε
        θ -= S(settings.gradientStep) * (g / d)
        θ -= S(settings.averageStep) * (m.pointee / d)
    }

    /// Adam's and NAdam's weight decay: decoupled, θ ← θ(1 − ηλ) and the gradient as it is;
    /// otherwise the gradient g + λθ.
    private static func decayed<S: FloatingPointScalar>(_ θ: inout S, _ gradient: S, weightDecay λ: Double,
                                                        decoupled: Bool, learningRate η: Double) -> S {
        guard λ != 0 else { return gradient }
        if decoupled {
            θ *= S(1 - η * λ)
            return gradient
        }
        return gradient + S(λ) * θ
    }
}
