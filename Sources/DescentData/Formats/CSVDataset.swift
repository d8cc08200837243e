import Foundation

extension Dataset {
    /// A dataset from a CSV file with a header row, its target column `target` (by default the
    /// last) and every other column a feature: ``csv(contentsOf:reading:task:classNames:maximumClassCount:)``
    /// with the default reading.
    public static func csv(contentsOf url: URL, target: String? = nil, task: PredictionTask? = nil,
                           classNames: [String]? = nil, maximumClassCount: Int = 20) throws -> Dataset {
        try csv(contentsOf: url, reading: TableReading(target: target), task: task, classNames: classNames,
                maximumClassCount: maximumClassCount)
    }

    /// A dataset from a table: one column is the target, all the others are features.
    ///
    /// The task is inferred from the target column unless `task` says otherwise:
    /// - if any target cell is not a number, the cells are class names: classification;
    /// - if every target is a whole number and there are at most `maximumClassCount` distinct
    ///   values, the values are classes: classification (e.g. digits 0–9, or 0/1);
    /// - otherwise the targets are numbers to predict: regression.
    ///
    /// Classification with two classes is ``PredictionTask/binary``. Class names
    /// are sorted as scikit-learn's `LabelEncoder` sorts them — numbers numerically, text by
    /// Unicode code points — and each label is the index of its name in ``classNames``.
    ///
    /// - Parameters:
    ///   - table: the parsed CSV file, header row first.
    ///   - target: the target column's name; by default the last column.
    ///   - task: reads the target as this task instead of the inferred one: numbers for
    ///     ``PredictionTask/regression``, classes otherwise (``PredictionTask/binary`` when there
    ///     are two, whichever of the two class tasks is asked for).
    ///   - classNames: the classes of a model trained earlier (its saved mapping): labels are
    ///     indices into these names, and a class not among them is an error. For evaluating or
    ///     predicting on new data, where some classes may be missing.
    ///   - maximumClassCount: the most distinct whole numbers that are still read as classes.
    /// - Throws: ``DataError``: `.emptyFile` when there are no data rows or no feature columns,
    ///   `.unknownColumn` listing the columns, `.nonNumericCell` with line, column and text.
    public init(table: CSVTable, target: String? = nil, task: PredictionTask? = nil,
                classNames: [String]? = nil, maximumClassCount: Int = 20) throws {
        guard !table.rows.isEmpty else {
            throw DataError(.emptyFile, file: table.file, line: 2, "the CSV file has a header but no data rows")
        }
        guard table.columnNames.count >= 2 else {
            throw DataError(.emptyFile, file: table.file, line: 1,
                            "expected at least two columns (features and a target), found \(table.columnNames.count)")
        }
        let targetColumn = try target.map { try table.columnIndex(named: $0) } ?? table.columnNames.count - 1
        let featureColumns = table.columnNames.indices.filter { $0 != targetColumn }
        let features = try table.numbers(inColumns: featureColumns)
        let featureNames = featureColumns.map { table.columnNames[$0] }

        let cells = table.rows.map { $0[targetColumn] }
        let numbers = cells.map(CSVTable.number)
        let allNumeric = numbers.allSatisfy { $0 != nil }
        if task == nil, classNames == nil, !allNumeric {
            try Self.checkNoStrayNonFiniteNumber(cells, numbers: numbers, table: table, column: targetColumn)
        }
        let readsClasses: Bool
        if let task {
            readsClasses = task.isClassification
        } else if classNames != nil || !allNumeric {
            readsClasses = true
        } else {
            let values = numbers.map { $0! }
            let isWhole = values.allSatisfy { $0 == $0.rounded() }
            readsClasses = isWhole && Set(values).count <= maximumClassCount
        }

        if !readsClasses {
            let values = try table.rows.indices.map { try table.float32(row: $0, column: targetColumn) }
            self.init(features: features, labels: Tensor(shape: [values.count, 1], scalars: values),
                      task: .regression, featureNames: featureNames)
        } else {
            // Numeric classes are named as they are written when whole ("3", not "3.0").
            let names = allNumeric ? cells.map { Self.className(CSVTable.number($0)!) } : cells
            let classes = classNames ?? (allNumeric
                ? Set(numbers.map { $0! }).sorted().map(Self.className)
                : Set(names).sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) })
            let indexOfClass = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, Int32($0)) })
            var labels: [Int32] = []
            labels.reserveCapacity(names.count)
            for (row, name) in names.enumerated() {
                guard let index = indexOfClass[name] else {
                    throw DataError(.invalidArgument, file: table.file, line: table.rowLines[row],
                                    "column '\(table.columnNames[targetColumn])': class '\(name)' is not one of the model's classes \(classes)")
                }
                labels.append(index)
            }
            self.init(features: features, labels: Tensor(labels), task: .classifying(classCount: classes.count),
                      featureNames: featureNames, classNames: classes)
        }
    }

    /// Refuses a target column of numbers with a NaN or an infinity among them: read as class
    /// names, it would silently turn a regression into a classification with a class per value.
    /// A column whose other cells are text (class names) is left alone.
    ///
    /// - Throws: ``DataError`` (`.nonNumericCell`) naming the line, the column and the cell.
    private static func checkNoStrayNonFiniteNumber(_ cells: [String], numbers: [Double?], table: CSVTable, column: Int) throws {
        // Cells that are not finite numbers: every one must parse as a Double (nan, inf) for the
        // column to be numbers with a bad value rather than class names.
        let others = cells.indices.filter { numbers[$0] == nil }
        guard others.count < cells.count,
              others.allSatisfy({ Double(cells[$0].trimmingCharacters(in: .whitespaces)) != nil }),
              let row = others.first else { return }
        throw DataError(.nonNumericCell, file: table.file, line: table.rowLines[row],
                        "column '\(table.columnNames[column])' (the target) holds numbers, but this cell is '\(cells[row])'; "
                            + "expected a finite number")
    }

    /// "3" for 3.0, "2.5" for 2.5.
    private static func className(_ value: Double) -> String {
        value == value.rounded() && Swift.abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
