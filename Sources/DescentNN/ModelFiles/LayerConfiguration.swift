import Foundation

/// A layer's architecture without its weights: its entry in `model.json`'s `layers`.
///
/// The entry is a JSON object whose `type` is PyTorch's class name in lower case (`linear`,
/// `dropout`, `relu` …) and whose other keys are PyTorch's argument names (`in_features`, `p`,
/// `negative_slope` …), defaults left out:
///
/// ```json
/// {"type": "linear", "in_features": 4, "out_features": 16, "activation": "relu"}
/// ```
///
/// Each layer type reads its own fields (``SavableLayer/init(configuration:using:)``) with the
/// accessors below, which check every value and throw ``ModelFileError/invalidValue(path:location:expected:found:)``
/// naming the file, the place in it (`layers[1].p`), what was expected and what was found.
public struct LayerConfiguration: Sendable, Equatable, CustomStringConvertible {
    /// The layer type's tag.
    public var type: String
    /// The settings, in the order they are written.
    public var fields: [(key: String, value: JSONValue)]
    /// Where the entry was read: the file and the JSON path, for error messages.
    var source = Source(file: "model.json", location: "layer")

    struct Source: Sendable {
        var file: String
        var location: String
    }

    /// A configuration of type `type` with `fields`.
    public init(type: String, fields: [(key: String, value: JSONValue)] = []) {
        self.type = type
        self.fields = fields
    }

    public static func == (a: LayerConfiguration, b: LayerConfiguration) -> Bool {
        a.type == b.type && JSONValue.object(a.fields) == JSONValue.object(b.fields)
    }

    /// The entry as `model.json` writes it: `{"type": …, fields…}`.
    public var json: JSONValue { .object([(key: "type", value: .string(type))] + fields) }

    public var description: String { json.text }

    /// The entry at `location` of `file` (a JSON object with a string `type`).
    init(json: JSONValue, file: String, location: String) throws {
        guard case let .object(pairs) = json else {
            throw ModelFileError.invalidValue(path: file, location: location, expected: "a layer: an object with a \"type\"",
                                              found: json.summary)
        }
        guard let typeValue = json["type"] else {
            throw ModelFileError.invalidValue(path: file, location: location + ".type",
                                              expected: "the layer's type, such as \"linear\"", found: "nothing")
        }
        guard case let .string(type) = typeValue else {
            throw ModelFileError.invalidValue(path: file, location: location + ".type", expected: "a string", found: typeValue.summary)
        }
        self.type = type
        self.fields = pairs.filter { $0.key != "type" }
        self.source = Source(file: file, location: location)
    }

    // MARK: Reading fields

    /// The error for a field whose value does not fit.
    public func invalid(_ key: String, expected: String, found: String) -> ModelFileError {
        .invalidValue(path: source.file, location: "\(source.location).\(key)", expected: expected, found: found)
    }

    /// The error for the layer as a whole (sizes that do not fit together, or too much memory).
    public func invalid(expected: String, found: String) -> ModelFileError {
        .invalidValue(path: source.file, location: source.location, expected: expected, found: found)
    }

    /// The value of `key`, or nil when absent.
    public subscript(key: String) -> JSONValue? { fields.first { $0.key == key }?.value }

    /// Stops on a key that the layer type does not know (a typo would otherwise be ignored).
    public func requireOnly(_ keys: Set<String>) throws {
        if let unknown = fields.first(where: { !keys.contains($0.key) }) {
            let known = keys.isEmpty ? "no settings" : "only " + keys.sorted().map { "\"\($0)\"" }.joined(separator: ", ")
            throw invalid(unknown.key, expected: "\(type) takes \(known)", found: "\"\(unknown.key)\"")
        }
    }

    /// The integer at `key` (`defaultValue` when absent), which must lie in `range`.
    public func integer(_ key: String, default defaultValue: Int? = nil, in range: ClosedRange<Int>) throws -> Int {
        guard let value = self[key] else {
            if let defaultValue { return defaultValue }
            throw invalid(key, expected: "an integer in \(Self.text(range))", found: "nothing")
        }
        let integer: Int? = switch value {
        case let .integer(number): Int(exactly: number)
        case let .number(number): Int(exactly: number)
        default: nil
        }
        guard let integer, range.contains(integer) else {
            throw invalid(key, expected: "an integer in \(Self.text(range))", found: value.summary)
        }
        return integer
    }

