import Synchronization
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
    /// A metric of targets standardized for training, reported in the targets' own units: the
    /// inner metric (mean absolute error, root mean squared error, both linear in the scale)
    /// times the targets' standard deviation. Named as the inner metric.
    indirect case inTargetUnits(Metric, scale: Double)

    /// The key under which the metric appears in a ``History`` ("accuracy", "top3_accuracy" …).
    public var name: String {
        switch self {
        case .accuracy: "accuracy"
        case let .topKAccuracy(k): "top\(k)_accuracy"
        case .meanAbsoluteError: "mae"
        case .rootMeanSquaredError: "rmse"
        case let .inTargetUnits(metric, _): metric.name
        }
    }

    public var description: String { name }

    /// The metric's value over a batch (or a whole dataset): ``valueTensor(outputs:labels:outputsAreProbabilities:)``
    /// read back.
    ///
    /// - Parameters:
    ///   - outputs: The model's outputs, [n, classes] or [n, 1] / [n] for one output.
    ///   - labels: int32 class indices [n] for classification, or rows of the outputs' shape
    ///     (one-hot or class probabilities) whose largest entry is the class; float targets of
    ///     the outputs' shape for regression.
    ///   - outputsAreProbabilities: For one binary output column, whether it holds
    ///     probabilities (threshold 0.5) rather than logits (threshold 0).
    public func value(outputs: Tensor, labels: Tensor, outputsAreProbabilities: Bool = false) -> Double {
        valueTensor(outputs: outputs, labels: labels, outputsAreProbabilities: outputsAreProbabilities).doubleValue
    }

    /// The metric's value as a scalar tensor on the outputs' device, computed with tensor
    /// operations and not read back, so that a training loop can add up a whole epoch's values
    /// on the device and read them once. See ``value(outputs:labels:outputsAreProbabilities:)``.
    public func valueTensor(outputs: Tensor, labels: Tensor, outputsAreProbabilities: Bool = false) -> Tensor {
        withoutGradients {
            let outputs = outputs.detached()
            switch self {
            case .accuracy: return topKAccuracy(1, outputs, labels, outputsAreProbabilities)
            case let .topKAccuracy(k): return topKAccuracy(k, outputs, labels, outputsAreProbabilities)
            case .meanAbsoluteError:
                return (outputs - labels.reshaped(to: outputs.shape)).abs().mean()
            case .rootMeanSquaredError:
                return (outputs - labels.reshaped(to: outputs.shape)).squared().mean().squareRoot()
            case let .inTargetUnits(metric, scale):
                return metric.valueTensor(outputs: outputs, labels: labels, outputsAreProbabilities: outputsAreProbabilities) * scale
            }
        }
    }

    /// The fraction of rows whose true class is among the `k` highest scores; for one output
    /// column, whose thresholded score is the true class.
    private func topKAccuracy(_ k: Int, _ outputs: Tensor, _ labels: Tensor, _ outputsAreProbabilities: Bool) -> Tensor {
        let count = outputs.shape.first ?? 1
        let columns = outputs.rank >= 2 ? outputs.shape[outputs.rank - 1] : 1
        let scores = outputs.reshaped(to: [count, columns])
        // One-hot (or probability) rows, as regression costs on classes take them, name their
        // class by their largest entry; other labels are class numbers (floats truncated).
        let classIndices = labels.rank >= 2 && columns > 1 && labels.shape == outputs.shape
            ? labels.argmax(alongAxis: -1) : labels.cast(to: .int32)
        let truth = classIndices.cast(to: scores.dtype).reshaped(to: [count, 1])
        let correct: Tensor
        if columns == 1 {
            let predicted = scores .> (outputsAreProbabilities ? 0.5 : 0)
            correct = predicted .== truth
        } else {
            // The true class's score, picked by comparing column numbers with the label (a
            // select, so that other columns' NaN or ±∞ never leak in); the class is in the top k
            // when fewer than k classes score higher.
            let classes = ColumnNumbers.row(columns, dtype: scores.dtype, on: scores.device)
            let zero = Tensor.zeros([], dtype: scores.dtype, on: scores.device)
            let trueScore = select(where: classes .== truth, scores, otherwise: zero).sum(alongAxes: [1])
            let higher = (scores .> trueScore).sum(alongAxes: [1])
            correct = higher .< Double(k)
        }
        // Counted in float64, so that the fraction is as exact as a division of integers.
        return correct.cast(to: .float64).sum() / Double(Swift.max(count, 1))
    }
}

/// The column numbers 0, 1, …, n − 1 as a [1, n] row, made once for each count, dtype and device
/// and kept: a training step on a GPU then copies nothing from the host for its metrics, and a
/// CUDA graph of the step (which cannot hold a copy from pageable memory) can compute them.
private enum ColumnNumbers {
    private struct Key: Hashable {
        let count: Int
        let dtype: DType
        let device: Device
    }

    private static let made = Mutex<[Key: Tensor]>([:])

    static func row(_ count: Int, dtype: DType, on device: Device) -> Tensor {
        made.withLock { made in
            let key = Key(count: count, dtype: dtype, device: device)
            if let row = made[key] { return row }
            let row = Tensor.arange(to: Double(count), dtype: dtype).to(device).reshaped(to: [1, count])
            made[key] = row
            return row
        }
    }
}
