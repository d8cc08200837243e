import Foundation

/// A ready-made network shape (the command line's `model` option), written as a ``LayerList``
/// (the input and output sizes come from the data).
public enum ModelPreset: String, CaseIterable, Sendable {
    /// Two hidden layers of 64 ReLU units: the command line's default, quick on small data.
    case small
    /// Keras' `mnist_mlp`: two hidden layers of 512 ReLU units, each followed by dropout 0.2.
    case mlp
    /// No hidden layer: one dense layer from the inputs to the outputs — logistic (softmax)
    /// regression for classes, linear regression for numbers.
    case linear

    /// The hidden layers as a ``LayerList`` spells them.
    public var layerList: String {
        switch self {
        case .small: "64,relu,64,relu"
        case .mlp: "512,relu,dropout=0.2,512,relu,dropout=0.2"
        case .linear: ""
        }
    }

    /// The preset's names.
    public static var names: [String] { allCases.map(\.rawValue) }
}

/// The network a training run builds: a layer list (given, or a ``ModelPreset``'s) or a JSON
/// model file (see ``ModelFile``).
public enum ModelArchitecture: Sendable, Equatable {
    /// Hidden layers in ``LayerList`` spelling; the output layer is added to fit the data.
    case layerList(String)
    /// A JSON model file listing every layer, input to output.
    case file(path: String)

    /// The default when neither a model nor a layer list is given.
    public static let `default` = ModelArchitecture.layerList(ModelPreset.small.layerList)

    /// The architecture chosen by name.
    ///
    /// - Parameters:
    ///   - model: A preset name (``ModelPreset``) or a path ending in `.json`.
    ///   - layers: A ``LayerList`` specification.
    /// - Throws: ``TrainingError/invalidSetting(_:)`` when both are given, or when `model` is
    ///   neither a preset nor a `.json` path.
    public init(model: String?, layers: String?) throws {
        switch (model, layers) {
        case (nil, nil):
            self = .default
        case let (nil, layers?):
            self = .layerList(layers)
        case let (model?, nil):
            if let preset = ModelPreset(rawValue: model.lowercased()) {
                self = .layerList(preset.layerList)
            } else if model.lowercased().hasSuffix(".json") {
                self = .file(path: model)
            } else {
                throw TrainingError.invalidSetting(
                    "unknown model \"\(model)\": expected a preset (\(ModelPreset.names.joined(separator: ", "))) or a .json model file")
            }
        case (_?, _?):
            throw TrainingError.invalidSetting("use either a model or a layer list, not both")
        }
    }

    /// The layers between `inputCount` inputs and `outputCount` outputs; a layer list gets
    /// `outputActivation` after its output layer (a sigmoid for binary cross-entropy), while a
    /// file is taken as the whole network.
    ///
    /// - Throws: ``TrainingError/invalidSetting(_:)`` for a layer list that is not understood;
    ///   for a file, ``ModelFileError`` when it cannot be read or parsed and
    ///   ``TrainingError/incompatibleData(_:)`` when its layers do not fit each other or the data.
    public func layers(inputCount: Int, outputCount: Int, outputActivation: Activation? = nil) throws -> [LayerConfiguration] {
        switch self {
        case let .layerList(specification):
            return try LayerList.parse(specification, inputCount: inputCount, outputCount: outputCount,
                                       outputActivation: outputActivation)
        case let .file(path):
            let layers = try ModelFile.layers(contentsOf: URL(fileURLWithPath: path))
            try ModelFile.check(layers, inputCount: inputCount, outputCount: outputCount, path: path)
            return layers
        }
    }
}
