/// What is done to inputs before the first layer, stored in `model.json`'s `preprocessing` so
/// that new data is treated exactly as the training data was.
///
/// ```json
/// "preprocessing": [{"type": "standardize", "mean": [5.8, 3.1], "std": [0.8, 0.4]}]
/// "preprocessing": [{"type": "image", "size": [25, 25], "channels": 1, "mean": [0.5], "std": [0.25]}]
/// ```
public enum Preprocessing: Sendable, Equatable {
    /// x ← (x − mean) / std, feature by feature (the features of one example, flattened).
    case standardize(mean: [Double], standardDeviation: [Double])
    /// Images: each is converted to `channels` channels (gray repeated, or colour made gray),
    /// resized to `height × width` (bilinear, not antialiased) when its size differs, scaled from
    /// 0…255 to [0, 1], then x ← (x − mean) / std per channel.
    case image(height: Int, width: Int, channels: Int, mean: [Double], standardDeviation: [Double])
    /// A CSV file's columns made into features, matched by name: numbers as they are,
    /// categories one-hot, missing cells filled. The JSON object as it is in the file (its
    /// `columns` checked here; DescentTrain's `TableEncoding` reads the rest).
    case table(JSONValue)

    /// The step as `model.json` writes it.
    public var json: JSONValue {
        switch self {
        case let .standardize(mean, standardDeviation):
            ["type": "standardize", "mean": .array(mean.map(JSONValue.number)),
             "std": .array(standardDeviation.map(JSONValue.number))]
        case let .image(height, width, channels, mean, standardDeviation):
            ["type": "image", "size": [.integer(Int64(height)), .integer(Int64(width))], "channels": .integer(Int64(channels)),
             "mean": .array(mean.map(JSONValue.number)), "std": .array(standardDeviation.map(JSONValue.number))]
        case let .table(json):
            json
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
        case "image":
            try entry.requireOnly(["size", "channels", "mean", "std"])
            guard case let .array(size)? = entry["size"], size.count == 2,
                  case let .integer(rows) = size[0], case let .integer(columns) = size[1],
                  (1...65_536).contains(rows), (1...65_536).contains(columns) else {
                throw entry.invalid("size", expected: "[height, width], two integers from 1 to 65536",
                                    found: entry["size"]?.summary ?? "nothing")
            }
            guard case let .integer(channelCount)? = entry["channels"], channelCount == 1 || channelCount == 3 else {
                throw entry.invalid("channels", expected: "1 or 3", found: entry["channels"]?.summary ?? "nothing")
            }
            let (height, width, channels) = (Int(rows), Int(columns), Int(channelCount))
            if let featureCount, featureCount != height * width * channels {
                throw entry.invalid("size", expected: "a size whose \(channels)×H×W is the model's \(featureCount) inputs",
                                    found: "[\(height), \(width)]")
            }
            let mean = try Self.numbers(entry, "mean", featureCount: channels, positive: false, per: "channel")
            let deviation = try Self.numbers(entry, "std", featureCount: channels, positive: true, per: "channel")
            self = .image(height: height, width: width, channels: channels, mean: mean, standardDeviation: deviation)
        case "table":
            try entry.requireOnly(["columns", "missing"])
            let count = try Self.tableFeatureCount(entry)
            if let featureCount, featureCount != count {
                throw entry.invalid("columns", expected: "columns that make the model's \(featureCount) inputs",
                                    found: "columns that make \(count)")
            }
            self = .table(json)
        default:
            throw entry.invalid("type", expected: "a preprocessing step: standardize, image or table", found: "\"\(entry.type)\"")
        }
    }

    /// The number of features a table step's columns make: one per numeric column, one per
    /// category, one for a column of two categories.
    private static func tableFeatureCount(_ entry: LayerConfiguration) throws -> Int {
        guard case let .array(columns)? = entry["columns"] else {
            throw entry.invalid("columns", expected: "an array of columns", found: entry["columns"]?.summary ?? "nothing")
        }
        var count = 0
        for (index, column) in columns.enumerated() {
            guard case .object = column, case .string? = column["name"] else {
                throw entry.invalid("columns[\(index)]", expected: "an object with a \"name\"", found: column.summary)
            }
            switch column["categories"] {
            case nil: count += 1
            case let .array(categories)?: count += categories.count == 2 ? 1 : categories.count
            case let other?:
                throw entry.invalid("columns[\(index)].categories", expected: "an array of strings", found: other.summary)
            }
        }
        return count
    }

    /// The array of finite numbers at `key`, one per feature (positive ones for divisors).
    private static func numbers(_ entry: LayerConfiguration, _ key: String, featureCount: Int?, positive: Bool,
                                per unit: String = "input feature") throws -> [Double] {
        let count = featureCount.map { "\($0) " } ?? ""
        let expected = "an array of \(count)\(positive ? "positive " : "")numbers, one per \(unit)"
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
