/// How a CSV file's columns are read into a dataset: which column is the target, which are
/// left out or forced to be categories, and what to do with missing values.
///
/// Every setting has the command line's default, so a caller sets only what differs:
///
/// ```swift
/// var reading = TableReading(target: "price")
/// reading.missing = .median
/// let houses = try Dataset.csv(contentsOf: url, reading: reading)
/// ```
public struct TableReading: Sendable {
    /// The column to predict; nil for the last.
    public var target: String?
    /// Columns read as categories even when they hold numbers (a zip code).
    public var categorical: [String] = []
    /// Columns left out.
    public var ignored: [String] = []
    /// What to do with empty, `NA`, `NaN` and `?` cells.
    public var missing: MissingValuePolicy = .error
    /// What to do with a category the vocabulary does not have (when reading new data with a
    /// saved ``TableEncoding``).
    public var unknownCategory: UnknownCategoryPolicy = .error
    /// The most distinct values a text column may have to become categories without being
    /// named in ``categorical``: more is most likely an identifier or a name, which one-hot
    /// features cannot generalize from.
    public var maximumCategoryCount = 50
    /// Called with the fraction of the rows read so far, from any thread, as a large file is read.
    public var progress: (@Sendable (Double) -> Void)?

    /// Reading with `target` as the target column and every other setting at its default.
    public init(target: String? = nil) {
        self.target = target
    }
}

/// What to do with a missing cell: empty, `NA`, `NaN` (any case) or `?`.
public enum MissingValuePolicy: String, CaseIterable, Sendable, Codable {
    /// Stop with an error naming the row and the column.
    case error
    /// Fill numeric columns with their mean over the training rows (categorical columns with
    /// their most frequent category).
    case mean
    /// Fill numeric columns with their median over the training rows (categorical columns with
    /// their most frequent category).
    case median
    /// Fill every column with its most frequent value over the training rows.
    case mostFrequent = "most-frequent"
    /// Leave out the rows that have a missing cell (for training and evaluation; a prediction
    /// owes an output for every row, so it refuses them).
    case dropRows = "drop-rows"

    /// The raw values, in a fixed order (for help texts and error messages).
    public static var names: [String] { allCases.map(\.rawValue) }

    /// Whether missing cells are filled in with values learned from the training rows.
    public var fills: Bool { self == .mean || self == .median || self == .mostFrequent }
}

/// What to do with a category a model's vocabulary does not have.
public enum UnknownCategoryPolicy: String, CaseIterable, Sendable {
    /// Stop with an error naming the row, the column and the value.
    case error
    /// Encode it as no category: all of the column's one-hot features 0.
    case ignore

    /// The raw values, in a fixed order.
    public static var names: [String] { allCases.map(\.rawValue) }
}
