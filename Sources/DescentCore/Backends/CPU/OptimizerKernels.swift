import CDescentKernels

// The fused optimizer steps: one loop over a parameter and its state buffers, element by
// element, split into chunks on several threads, as C kernels (`optimizer_steps.c`): the same
// formulas as the Swift optimizers', rounded step by step as they are, compiled with AVX2 where
// the CPU has it. (Written as Swift loops, SGD with momentum was a quarter of a 512-unit MLP's
// training, and RMSProp with momentum took twice as long as without: those loops did not
// vectorize.)
//
// RMSProp and Adam are bound by a square root and a division per element, which 8-wide AVX
// instructions do twice as fast as the 4-wide SSE ones Swift code gets. (Swift's scalar
// `squareRoot()` would also keep C's errno check, which stops the loop from vectorizing.)

/// Elements per chunk when a step is split across threads: below this, waking a second thread
/// costs more than it saves (an update touches each element once, a few nanoseconds of work).
private let elementsPerChunk = 1 << 15

extension CPUBackend {
    func optimizerStep(_ step: OptimizerStep, parameter: Tensor, gradient: Tensor, buffers: [Tensor]) {
        func run<S: FloatingPointScalar>(_: S.Type) {
            let θ = parameter.storage.typed(S.self), g = UnsafePointer(gradient.storage.typed(S.self))
            // Up to three buffers; an empty one (an option that is off) is never read, and the
            // parameter's address stands in for it. (A tuple, not an array: no allocation in
            // a step that runs for every parameter at every step.)
            func buffer(_ index: Int) -> UnsafeMutablePointer<S>? {
                index < buffers.count && buffers[index].scalarCount > 0 ? buffers[index].storage.typed(S.self) : nil
            }
            let pointers = UncheckedSendable((θ, g, buffer(0), buffer(1), buffer(2)))
            Parallel.forEachChunk(count: parameter.scalarCount, minimumChunk: elementsPerChunk) { range in
                let (θ, g, b0, b1, b2) = pointers.value
                let start = range.lowerBound
                func offset(_ buffer: UnsafeMutablePointer<S>?) -> UnsafeMutablePointer<S> { (buffer ?? θ) + start }
                let chunk = Chunk(θ: θ + start, g: g + start, count: range.count,
                                  buffers: (offset(b0), offset(b1), offset(b2)))
                switch step {
                case .sgd(let settings): chunk.sgd(settings)
                case .rmsProp(let settings): chunk.rmsProp(settings)
                case .adam(let settings): chunk.adam(settings)
                case .adadelta(let settings): chunk.adadelta(settings)
                case .adagrad(let settings): chunk.adagrad(settings)
                case .adamax(let settings): chunk.adamax(settings)
                case .nadam(let settings): chunk.nadam(settings)
                }
            }
        }
        parameter.dtype == .float32 ? run(Float.self) : run(Double.self)
    }
}

/// One chunk of a parameter, its gradient and its state buffers.
private struct Chunk<S: FloatingPointScalar> {
    let θ: UnsafeMutablePointer<S>
    let g: UnsafePointer<S>
    let count: Int
    let buffers: (UnsafeMutablePointer<S>, UnsafeMutablePointer<S>, UnsafeMutablePointer<S>)

    /// C's element type for `S` (the caller has checked that they are the same).
    private func c<C>(_ pointer: UnsafePointer<S>) -> UnsafePointer<C> {
        UnsafeRawPointer(pointer).assumingMemoryBound(to: C.self)
    }
    private func c<C>(_ pointer: UnsafeMutablePointer<S>) -> UnsafeMutablePointer<C> {
        UnsafeMutableRawPointer(pointer).assumingMemoryBound(to: C.self)
    }

    func sgd(_ settings: SGDStep) {
        let b = buffers.0
        let (hasMomentum, hasWeightDecay) = (settings.momentum != 0, settings.weightDecay != 0)
        if !hasMomentum && !hasWeightDecay {
            // Plain gradient descent, θ ← θ − ηg.
            if S.self == Float.self {
                descent_sgd_step_f32(c(g), c(θ), count, Float(settings.learningRate))
            } else {
                descent_sgd_step_f64(c(g), c(θ), count, settings.learningRate)
            }
            return
        }
        // Momentum, weight decay or both: the general kernel (b is θ itself without momentum).
        var general = descent_sgd_settings(
            decays: hasWeightDecay ? 1 : 0, decay: settings.weightDecay, hasMomentum: hasMomentum ? 1 : 0,
            momentum: settings.momentum, oneMinusDampening: 1 - settings.dampening,
            firstStep: settings.isFirstStep ? 1 : 0, nesterov: settings.nesterov ? 1 : 0,
            learningRate: settings.learningRate)
        if S.self == Float.self {
            descent_sgd_general_step_f32(c(g), c(θ), c(b), count, &general)
        } else {
            descent_sgd_general_step_f64(c(g), c(θ), c(b), count, &general)
        }
    }

