/// A number that says how well a model does, computed from its outputs and the true labels;
/// unlike the cost it need not be differentiable.
public enum Metric: Sendable, Hashable, CustomStringConvertible {
    /// The fraction of examples whose predicted class is the true one. For one output column
    /// (binary classification) the prediction is output > 0 on logits, or ≥ 0.5 on
    /// probabilities — see ``Metric/value(outputs:labels:outputsAreProbabilities:)``.
    case accuracy
    /// The fraction of examples whose true class is among the `k` highest outputs.
    case topKAccuracy(Int)
    /// The mean absolute difference between outputs and targets.
    case meanAbsoluteError
    /// The square root of the mean squared difference between outputs and targets.
    case rootMeanSquaredError

    /// The key under which the metric appears in a ``History`` ("accuracy", "top3_accuracy" …).
    public var name: String {
        switch self {
        case .accuracy: "accuracy"
        case let .topKAccuracy(k): "top\(k)_accuracy"
        case .meanAbsoluteError: "mae"
        case .rootMeanSquaredError: "rmse"
        }
    }

    public var description: String { name }

    /// The metric's value over a batch (or a whole dataset).
    ///
    /// - Parameters:
    ///   - outputs: The model's outputs, [n, classes] or [n, 1] / [n] for one output.
    ///   - labels: int32 class indices [n] for classification, or rows of the outputs' shape
    ///     (one-hot or class probabilities) whose largest entry is the class; float targets of
    ///     the outputs' shape for regression.
    ///   - outputsAreProbabilities: For one binary output column, whether it holds
    ///     probabilities (threshold 0.5) rather than logits (threshold 0).
    public func value(outputs: Tensor, labels: Tensor, outputsAreProbabilities: Bool = false) -> Double {
        let count = Double(Swift.max(outputs.shape.first ?? 1, 1))
        switch self {
        case .accuracy, .topKAccuracy:
            let k: Int = if case let .topKAccuracy(k) = self { k } else { 1 }
            let columns = outputs.rank >= 2 ? outputs.shape[outputs.rank - 1] : 1
            // One-hot (or probability) rows, as regression costs on classes take them, name
            // their class by their largest entry.
            let truth = labels.rank >= 2 && columns > 1 && labels.shape == outputs.shape
                ? labels.argmax(alongAxis: -1).scalars(as: Int32.self)
                : labels.cast(to: .int32).scalars(as: Int32.self)
            let values = outputs.doubles()
            var correct = 0
            for row in truth.indices {
                let scores = values[(row * columns)..<((row + 1) * columns)]
                if columns == 1 {
                    let predicted: Int32 = scores.first! > (outputsAreProbabilities ? 0.5 : 0) ? 1 : 0
                    if predicted == truth[row] { correct += 1 }
                } else {
                    let target = scores[scores.startIndex + Int(truth[row])]
                    // The true class is in the top k when fewer than k classes score higher.
                    let higher = scores.filter { $0 > target }.count
                    if higher < k { correct += 1 }
                }
            }
            return Double(correct) / count
        case .meanAbsoluteError:
            return withoutGradients { (outputs - labels.reshaped(to: outputs.shape)).abs().mean().doubleValue }
        case .rootMeanSquaredError:
            return withoutGradients { (outputs - labels.reshaped(to: outputs.shape)).squared().mean().doubleValue.squareRoot() }
        }
    }
}
