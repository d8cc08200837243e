/// Divides the learning rate by a factor when a metric (typically the validation cost) has
/// stopped improving for `patience` epochs — PyTorch's `ReduceLROnPlateau`.
///
/// Unlike a ``LearningRateSchedule`` it depends on the metrics seen so far, so it is a stateful
/// object fed once per epoch, after the epoch's evaluation:
///
/// ```swift
/// let plateau = ReduceLROnPlateau(patience: 3)
/// for epoch in 0..<epochs {
///     // … one epoch of updates, then validation …
///     plateau.step(metric: validationCost, optimizer: optimizer)
/// }
/// ```
public final class ReduceLROnPlateau {
    /// Whether a better metric is lower (a cost) or higher (an accuracy).
    public enum Mode: Sendable {
        /// Lower is better.
        case minimize
        /// Higher is better.
        case maximize
    }

    /// How much better a metric must be than the best so far to count as an improvement.
    public enum ThresholdMode: Sendable {
        /// By a fraction of the best: below best·(1 − threshold) (or above best·(1 + threshold)).
        case relative
        /// By an amount: below best − threshold (or above best + threshold).
        case absolute
    }

    /// Whether lower or higher metrics are better.
    public let mode: Mode
    /// The factor by which the rate is multiplied when it is reduced.
    public let factor: Double
    /// The number of epochs without improvement tolerated before reducing the rate.
    public let patience: Int
    /// The least improvement that counts, relative or absolute (see ``thresholdMode``).
    public let threshold: Double
    /// How ``threshold`` is measured.
    public let thresholdMode: ThresholdMode
    /// The number of epochs after a reduction during which epochs without improvement are not
    /// counted.
    public let cooldown: Int
    /// The rate is never reduced below this.
    public let minimumLearningRate: Double
    /// A reduction smaller than this is skipped.
    public let epsilon: Double

    /// The best metric so far.
    public internal(set) var best: Double
    /// The number of epochs since the last improvement (outside cool-down).
    public internal(set) var badEpochCount = 0
    /// The number of cool-down epochs left.
    public internal(set) var cooldownCounter = 0

    public init(mode: Mode = .minimize, factor: Double = 0.1, patience: Int = 10, threshold: Double = 1e-4,
                thresholdMode: ThresholdMode = .relative, cooldown: Int = 0, minimumLearningRate: Double = 0,
                epsilon: Double = 1e-8) {
        precondition(factor < 1, "ReduceLROnPlateau: factor \(factor) is not below 1")
        precondition(patience >= 0, "ReduceLROnPlateau: patience \(patience) is negative")
        precondition(cooldown >= 0, "ReduceLROnPlateau: cooldown \(cooldown) is negative")
        self.mode = mode
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.thresholdMode = thresholdMode
        self.cooldown = cooldown
        self.minimumLearningRate = minimumLearningRate
        self.epsilon = epsilon
        self.best = mode == .minimize ? .infinity : -.infinity
    }

    /// Records the metric of the epoch that just ended and returns the learning rate for the
    /// next epoch: `learningRate` itself, or `learningRate`·factor (at least the minimum) once
    /// more than `patience` epochs have gone by without improvement.
    public func step(metric: Double, learningRate: Double) -> Double {
        if isImprovement(metric) {
            best = metric
            badEpochCount = 0
        } else {
            badEpochCount += 1
        }
        if cooldownCounter > 0 {
            cooldownCounter -= 1
            badEpochCount = 0
        }
        guard badEpochCount > patience else { return learningRate }
        cooldownCounter = cooldown
        badEpochCount = 0
        let reduced = max(learningRate * factor, minimumLearningRate)
        return learningRate - reduced > epsilon ? reduced : learningRate
    }

    /// Records the metric of the epoch that just ended and sets the optimizer's learning rate
    /// for the next epoch (see ``step(metric:learningRate:)``).
    public func step(metric: Double, optimizer: some Optimizer) {
        optimizer.learningRate = step(metric: metric, learningRate: optimizer.learningRate)
    }

    private func isImprovement(_ metric: Double) -> Bool {
        switch (mode, thresholdMode) {
        case (.minimize, .relative): metric < best * (1 - threshold)
        case (.minimize, .absolute): metric < best - threshold
        case (.maximize, .relative): metric > best * (1 + threshold)
        case (.maximize, .absolute): metric > best + threshold
        }
    }
}
