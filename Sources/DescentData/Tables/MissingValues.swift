import DescentCore

extension TableEncoding {
    /// The encoding with each column's ``Column/fill`` learned from `features` — the training
    /// rows' features as `features(of:unknownCategory:line:)` gives them, NaN where a cell is
    /// missing — by ``missing``: the mean or the median of a numeric column (pandas' `median`:
    /// the mean of the two middle values for an even count), or the most frequent value
    /// (the smallest of equally frequent numbers, the first of equally frequent categories).
    /// Categorical columns get their most frequent category whatever the policy. A column with
    /// no value at all in the training rows is filled with 0 (or its first category).
    ///
    /// Unchanged when ``missing`` does not fill.
    public func fittingFills(to features: Tensor) -> TableEncoding {
        guard missing.fills else { return self }
        let rows = features.shape.first ?? 0, width = featureCount
        let values = features.scalars(as: Float.self)
        var result = self
        for (index, column) in columns.enumerated() {
            let offset = featureOffsets[index]
            if let categories = column.categories {
                guard !categories.isEmpty else { continue }
                var counts = [Int](repeating: 0, count: categories.count)
                for row in 0..<rows {
                    let first = values[row * width + offset]
                    guard !first.isNaN else { continue }
                    if categories.count == 2 {
                        counts[first == 1 ? 1 : 0] += 1
                    } else if let hot = (0..<categories.count).first(where: { values[row * width + offset + $0] == 1 }) {
                        counts[hot] += 1
                    }
                }
                let most = counts.indices.max { counts[$0] < counts[$1] || (counts[$0] == counts[$1] && $0 > $1) } ?? 0
                result.columns[index].fill = .category(categories[most])
            } else {
                let present = (0..<rows).map { values[$0 * width + offset] }.filter { !$0.isNaN }
                result.columns[index].fill = .number(Self.statistic(present, missing))
            }
        }
        return result
    }

    /// The mean, median or most frequent of `values` (0 when there are none).
    private static func statistic(_ values: [Float], _ policy: MissingValuePolicy) -> Double {
        guard !values.isEmpty else { return 0 }
        switch policy {
        case .median:
            let sorted = values.sorted()
            let middle = sorted.count / 2
            return sorted.count % 2 == 1 ? Double(sorted[middle]) : (Double(sorted[middle - 1]) + Double(sorted[middle])) / 2
        case .mostFrequent:
            var counts: [Float: Int] = [:]
            for value in values { counts[value, default: 0] += 1 }
            return Double(counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }!.key)
        default:
            // Summed in Double: a float sum of a million values loses digits.
            return values.reduce(0.0) { $0 + Double($1) } / Double(values.count)
        }
    }

    /// The value of each feature that a missing cell gets: the column's fill, or its one-hot
    /// features; NaN where the column has no fill.
    var fillFeatures: [Float] {
        columns.flatMap { column -> [Float] in
            switch (column.fill, column.categories) {
            case (.number(let value)?, nil): return [Float(value)]
            case (.category(let name)?, let categories?):
                let index = categories.firstIndex(of: name) ?? 0
                if categories.count == 2 { return [Float(index)] }
                return categories.indices.map { $0 == index ? 1 : 0 }
            default: return Array(repeating: .nan, count: column.featureCount)
            }
        }
    }

    /// `features` with every missing feature (NaN) replaced by its column's fill.
    ///
    /// - Throws: ``DataError`` (`.invalidArgument`) naming the row and column of a missing cell
    ///   whose column has no fill (a model trained without filling missing values).
    public func fillingMissingValues(in features: Tensor, file: String? = nil, line: (Int) -> Int? = { _ in nil }) throws -> Tensor {
        let fills = fillFeatures, width = featureCount, rows = features.shape.first ?? 0
        var result = features
        var unfilled: Int?
        result.withUnsafeMutableBufferPointer(as: Float.self) { values in
            for row in 0..<rows {
                for feature in 0..<width where values[row * width + feature].isNaN {
                    if fills[feature].isNaN {
                        unfilled = unfilled ?? row * width + feature
                    } else {
                        values[row * width + feature] = fills[feature]
                    }
                }
            }
        }
        if let unfilled {
            throw missingValueError(row: unfilled / width, feature: unfilled % width, file: file, line: line,
                                    advice: "the model was trained with --missing \(missing.rawValue), so it has no values to fill in")
        }
        return result
    }

    /// The row and feature of the first missing feature, in row order.
    func firstMissing(in features: Tensor) -> (row: Int, feature: Int)? {
        let width = featureCount
        guard width > 0 else { return nil }
        return features.withUnsafeBufferPointer(as: Float.self) { values in
            values.firstIndex { $0.isNaN }.map { ($0 / width, $0 % width) }
        }
    }

    /// The column whose features include `feature`.
    func column(ofFeature feature: Int) -> Column {
        let offsets = featureOffsets
        let index = offsets.lastIndex { $0 <= feature } ?? 0
        return columns[index]
    }

    /// "row R, column 'c': missing value …", with the row's line.
    func missingValueError(row: Int, feature: Int, file: String?, line: (Int) -> Int?, advice: String) -> DataError {
        DataError(.invalidArgument, file: file, line: line(row),
                  "row \(row + 1), column '\(column(ofFeature: feature).name)': a missing value (an empty cell, NA, NaN or ?); \(advice)")
    }

    /// The advice given with a missing value when training does not fill them.
    static let missingValueAdvice = "choose what to do with missing values: --missing mean, median, most-frequent or drop-rows"
}
