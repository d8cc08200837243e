// Costs for yes/no predictions: how surprised the model is by the true label.

/// Binary cross-entropy of predicted probabilities: −[y·log p + (1 − y)·log(1 − p)], reduced.
/// PyTorch's `BCELoss`.
///
/// As in PyTorch, each logarithm is clamped at −100, so a confident wrong prediction (p of
/// exactly 0 or 1) costs 100 rather than infinity, and the slope with respect to p is
/// (p − y) / max(p(1 − p), 10⁻¹²), finite everywhere — PyTorch's backward formula, which is the
/// exact derivative wherever p(1 − p) ≥ 10⁻¹². Prefer
/// ``binaryCrossEntropy(logits:labels:positiveWeight:reduction:)``: it is exact everywhere.
///
/// The slope with respect to `labels` is log(1 − p) − log p with both logs clamped at −100
/// (PyTorch leaves them unclamped, giving ±∞ where p is 0 or 1).
///
/// - Parameters:
///   - probabilities: predicted probabilities p in [0, 1], e.g. the output of a sigmoid.
///   - labels: the true labels y in [0, 1] (usually exactly 0 or 1), same shape.
///   - reduction: how the per-element costs are combined; by default their mean.
public func binaryCrossEntropy(probabilities: Tensor, labels: Tensor, reduction: Reduction = .mean) -> Tensor {
    requireSameShape(probabilities, "probabilities", labels, "labels", in: "binaryCrossEntropy")
    let p = probabilities.detached()
    let y = labels.detached()
    // The clamped value and PyTorch's slope are computed as constants, side by side like a
    // derivative rule; the clamp would otherwise turn the slope at p = 0 or 1 into 0·∞ = NaN.
    let logP = maximum(log(p), -100)
    let logNotP = maximum(log(1 - p), -100)
    let slope = (p - y) / maximum(p * (1 - p), 1e-12)
    // (probabilities − p) is 0 in value, but carries the slope back to the probabilities.
    let losses = -(labels * logP + (1 - labels) * logNotP) + (probabilities - p) * slope
    return reduction.apply(to: losses)
}

/// Binary cross-entropy of logits x (scores before the sigmoid): the cost of
/// ``binaryCrossEntropy(probabilities:labels:reduction:)`` at p = σ(x), computed without ever
/// forming σ(x): max(x, 0) − x·y + log(1 + e^(−|x|)), exact and finite for any logits.
/// PyTorch's `BCEWithLogitsLoss`; its slope is σ(x) − y.
///
/// - Parameters:
///   - logits: the scores x, any real numbers.
///   - labels: the true labels y in [0, 1], same shape.
///   - positiveWeight: PyTorch's `pos_weight`: a weight w for the positive term,
///     −[w·y·log σ(x) + (1 − y)·log(1 − σ(x))], broadcast against the logits (typically one
///     weight per class, along the last axis). Weights above 1 favour recall.
///   - reduction: how the per-element costs are combined; by default their mean.
public func binaryCrossEntropy(logits: Tensor, labels: Tensor, positiveWeight: Tensor? = nil,
                               reduction: Reduction = .mean) -> Tensor {
    requireSameShape(logits, "logits", labels, "labels", in: "binaryCrossEntropy(logits:)")
    // −log σ(x) = log(1 + e^(−x)) = max(−x, 0) + log(1 + e^(−|x|)): the exponent is never positive.
    let negativeLogSigmoid = maximum(-logits, 0) + log1p(exp(-abs(logits)))
    // −log(1 − σ(x)) = x − log σ(x), so the cost is (1 − y)·x − w′·log σ(x) with w′ = 1 + (w − 1)·y.
    let positiveTerm = positiveWeight.map { (1 + ($0 - 1) * labels) * negativeLogSigmoid } ?? negativeLogSigmoid
    return reduction.apply(to: (1 - labels) * logits + positiveTerm)
}
