import Foundation

/// A model folder or weights file that cannot be used, and why.
public enum ModelFileError: Error, CustomStringConvertible, Equatable {
    /// `model.json` (or a JSON model description) is missing, unreadable or malformed.
    case invalidArchitecture(path: String, reason: String)
    /// A value in `model.json` that does not fit: the file, the JSON path of the value
    /// (`layers[1].p`), what was expected and what was found.
    case invalidValue(path: String, location: String, expected: String, found: String)
    /// The weights do not fit the architecture: names missing or unexpected, shapes or dtypes
    /// that differ.
    case parameterMismatch(path: String, missing: [String], unexpected: [String], mismatched: [String])
    /// The model contains a layer that has no file representation.
    case unsupportedLayer(index: Int, type: String)

    public var description: String {
        switch self {
        case let .invalidArchitecture(path, reason):
            return "cannot read the model architecture in '\(path)': \(reason)"
        case let .invalidValue(path, location, expected, found):
            return "'\(path)': \(location): expected \(expected), found \(found)"
        case let .parameterMismatch(path, missing, unexpected, mismatched):
            var parts: [String] = []
            if !missing.isEmpty { parts.append("missing: \(missing.joined(separator: ", "))") }
            if !unexpected.isEmpty { parts.append("unexpected: \(unexpected.joined(separator: ", "))") }
            if !mismatched.isEmpty { parts.append("mismatched: \(mismatched.joined(separator: "; "))") }
            return "the weights in '\(path)' do not fit the model (\(parts.joined(separator: "; ")))"
        case let .unsupportedLayer(index, type):
            return "layer \(index) (\(type)) cannot be saved: it is not a SavableLayer"
        }
    }
}
