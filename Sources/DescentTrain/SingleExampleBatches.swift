import DescentNN

// Batch normalization in training normalizes each channel by the batch's own statistics, so it
// needs more than one value per channel: a batch of one example gives a BatchNorm1d of
// [batch, features] a single value per feature (PyTorch raises an error then). The layer cannot
// throw from its forward pass, so `fit` looks for this before training (a batch size that leaves
// one example over, or stochastic gradient descent, is a clear error rather than a trap), and
// `SavedModel`'s predict and evaluate before inference with a batch norm that keeps no running
// statistics.

extension Layer {
    /// The first batch normalization layer of this model (this layer, or one inside a
    /// `Sequential`, at any depth) that would see a single value per channel in a batch of one
    /// example of `exampleShape`; nil if none would. In `inference`, only the layers without
    /// running statistics count: the others normalize with those.
    func batchNormalizationNeedingTwoExamples(exampleShape: [Int], inference: Bool = false) -> (any Layer)? {
        if let sequential = self as? Sequential {
            var shape = exampleShape
            for layer in sequential.layers {
                if let found = layer.batchNormalizationNeedingTwoExamples(exampleShape: shape, inference: inference) {
                    return found
                }
                guard let next = try? layer.outputShape(for: shape) else { return nil }
                shape = next
            }
            return nil
        }
        let usesBatchStatistics: Bool
        switch self {
        case let norm as BatchNorm1d: usesBatchStatistics = !inference || norm.runningMean == nil
        case let norm as BatchNorm2d: usesBatchStatistics = !inference || norm.runningMean == nil
        default: return nil
        }
        // One value per channel and example: [C], or [C, 1], [C, 1, 1] …
        return usesBatchStatistics && exampleShape.dropFirst().allSatisfy { $0 == 1 } ? self : nil
    }
}

extension Batching {
    /// The fewest examples a batch of an epoch over `count` examples has (`count` > 0): the last
    /// mini-batch's, when the size does not divide the count. (A size below 1 counts as 1 here;
    /// `Dataset.batches` refuses it.)
    func smallestBatch(forCount count: Int) -> Int {
        let size = Swift.max(1, Swift.min(batchSize(forCount: count), count))
        return count % size == 0 ? size : count % size
    }
}