    func rmsProp(_ settings: RMSPropStep) {
        let (v, ḡ, b) = buffers
        let (hasWeightDecay, hasMomentum, centered) = (settings.weightDecay != 0, settings.momentum > 0, settings.centered)
        if !hasWeightDecay && !hasMomentum && !centered {
            // v ← α·v + (1 − α)·g² and θ ← θ − η·g / (√v + ε), with packed square roots.
            let (α, η, ε) = (settings.alpha, settings.learningRate, settings.epsilon)
            if S.self == Float.self {
                descent_rmsprop_step_f32(c(g), c(θ), c(v), count, Float(α), Float(1 - α), Float(η), Float(ε))
            } else {
                descent_rmsprop_step_f64(c(g), c(θ), c(v), count, α, 1 - α, η, ε)
            }
            return
        }
        // Weight decay, momentum or centering: the general kernel (unused buffers are θ itself).
        var general = descent_rmsprop_settings(
            decays: hasWeightDecay ? 1 : 0, decay: settings.weightDecay, alpha: settings.alpha,
            oneMinusAlpha: 1 - settings.alpha, epsilon: settings.epsilon, centered: centered ? 1 : 0,
            hasMomentum: hasMomentum ? 1 : 0, momentum: settings.momentum, learningRate: settings.learningRate)
        if S.self == Float.self {
            descent_rmsprop_general_step_f32(c(g), c(θ), c(v), c(ḡ), c(b), count, &general)
        } else {
            descent_rmsprop_general_step_f64(c(g), c(θ), c(v), c(ḡ), c(b), count, &general)
        }
    }

    func adadelta(_ settings: AdadeltaStep) {
        let (v, u, _) = buffers
        let decays: Int32 = settings.weightDecay != 0 ? 1 : 0
        let (λ, ρ, oneMinusρ) = (settings.weightDecay, settings.rho, 1 - settings.rho)
        let (η, ε) = (settings.learningRate, settings.epsilon)
        if S.self == Float.self {
            descent_adadelta_step_f32(c(g), c(θ), c(v), c(u), count, decays, Float(λ), Float(ρ), Float(oneMinusρ),
                                      Float(η), Float(ε))
        } else {
            descent_adadelta_step_f64(c(g), c(θ), c(v), c(u), count, decays, λ, ρ, oneMinusρ, η, ε)
        }
    }

    func adagrad(_ settings: AdagradStep) {
        var constants = descent_adagrad_settings(
            decays: settings.weightDecay != 0 ? 1 : 0, decay: settings.weightDecay, learningRate: settings.learningRate,
            epsilon: settings.epsilon)
        if S.self == Float.self {
            descent_adagrad_step_f32(c(g), c(θ), c(buffers.0), count, &constants)
        } else {
            descent_adagrad_step_f64(c(g), c(θ), c(buffers.0), count, &constants)
        }
    }

    func adamax(_ settings: AdamaxStep) {
        var constants = descent_adamax_settings(
            decays: settings.weightDecay != 0 ? 1 : 0, decay: settings.weightDecay, oneMinusBeta1: 1 - settings.beta1,
            beta2: settings.beta2, epsilon: settings.epsilon, stepSize: settings.stepSize)
        if S.self == Float.self {
            descent_adamax_step_f32(c(g), c(θ), c(buffers.0), c(buffers.1), count, &constants)
        } else {
            descent_adamax_step_f64(c(g), c(θ), c(buffers.0), c(buffers.1), count, &constants)
        }
    }

    func nadam(_ settings: NAdamStep) {
        let decays = settings.weightDecay != 0
        var constants = descent_nadam_settings(
            shrinks: decays && settings.decoupledWeightDecay ? 1 : 0,
            shrink: 1 - settings.learningRate * settings.weightDecay,
            decays: decays && !settings.decoupledWeightDecay ? 1 : 0, decay: settings.weightDecay,
            oneMinusBeta1: 1 - settings.beta1, beta2: settings.beta2, oneMinusBeta2: 1 - settings.beta2,
            biasCorrection2: settings.biasCorrection2, epsilon: settings.epsilon, gradientStep: settings.gradientStep,
            averageStep: settings.averageStep)
        if S.self == Float.self {
            descent_nadam_step_f32(c(g), c(θ), c(buffers.0), c(buffers.1), count, &constants)
        } else {
            descent_nadam_step_f64(c(g), c(θ), c(buffers.0), c(buffers.1), count, &constants)
        }
    }

    func adam(_ settings: AdamStep) {
        let (m, v, vMax) = buffers
        let addsDecayToGradient = settings.weightDecay != 0 && !settings.decoupledWeightDecay
        let shrinksParameter = settings.weightDecay != 0 && settings.decoupledWeightDecay
        let constants = descent_adam_settings(
            shrinks: shrinksParameter ? 1 : 0, shrink: 1 - settings.learningRate * settings.weightDecay,
            decays: addsDecayToGradient ? 1 : 0, decay: settings.weightDecay,
            oneMinusBeta1: 1 - settings.beta1, beta2: settings.beta2, oneMinusBeta2: 1 - settings.beta2,
            stepSize: settings.stepSize, biasCorrection2SquareRoot: settings.biasCorrection2SquareRoot,
            epsilon: settings.epsilon)
        withUnsafePointer(to: constants) { constants in
            switch (S.self == Float.self, settings.amsgrad) {
            case (true, false): descent_adam_step_f32(c(g), c(θ), c(m), c(v), count, constants)
            case (false, false): descent_adam_step_f64(c(g), c(θ), c(m), c(v), count, constants)
            case (true, true): descent_adam_amsgrad_step_f32(c(g), c(θ), c(m), c(v), c(vMax), count, constants)
            case (false, true): descent_adam_amsgrad_step_f64(c(g), c(θ), c(m), c(v), c(vMax), count, constants)
            }
        }
    }
}
