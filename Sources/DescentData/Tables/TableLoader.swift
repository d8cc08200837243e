import DescentCore
import Foundation

/// Turns a CSV file into a dataset: reads its cells, decides what each column is (or takes a
/// saved ``TableEncoding``), encodes the features, reads the target, and applies the
/// missing-value policy.
struct TableLoader {
    let source: any ByteSource
    let reading: TableReading

    /// The cells, read with `textColumns` as text; a column that turns out to hold numbers and
    /// words (`4`, `6`, `rotary`) is read again as text, so that its categories are spelled as
    /// in the file.
    private func cells(target: CSVCellReader.TargetColumn, textColumns: Set<String>,
                       onlyFeatures: Set<String>? = nil) throws -> TableCells {
        var reader = CSVCellReader(source: source)
        reader.ignored = Set(reading.ignored)
        reader.onlyFeatures = onlyFeatures
        reader.target = target
        reader.textColumns = textColumns
        reader.progress = reading.progress
        let cells = try reader.read()
        let mixed = cells.texts.keys.filter { cells.numberCounts[$0] > 0 && !cells.textColumns.contains($0) }
        guard !mixed.isEmpty else { return cells }
        reader.textColumns.formUnion(mixed.map { cells.columnNames[$0] })
        reader.progress = nil
        return try reader.read()
    }

    /// The target column `reading` asks for.
    private var targetColumn: CSVCellReader.TargetColumn { reading.target.map { .named($0) } ?? .last }

    private func line(_ cells: TableCells) -> (Int) -> Int? {
        let source = self.source
        return { row in cells.line(ofRow: row, in: source) }
    }

    /// A dataset from a training file: every column's kind and categories inferred from all of
    /// its rows (``TableEncoding``, kept as the dataset's ``Dataset/tableEncoding``).
    func training(task: PredictionTask?, classNames: [String]?, maximumClassCount: Int) throws -> Dataset {
        let cells = try self.cells(target: targetColumn, textColumns: Set(reading.categorical))
        try checkNames(in: cells)
        try checkShape(of: cells)
        var columns: [TableEncoding.Column] = []
        for column in cells.featureColumns {
            let name = cells.columnNames[column]
            guard cells.textColumns.contains(column) || cells.texts[column] != nil else {
                columns.append(.init(name: name))
                continue
            }
            let distinct = Set(cells.texts[column]?.texts ?? [])
            if distinct.count > reading.maximumCategoryCount && !reading.categorical.contains(name) {
                let examples = TableEncoding.list(TableEncoding.sorted(distinct).prefix(3).map { $0 })
                throw DataError(.invalidArgument, file: cells.file,
                                "column '\(name)' holds text with \(distinct.count) different values (\(examples) …), more than the "
                                    + "\(reading.maximumCategoryCount) a categorical column may have; leave it out with --ignore \(name), "
                                    + "or make it categorical anyway with --categorical \(name)")
            }
            columns.append(.init(name: name, categories: TableEncoding.sorted(distinct)))
        }
        var encoding = TableEncoding(columns: columns, missing: reading.missing)
        encoding.target = cells.targetColumn.map { cells.columnNames[$0] }
        let features = try encoding.features(of: cells, unknownCategory: .error, line: line(cells))
        return try dataset(encoding: encoding, features: features, cells: cells, task: task, classNames: classNames,
                           maximumClassCount: maximumClassCount, policy: reading.missing)
    }

    /// A dataset read with a saved encoding: columns matched by name, categories encoded as in
    /// training, missing cells filled with the saved values (or rows dropped, or an error, as
    /// the model was trained).
    func reading(with encoding: TableEncoding, task: PredictionTask?, classNames: [String]?,
                 maximumClassCount: Int) throws -> Dataset {
        let categorical = Set(encoding.columns.filter { $0.categories != nil }.map(\.name))
        let cells = try self.cells(target: targetColumn, textColumns: categorical,
                                   onlyFeatures: Set(encoding.columns.map(\.name)))
        guard cells.rowCount > 0 else {
            throw DataError(.emptyFile, file: cells.file, line: 2, "the CSV file has a header but no data rows")
        }
        let features = try encoding.features(of: cells, unknownCategory: reading.unknownCategory, line: line(cells))
        let policy: MissingValuePolicy = encoding.missing.fills ? .mostFrequent : encoding.missing
        var dataset = try self.dataset(encoding: encoding, features: features, cells: cells, task: task, classNames: classNames,
                                       maximumClassCount: maximumClassCount, policy: policy, advice: encoding.missing.fills ? nil
                                           : "the model was trained with --missing \(encoding.missing.rawValue), so it has no values to fill in")
        if encoding.missing.fills {
            dataset.features = try encoding.fillingMissingValues(in: dataset.features, file: cells.file, line: line(cells))
        }
        return dataset
    }