    /// The finite number at `key` (`defaultValue` when absent), which must lie in `range`.
    public func number(_ key: String, default defaultValue: Double? = nil,
                       in range: ClosedRange<Double> = -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude) throws -> Double {
        guard let value = self[key] else {
            if let defaultValue { return defaultValue }
            throw invalid(key, expected: "a number in \(Self.text(range))", found: "nothing")
        }
        let number: Double? = switch value {
        case let .integer(integer): Double(integer)
        case let .number(number): number
        default: nil
        }
        guard let number, number.isFinite, range.contains(number) else {
            throw invalid(key, expected: "a number in \(Self.text(range))", found: value.summary)
        }
        return number
    }

    /// The Boolean at `key` (`defaultValue` when absent).
    public func boolean(_ key: String, default defaultValue: Bool) throws -> Bool {
        guard let value = self[key] else { return defaultValue }
        guard case let .bool(boolean) = value else { throw invalid(key, expected: "true or false", found: value.summary) }
        return boolean
    }

    /// The string at `key` (`defaultValue` when absent), which must be one of `choices`.
    public func string(_ key: String, default defaultValue: String? = nil, oneOf choices: [String]) throws -> String {
        guard let value = self[key] else {
            if let defaultValue { return defaultValue }
            throw invalid(key, expected: "one of " + choices.map { "\"\($0)\"" }.joined(separator: ", "), found: "nothing")
        }
        guard case let .string(string) = value, choices.contains(string) else {
            throw invalid(key, expected: "one of " + choices.map { "\"\($0)\"" }.joined(separator: ", "), found: value.summary)
        }
        return string
    }

    /// "1…" for a range without a practical upper end, "0…1" otherwise.
    private static func text(_ range: ClosedRange<Int>) -> String {
        range.upperBound == Int.max ? "\(range.lowerBound)…" : "\(range.lowerBound)…\(range.upperBound)"
    }

    private static func text(_ range: ClosedRange<Double>) -> String {
        switch (range.lowerBound == -.greatestFiniteMagnitude, range.upperBound == .greatestFiniteMagnitude) {
        case (true, true): "any finite value"
        case (false, true): "\(range.lowerBound)…"
        default: "\(range.lowerBound)…\(range.upperBound)"
        }
    }
}

// MARK: Built-in layers by name

extension LayerConfiguration {
    /// A linear (dense) layer: x·Wᵀ + b, then `activation`.
    public static func dense(inputCount: Int, outputCount: Int, activation: Activation = .identity,
                             useBias: Bool = true) -> LayerConfiguration {
        var fields: [(key: String, value: JSONValue)] = [
            (key: "in_features", value: .integer(Int64(inputCount))),
            (key: "out_features", value: .integer(Int64(outputCount))),
        ]
        if !useBias { fields.append((key: "bias", value: false)) }
        if activation != .identity { fields.append((key: "activation", value: activation.fieldValue)) }
        return LayerConfiguration(type: Dense.typeName, fields: fields)
    }

    /// Dropout with probability `rate`.
    public static func dropout(rate: Double) -> LayerConfiguration {
        LayerConfiguration(type: Dropout.typeName, fields: rate == 0.5 ? [] : [(key: "p", value: .number(rate))])
    }

    /// Flatten: one axis per example.
    public static var flatten: LayerConfiguration { Flatten().configuration }

    /// An activation as a layer of its own.
    public static func activation(_ activation: Activation) -> LayerConfiguration { activation.configuration }

    /// Softmax along `axis` (counting the batch axis, as PyTorch's `dim`).
    public static func softmax(axis: Int) -> LayerConfiguration { Softmax(axis: axis).configuration }

    /// Log-softmax along `axis`.
    public static func logSoftmax(axis: Int) -> LayerConfiguration { LogSoftmax(axis: axis).configuration }
}
