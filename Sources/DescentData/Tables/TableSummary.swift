import Foundation

/// What Descent will do with a CSV file before it trains on it: each column's kind, its missing
/// cells, its categories, and the target's classes — what `descent inspect FILE.csv` shows.
public struct TableSummary: Sendable {
    /// What a column becomes.
    public enum Kind: String, Sendable {
        /// One feature, its numbers.
        case numeric
        /// One-hot features, one per category (one 0/1 feature for two).
        case categorical
        /// Left out (``TableReading/ignored``).
        case ignored
        /// What the model predicts.
        case target
    }

    /// One column.
    public struct Column: Sendable {
        /// The column's name in the header.
        public var name: String
        /// What it becomes.
        public var kind: Kind
        /// Empty, `NA`, `NaN` and `?` cells.
        public var missingCount: Int
        /// A categorical column's categories, in feature order.
        public var categories: [String]?
        /// The number of features it becomes.
        public var featureCount: Int
    }

    /// The file's columns, in its order.
    public var columns: [Column]
    /// The number of data rows.
    public var rowCount: Int
    /// The task the target is read as.
    public var task: PredictionTask
    /// The target's classes, for classification.
    public var classNames: [String]?
    /// The number of input features.
    public var featureCount: Int

    /// Reads the file at `url` as training would with `reading` (whatever its missing-value
    /// policy, missing cells are counted, not refused).
    ///
    /// - Throws: what ``Dataset/csv(contentsOf:reading:task:classNames:maximumClassCount:)``
    ///   throws for a file it cannot read.
    public init(contentsOf url: URL, reading: TableReading, task: PredictionTask? = nil) throws {
        try self.init(source: FileBytes(path: url.path), reading: reading, task: task)
    }

    /// ``init(contentsOf:reading:task:)`` for CSV text in memory.
    public init(parsing text: String, reading: TableReading = TableReading(), task: PredictionTask? = nil) throws {
        try self.init(source: MemoryBytes(bytes: Array(text.utf8), path: nil), reading: reading, task: task)
    }

    init(source: any ByteSource, reading: TableReading, task: PredictionTask?) throws {
        var counting = reading
        counting.missing = .mostFrequent  // counted here, not refused
        let data = try TableLoader(source: source, reading: counting).training(task: task, classNames: nil, maximumClassCount: 20)
        let encoding = data.tableEncoding ?? TableEncoding(columns: [])
        var reader = CSVCellReader(source: source)
        reader.target = reading.target.map { .named($0) } ?? .last
        reader.textColumns = Set(encoding.columns.filter { $0.categories != nil }.map(\.name))
        let cells = try reader.read()
        let byName = Dictionary(encoding.columns.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        columns = cells.columnNames.enumerated().map { index, name in
            let missing = cells.missingCounts[index]
            if index == cells.targetColumn {
                return Column(name: name, kind: .target, missingCount: missing, categories: nil, featureCount: 0)
            }
            guard let column = byName[name] else {
                return Column(name: name, kind: .ignored, missingCount: missing, categories: nil, featureCount: 0)
            }
            return Column(name: name, kind: column.categories == nil ? .numeric : .categorical, missingCount: missing,
                          categories: column.categories, featureCount: column.featureCount)
        }
        rowCount = cells.rowCount
        self.task = data.task
        classNames = data.classNames
        featureCount = encoding.featureCount
    }

    /// A table for people: one line per column, then the target's task and classes.
    public var text: String {
        let width = max(6, columns.map(\.name.count).max() ?? 0)
        func padded(_ text: String, _ count: Int) -> String { text + String(repeating: " ", count: max(0, count - text.count)) }
        var lines = ["\(rowCount) rows, \(columns.count) columns → \(featureCount) input features",
                     padded("column", width) + "  " + padded("kind", 11) + "  missing  features  categories"]
        for column in columns {
            let categories = column.categories.map { TableEncoding.list($0) } ?? ""
            let line = padded(column.name, width) + "  " + padded(column.kind.rawValue, 11) + "  "
                + padded(String(column.missingCount), 7) + "  " + padded(String(column.featureCount), 8) + "  " + categories
            lines.append(String(line.reversed().drop { $0 == " " }.reversed()))
        }
        let classes = classNames.map { ": \($0.count) classes, " + TableEncoding.list($0) } ?? ""
        lines.append("target '\(columns.first { $0.kind == .target }?.name ?? "")': \(task)\(classes)")
        return lines.joined(separator: "\n") + "\n"
    }
}
