import DescentCore
import Foundation

extension Dataset {
    /// A dataset from a CSV file with a header row, for training: one column is the target and
    /// the others are features, as `reading` says.
    ///
    /// A column of numbers is one feature. A column with text in it (`yes`/`no`, or numbers and
    /// a few words: `4`, `6`, `rotary`), or one named in ``TableReading/categorical``, is
    /// categorical: one-hot features, one per category, or one 0/1 feature for two categories
    /// (see ``TableEncoding``), with the categories of all the file's rows. The encoding is kept
    /// as ``tableEncoding``.
    ///
    /// Missing cells (empty, `NA`, `NaN`, `?`) follow ``TableReading/missing``: an error,
    /// dropped rows, or — for the filling policies — NaN features that
    /// ``TableEncoding/fittingFills(to:)`` and ``TableEncoding/fillingMissingValues(in:file:line:)``
    /// fill after the data are split, with the training rows' statistics.
    ///
    /// The target is read as ``init(table:target:task:classNames:maximumClassCount:)`` reads
    /// it: classes for text or few whole numbers, numbers otherwise, unless `task` says.
    ///
    /// Numbers are parsed exactly as C's `strtof` parses them, on several cores for a large file,
    /// into one float32 tensor of the features (a file of numbers needs no other copy).
    ///
    /// - Throws: ``DataError``: `.fileNotFound`, `.emptyFile` (no data rows, no features),
    ///   `.corrupt` and `.raggedRow` (malformed CSV), `.unknownColumn` (a named column that is
    ///   not in the file), `.nonNumericCell` (text in a numeric target, a number too large for
    ///   a float32), `.invalidArgument` (a missing value, a text column with too many values) —
    ///   each with the file, and the line where there is one.
    public static func csv(contentsOf url: URL, reading: TableReading, task: PredictionTask? = nil,
                           classNames: [String]? = nil, maximumClassCount: Int = 20) throws -> Dataset {
        try TableLoader(source: FileBytes(path: url.path), reading: reading)
            .training(task: task, classNames: classNames, maximumClassCount: maximumClassCount)
    }

    /// ``csv(contentsOf:reading:task:classNames:maximumClassCount:)`` for CSV text in memory.
    public static func csv(parsing text: String, file: String? = nil, reading: TableReading = TableReading(),
                           task: PredictionTask? = nil, classNames: [String]? = nil, maximumClassCount: Int = 20) throws -> Dataset {
        try TableLoader(source: MemoryBytes(bytes: Array(text.utf8), path: file), reading: reading)
            .training(task: task, classNames: classNames, maximumClassCount: maximumClassCount)
    }

    /// A dataset from a CSV file read with the encoding of a model's training file: columns
    /// matched by name (in any order; others ignored), categories encoded as in training,
    /// missing cells filled with the saved values — or, for a model trained without filling,
    /// rows dropped (`drop-rows`) or an error. For evaluation and validation files.
    ///
    /// - Parameters:
    ///   - url: the CSV file.
    ///   - encoding: the training file's encoding, saved with the model.
    ///   - task: reads the target as this task instead of the inferred one.
    ///   - maximumClassCount: the most distinct whole numbers that are still read as classes.
    ///   - reading: its ``TableReading/target`` and ``TableReading/unknownCategory`` are used.
    ///   - classNames: the model's classes.
    /// - Throws: what ``csv(contentsOf:reading:task:classNames:maximumClassCount:)`` throws, and
    ///   ``DataError`` (`.unknownColumn`) for a column of the encoding the file lacks,
    ///   (`.invalidArgument`) for a category the encoding does not have.
    public static func csv(contentsOf url: URL, encoding: TableEncoding, reading: TableReading,
                           task: PredictionTask? = nil, classNames: [String]? = nil, maximumClassCount: Int = 20) throws -> Dataset {
        try TableLoader(source: FileBytes(path: url.path), reading: reading)
            .reading(with: encoding, task: task, classNames: classNames, maximumClassCount: maximumClassCount)
    }

    /// ``csv(contentsOf:encoding:reading:task:classNames:maximumClassCount:)`` for CSV text in memory.
    public static func csv(parsing text: String, file: String? = nil, encoding: TableEncoding, reading: TableReading = TableReading(),
                           task: PredictionTask? = nil, classNames: [String]? = nil, maximumClassCount: Int = 20) throws -> Dataset {
        try TableLoader(source: MemoryBytes(bytes: Array(text.utf8), path: file), reading: reading)
            .reading(with: encoding, task: task, classNames: classNames, maximumClassCount: maximumClassCount)
    }
}

extension TableEncoding {
    /// The features of the CSV file at `url`, for prediction: one row per data row, whatever
    /// other columns (the target) the file has, in any order. A missing cell is filled with the
    /// saved value, or is an error when the model has none — never a dropped row.
    ///
    /// - Parameters:
    ///   - url: the CSV file.
    ///   - unknownCategory: what to do with a category the encoding does not have.
    /// - Throws: ``DataError`` naming the file, row, line, column and value of what does not fit.
    public func features(contentsOf url: URL, unknownCategory: UnknownCategoryPolicy = .error) throws -> Tensor {
        var reading = TableReading()
        reading.unknownCategory = unknownCategory
        return try TableLoader(source: FileBytes(path: url.path), reading: reading).predictionFeatures(with: self)
    }

    /// ``features(contentsOf:unknownCategory:)`` for CSV text in memory.
    public func features(parsing text: String, file: String? = nil, unknownCategory: UnknownCategoryPolicy = .error) throws -> Tensor {
        var reading = TableReading()
        reading.unknownCategory = unknownCategory
        return try TableLoader(source: MemoryBytes(bytes: Array(text.utf8), path: file), reading: reading)
            .predictionFeatures(with: self)
    }
}
