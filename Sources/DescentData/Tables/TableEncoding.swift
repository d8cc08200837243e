import DescentCore

/// How the columns of a CSV file become a model's input features, learned from the training
/// file and saved with the model (`model.json`'s `preprocessing`), so that `evaluate` and
/// `predict` turn new files into the same features — matching columns by name, in any order.
///
/// A numeric column is one feature. A categorical column (text, or named as categorical) is one
/// feature per category, 1 for the row's category and 0 for the others (one-hot); a column with
/// exactly two categories is one 0/1 feature, 1 for the second. Categories are sorted: numbers
/// by value first, then text by Unicode code points.
public struct TableEncoding: Sendable, Equatable {
    /// One column of the file and what it becomes.
    public struct Column: Sendable, Equatable {
        /// The column's name in the header.
        public var name: String
        /// The categories of a categorical column, in feature order; nil for a numeric column.
        public var categories: [String]?
        /// The value a missing cell is filled with, learned from the training rows; nil when
        /// missing cells are not filled.
        public var fill: Fill?

        /// A column called `name`: numeric without `categories`, categorical with them.
        public init(name: String, categories: [String]? = nil, fill: Fill? = nil) {
            self.name = name
            self.categories = categories
            self.fill = fill
        }

        /// The number of features the column becomes.
        public var featureCount: Int {
            guard let categories else { return 1 }
            return categories.count == 2 ? 1 : categories.count
        }

        /// The names of its features: the column's name, `name=category` for each one-hot
        /// feature, or `name=second` for a two-category column.
        public var featureNames: [String] {
            guard let categories else { return [name] }
            return categories.count == 2 ? ["\(name)=\(categories[1])"] : categories.map { "\(name)=\($0)" }
        }
    }

    /// A value that takes a missing cell's place.
    public enum Fill: Sendable, Equatable {
        /// For a numeric column.
        case number(Double)
        /// For a categorical column: one of its categories.
        case category(String)
    }

    /// The columns that become features, in feature order (the training file's order).
    public var columns: [Column]
    /// What was done with missing cells in training.
    public var missing: MissingValuePolicy
    /// The training file's target column, when the encoding was inferred from one (kept in
    /// the model's metadata, not in this step).
    public var target: String?

    /// An encoding of `columns`, in feature order, trained with `missing`.
    public init(columns: [Column], missing: MissingValuePolicy = .error) {
        self.columns = columns
        self.missing = missing
    }

    /// The number of features.
    public var featureCount: Int { columns.reduce(0) { $0 + $1.featureCount } }

    /// The names of the features, in order.
    public var featureNames: [String] { columns.flatMap(\.featureNames) }

    /// Whether every column is numeric (the features are the columns' numbers as they are).
    public var isAllNumeric: Bool { columns.allSatisfy { $0.categories == nil } }

    /// The index of the first feature of each column.
    var featureOffsets: [Int] {
        var offsets: [Int] = [], next = 0
        for column in columns {
            offsets.append(next)
            next += column.featureCount
        }
        return offsets
    }

    /// Sorts categories: those that are numbers by value, then the others by code points.
    static func sorted(_ categories: Set<String>) -> [String] {
        let numbers = categories.compactMap { text -> (Float, String)? in
            guard case .number(let value) = CellValue.read(text) else { return nil }
            return (value, text)
        }.sorted { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1.unicodeScalars.lexicographicallyPrecedes($1.1.unicodeScalars)) }
        let numeric = Set(numbers.map(\.1))
        let words = categories.subtracting(numeric).sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
        return numbers.map(\.1) + words
    }

    /// The features of `cells` (read with this encoding's categorical columns as text): float32
    /// `[rows, featureCount]` with NaN in every feature of a missing cell.
    ///
    /// - Parameters:
    ///   - unknownCategory: what to do with a category the column does not have.
    ///   - line: the file's line of a 0-based data row, for messages.
    /// - Throws: ``DataError`` (`.unknownColumn`) naming a column the cells lack, and
    ///   (`.invalidArgument`) naming the row, line, column and value of an unknown category.
    func features(of cells: TableCells, unknownCategory: UnknownCategoryPolicy, line: (Int) -> Int?) throws -> Tensor {
        var slotOfName: [String: Int] = [:]
        for (slot, column) in cells.featureColumns.enumerated() { slotOfName[cells.columnNames[column]] = slot }
        let slots = try columns.map { column -> Int in
            guard let slot = slotOfName[column.name] else {
                throw DataError(.unknownColumn, file: cells.file,
                                "expected a column named '\(column.name)' (the model was trained with it), but the columns are: "
                                    + cells.columnNames.map { "'\($0)'" }.joined(separator: ", "))
            }
            return slot
        }
        // A table of numbers in the training file's order is its features as read: no copy.
        if isAllNumeric && slots == Array(0..<cells.featureColumns.count) { return cells.features }

        let rows = cells.rowCount, width = featureCount, sourceWidth = cells.featureColumns.count
        var output = Tensor.zeros([rows, width])
        try output.withUnsafeMutableBufferPointer(as: Float.self) { out in
            try cells.features.withUnsafeBufferPointer(as: Float.self) { source in
                for (index, column) in columns.enumerated() {
                    let offset = featureOffsets[index], slot = slots[index]
                    guard let categories = column.categories else {
                        for row in 0..<rows { out[row * width + offset] = source[row * sourceWidth + slot] }
                        continue
                    }
                    // Every cell of a categorical column that is not missing is in its text cells.
                    for row in 0..<rows {
                        for feature in 0..<column.featureCount { out[row * width + offset + feature] = .nan }
                    }
                    let position = Dictionary(uniqueKeysWithValues: categories.enumerated().map { ($1, $0) })
                    let text = cells.texts[cells.featureColumns[slot]] ?? .init()
                    for (row, value) in zip(text.rows, text.texts) {
                        for feature in 0..<column.featureCount { out[row * width + offset + feature] = 0 }
                        guard let category = position[value] else {
                            if unknownCategory == .ignore { continue }
                            throw DataError(.invalidArgument, file: cells.file, line: line(row),
                                            "row \(row + 1), column '\(column.name)': '\(value)' is not one of the categories "
                                                + "learned in training (\(Self.list(categories))); "
                                                + "--unknown-category ignore encodes it as all zeros")
                        }
                        if categories.count == 2 {
                            out[row * width + offset] = Float(category)
                        } else {
                            out[row * width + offset + category] = 1
                        }
                    }
                }
            }
        }
        return output
    }

    /// Up to ten categories, for messages.
    static func list(_ categories: [String]) -> String {
        let shown = categories.prefix(10).map { "'\($0)'" }.joined(separator: ", ")
        return categories.count > 10 ? shown + " and \(categories.count - 10) more" : shown
    }
}
