/// The update rules that backends run as one fused pass over a parameter and its state: the
/// optimizers of the training hot path (SGD, RMSProp, Adam and AdamW, Adadelta, Adagrad, Adamax
/// and NAdam), with all their options.
///
/// Each optimizer is also written in plain tensor operations (in DescentNN), which every backend
/// runs without help; a fused step is the same formulas in one loop, with no temporary tensors.
/// Tests hold the two against each other. The scalars are computed in `Double`, as Python
/// computes them, and rounded once to the parameter's type, as PyTorch's kernels do.
public enum OptimizerStep: Sendable, Hashable {
    /// SGD (see `SGD`). Buffers: [momentum b].
    case sgd(SGDStep)
    /// RMSProp (see `RMSProp`). Buffers: [square average v, gradient average ḡ, momentum b].
    case rmsProp(RMSPropStep)
    /// Adam and AdamW (see `Adam`). Buffers: [m, v, v̂].
    case adam(AdamStep)
    /// Adadelta (see `Adadelta`). Buffers: [square average v, accumulated delta u].
    case adadelta(AdadeltaStep)
    /// Adagrad (see `Adagrad`). Buffers: [sum of squared gradients s].
    case adagrad(AdagradStep)
    /// Adamax (see `Adamax`). Buffers: [m, infinity norm u].
    case adamax(AdamaxStep)
    /// NAdam (see `NAdam`). Buffers: [m, v].
    case nadam(NAdamStep)

    /// The number of state buffers the rule takes.
    public var bufferCount: Int {
        switch self {
        case .sgd, .adagrad: 1
        case .adadelta, .adamax, .nadam: 2
        case .rmsProp, .adam: 3
        }
    }
}

/// The settings of one Adagrad step, as PyTorch's `torch.optim.Adagrad`: g ← g + λθ,
/// s ← s + g², θ ← θ − η′·g/(√s + ε).
public struct AdagradStep: Sendable, Hashable {
    /// η′, this step's rate: η/(1 + (t − 1)δ) with the learning-rate decay δ.
    public var learningRate: Double
    public var weightDecay: Double
    public var epsilon: Double

    public init(learningRate: Double, weightDecay: Double, epsilon: Double) {
        (self.learningRate, self.weightDecay, self.epsilon) = (learningRate, weightDecay, epsilon)
    }
}

/// The settings of one Adamax step t (from 1), as PyTorch's `torch.optim.Adamax`: g ← g + λθ,
/// m ← lerp(m, g, 1 − β₁), u ← max(β₂u, |g| + ε), θ ← θ − η/(1 − β₁ᵗ)·m/u.
public struct AdamaxStep: Sendable, Hashable {
    public var learningRate: Double
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Double
    public var weightDecay: Double
    public var step: Int

    public init(learningRate: Double, beta1: Double, beta2: Double, epsilon: Double, weightDecay: Double, step: Int) {
        (self.learningRate, self.beta1, self.beta2) = (learningRate, beta1, beta2)
        (self.epsilon, self.weightDecay, self.step) = (epsilon, weightDecay, step)
    }

    /// η / (1 − β₁ᵗ).
    public var stepSize: Double { learningRate / (1 - Foundation.pow(beta1, Double(step))) }
}

/// The settings of one NAdam step t (from 1), as PyTorch's `torch.optim.NAdam`: the weight decay
/// (decoupled: θ ← θ(1 − ηλ); else g ← g + λθ), m ← lerp(m, g, 1 − β₁), v ← β₂v + (1 − β₂)g²,
/// d = √(v/(1 − β₂ᵗ)) + ε, then θ ← θ − gradientStep·g/d and θ ← θ − averageStep·m/d. The two
/// step sizes come from the momentum schedule, which `NAdam` keeps.
public struct NAdamStep: Sendable, Hashable {
    public var learningRate: Double
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Double
    public var weightDecay: Double
    public var decoupledWeightDecay: Bool
    /// η(1 − μₜ)/(1 − Πμ), the gradient's share of the step.
    public var gradientStep: Double
    /// ημₜ₊₁/(1 − Πμ·μₜ₊₁), the moving average's share.
    public var averageStep: Double
    public var step: Int

    public init(learningRate: Double, beta1: Double, beta2: Double, epsilon: Double, weightDecay: Double,
                decoupledWeightDecay: Bool, gradientStep: Double, averageStep: Double, step: Int) {
        (self.learningRate, self.beta1, self.beta2, self.epsilon) = (learningRate, beta1, beta2, epsilon)
        (self.weightDecay, self.decoupledWeightDecay) = (weightDecay, decoupledWeightDecay)
        (self.gradientStep, self.averageStep, self.step) = (gradientStep, averageStep, step)
    }

    /// 1 − β₂ᵗ.
    public var biasCorrection2: Double { 1 - Foundation.pow(beta2, Double(step)) }
}

/// The settings of one Adadelta step, as PyTorch's `torch.optim.Adadelta`.
public struct AdadeltaStep: Sendable, Hashable {
    public var learningRate: Double
    public var rho: Double
    public var epsilon: Double
    public var weightDecay: Double

