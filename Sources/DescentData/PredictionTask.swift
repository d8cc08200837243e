/// What a model is asked to predict — the one description of a task that every part of Descent
/// uses: what a dataset's labels are (``Dataset/task``), how a CSV file's target column is read
/// (``Dataset/init(table:target:task:classNames:maximumClassCount:)``), what a user asks for
/// instead of the task inferred from the data, and what a saved model was trained for.
///
/// The task decides the cost function and the metrics; the number of classes is the dataset's
/// (``Dataset/classCount``), not the task's, since it belongs to the data.
public enum PredictionTask: String, CaseIterable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// Class labels, int32 indices into the class names (cross-entropy). A dataset's task is
    /// `classification` for any number of classes but two; asked for, it means "read the target
    /// as classes", which gives ``binary`` when there are two.
    case classification
    /// Exactly two classes, labels 0 and 1 (binary cross-entropy).
    case binary
    /// Real-valued targets (mean squared or absolute error).
    case regression

    /// The raw values, in a fixed order (for help texts and error messages).
    public static var names: [String] { allCases.map(\.rawValue) }

    /// Whether the labels are class indices.
    public var isClassification: Bool { self != .regression }

    /// The classification task for `classCount` classes: binary for two, multi-class otherwise.
    public static func classifying(classCount: Int) -> PredictionTask {
        classCount == 2 ? .binary : .classification
    }

    public var description: String {
        switch self {
        case .classification: "classification"
        case .binary: "binary classification"
        case .regression: "regression"
        }
    }
}
