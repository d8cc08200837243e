/// Examples for training or evaluating a model: one row of ``features`` and one entry of
/// ``labels`` per example.
///
/// Conventions that the rest of Descent relies on:
/// - ``features`` is float32 with the examples along the first axis: `[count, featureCount]` for
///   tables and flattened images (MNIST is `[count, 784]`, digits `[count, 64]`).
/// - Images (``imageFolder(at:size:channels:classNames:)``) are uint8 `[count, C, H, W]`, one
///   byte per pixel; ``imageInputs`` says how each batch becomes float32 (see ``ImageInputs``).
/// - For classification (binary or multi-class) ``labels`` is int32 `[count]`: class indices
///   `0..<classCount`, into ``classNames`` when there are names. Binary labels are 0/1 indices
///   too; a binary cross-entropy cost converts them to floats.
/// - For regression ``labels`` is float32 `[count, targetCount]` (`[count, 1]` for one target
///   column), the shape a network's output has, so that a cost never broadcasts `[n]` against
///   `[n, 1]` into `[n, n]` by accident.
public struct Dataset: Sendable {
    /// The inputs, one example per row (first axis).
    public var features: Tensor
    /// The targets, one per example (see the type's conventions).
    public var labels: Tensor
    /// What the labels ask for.
    public var task: PredictionTask
    /// The number of classes for classification (2 for ``PredictionTask/binary``), nil for
    /// regression. Kept with the data rather than counted from the labels, since a part of a
    /// dataset (a validation split, new data to evaluate) may lack some of the classes.
    public var classCount: Int?
    /// The names of the feature columns, when the data had them (CSV headers, pixel names).
    public var featureNames: [String]?
    /// The name of each class index (CSV class strings, digit names), for classification.
    public var classNames: [String]?
    /// How uint8 features (images) become float32 inputs, batch by batch: scaling to [0, 1],
    /// normalization and augmentation. Nil with uint8 features means scaling to [0, 1] only.
    public var imageInputs: ImageInputs?
    /// For a table read from a CSV file: how its columns became the features (categories,
    /// missing values), to be saved with a model so that new files are read the same way.
    public var tableEncoding: TableEncoding?

    /// A dataset from tensors whose first axes agree.
    ///
    /// - Parameters:
    ///   - features: the inputs, one example per entry along the first axis.
    ///   - labels: the targets: int32 class indices, or floats to predict, one per example.
    ///   - task: by default inferred: int32 labels are classes (``PredictionTask/binary`` for
    ///     two), float labels are regression.
    ///   - classCount: for classification, by default `classNames.count`, or the largest label
    ///     + 1 when there are no names (2 for a binary task); ignored for regression.
    ///   - featureNames: the name of each feature (a table's columns), if known.
    ///   - classNames: the name of each class, by label.
    public init(features: Tensor, labels: Tensor, task: PredictionTask? = nil, classCount: Int? = nil,
                featureNames: [String]? = nil, classNames: [String]? = nil) {
        precondition(features.rank >= 1 && labels.rank >= 1 && features.shape[0] == labels.shape[0],
                     "Dataset: features \(features.shape) and labels \(labels.shape) must have the same number of examples along the first axis")
        self.features = features
        self.labels = labels
        self.featureNames = featureNames
        self.classNames = classNames
        let task = task ?? (labels.dtype == .int32 ? nil : .regression)
        if task == .regression {
            self.task = .regression
            self.classCount = nil
        } else {
            let count = classCount ?? (task == .binary ? 2 : nil) ?? classNames?.count
                ?? (labels.dtype == .int32 ? labels.scalars(as: Int32.self).max().map { Int($0) + 1 } ?? 0
                    : labels.shape.last ?? 0)  // one-hot or probability targets: a column per class
            self.task = task ?? .classifying(classCount: count)
            self.classCount = count
        }
    }

    /// The number of examples.
    public var count: Int { features.shape[0] }

    /// The number of inputs per example (the product of the features' trailing axes).
    public var featureCount: Int { features.shape.dropFirst().reduce(1, *) }

    /// The examples at `indices`, in that order (indices may repeat).
    public func subset(_ indices: [Int]) -> Dataset {
        var result = self
        result.features = features.gathering(atIndices: indices)
        result.labels = labels.gathering(atIndices: indices)
        return result
    }

    /// Splits off a random `validationFraction` of the examples, the same way for the same seed.
    ///
    /// The validation set gets `round(validationFraction × count)` examples chosen by a seeded
    /// permutation; both parts keep the examples in their original order. A fraction of 0 gives
    /// an empty validation set.
    ///
    /// - Throws: ``DataError`` (`.invalidArgument`) if the fraction is not in [0, 1) or would
    ///   leave no training examples.
    public func split(validationFraction: Double, seed: UInt64) throws -> (train: Dataset, validation: Dataset) {
        guard validationFraction >= 0, validationFraction < 1 else {
            throw DataError(.invalidArgument, "validation fraction must be at least 0 and below 1, found \(validationFraction)")
        }
        let validationCount = Int((validationFraction * Double(count)).rounded())
        guard validationCount < count || count == 0 else {
            throw DataError(.invalidArgument,
                            "a validation fraction of \(validationFraction) of \(counted(count, "example")) leaves none for training")
        }
        var generator = RandomGenerator(seed: seed)
        let order = generator.permutation(count: count)
        let validation = order[..<validationCount].sorted()
        let train = order[validationCount...].sorted()
        return (subset(train), subset(validation))
    }
}