    public init(learningRate: Double, rho: Double, epsilon: Double, weightDecay: Double) {
        (self.learningRate, self.rho, self.epsilon, self.weightDecay) = (learningRate, rho, epsilon, weightDecay)
    }
}

/// The settings of one SGD step: θ ← θ − ηg, with weight decay λ, momentum μ, dampening τ and
/// Nesterov momentum as PyTorch's `torch.optim.SGD`.
public struct SGDStep: Sendable, Hashable {
    public var learningRate: Double
    public var momentum: Double
    public var dampening: Double
    public var weightDecay: Double
    public var nesterov: Bool
    /// On the first step the momentum buffer starts as the gradient itself.
    public var isFirstStep: Bool

    public init(learningRate: Double, momentum: Double, dampening: Double, weightDecay: Double, nesterov: Bool,
                isFirstStep: Bool) {
        (self.learningRate, self.momentum, self.dampening) = (learningRate, momentum, dampening)
        (self.weightDecay, self.nesterov, self.isFirstStep) = (weightDecay, nesterov, isFirstStep)
    }
}

/// The settings of one RMSProp step, as PyTorch's `torch.optim.RMSprop`.
public struct RMSPropStep: Sendable, Hashable {
    public var learningRate: Double
    public var alpha: Double
    public var epsilon: Double
    public var weightDecay: Double
    public var momentum: Double
    public var centered: Bool

    public init(learningRate: Double, alpha: Double, epsilon: Double, weightDecay: Double, momentum: Double,
                centered: Bool) {
        (self.learningRate, self.alpha, self.epsilon) = (learningRate, alpha, epsilon)
        (self.weightDecay, self.momentum, self.centered) = (weightDecay, momentum, centered)
    }
}

/// The settings of one Adam step t (from 1), as PyTorch's `torch.optim.Adam` and `AdamW`.
public struct AdamStep: Sendable, Hashable {
    public var learningRate: Double
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Double
    public var weightDecay: Double
    public var amsgrad: Bool
    /// AdamW: θ ← θ(1 − ηλ) before the step, instead of λθ joining the gradient.
    public var decoupledWeightDecay: Bool
    public var step: Int

    public init(learningRate: Double, beta1: Double, beta2: Double, epsilon: Double, weightDecay: Double,
                amsgrad: Bool, decoupledWeightDecay: Bool, step: Int) {
        (self.learningRate, self.beta1, self.beta2, self.epsilon) = (learningRate, beta1, beta2, epsilon)
        (self.weightDecay, self.amsgrad, self.decoupledWeightDecay, self.step) = (weightDecay, amsgrad, decoupledWeightDecay, step)
    }

    /// η / (1 − β₁ᵗ).
    public var stepSize: Double { learningRate / (1 - Foundation.pow(beta1, Double(step))) }
    /// √(1 − β₂ᵗ).
    public var biasCorrection2SquareRoot: Double { (1 - Foundation.pow(beta2, Double(step))).squareRoot() }
}

import Foundation

extension Tensor {
    /// Moves this parameter one fused step of `rule` along `gradient`, updating the rule's
    /// state `buffers` in place (``OptimizerStep/bufferCount`` of them, in its order; an empty
    /// tensor for a buffer whose option is off). Not recorded for differentiation.
    ///
    /// - Precondition: the gradient and every non-empty buffer have this tensor's shape, dtype
    ///   and device.
    public mutating func applyOptimizerStep(_ rule: OptimizerStep, gradient: Tensor, buffers: inout [Tensor]) {
        precondition(dtype.isFloatingPoint, "applyOptimizerStep: the parameter is \(dtype); only floating-point parameters can be trained")
        precondition(buffers.count == rule.bufferCount,
                     "applyOptimizerStep: \(rule) takes \(rule.bufferCount) buffers, got \(buffers.count)")
        // A buffer whose option is off is empty ([0]); everything else matches the parameter.
        func requireMatch(_ tensor: Tensor, _ role: String) {
            precondition(tensor.shape == shape && tensor.dtype == dtype && tensor.device == device,
                         "applyOptimizerStep: the \(role), \(tensor.dtype) \(tensor.shape) on \(tensor.device), does not match the parameter, \(dtype) \(shape) on \(device)")
        }
        requireMatch(gradient, "gradient")
        for (index, buffer) in buffers.enumerated() where buffer.shape != [0] { requireMatch(buffer, "buffer \(index)") }
        makeUnique()
        for index in buffers.indices { buffers[index].makeUnique() }
        gradientNode = nil
        device.backend.optimizerStep(rule, parameter: self, gradient: gradient, buffers: buffers)
    }
}

/// Linear interpolation a + w(b − a), computed the way PyTorch's `lerp_` does so that moving
/// averages round the same: from `a` for small weights, from `b` for large ones.
@inline(__always)
func lerp<S: FloatingPointScalar>(_ a: S, _ b: S, weight: S) -> S {
    Swift.abs(weight) < 0.5 ? a + weight * (b - a) : b - (b - a) * (1 - weight)
}
