import Foundation

/// A JSON model file for `descent train --model FILE.json`: every layer, input to output, in
/// the form a saved model folder's `model.json` stores them — so a `model.json` written by
/// `descent train --output` can be passed as it is (its weights and metadata are not used).
///
/// The file is an object with a `layers` array; `format`, if present, must be
/// `"descent.sequential"`, and other keys are ignored:
///
/// ```json
/// {
///   "layers": [
///     { "dense": { "inputCount": 4, "outputCount": 16, "activation": { "relu": {} }, "useBias": true } },
///     { "dropout": { "rate": 0.2 } },
///     { "dense": { "inputCount": 16, "outputCount": 3, "activation": { "identity": {} }, "useBias": true } }
///   ]
/// }
/// ```
///
/// A layer is one of `{"dense": {...}}`, `{"dropout": {"rate": R}}`, `{"flatten": {}}`,
/// `{"activation": {"_0": ACTIVATION}}` (an activation as a layer of its own),
/// `{"softmax": {"axis": -1}}` or `{"logSoftmax": {"axis": -1}}`. An activation is
/// `{"identity": {}}`, `{"relu": {}}`, `{"sigmoid": {}}`, `{"tanh": {}}`,
/// `{"leakyReLU": {"negativeSlope": 0.01}}`, `{"elu": {"alpha": 1}}`,
/// `{"gelu": {"approximation": "exact"}}` or `{"softplus": {"beta": 1, "threshold": 20}}`.
///
/// Unlike a ``LayerList``, nothing is added: the first dense layer's `inputCount` must be the
/// data's feature count and the last layer's width the number of outputs the task needs.
public enum ModelFile {
    /// What the file holds; only `layers` matters.
    private struct Contents: Decodable {
        var format: String?
        var layers: [LayerConfiguration]
    }

    /// The layers listed in the JSON file at `url`.
    ///
    /// - Throws: ``ModelFileError/invalidArchitecture(path:reason:)`` when the file is missing,
    ///   unreadable, not JSON, or not in the format above (naming the place in the file).
    public static func layers(contentsOf url: URL) throws -> [LayerConfiguration] {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ModelFileError.invalidArchitecture(path: url.path, reason: "the file does not exist")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ModelFileError.invalidArchitecture(path: url.path, reason: "the file cannot be read")
        }
        let contents: Contents
        do {
            contents = try JSONDecoder().decode(Contents.self, from: data)
        } catch let error as DecodingError {
            throw ModelFileError.invalidArchitecture(path: url.path, reason: explanation(of: error))
        }
        if let format = contents.format, format != "descent.sequential" {
            throw ModelFileError.invalidArchitecture(
                path: url.path, reason: "format is \"\(format)\", expected \"descent.sequential\"")
        }
        guard !contents.layers.isEmpty else {
            throw ModelFileError.invalidArchitecture(path: url.path, reason: "\"layers\" is empty")
        }
        return contents.layers
    }

    /// Checks that the layers fit together and fit the data: each dense layer takes the width
    /// the layers before it give (the data's `inputCount` for the first), settings are in range,
    /// and the last width is `outputCount`.
    ///
    /// - Throws: ``TrainingError/incompatibleData(_:)`` naming `path`, the layer, and the sizes
    ///   expected and found.
    public static func check(_ layers: [LayerConfiguration], inputCount: Int, outputCount: Int, path: String) throws {
        var width = inputCount
        var seenDense = false
        for (index, layer) in layers.enumerated() {
            switch layer {
            case let .dense(inputs, outputs, _, _):
                guard inputs == width else {
                    throw TrainingError.incompatibleData(seenDense
                        ? "'\(path)': layer \(index) (dense) expects \(inputs) inputs, but the layer before it gives \(width)"
                        : "'\(path)': the model expects \(inputs) input features (layer \(index)), but the data have \(width)")
                }
                guard outputs > 0 else {
                    throw TrainingError.incompatibleData("'\(path)': layer \(index) (dense) has \(outputs) outputs; expected at least 1")
                }
                width = outputs
                seenDense = true
            case let .dropout(rate):
                guard rate >= 0, rate < 1 else {
                    throw TrainingError.incompatibleData("'\(path)': layer \(index) (dropout) has rate \(rate); expected at least 0 and below 1")
                }
            case let .softmax(axis), let .logSoftmax(axis):
                guard (-2...1).contains(axis) else {
                    throw TrainingError.incompatibleData("'\(path)': layer \(index) has axis \(axis); expected -1 (or 1) for [examples, features]")
                }
            case .flatten, .activation:
                break
            }
        }
        guard width == outputCount else {
            throw TrainingError.incompatibleData(
                "'\(path)': the model has \(width) outputs, but the data and cost function need \(outputCount)")
        }
    }

    /// A decoding error as a sentence with the place in the file (`layers[1].dense`).
    private static func explanation(of error: DecodingError) -> String {
        func place(_ path: [any CodingKey]) -> String {
            let text = path.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
            return text.isEmpty ? "the top level" : String(text.drop { $0 == "." })
        }
        switch error {
        case let .keyNotFound(key, context):
            return "\"\(key.stringValue)\" is missing at \(place(context.codingPath))"
        case let .typeMismatch(type, context) where type == LayerConfiguration.self:
            return "at \(place(context.codingPath)): expected a layer, an object with one key: "
                + "dense, dropout, flatten, activation, softmax or logSoftmax"
        case let .typeMismatch(type, context) where type == Activation.self:
            return "at \(place(context.codingPath)): expected an activation, an object with one key: "
                + "identity, relu, leakyReLU, elu, gelu, sigmoid, tanh, softplus, softmax or logSoftmax"
        case let .typeMismatch(type, context):
            return "at \(place(context.codingPath)): expected \(type) (\(context.debugDescription))"
        case let .valueNotFound(type, context):
            return "at \(place(context.codingPath)): expected \(type), found null"
        case let .dataCorrupted(context):
            return context.codingPath.isEmpty
                ? "not valid JSON (\(context.debugDescription))"
                : "at \(place(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
