/// A learning rate that changes with the epoch, given as a closed form: ηₑ = f(e, η₀).
///
/// A training loop sets the optimizer's rate at the start of every epoch:
///
/// ```swift
/// let schedule = CosineAnnealingLR(tMax: 20)
/// let initial = optimizer.learningRate
/// for epoch in 0..<20 {
///     optimizer.learningRate = schedule.learningRate(atEpoch: epoch, initial: initial)
///     // … one epoch of updates …
/// }
/// ```
///
/// Epochs count from 0, and epoch e gets the rate a PyTorch `torch.optim.lr_scheduler` of the
/// same name gives after e calls of `scheduler.step()` (one per epoch, after the epoch's
/// updates). A closed form needs no state, so a schedule is a value that can be shared, and
/// resuming training at epoch e needs nothing but e.
///
/// ``ReduceLROnPlateau`` depends on the metrics seen so far rather than on the epoch, so it is
/// a separate, stateful class.
public protocol LearningRateSchedule: Sendable {
    /// The learning rate to use during `epoch` (counting from 0) when training started at
    /// `initial`.
    func learningRate(atEpoch epoch: Int, initial: Double) -> Double
}

/// Multiplies the learning rate by γ every `stepSize` epochs: ηₑ = η₀ · γ^⌊e / stepSize⌋ —
/// PyTorch's `StepLR`.
public struct StepLR: LearningRateSchedule {
    /// The number of epochs between decays.
    public var stepSize: Int
    /// γ, the factor applied at each decay.
    public var gamma: Double

    public init(stepSize: Int, gamma: Double = 0.1) {
        precondition(stepSize > 0, "StepLR: step size \(stepSize) is not positive")
        self.stepSize = stepSize
        self.gamma = gamma
    }

    public func learningRate(atEpoch epoch: Int, initial: Double) -> Double {
        initial * power(gamma, epoch / stepSize)
    }
}

/// Multiplies the learning rate by γ at each milestone epoch: ηₑ = η₀ · γ^(number of
/// milestones ≤ e) — PyTorch's `MultiStepLR`.
public struct MultiStepLR: LearningRateSchedule {
    /// The epochs at which the rate decays, in increasing order.
    public var milestones: [Int]
    /// γ, the factor applied at each milestone.
    public var gamma: Double

    public init(milestones: [Int], gamma: Double = 0.1) {
        precondition(zip(milestones, milestones.dropFirst()).allSatisfy { $0 <= $1 },
                     "MultiStepLR: milestones \(milestones) are not in increasing order")
        self.milestones = milestones
        self.gamma = gamma
    }

    public func learningRate(atEpoch epoch: Int, initial: Double) -> Double {
        initial * power(gamma, milestones.count { $0 <= epoch })
    }
}

/// Multiplies the learning rate by γ every epoch: ηₑ = η₀ · γᵉ — PyTorch's `ExponentialLR`.
public struct ExponentialLR: LearningRateSchedule {
    /// γ, the factor applied each epoch.
    public var gamma: Double

    public init(gamma: Double) {
        self.gamma = gamma
    }

    public func learningRate(atEpoch epoch: Int, initial: Double) -> Double {
        initial * power(gamma, epoch)
    }
}
