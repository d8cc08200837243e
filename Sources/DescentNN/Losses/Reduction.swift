/// How a cost function turns the losses of the individual elements (or examples) into the
/// value it returns — PyTorch's `reduction` argument.
public enum Reduction: String, Hashable, Sendable, CaseIterable {
    /// The mean over all losses: the cost that gradient descent usually minimizes, so that the
    /// learning rate does not depend on the batch size. PyTorch's default.
    case mean
    /// The sum of all losses.
    case sum
    /// No reduction: one loss per element (per example for the cross-entropies), in the shape
    /// of the input (without the class axis for the cross-entropies).
    case none
    /// The sum divided by the size of the first axis (the batch) — PyTorch's `'batchmean'`, the
    /// reduction under which ``klDivergence(logProbabilities:targets:reduction:)`` is the
    /// Kullback–Leibler divergence per example. For losses with one value per example (the
    /// cross-entropies) it equals ``mean``.
    case batchMean

    /// `losses` reduced: a scalar tensor, or `losses` itself for ``none``.
    public func apply(to losses: Tensor) -> Tensor {
        switch self {
        case .mean: losses.mean()
        case .sum: losses.sum()
        case .none: losses
        case .batchMean: losses.sum() / Double(Swift.max(losses.shape.first ?? 1, 1))
        }
    }
}

/// Stops with a message naming the cost function when two tensors that should line up do not.
func requireSameShape(_ a: Tensor, _ aLabel: String, _ b: Tensor, _ bLabel: String, in function: String) {
    precondition(a.shape == b.shape,
                 "\(function): \(aLabel) has shape \(a.shape) but \(bLabel) has shape \(b.shape); they must be equal")
}
