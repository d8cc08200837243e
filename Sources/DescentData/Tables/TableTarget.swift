import DescentCore

/// A CSV file's target column, row by row: a number, a class name, or missing; and the labels
/// it gives (see ``Dataset/init(table:target:task:classNames:maximumClassCount:)`` for how the
/// task is inferred and classes are named and sorted — the same rules).
struct TableTarget {
    var name: String
    var file: String?
    /// The numbers; NaN where a cell is missing or holds text.
    var values: [Float]
    /// The text of the cells that hold text, by row.
    var textOfRow: [Int: String]

    init(cells: TableCells) {
        let column = cells.targetColumn ?? 0
        name = cells.columnNames[column]
        file = cells.file
        values = cells.target
        let text = cells.texts[column] ?? .init()
        textOfRow = Dictionary(zip(text.rows, text.texts), uniquingKeysWith: { first, _ in first })
    }

    func isMissing(_ row: Int) -> Bool { values[row].isNaN && textOfRow[row] == nil }

    func firstMissing() -> Int? { values.indices.first { isMissing($0) } }

    /// The target of the rows `kept`, in that order.
    func rows(_ kept: [Int]) -> TableTarget {
        var result = self
        result.values = kept.map { values[$0] }
        result.textOfRow = [:]
        for (new, old) in kept.enumerated() { if let text = textOfRow[old] { result.textOfRow[new] = text } }
        return result
    }

    func missingError(row: Int, line: (Int) -> Int?) -> DataError {
        DataError(.invalidArgument, file: file, line: line(row),
                  "row \(row + 1), target column '\(name)': a missing value (an empty cell, NA, NaN or ?); "
                      + "a target is never filled in (--missing drop-rows leaves such rows out)")
    }

    /// The dataset of `features` with this target as its labels.
    ///
    /// - Throws: ``DataError``: `.nonNumericCell` for text in a regression target,
    ///   `.invalidArgument` for a class not among `classNames` — with the row's line.
    func dataset(features: Tensor, featureNames: [String], task: PredictionTask?, classNames: [String]?,
                 maximumClassCount: Int, line: (Int) -> Int?) throws -> Dataset {
        let allNumeric = textOfRow.isEmpty
        let readsClasses: Bool
        if let task {
            readsClasses = task.isClassification
        } else if classNames != nil || !allNumeric {
            readsClasses = true
        } else {
            let isWhole = values.allSatisfy { $0 == $0.rounded() }
            readsClasses = isWhole && Set(values).count <= maximumClassCount
        }
        if !readsClasses {
            if let row = textOfRow.keys.min() {
                throw DataError(.nonNumericCell, file: file, line: line(row),
                                "column '\(name)': expected a number, found '\(textOfRow[row]!)'")
            }
            return Dataset(features: features, labels: Tensor(shape: [values.count, 1], scalars: values),
                           task: .regression, featureNames: featureNames)
        }
        if allNumeric && classNames == nil {
            // Classes by value, without a string per row (a million rows of digits).
            let classValues = Set(values).sorted()
            let indexOfValue = Dictionary(uniqueKeysWithValues: classValues.enumerated().map { ($1, Int32($0)) })
            return Dataset(features: features, labels: Tensor(values.map { indexOfValue[$0]! }),
                           task: .classifying(classCount: classValues.count), featureNames: featureNames,
                           classNames: classValues.map(Self.className))
        }
        // Numeric classes are named as they are written when whole ("3", not "3.0").
        let names = values.indices.map { textOfRow[$0] ?? Self.className(values[$0]) }
        let classes = classNames ?? (allNumeric
            ? Set(values).sorted().map(Self.className)
            : Set(names).sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) })
        let indexOfClass = Dictionary(classes.enumerated().map { ($1, Int32($0)) }, uniquingKeysWith: { first, _ in first })
        var labels: [Int32] = []
        labels.reserveCapacity(names.count)
        for (row, className) in names.enumerated() {
            guard let index = indexOfClass[className] else {
                throw DataError(.invalidArgument, file: file, line: line(row),
                                "column '\(name)': class '\(className)' is not one of the model's classes \(classes)")
            }
            labels.append(index)
        }
        return Dataset(features: features, labels: Tensor(labels), task: .classifying(classCount: classes.count),
                       featureNames: featureNames, classNames: classes)
    }

    /// "3" for 3.0, "2.5" for 2.5 (the shortest text that reads back as the same float).
    static func className(_ value: Float) -> String {
        value == value.rounded() && Swift.abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
