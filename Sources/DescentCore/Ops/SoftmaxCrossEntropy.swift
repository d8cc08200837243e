/// The cross-entropy of each row of `logits` [n, C] against its integer class label: the cost of
/// a classifier, −log softmax(x)[label] = logΣ꜀eˣᶜ − x[label], for each of the n examples ([n]).
///
/// The same value as `-logSoftmax(logits).gathering(...)`, in one pass over the logits instead
/// of eight operations, with the textbook derivative as its rule:
///
///     ∂C/∂x = softmax(x) − onehot(label)   (times the upstream gradient of each row)
///
/// - Precondition: `labels` is an int32 tensor [n] with values in 0..<C.
public func softmaxCrossEntropy(logits: Tensor, labels: Tensor) -> Tensor {
    precondition(logits.rank == 2, "softmaxCrossEntropy: logits must be [examples, classes], not \(logits.shape)")
    let (rows, classes) = (logits.shape[0], logits.shape[1])
    precondition(logits.dtype.isFloatingPoint, "softmaxCrossEntropy: needs floating-point logits, got \(logits.dtype)")
    let device = commonDevice("softmaxCrossEntropy", logits, labels)
    labels.requireClassIndices(examples: rows, classCount: classes, in: "softmaxCrossEntropy")
    let (losses, probabilities) = device.backend.softmaxCrossEntropy(logits: logits, labels: labels)
    guard logits.gradientNode != nil else { return losses }
    return losses.recorded("softmaxCrossEntropy", logits,
                           pullback: DerivativeRules.softmaxCrossEntropy(probabilities: probabilities, labels: labels))
}
