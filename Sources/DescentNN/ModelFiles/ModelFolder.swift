import Foundation

/// What `model.json` holds: the format, the layers in order, and free-form metadata (the CLI
/// keeps class names and feature statistics there).
struct ModelDescription: Codable {
    var format = ModelDescription.formatName
    var version = 1
    var layers: [LayerConfiguration]
    var metadata: [String: String]?

    static let formatName = "descent.sequential"
}

extension Sequential {
    /// The file names inside a model folder.
    public static let architectureFileName = "model.json"
    public static let weightsFileName = "model.safetensors"

    /// Saves the model as a folder holding `model.json` (the architecture) and
    /// `model.safetensors` (the weights, named as PyTorch's `nn.Sequential.state_dict()`).
    ///
    /// The folder is written atomically: a crash leaves either the old folder or the new one,
    /// never a mixture. Its parent folder must exist.
    /// - Parameter metadata: Extra strings stored in `model.json`.
    public func save(to url: URL, metadata: [String: String] = [:]) throws {
        let configurations = try layers.enumerated().map { index, layer in
            guard let configuration = LayerConfiguration(of: layer) else {
                throw ModelFileError.unsupportedLayer(index: index, type: String(describing: type(of: layer)))
            }
            return configuration
        }
        let description = ModelDescription(layers: configurations, metadata: metadata.isEmpty ? nil : metadata)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let json = try encoder.encode(description)
        let weights = try parametersFile().serialized()
        try AtomicFile.writeFolder(at: url) { folder in
            try json.write(to: folder.appendingPathComponent(Self.architectureFileName))
            try weights.write(to: folder.appendingPathComponent(Self.weightsFileName))
        }
    }

    /// Saves the model to the folder at `path` (see ``save(to:metadata:)``).
    public func save(to path: String, metadata: [String: String] = [:]) throws {
        try save(to: URL(fileURLWithPath: path), metadata: metadata)
    }

    /// Rebuilds a model saved with ``save(to:metadata:)``, checking every weight's name, shape
    /// and dtype against the architecture.
    public static func load(from url: URL) throws -> Sequential {
        try loadWithMetadata(from: url).model
    }

    /// Rebuilds a model from the folder at `path`.
    public static func load(from path: String) throws -> Sequential {
        try load(from: URL(fileURLWithPath: path))
    }

    /// Rebuilds a saved model and returns the metadata stored with it.
    public static func loadWithMetadata(from url: URL) throws -> (model: Sequential, metadata: [String: String]) {
        let architectureURL = url.appendingPathComponent(architectureFileName)
        let data: Data
        do {
            data = try Data(contentsOf: architectureURL)
        } catch {
            throw ModelFileError.invalidArchitecture(
                path: architectureURL.path, reason: "the file cannot be read (is this a model folder saved by Descent?)")
        }
        let description: ModelDescription
        do {
            description = try JSONDecoder().decode(ModelDescription.self, from: data)
        } catch {
            throw ModelFileError.invalidArchitecture(path: architectureURL.path, reason: "\(error)")
        }
        guard description.format == ModelDescription.formatName else {
            throw ModelFileError.invalidArchitecture(
                path: architectureURL.path,
                reason: "format is \"\(description.format)\", expected \"\(ModelDescription.formatName)\"")
        }
        var model = Sequential(layers: description.layers)
        try model.loadParameters(contentsOf: url.appendingPathComponent(weightsFileName))
        model.setTraining(false)
        return (model, description.metadata ?? [:])
    }

    /// A model with the given architecture and fresh weights drawn from a generator seeded
    /// with `seed`.
    public init(layers configurations: [LayerConfiguration], seed: UInt64 = 0) {
        var generator = RandomGenerator(seed: seed)
        self.init(configurations.map { $0.makeLayer(using: &generator) })
    }

    /// The architecture of each layer, or `nil` if a layer has no file representation.
    public var layerConfigurations: [LayerConfiguration]? {
        let configurations = layers.compactMap(LayerConfiguration.init(of:))
        return configurations.count == layers.count ? configurations : nil
    }
}
