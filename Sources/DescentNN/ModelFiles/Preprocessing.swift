/// What is done to inputs before the first layer, stored in `model.json`'s `preprocessing` so
/// that new data is treated exactly as the training data was.
///
/// ```json
/// "preprocessing": [{"type": "standardize", "mean": [5.8, 3.1], "std": [0.8, 0.4]}]
/// ```
public enum Preprocessing: Sendable, Equatable {
    /// x ← (x − mean) / std, feature by feature (the features of one example, flattened).
    case standardize(mean: [Double], standardDeviation: [Double])

    /// The step as `model.json` writes it.
    public var json: JSONValue {
        switch self {
        case let .standardize(mean, standardDeviation):
            ["type": "standardize", "mean": .array(mean.map(JSONValue.number)),
             "std": .array(standardDeviation.map(JSONValue.number))]
        }
    }

    /// The step at `location` of `file`, every value checked; `featureCount` is the number of
    /// values in one input example, when known.
    init(json: JSONValue, featureCount: Int?, file: String, location: String) throws {
        let entry = try LayerConfiguration(json: json, file: file, location: location)
        switch entry.type {
        case "standardize":
            try entry.requireOnly(["mean", "std"])
            let mean = try Self.numbers(entry, "mean", featureCount: featureCount, positive: false)
            let deviation = try Self.numbers(entry, "std", featureCount: featureCount ?? mean.count, positive: true)
            self = .standardize(mean: mean, standardDeviation: deviation)
        default:
            throw entry.invalid("type", expected: "a preprocessing step: standardize", found: "\"\(entry.type)\"")
        }
    }

    /// The array of finite numbers at `key`, one per feature (positive ones for divisors).
    private static func numbers(_ entry: LayerConfiguration, _ key: String, featureCount: Int?, positive: Bool) throws -> [Double] {
        let count = featureCount.map { "\($0) " } ?? ""
        let expected = "an array of \(count)\(positive ? "positive " : "")numbers, one per input feature"
        guard case let .array(values)? = entry[key] else {
            throw entry.invalid(key, expected: expected, found: entry[key]?.summary ?? "nothing")
        }
        if let featureCount, values.count != featureCount {
            throw entry.invalid(key, expected: expected, found: "\(values.count) numbers")
        }
        return try values.enumerated().map { index, value in
            let number: Double? = switch value {
            case let .integer(integer): Double(integer)
            case let .number(number): number
            default: nil
            }
            guard let number, number.isFinite, !positive || number > 0 else {
                throw entry.invalid("\(key)[\(index)]", expected: positive ? "a positive number" : "a finite number",
                                    found: value.summary)
            }
            return number
        }
    }
}
