import Foundation

/// What a model folder holds besides the weights: the layers, the shape of one input example,
/// what is done to inputs first, and free-form metadata (the task, the class names …).
public struct ModelFolder {
    /// The network, in inference mode, with its weights and buffers loaded.
    public var model: Sequential
    /// The shape of one input example, without the batch axis (`[4]`, `[1, 28, 28]`), when known.
    public var inputShape: [Int]?
    /// What is done to inputs before the first layer, in order.
    public var preprocessing: [Preprocessing]
    /// Anything else the program that saved the model wanted kept (JSON values).
    public var metadata: [String: JSONValue]
}

extension Sequential {
    /// The file names inside a model folder.
    public static let architectureFileName = "model.json"
    public static let weightsFileName = "model.safetensors"

    /// Saves the model as a folder holding `model.json` (the architecture, format 2: see
    /// `Documentation/ModelFormat.md`) and `model.safetensors` (the weights and buffers, named as
    /// PyTorch's `nn.Sequential.state_dict()`).
    ///
    /// The folder is written atomically: a crash leaves either the old folder or the new one,
    /// never a mixture. Its parent folder must exist.
    /// - Parameters:
    ///   - url: the folder to write.
    ///   - inputShape: The shape of one input example; by default the first linear layer's
    ///     input, when only shape-preserving layers come before it.
    ///   - preprocessing: What is done to inputs before the first layer.
    ///   - metadata: Anything else to keep, as JSON values.
    ///   - additionalFiles: More files that belong to the same save (a history, a training
    ///     checkpoint), by path inside the folder; they are written with the model, in one step.
    ///   - operations: The file-system calls to make (see `AtomicFile/writeFolder(at:files:using:)`).
    /// - Throws: ``ModelFileError/unsupportedLayer(index:type:)`` for a layer that is not a
    ///   ``SavableLayer``, ``ModelFileError/invalidValue(path:location:expected:found:)`` for a
    ///   value JSON cannot hold (NaN or infinity), and file-system errors.
    public func save(to url: URL, inputShape: [Int]? = nil, preprocessing: [Preprocessing] = [],
                     metadata: [String: JSONValue] = [:], additionalFiles: [(path: String, contents: Data)] = [],
                     using operations: any FileOperations = SystemFileOperations()) throws {
        let path = url.appendingPathComponent(Self.architectureFileName).path
        let configurations = try layers.enumerated().map { index, layer in try LayerTypes.configuration(of: layer, index: index) }
        var sections: [(key: String, value: JSONValue)] = [
            (key: "format", value: .string(ModelFormat.name)), (key: "version", value: .integer(Int64(ModelFormat.version))),
        ]
        if let shape = inputShape ?? self.inferredInputShape {
            sections.append((key: "input_shape", value: .array(shape.map { .integer(Int64($0)) })))
        }
        if !preprocessing.isEmpty { sections.append((key: "preprocessing", value: .array(preprocessing.map(\.json)))) }
        sections.append((key: "layers", value: .array(configurations.map(\.json))))
        if !metadata.isEmpty {
            sections.append((key: "metadata", value: .object(metadata.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) })))
        }
        for section in sections where !section.value.isWritable {
            throw ModelFileError.invalidValue(path: path, location: section.key, expected: "finite numbers (JSON has no NaN or infinity)",
                                              found: "a value that is not")
        }
        let json = Data(ModelFormat.text(sections).utf8)
        let weights = try parametersFile().serialized()
        try AtomicFile.writeFolder(at: url, files: [(Self.architectureFileName, json), (Self.weightsFileName, weights)] + additionalFiles,
                                   using: operations)
    }

    /// Saves the model to the folder at `path` (see ``save(to:inputShape:preprocessing:metadata:additionalFiles:using:)``).
    public func save(to path: String, inputShape: [Int]? = nil, preprocessing: [Preprocessing] = [],
                     metadata: [String: JSONValue] = [:]) throws {
        try save(to: URL(fileURLWithPath: path), inputShape: inputShape, preprocessing: preprocessing, metadata: metadata)
    }

    /// Rebuilds a model saved with ``save(to:inputShape:preprocessing:metadata:additionalFiles:using:)`` (or by the
    /// previous release, format 1), checking every value of `model.json`, the chain of shapes,
    /// and every weight's name, shape and dtype.
    public static func load(from url: URL, layerTypes: [any SavableLayer.Type] = []) throws -> Sequential {
        try loadFolder(from: url, layerTypes: layerTypes).model
    }

    /// Rebuilds a model from the folder at `path`.
    public static func load(from path: String) throws -> Sequential {
        try load(from: URL(fileURLWithPath: path))
    }

    /// Rebuilds a saved model with everything saved beside it.
    ///
    /// - Parameters:
    ///   - url: the folder to read.
    ///   - layerTypes: The program's own ``SavableLayer`` types, besides Descent's.
    /// - Throws: ``ModelFileError`` naming the file, the place in it, what was expected and
    ///   what was found.
    public static func loadFolder(from url: URL, layerTypes: [any SavableLayer.Type] = []) throws -> ModelFolder {
        // The weights file bounds the layers model.json may declare (see ModelFormat.read).
        let weights = url.appendingPathComponent(weightsFileName)
        let weightsByteCount = (try? FileManager.default.attributesOfItem(atPath: weights.path))?[.size] as? Int
        let architecture = try ModelFormat.read(url.appendingPathComponent(architectureFileName), layerTypes: layerTypes,
                                                weightsByteCount: weightsByteCount)
        var model = architecture.model
        try model.loadParameters(contentsOf: weights)
        model.setTraining(false)
        return ModelFolder(model: model, inputShape: architecture.inputShape, preprocessing: architecture.preprocessing,
                          metadata: architecture.metadata)
    }

    /// The layers that the `model.json` file at `url` describes (format 1 or 2; a saved model
    /// folder's file, or one written by hand), every value checked, and the shape of one input
    /// example when the file gives or implies it.
    ///
    /// - Throws: ``ModelFileError`` naming the file, the place in it, what was expected and
    ///   what was found.
    public static func architecture(contentsOf url: URL, layerTypes: [any SavableLayer.Type] = [])
        throws -> (layers: [LayerConfiguration], inputShape: [Int]?) {
        let architecture = try ModelFormat.read(url, layerTypes: layerTypes)
        return (try architecture.model.layers.enumerated().map { index, layer in
            try LayerTypes.configuration(of: layer, index: index)
        }, architecture.inputShape)
    }

    /// A model with the given architecture and fresh weights drawn from a generator seeded
    /// with `seed`.
    ///
    /// - Throws: ``ModelFileError`` for a configuration that is not valid.
    public init(layers configurations: [LayerConfiguration], seed: UInt64 = 0,
                layerTypes: [any SavableLayer.Type] = []) throws {
        var generator = RandomGenerator(seed: seed)
        self.init(try configurations.map { try LayerTypes.makeLayer($0, extraTypes: layerTypes, using: &generator) })
    }

    /// The architecture of each layer, or `nil` if a layer has no file representation.
    public var layerConfigurations: [LayerConfiguration]? {
        try? layers.enumerated().map { index, layer in try LayerTypes.configuration(of: layer, index: index) }
    }

    /// The input shape of one example, read from the first ``Dense`` layer when only layers
    /// that keep their input's shape come before it.
    public var inferredInputShape: [Int]? {
        for layer in layers {
            if let dense = layer as? Dense { return [dense.inputCount] }
            if let sequential = layer as? Sequential { return sequential.inferredInputShape }
            guard layer is Activation || layer is any ActivationLayer || layer is Dropout
                || layer is Softmax || layer is LogSoftmax else { return nil }
        }
        return nil
    }
}
