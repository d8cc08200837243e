/// What a dataset's labels ask a model to predict, which decides the cost function and metrics.
public enum PredictionTask: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Two classes, labels 0 and 1 (binary cross-entropy).
    case binaryClassification
    /// `classCount` classes, labels `0..<classCount` (cross-entropy).
    case classification(classCount: Int)
    /// Real-valued targets (mean squared or absolute error).
    case regression

    /// Whether the labels are class indices.
    public var isClassification: Bool { self != .regression }

    /// The number of classes, or nil for regression.
    public var classCount: Int? {
        switch self {
        case .binaryClassification: 2
        case .classification(let count): count
        case .regression: nil
        }
    }

    /// The classification task for `classCount` classes: binary for two, multi-class otherwise.
    public static func classifying(classCount: Int) -> PredictionTask {
        classCount == 2 ? .binaryClassification : .classification(classCount: classCount)
    }

    public var description: String {
        switch self {
        case .binaryClassification: "binary classification"
        case .classification(let count): "classification (\(count) classes)"
        case .regression: "regression"
        }
    }
}

/// How to read a target column, when the inferred task is not the one wanted.
public enum TargetKind: String, Sendable, Codable, CaseIterable {
    /// The distinct values are classes (sorted, as scikit-learn's `LabelEncoder` does).
    case classification
    /// The values are numbers to predict.
    case regression
}
