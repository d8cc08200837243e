import Foundation

/// Lowers the learning rate along half a cosine, from η₀ at epoch 0 to η_min at epoch T_max:
///
///     ηₑ = η_min + ½(η₀ − η_min)(1 + cos(π e / T_max))
///
/// — PyTorch's `CosineAnnealingLR` (its closed form; past T_max the rate climbs back along the
/// cosine, as PyTorch's does too).
public struct CosineAnnealingLR: LearningRateSchedule {
    /// T_max, the number of epochs from the initial rate down to the minimum.
    public var tMax: Int
    /// η_min, the rate reached at epoch T_max.
    public var etaMin: Double

    public init(tMax: Int, etaMin: Double = 0) {
        precondition(tMax > 0, "CosineAnnealingLR: tMax \(tMax) is not positive")
        self.tMax = tMax
        self.etaMin = etaMin
    }

    public func learningRate(atEpoch epoch: Int, initial: Double) -> Double {
        etaMin + (initial - etaMin) * (1 + cos(Double.pi * Double(epoch) / Double(tMax))) / 2
    }
}
