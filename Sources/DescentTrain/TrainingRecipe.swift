/// The choices that follow from a dataset's task when the user does not make them: the cost
/// function, the number of outputs, the metrics, and the label format the cost needs.
public struct TrainingRecipe: Sendable {
    /// The cost function.
    public var loss: Loss
    /// The network's number of outputs.
    public var outputCount: Int
    /// The activation the cost needs after the output layer: a sigmoid for binary
    /// cross-entropy, which takes probabilities; a log-softmax for NLL and KL divergence, which
    /// take log-probabilities (on raw scores they have no floor and run away below 0); nil for
    /// costs that take the raw outputs.
    public var outputActivation: Activation? {
        switch loss {
        case .binaryCrossEntropy: .sigmoid
        case .negativeLogLikelihood, .klDivergence: .logSoftmax
        default: nil
        }
    }
    /// The metrics reported per epoch.
    public var metrics: [Metric]
    /// Names "0", "1", … for classes that had no names in the data.
    public var defaultClassNames: [String]?

    /// The recipe for training on `dataset` (or measuring a model on it).
    ///
    /// - Parameters:
    ///   - dataset: decides by its task, its number of classes and its labels' shape (the number
    ///     of regression targets).
    ///   - loss: the cost; by default cross-entropy for classification, binary cross-entropy on
    ///     one logit for two classes, and mean squared error for regression.
    /// - Throws: ``TrainingError/incompatibleData(_:)`` for a cost that does not fit the task
    ///   (e.g. cross-entropy on regression targets, binary cross-entropy on more than two
    ///   classes).
    public init(for dataset: Dataset, loss: Loss? = nil) throws {
        let task = dataset.task, labels = dataset.labels
        // Each task's textbook cost: cross-entropy for classes, binary cross-entropy on one logit
        // for two classes, mean squared error for numbers.
        let defaultLoss: Loss = switch task {
        case .binary: .binaryCrossEntropyWithLogits
        case .classification: .crossEntropy()
        case .regression: .meanSquaredError
        }
        let loss = loss ?? defaultLoss
        self.loss = loss
        let classCount = dataset.classCount ?? 2
        switch (task, loss) {
        case (.regression, .meanSquaredError), (.regression, .meanAbsoluteError), (.regression, .huber),
             (.regression, .smoothL1):
            outputCount = labels.rank > 1 ? labels.shape.dropFirst().reduce(1, *) : 1
            metrics = [.meanAbsoluteError, .rootMeanSquaredError]
        case (.regression, _):
            throw TrainingError.incompatibleData(
                "the loss \(loss.name) needs class labels, but the target is \(task); "
                    + "use mse, mae, huber or smooth-l1, or read the target as classes")
        case (.binary, .binaryCrossEntropy), (.binary, .binaryCrossEntropyWithLogits):
            outputCount = 1
            metrics = [.accuracy]
        case (.classification, .binaryCrossEntropy), (.classification, .binaryCrossEntropyWithLogits):
            throw TrainingError.incompatibleData(
                "the loss \(loss.name) needs two classes (binary classification), but the target has \(classCount) classes; use cross-entropy")
        case (.binary, _), (.classification, _):
            // Cross-entropy and NLL on class indices; regression costs on one-hot targets (MSE
            // on class scores, as early networks did), and KL divergence against one-hot target
            // distributions.
            outputCount = classCount
            metrics = [.accuracy]
        }
        defaultClassNames = task.isClassification ? (0..<classCount).map(String.init) : nil
    }

    /// Reports the error metrics of targets standardized for training in the targets' own
    /// units (see ``Metric/inTargetUnits(_:scale:)``); `scale` is their standard deviation.
    public mutating func reportInTargetUnits(scale: Double) {
        metrics = metrics.map { metric in
            switch metric {
            case .meanAbsoluteError, .rootMeanSquaredError: .inTargetUnits(metric, scale: scale)
            default: metric
            }
        }
    }

    /// The dataset with labels in the form the cost function takes: float [n, 1] for binary
    /// cross-entropy, one-hot floats for regression costs and KL divergence on classes,
    /// unchanged otherwise.
    public func prepare(_ dataset: Dataset) -> Dataset {
        guard dataset.task.isClassification, dataset.labels.dtype == .int32 else { return dataset }
        var result = dataset
        switch loss {
        case .binaryCrossEntropy, .binaryCrossEntropyWithLogits:
            result.labels = dataset.labels.cast(to: .float32).reshaped(to: [dataset.count, 1])
        case .meanSquaredError, .meanAbsoluteError, .huber, .smoothL1, .klDivergence:
            result.labels = Tensor(oneHotAtIndices: dataset.labels, depth: outputCount, dtype: .float32)
        default: break
        }
        return result
    }
}
