extension PredictionTask {
    /// `dataset` read as this task instead of the one inferred from its labels: e.g. digits 0–9
    /// as numbers to predict (`regression`), or a numeric column with few values as classes.
    ///
    /// Class labels become numbers for `regression` (the class names' values when they are
    /// numbers, else the indices); `binary` checks that there are two classes and
    /// `classification` keeps the classes as they are (binary when there are two).
    ///
    /// - Parameters:
    ///   - dataset: the data, with labels as read.
    ///   - source: the data's name, for messages.
    /// - Throws: ``TrainingError/incompatibleData(_:)`` when the labels cannot be read this way
    ///   (numbers as classes, which only a CSV file's text allows, or a number of classes other
    ///   than two for `binary`).
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
                "reading the target as classes (\(self)): '\(source)' has numeric targets, "
                    + "which can be read as classes from CSV files only")
        case (.binary, _) where dataset.classCount != 2:
            throw TrainingError.incompatibleData(
                "\(self) needs two classes, but '\(source)' has \(dataset.classCount ?? 0)"
                    + (dataset.classNames.map { ": " + $0.joined(separator: ", ") } ?? ""))
        case (.binary, _):
            var result = dataset
            result.task = .binary
            return result
        case (.classification, _):
            return dataset
        }
    }
}
