/// Changes the learning rate linearly from η₀·startFactor to η₀·endFactor over the first
/// `totalIterations` epochs, then keeps it — PyTorch's `LinearLR`. With a start factor below 1
/// this is the usual linear warm-up:
///
///     ηₑ = η₀ · (s + (f − s) · min(e, n) / n)
///
/// for start factor s, end factor f and n total iterations.
public struct LinearLR: LearningRateSchedule {
    /// s, the fraction of the initial rate used in epoch 0.
    public var startFactor: Double
    /// f, the fraction of the initial rate reached at epoch n and kept afterwards.
    public var endFactor: Double
    /// n, the number of epochs the change takes.
    public var totalIterations: Int

    public init(startFactor: Double = 1.0 / 3, endFactor: Double = 1, totalIterations: Int = 5) {
        precondition(startFactor > 0 && startFactor <= 1, "LinearLR: start factor \(startFactor) is not in (0, 1]")
        precondition(endFactor >= 0 && endFactor <= 1, "LinearLR: end factor \(endFactor) is not in [0, 1]")
        precondition(totalIterations > 0, "LinearLR: total iterations \(totalIterations) is not positive")
        self.startFactor = startFactor
        self.endFactor = endFactor
        self.totalIterations = totalIterations
    }

    public func learningRate(atEpoch epoch: Int, initial: Double) -> Double {
        let progress = Double(min(epoch, totalIterations)) / Double(totalIterations)
        return initial * (startFactor + (endFactor - startFactor) * progress)
    }
}
