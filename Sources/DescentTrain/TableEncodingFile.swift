import DescentData
import DescentNN

/// How a ``TableEncoding`` and a ``TargetStandardizer`` are written in `model.json`: the
/// encoding as the `table` preprocessing step, the target scaling in the metadata.
///
/// ```json
/// {"type": "table", "missing": "median",
///  "columns": [{"name": "lotsize", "fill": 4600},
///              {"name": "driveway", "categories": ["no", "yes"], "fill": "yes"}]}
/// ```
extension TableEncoding {
    /// The `table` preprocessing step.
    var json: JSONValue {
        let columns = self.columns.map { column -> JSONValue in
            var fields: [(key: String, value: JSONValue)] = [("name", .string(column.name))]
            if let categories = column.categories { fields.append(("categories", .array(categories.map(JSONValue.string)))) }
            switch column.fill {
            case .number(let value)?: fields.append(("fill", .number(value)))
            case .category(let name)?: fields.append(("fill", .string(name)))
            case nil: break
            }
            return .object(fields)
        }
        return .object([("type", "table"), ("missing", .string(missing.rawValue)), ("columns", .array(columns))])
    }

    /// The encoding of a `table` step, every value checked.
    ///
    /// - Throws: ``ModelFileError/invalidValue(path:location:expected:found:)`` naming `path`,
    ///   the place in the file and the value that is not what it should be.
    init(json: JSONValue, path: String, location: String) throws {
        func invalid(_ key: String, _ expected: String, _ found: JSONValue?) -> ModelFileError {
            .invalidValue(path: path, location: "\(location).\(key)", expected: expected, found: found?.summary ?? "nothing")
        }
        var missing = MissingValuePolicy.error
        if let value = json["missing"] {
            guard case let .string(name) = value, let policy = MissingValuePolicy(rawValue: name) else {
                throw invalid("missing", "one of " + MissingValuePolicy.names.joined(separator: ", "), value)
            }
            missing = policy
        }
        guard case let .array(entries)? = json["columns"] else { throw invalid("columns", "an array of columns", json["columns"]) }
        var seen = Set<String>()
        let columns = try entries.enumerated().map { index, entry -> Column in
            let key = "columns[\(index)]"
            guard case let .string(name)? = entry["name"], seen.insert(name).inserted else {
                throw invalid("\(key).name", "a column name used once", entry["name"])
            }
            var categories: [String]?
            if let value = entry["categories"] {
                guard case let .array(names) = value else { throw invalid("\(key).categories", "an array of strings", value) }
                categories = try names.map { name in
                    guard case let .string(text) = name else { throw invalid("\(key).categories", "an array of strings", name) }
                    return text
                }
                guard Set(categories!).count == categories!.count else {
                    throw invalid("\(key).categories", "categories each named once", value)
                }
            }
            var fill: Fill?
            switch (entry["fill"], categories) {
            case (nil, _): break
            case let (.string(name)?, categories?) where categories.contains(name): fill = .category(name)
            case let (.integer(value)?, nil): fill = .number(Double(value))
            case let (.number(value)?, nil) where value.isFinite: fill = .number(value)
            case let (value?, categories):
                throw invalid("\(key).fill", categories == nil ? "a finite number" : "one of the column's categories", value)
            }
            return Column(name: name, categories: categories, fill: fill)
        }
        self.init(columns: columns, missing: missing)
    }
}

extension TargetStandardizer {
    /// `{"mean": [m], "std": [s]}` in the metadata's `target_scaling`.
    var json: JSONValue {
        .object([("mean", .array(mean.map(JSONValue.number))), ("std", .array(scale.map(JSONValue.number)))])
    }

    /// The scaling in `json`, checked: as many finite means as positive standard deviations.
    init(json: JSONValue, path: String) throws {
        func numbers(_ key: String, positive: Bool) throws -> [Double] {
            let expected = "an array of \(positive ? "positive" : "finite") numbers"
            guard case let .array(values)? = json[key], !values.isEmpty else {
                throw ModelFileError.invalidValue(path: path, location: "metadata.target_scaling.\(key)", expected: expected,
                                                  found: json[key]?.summary ?? "nothing")
            }
            return try values.map { value in
                let number: Double? = switch value {
                case let .integer(integer): Double(integer)
                case let .number(number): number
                default: nil
                }
                guard let number, number.isFinite, !positive || number > 0 else {
                    throw ModelFileError.invalidValue(path: path, location: "metadata.target_scaling.\(key)", expected: expected,
                                                      found: value.summary)
                }
                return number
            }
        }
        let mean = try numbers("mean", positive: false), scale = try numbers("std", positive: true)
        guard mean.count == scale.count else {
            throw ModelFileError.invalidValue(path: path, location: "metadata.target_scaling", expected: "as many means as stds",
                                              found: "\(mean.count) means and \(scale.count) stds")
        }
        self.init(mean: mean, scale: scale)
    }
}
