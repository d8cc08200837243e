// Costs for choosing one of C classes: how little probability the model gave the right answer.

/// Cross-entropy of logits [n, C] against integer class labels [n]: −log softmax(x)[label] per
/// example, reduced over the batch. PyTorch's `CrossEntropyLoss` with class-index targets.
///
/// With `labelSmoothing` ε the target is (1 − ε)·one-hot + ε/C, as PyTorch does:
/// (1 − ε)·(−log pₗₐᵦₑₗ) + (ε/C)·Σ꜀(−log p꜀).
///
/// Computed stably for any logits, in O(n·C): without smoothing by the fused
/// `softmaxCrossEntropy(logits:labels:)`, with smoothing from log-softmax. The slope with
/// respect to the logits is softmax(x) − target.
///
/// - Parameters:
///   - logits: scores [n, C] (before softmax).
///   - labels: the true classes, an int32 tensor [n] with values in 0..<C.
///   - labelSmoothing: ε in [0, 1].
///   - reduction: how the per-example costs are combined; by default their mean.
/// - Precondition: labels are in 0..<C. Labels come from data, which the data layer validates
///   where it is loaded; here a label out of range is a programmer's error and stops with a
///   message naming the row.
public func crossEntropy(logits: Tensor, labels: Tensor, reduction: Reduction = .mean,
                         labelSmoothing: Double = 0) -> Tensor {
    precondition(logits.rank == 2, "crossEntropy: logits must be [examples, classes], not \(logits.shape)")
    requireLabelSmoothing(labelSmoothing, in: "crossEntropy")
    // The common case is one fused operation; smoothing also needs every log-probability.
    guard labelSmoothing > 0 else { return reduction.apply(to: softmaxCrossEntropy(logits: logits, labels: labels)) }
    let logProbabilities = logSoftmax(logits, alongAxis: -1)
    let losses = negativeLogLikelihood(logProbabilities: logProbabilities, labels: labels, reduction: .none)
    // The mean over classes is (1/C)·Σ꜀: the uniform part of the smoothed target.
    let uniformLosses = -logProbabilities.mean(squeezingAxes: [1])
    return reduction.apply(to: (1 - labelSmoothing) * losses + labelSmoothing * uniformLosses)
}

/// Cross-entropy of logits [n, C] against target probabilities [n, C] (each row a
/// distribution, e.g. one-hot or soft labels): −Σ꜀ t꜀·log softmax(x)꜀ per example, reduced over
/// the batch. PyTorch's `CrossEntropyLoss` with probability targets.
///
/// With `labelSmoothing` ε the targets become (1 − ε)·t + ε/C, as PyTorch does. The slope with
/// respect to the logits is softmax(x)·Σ꜀t꜀ − t (softmax(x) − t for targets that sum to 1).
public func crossEntropy(logits: Tensor, probabilities: Tensor, reduction: Reduction = .mean,
                         labelSmoothing: Double = 0) -> Tensor {
    requireSameShape(logits, "logits", probabilities, "probabilities", in: "crossEntropy")
    precondition(logits.rank == 2, "crossEntropy: logits must be [examples, classes], not \(logits.shape)")
    requireLabelSmoothing(labelSmoothing, in: "crossEntropy")
    let classCount = Double(logits.shape[1])
    let targets = labelSmoothing > 0 ? (1 - labelSmoothing) * probabilities + labelSmoothing / classCount : probabilities
    let losses = -(targets * logSoftmax(logits, alongAxis: -1)).sum(squeezingAxes: [1])
    return reduction.apply(to: losses)
}

/// Negative log-likelihood of log-probabilities [n, C] (e.g. from log-softmax) at integer class
/// labels [n]: −log p[label] per example, reduced over the batch. PyTorch's `NLLLoss`.
///
/// - Precondition: `labels` is an int32 tensor [n] with values in 0..<C (see
///   ``crossEntropy(logits:labels:reduction:labelSmoothing:)``).
public func negativeLogLikelihood(logProbabilities: Tensor, labels: Tensor, reduction: Reduction = .mean) -> Tensor {
    precondition(logProbabilities.rank == 2,
                 "negativeLogLikelihood: log-probabilities must be [examples, classes], not \(logProbabilities.shape)")
    let (exampleCount, classCount) = (logProbabilities.shape[0], logProbabilities.shape[1])
    labels.requireClassIndices(examples: exampleCount, classCount: classCount, in: "negativeLogLikelihood")
    // Each row's entry at its label: the one column where the class number equals the label.
    // (A select, not a product with a one-hot mask: 0 · −∞ would be NaN.)
    let classes = Tensor.arange(to: Double(classCount), dtype: logProbabilities.dtype).to(logProbabilities.device)
    let isLabel = classes.reshaped(to: [1, classCount]) .== labels.cast(to: logProbabilities.dtype).reshaped(to: [exampleCount, 1])
    let picked = select(where: isLabel, logProbabilities, otherwise: Tensor.zeros([], dtype: logProbabilities.dtype, on: logProbabilities.device))
        .sum(squeezingAxes: [1])
    return reduction.apply(to: -picked)
}

/// Kullback–Leibler divergence KL(t ‖ p) of target probabilities t from predicted
/// log-probabilities log p: t·(log t − log p) elementwise, with 0·log 0 taken as 0. PyTorch's
/// `KLDivLoss` (input as log-probabilities, target as probabilities).
///
/// As in PyTorch, ``Reduction/mean`` averages over *all elements*; the divergence per example,
/// the mathematical definition, is ``Reduction/batchMean`` (the sum divided by the batch size).
public func klDivergence(logProbabilities: Tensor, targets: Tensor, reduction: Reduction = .mean) -> Tensor {
    requireSameShape(logProbabilities, "log-probabilities", targets, "targets", in: "klDivergence")
    // t·log t with 0·log 0 = 0 (PyTorch's xlogy): log is taken of 1 where t = 0, so no −∞ appears.
    let safeTargets = select(where: targets .== 0, Tensor.ones(like: targets), otherwise: targets)
    return reduction.apply(to: targets * log(safeTargets) - targets * logProbabilities)
}

/// Stops unless ε is a valid label-smoothing amount.
private func requireLabelSmoothing(_ labelSmoothing: Double, in function: String) {
    precondition((0...1).contains(labelSmoothing), "\(function): labelSmoothing must be in 0...1, not \(labelSmoothing)")
}
