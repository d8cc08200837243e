import Foundation

/// Reading and writing `model.json` (the format is documented in `Documentation/ModelFormat.md`).
enum ModelFormat {
    static let name = "descent.sequential"
    /// The version written; versions 1 (the first release) and 2 are read.
    static let version = 2

    /// What `model.json` describes.
    struct Architecture {
        var model: Sequential
        var inputShape: [Int]?
        var preprocessing: [Preprocessing]
        var metadata: [String: JSONValue]
    }

    /// The file's sections, one per line, each layer on a line of its own.
    static func text(_ sections: [(key: String, value: JSONValue)]) -> String {
        let lines = sections.map { section -> String in
            if section.key == "layers", case let .array(layers) = section.value, !layers.isEmpty {
                return "  \"layers\": [\n" + layers.map { "    " + $0.text }.joined(separator: ",\n") + "\n  ]"
            }
            return "  " + String(JSONValue.object([section]).text.dropFirst().dropLast())
        }
        return "{\n" + lines.joined(separator: ",\n") + "\n}\n"
    }

    /// The architecture in the file at `url`, every value checked.
    ///
    /// - Parameter weightsByteCount: the size of the weights file that goes with it, when there
    ///   is one: layers declaring more parameters than it can hold (2 bytes each at the least,
    ///   float16) are refused before any is built, so that a few bytes of JSON cannot make
    ///   Descent allocate gigabytes.
    static func read(_ url: URL, layerTypes: [any SavableLayer.Type] = [], weightsByteCount: Int? = nil) throws -> Architecture {
        let path = url.path
        let json = try parse(url)
        guard case .object = json else {
            throw ModelFileError.invalidValue(path: path, location: "the top level", expected: "an object", found: json.summary)
        }
        if let format = json["format"], format != .string(name) {
            throw ModelFileError.invalidValue(path: path, location: "format", expected: "\"\(name)\"", found: format.summary)
        }
        let version: Int
        switch json["version"] {
        case nil: version = hasTypedLayers(json) ? 2 : 1
        case let .integer(number)? where (1...Int64(Self.version)).contains(number): version = Int(number)
        case let value?:
            throw ModelFileError.invalidValue(path: path, location: "version",
                                              expected: "1 or 2 (this release reads versions up to \(Self.version))",
                                              found: value.summary)
        }
        let contents = version == 1 ? try FormatOne.upgrade(json, path: path) : json
        return try architecture(contents, path: path, layerTypes: layerTypes, weightsByteCount: weightsByteCount)
    }

    /// Whether the layers of a file without a version are format 2's: objects with a `type`
    /// (format 1's are objects keyed by the layer's kind).
    private static func hasTypedLayers(_ json: JSONValue) -> Bool {
        guard case let .array(layers)? = json["layers"], let first = layers.first else { return false }
        return first["type"] != nil
    }

    /// The JSON in the file at `url`.
    static func parse(_ url: URL) throws -> JSONValue {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ModelFileError.invalidArchitecture(path: url.path, reason: "the file cannot be read: it does not exist (is this a model folder saved by Descent?)")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ModelFileError.invalidArchitecture(path: url.path, reason: "the file cannot be read")
        }
        do {
            return try JSONValue.parse(data)
        } catch let error as JSONSyntaxError {
            throw ModelFileError.invalidArchitecture(path: url.path, reason: error.description)
        }
    }

    /// The layers of a format-2 object, built and checked against each other.
    private static func architecture(_ json: JSONValue, path: String, layerTypes: [any SavableLayer.Type],
                                     weightsByteCount: Int?) throws -> Architecture {
        var inputShape: [Int]?
        if let value = json["input_shape"] {
            guard case let .array(sizes) = value, !sizes.isEmpty, sizes.count <= 8 else {
                throw ModelFileError.invalidValue(path: path, location: "input_shape",
                                                  expected: "an array of 1 to 8 sizes, such as [4] or [1, 28, 28]", found: value.summary)
            }
            inputShape = try sizes.enumerated().map { index, size in
                guard case let .integer(number) = size, (1...Int64(1 << 40)).contains(number) else {
                    throw ModelFileError.invalidValue(path: path, location: "input_shape[\(index)]",
                                                      expected: "a size of at least 1", found: size.summary)
                }
                return Int(number)
            }
        }
        guard case let .array(entries)? = json["layers"], !entries.isEmpty else {
            throw ModelFileError.invalidValue(path: path, location: "layers", expected: "an array of at least one layer",
                                              found: json["layers"]?.summary ?? "nothing")
        }
        let configurations = try entries.enumerated().map { index, entry in
            try LayerConfiguration(json: entry, file: path, location: "layers[\(index)]")
        }
        if let weightsByteCount {
            // Named at the layer where the running count passes what the file can hold.
            let most = Double(weightsByteCount / 2)
            var declared = 0.0
            for (index, configuration) in configurations.enumerated() {
                declared += configuration.declaredParameterCount
                guard declared <= most else {
                    throw ModelFileError.invalidValue(
                        path: path, location: "layers[\(index)]",
                        expected: "at most \(Int(most)) parameters in all, as many as \(Sequential.weightsFileName) "
                            + "(\(weightsByteCount) bytes) can hold at 2 bytes each",
                        found: "\(declared < 1e18 ? String(Int64(declared)) : String(format: "%.3g", declared)) up to this layer")
                }
            }
        }
        var generator = RandomGenerator(seed: 0)
        let layers = try configurations.map { configuration in
            try LayerTypes.makeLayer(configuration, extraTypes: layerTypes, using: &generator)
        }
        let model = Sequential(layers)
        inputShape = inputShape ?? model.inferredInputShape
        if let inputShape {
            do {
                _ = try model.outputShapes(for: inputShape)
            } catch let error as LayerShapeError {
                throw ModelFileError.invalidValue(path: path, location: "layers[\(error.index ?? 0)]",
                                                  expected: "a layer that takes the output of the one before: \(error.expected)",
                                                  found: "\(error.found)")
            }
        }
        let preprocessing = try arrayOrNothing(json["preprocessing"], path: path, location: "preprocessing")
            .enumerated().map { index, step in
                try Preprocessing(json: step, featureCount: inputShape?.reduce(1, *), file: path, location: "preprocessing[\(index)]")
            }
        var metadata: [String: JSONValue] = [:]
        if let value = json["metadata"] {
            guard case let .object(pairs) = value else {
                throw ModelFileError.invalidValue(path: path, location: "metadata", expected: "an object", found: value.summary)
            }
            for pair in pairs { metadata[pair.key] = pair.value }
        }
        return Architecture(model: model, inputShape: inputShape, preprocessing: preprocessing, metadata: metadata)
    }

    private static func arrayOrNothing(_ value: JSONValue?, path: String, location: String) throws -> [JSONValue] {
        guard let value else { return [] }
        guard case let .array(values) = value else {
            throw ModelFileError.invalidValue(path: path, location: location, expected: "an array", found: value.summary)
        }
        return values
    }
}
