/// The kind of task, as `descent train --task` names it, to override the one inferred from the
/// target column: e.g. digits 0–9 read as numbers to predict (`regression`), or a numeric column
/// with many values read as classes (`classification`).
public enum TaskKind: String, CaseIterable, Sendable, Codable {
    /// Classes (binary when there are two).
    case classification
    /// Exactly two classes.
    case binary
    /// Numbers to predict.
    case regression

    /// The names `--task` accepts.
    public static var names: [String] { allCases.map(\.rawValue) }

    /// The kind of `task`.
    public init(of task: PredictionTask) {
        switch task {
        case .binaryClassification: self = .binary
        case .classification: self = .classification
        case .regression: self = .regression
        }
    }

    /// How a CSV loader reads the target column for this kind.
    public var targetKind: TargetKind {
        self == .regression ? .regression : .classification
    }

    /// `dataset` read as this kind of task: class labels become numbers (the class names' values
    /// when they are numbers, else the indices) for regression; a binary task checks that there
    /// are two classes.
    ///
    /// - Parameter source: the data's name, for messages.
    /// - Throws: ``TrainingError/incompatibleData(_:)`` when the labels cannot be read this way
    ///   (numbers as classes outside a CSV file, or a number of classes other than two for
    ///   `binary`).
    public func apply(to dataset: Dataset, source: String) throws -> Dataset {
        switch (self, dataset.task) {
        case (.regression, .regression):
            return dataset
        case (.regression, _):
            let names = dataset.classNames
            let values = dataset.labels.scalars(as: Int32.self).map { index -> Float in
                let name = names.flatMap { Int(index) < $0.count ? $0[Int(index)] : nil }
                return name.flatMap(Float.init) ?? Float(index)
            }
            return Dataset(features: dataset.features, labels: Tensor(shape: [values.count, 1], scalars: values),
                           task: .regression, featureNames: dataset.featureNames)
        case (_, .regression):
            throw TrainingError.incompatibleData(
                "--task \(rawValue): '\(source)' has numeric targets; reading them as classes works for CSV files only")
        case (.binary, let task) where task.classCount != 2:
            throw TrainingError.incompatibleData(
                "--task binary needs two classes, but '\(source)' has \(task.classCount ?? 0)"
                    + (dataset.classNames.map { ": " + $0.joined(separator: ", ") } ?? ""))
        default:
            return dataset
        }
    }
}
