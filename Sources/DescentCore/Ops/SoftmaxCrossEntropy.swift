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
    precondition(labels.dtype == .int32 && labels.shape == [rows],
                 "softmaxCrossEntropy: labels must be an int32 tensor [\(rows)] of class indices, not \(labels.dtype) \(labels.shape)")
    let labelValues = labels.scalars(as: Int32.self)
    for (row, label) in labelValues.enumerated() {
        precondition(label >= 0 && Int(label) < classes,
                     "softmaxCrossEntropy: label \(label) of example \(row) is out of range 0..<\(classes)")
    }
    let (losses, probabilities) = CPU.softmaxCrossEntropy(logits, labelValues)
    guard logits.gradientNode != nil else { return losses }
    return losses.recorded("softmaxCrossEntropy", logits,
                           pullback: DerivativeRules.softmaxCrossEntropy(probabilities: probabilities, labels: labelValues))
}

extension CPU {
    /// Each row's loss logΣeˣ − x[label] and its softmax probabilities, computed stably (the row
    /// maximum is subtracted before exponentiating).
    static func softmaxCrossEntropy(_ logits: Tensor, _ labels: [Int32]) -> (losses: Tensor, probabilities: Tensor) {
        func run<T: FloatingPointScalar>(_: T.Type) -> (Tensor, Tensor) {
            let (rows, classes) = (logits.shape[0], logits.shape[1])
            let losses = TensorStorage(uninitializedCount: rows, dtype: T.dtype)
            let probabilities = TensorStorage(uninitializedCount: rows * classes, dtype: T.dtype)
            let x = logits.storage.typed(T.self), p = probabilities.typed(T.self), loss = losses.typed(T.self)
            for row in 0..<rows {
                let xs = x + row * classes, ps = p + row * classes
                var maximum = -T.infinity
                for c in 0..<classes where xs[c] > maximum || xs[c].isNaN { maximum = xs[c] }
                var sum: T = 0
                for c in 0..<classes {
                    ps[c] = T.exp(xs[c] - maximum)
                    sum += ps[c]
                }
                for c in 0..<classes { ps[c] /= sum }
                loss[row] = (maximum + T.log(sum)) - xs[Int(labels[row])]
            }
            return (Tensor(shape: [rows], storage: losses), Tensor(shape: [rows, classes], storage: probabilities))
        }
        switch logits.dtype {
        case .float32: return run(Float.self)
        case .float64: return run(Double.self)
        case .int32: preconditionFailure("softmaxCrossEntropy: needs floating-point logits, got int32")
        }
    }

    /// (p − onehot(label)) · g for each row: p [n, C], g [n].
    static func subtractingOneHot(from probabilities: Tensor, _ labels: [Int32], scaledBy upstream: Tensor) -> Tensor {
        func run<T: FloatingPointScalar>(_: T.Type) -> Tensor {
            let (rows, classes) = (probabilities.shape[0], probabilities.shape[1])
            let output = TensorStorage(uninitializedCount: rows * classes, dtype: T.dtype)
            let p = probabilities.storage.typed(T.self), g = upstream.storage.typed(T.self), y = output.typed(T.self)
            for row in 0..<rows {
                let scale = g[row]
                for c in 0..<classes { y[row * classes + c] = p[row * classes + c] * scale }
                y[row * classes + Int(labels[row])] -= scale
            }
            return Tensor(shape: [rows, classes], storage: output)
        }
        switch probabilities.dtype {
        case .float32: return run(Float.self)
        case .float64: return run(Double.self)
        case .int32: preconditionFailure("softmaxCrossEntropy: needs floating-point logits, got int32")
        }
    }
}