    /// The features of a file to predict on: one row per data row (a missing cell is filled
    /// with the saved value or is an error, never a dropped row).
    func predictionFeatures(with encoding: TableEncoding) throws -> Tensor {
        let categorical = Set(encoding.columns.filter { $0.categories != nil }.map(\.name))
        let cells = try self.cells(target: .none, textColumns: categorical, onlyFeatures: Set(encoding.columns.map(\.name)))
        guard cells.rowCount > 0 else {
            throw DataError(.emptyFile, file: cells.file, line: 2, "the CSV file has a header but no data rows")
        }
        let features = try encoding.features(of: cells, unknownCategory: reading.unknownCategory, line: line(cells))
        return try encoding.fillingMissingValues(in: features, file: cells.file, line: line(cells))
    }

    /// The names in the options that are not columns, and a target that is also left out or
    /// forced to be categorical.
    private func checkNames(in cells: TableCells) throws {
        for (option, names) in [("--categorical", reading.categorical), ("--ignore", reading.ignored)] {
            for name in names where !cells.columnNames.contains(name) {
                throw DataError(.unknownColumn, file: cells.file,
                                "\(option): no column named '\(name)'; the columns are: "
                                    + cells.columnNames.map { "'\($0)'" }.joined(separator: ", "))
            }
        }
        if let target = cells.targetColumn.map({ cells.columnNames[$0] }),
           reading.ignored.contains(target) || reading.categorical.contains(target) {
            throw DataError(.invalidArgument, file: cells.file,
                            "'\(target)' is the target column; it cannot be \(reading.ignored.contains(target) ? "ignored" : "a categorical feature")")
        }
    }

    private func checkShape(of cells: TableCells) throws {
        guard cells.rowCount > 0 else {
            throw DataError(.emptyFile, file: cells.file, line: 2, "the CSV file has a header but no data rows")
        }
        guard cells.columnNames.count >= 2 else {
            throw DataError(.emptyFile, file: cells.file, line: 1,
                            "expected at least two columns (features and a target), found \(cells.columnNames.count)")
        }
        guard !cells.featureColumns.isEmpty else {
            throw DataError(.emptyFile, file: cells.file, line: 1, "every column but the target is ignored: no features are left")
        }
    }

    /// The dataset of `features` and the cells' target, after `policy`: an error at the first
    /// missing cell, rows with one dropped, or (filling policies) missing features kept as NaN
    /// for the training split's statistics to fill; a missing target is an error unless rows
    /// are dropped.
    private func dataset(encoding: TableEncoding, features: Tensor, cells: TableCells, task: PredictionTask?,
                         classNames: [String]?, maximumClassCount: Int, policy: MissingValuePolicy,
                         advice: String? = nil) throws -> Dataset {
        var features = features
        var target = TableTarget(cells: cells)
        let line = line(cells)
        switch policy {
        case .dropRows:
            let width = encoding.featureCount
            let values = features.scalars(as: Float.self)
            let kept = (0..<cells.rowCount).filter { row in
                !target.isMissing(row) && !(0..<width).contains { values[row * width + $0].isNaN }
            }
            if kept.count < cells.rowCount {
                guard !kept.isEmpty else {
                    throw DataError(.emptyFile, file: cells.file, "every row has a missing value; --missing drop-rows leaves none")
                }
                features = features.gathering(atIndices: kept)
                target = target.rows(kept)
            }
        case .error:
            if let (row, feature) = encoding.firstMissing(in: features) {
                if let targetRow = target.firstMissing(), targetRow < row { throw target.missingError(row: targetRow, line: line) }
                throw encoding.missingValueError(row: row, feature: feature, file: cells.file, line: line,
                                                 advice: advice ?? TableEncoding.missingValueAdvice)
            }
        default: break
        }
        if let row = target.firstMissing() { throw target.missingError(row: row, line: line) }
        var dataset = try target.dataset(features: features, featureNames: encoding.featureNames, task: task,
                                         classNames: classNames, maximumClassCount: maximumClassCount, line: line)
        dataset.tableEncoding = encoding
        return dataset
    }
}
