// Reading `model.json` as the first release wrote it (format 1): Swift's synthesized Codable
// form, `{"dense": {"inputCount": 4, "outputCount": 16, "activation": {"relu": {}}, "useBias": true}}`,
// with metadata as strings of JSON. Each layer is rewritten as its format-2 entry, so that both
// formats are checked by the same code.

enum FormatOne {
    /// The format-2 object that says what the format-1 object `json` says.
    static func upgrade(_ json: JSONValue, path: String) throws -> JSONValue {
        guard case let .array(entries)? = json["layers"] else {
            throw ModelFileError.invalidValue(path: path, location: "layers", expected: "an array of layers",
                                              found: json["layers"]?.summary ?? "nothing")
        }
        let layers = try entries.enumerated().map { index, entry in
            try layer(entry, path: path, location: "layers[\(index)]")
        }
        var sections: [(key: String, value: JSONValue)] = [(key: "layers", value: .array(layers))]
        var metadata: [(key: String, value: JSONValue)] = []
        if case let .object(pairs)? = json["metadata"] {
            for (key, value) in pairs {
                guard case let .string(text) = value else {
                    throw ModelFileError.invalidValue(path: path, location: "metadata.\(key)", expected: "a string (format 1)",
                                                      found: value.summary)
                }
                switch key {
                case "class_names":
                    metadata.append((key: key, value: try embedded(text, path: path, location: "metadata.class_names")))
                case "standardizer":
                    // {"mean": [...], "scale": [...]} becomes a preprocessing step.
                    let standardizer = try embedded(text, path: path, location: "metadata.standardizer")
                    sections.append((key: "preprocessing", value: [
                        ["type": "standardize", "mean": standardizer["mean"] ?? .null, "std": standardizer["scale"] ?? .null],
                    ]))
                default:
                    metadata.append((key: key, value: value))
                }
            }
        }
        if !metadata.isEmpty { sections.append((key: "metadata", value: .object(metadata))) }
        return .object(sections)
    }

    /// JSON written inside a string, as format 1 stored class names and statistics.
    private static func embedded(_ text: String, path: String, location: String) throws -> JSONValue {
        do {
            return try JSONValue.parse(Data(text.utf8))
        } catch {
            throw ModelFileError.invalidValue(path: path, location: location, expected: "JSON inside the string",
                                              found: "\"\(text.prefix(40))\"")
        }
    }

    /// One format-1 layer (an object with one key) as its format-2 entry.
    private static func layer(_ entry: JSONValue, path: String, location: String) throws -> JSONValue {
        guard case let .object(pairs) = entry, pairs.count == 1, let (kind, body) = pairs.first.map({ ($0.key, $0.value) }) else {
            throw ModelFileError.invalidValue(path: path, location: location,
                                              expected: "a format-1 layer: an object with one key (dense, dropout, flatten, activation, softmax or logSoftmax)",
                                              found: entry.summary)
        }
        switch kind {
        case "dense":
            var fields: [(key: String, value: JSONValue)] = [
                (key: "type", value: "linear"),
                (key: "in_features", value: body["inputCount"] ?? .null),
                (key: "out_features", value: body["outputCount"] ?? .null),
            ]
            if let useBias = body["useBias"] { fields.append((key: "bias", value: useBias)) }
            if let activation = body["activation"] {
                fields.append((key: "activation", value: try self.activation(activation, path: path, location: location + ".dense.activation")))
            }
            return .object(fields)
        case "dropout": return ["type": "dropout", "p": body["rate"] ?? .null]
        case "flatten": return ["type": "flatten"]
        case "activation":
            return try self.activation(body["_0"] ?? .null, path: path, location: location + ".activation._0")
        case "softmax": return ["type": "softmax", "dim": body["axis"] ?? -1]
        case "logSoftmax": return ["type": "logsoftmax", "dim": body["axis"] ?? -1]
        default:
            throw ModelFileError.invalidValue(path: path, location: location,
                                              expected: "a format-1 layer: dense, dropout, flatten, activation, softmax or logSoftmax",
                                              found: "\"\(kind)\"")
        }
    }

    /// A format-1 activation (`{"leakyReLU": {"negativeSlope": 0.2}}`) as a format-2 entry.
    private static func activation(_ value: JSONValue, path: String, location: String) throws -> JSONValue {
        guard case let .object(pairs) = value, pairs.count == 1, let (name, body) = pairs.first.map({ ($0.key, $0.value) }) else {
            throw ModelFileError.invalidValue(path: path, location: location, expected: "a format-1 activation: an object with one key",
                                              found: value.summary)
        }
        switch name {
        case "identity", "relu", "sigmoid", "tanh": return .object([(key: "type", value: .string(name))])
        case "softmax": return ["type": "softmax"]
        case "logSoftmax": return ["type": "logsoftmax"]
        case "leakyReLU": return ["type": "leakyrelu", "negative_slope": body["negativeSlope"] ?? 0.01]
        case "elu": return ["type": "elu", "alpha": body["alpha"] ?? 1]
        case "gelu": return ["type": "gelu", "approximate": body["approximation"] == "tanh" ? "tanh" : "none"]
        case "softplus": return ["type": "softplus", "beta": body["beta"] ?? 1, "threshold": body["threshold"] ?? 20]
        default:
            throw ModelFileError.invalidValue(path: path, location: location, expected: "a format-1 activation", found: "\"\(name)\"")
        }
    }
}

import Foundation
