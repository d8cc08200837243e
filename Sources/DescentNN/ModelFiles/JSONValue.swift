import Foundation

/// A JSON value, as `model.json` holds them: what a layer's settings, a model's metadata and its
/// preprocessing are made of.
///
/// Objects keep their keys in order, so that files are written the way a person would write
/// them (`"type"` first); integers are kept apart from other numbers, so that a size such as
/// 9223372036854775807 is read exactly and refused for what it is.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case let (.bool(x), .bool(y)): x == y
        case let (.integer(x), .integer(y)): x == y
        case let (.number(x), .number(y)): x == y
        case let (.integer(x), .number(y)), let (.number(y), .integer(x)): Double(x) == y
        case let (.string(x), .string(y)): x == y
        case let (.array(x), .array(y)): x == y
        // Objects are equal when they hold the same keys and values, in any order.
        case let (.object(x), .object(y)):
            x.count == y.count && x.allSatisfy { pair in y.first { $0.key == pair.key }?.value == pair.value }
        default: false
        }
    }

    /// The value of `key` in an object; nil for a missing key or a value that is not an object.
    public subscript(key: String) -> JSONValue? {
        guard case let .object(pairs) = self else { return nil }
        return pairs.first { $0.key == key }?.value
    }

    /// How the value is described in an error message: the kind, and the value when short.
    public var summary: String {
        switch self {
        case .null: "null"
        case let .bool(value): "\(value)"
        case let .integer(value): "\(value)"
        case let .number(value): "\(value)"
        case let .string(value): value.count <= 40 ? "\"\(value)\"" : "a string of \(value.count) characters"
        case let .array(values): "an array of \(values.count)"
        case .object: "an object"
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(elements.map { (key: $0.0, value: $0.1) }) }
}

// MARK: Reading

extension JSONValue: Decodable {
    public init(from decoder: any Decoder) throws {
        if var container = try? decoder.unkeyedContainer() {
            var values: [JSONValue] = []
            while !container.isAtEnd { values.append(try container.decode(JSONValue.self)) }
            self = .array(values)
        } else if let container = try? decoder.container(keyedBy: AnyKey.self) {
            // The decoder does not keep the file's order of keys; sorted, reading is repeatable.
            self = .object(try container.allKeys.sorted { $0.stringValue < $1.stringValue }.map { key in
                (key: key.stringValue, value: try container.decode(JSONValue.self, forKey: key))
            })
        } else {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                self = .null
            } else if let value = try? container.decode(Bool.self) {
                self = .bool(value)
            } else if let value = try? container.decode(Int64.self) {
                self = .integer(value)
            } else if let value = try? container.decode(Double.self) {
                self = .number(value)
            } else {
                self = .string(try container.decode(String.self))
            }
        }
    }

    /// The JSON text in `data`, parsed.
    ///
    /// - Throws: a sentence saying where the text stops being JSON.
    static func parse(_ data: Data) throws -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: data)
        } catch let DecodingError.dataCorrupted(context) {
            throw JSONSyntaxError(description: "not valid JSON (\(context.underlyingError.map { "\($0)" } ?? context.debugDescription))")
        } catch let DecodingError.typeMismatch(_, context) {
            // A number beyond double's range (1e400) is none of the kinds `init(from:)` tries.
            let path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: " → ")
            throw JSONSyntaxError(description: "not valid JSON: the value at \(path.isEmpty ? "the top" : path) is no number, "
                                  + "string, boolean or null that Descent can hold (a number beyond ±1.8e308?)")
        }
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

/// Text that is not JSON.
struct JSONSyntaxError: Error, CustomStringConvertible {
    var description: String
}

// MARK: Writing

extension JSONValue {
    /// The value on one line, with a space after each comma and colon.
    ///
    /// - Precondition: every number is finite (JSON has no NaN or infinity; callers check).
    public var text: String {
        switch self {
        case .null: return "null"
        case let .bool(value): return value ? "true" : "false"
        case let .integer(value): return String(value)
        case let .number(value):
            precondition(value.isFinite, "JSONValue.text: \(value) has no JSON spelling")
            // Swift's description is the shortest text that reads back as the same Double;
            // whole numbers keep their ".0" so that they read back as numbers, not integers.
            return value.description
        case let .string(value): return Self.quoted(value)
        case let .array(values): return "[" + values.map(\.text).joined(separator: ", ") + "]"
        case let .object(pairs):
            return "{" + pairs.map { Self.quoted($0.key) + ": " + $0.value.text }.joined(separator: ", ") + "}"
        }
    }

    /// Whether every number in the value is finite, so that it can be written as JSON.
    var isWritable: Bool {
        switch self {
        case let .number(value): value.isFinite
        case let .array(values): values.allSatisfy(\.isWritable)
        case let .object(pairs): pairs.allSatisfy { $0.value.isWritable }
        default: true
        }
    }

    private static func quoted(_ string: String) -> String {
        var result = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20: result += String(format: "\\u%04x", scalar.value)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
