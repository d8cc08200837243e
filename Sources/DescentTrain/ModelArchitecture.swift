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
    /// The convolutional network of PyTorch's MNIST example (`pytorch/examples`, `mnist/main.py`)
    /// as an `nn.Sequential`, on images [1, 28, 28]: two 3×3 convolutions of 32 and 64 channels
    /// with ReLU, 2×2 max pooling, dropout 0.25, flatten, 128 ReLU units, dropout 0.5 and 10
    /// outputs. The example's `forward` ends with `log_softmax` and trains with `nll_loss`: the
    /// same as cross-entropy on these outputs.
    ///
    /// The example's layers have names; the Sequential numbers them, so its weights move here
    /// renamed: `conv1.` → `0.`, `conv2.` → `2.`, `fc1.` → `7.`, `fc2.` → `10.` (the ReLUs are
    /// 1, 3 and 8, the pooling 4, the dropouts 5 and 9, the flatten 6).
    case cnn

    /// The hidden layers as a ``LayerList`` spells them.
    public var layerList: String {
        switch self {
        case .small: "64,relu,64,relu"
        case .mlp: "512,relu,dropout=0.2,512,relu,dropout=0.2"
        case .linear: ""
        case .cnn: "conv=32x3,relu,conv=64x3,relu,maxpool=2,dropout=0.25,flatten,128,relu,dropout=0.5,10"
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

    /// The layers between `inputCount` inputs and `outputCount` outputs:
    /// ``layers(inputShape:outputCount:outputActivation:)`` with the input shape `[inputCount]`.
    public func layers(inputCount: Int, outputCount: Int, outputActivation: Activation? = nil) throws -> [LayerConfiguration] {
        try layers(inputShape: [inputCount], outputCount: outputCount, outputActivation: outputActivation)
    }

    /// The layers between examples of `inputShape` (without the batch axis: `[4]`, `[1, 28, 28]`)
    /// and `outputCount` outputs; a layer list gets `outputActivation` after its output layer (a
    /// sigmoid for binary cross-entropy), while a file is taken as the whole network.
    ///
    /// - Throws: ``TrainingError/invalidSetting(_:)`` for a layer list that is not understood;
    ///   for a file, `ModelFileError` when it cannot be read or parsed and
    ///   ``TrainingError/incompatibleData(_:)`` when its layers do not fit each other or the data.
    public func layers(inputShape: [Int], outputCount: Int, outputActivation: Activation? = nil) throws -> [LayerConfiguration] {
        switch self {
        case let .layerList(specification):
            return try LayerList.parse(specification, inputShape: inputShape, outputCount: outputCount,
                                       outputActivation: outputActivation)
        case let .file(path):
            let layers = try ModelFile.layers(contentsOf: URL(fileURLWithPath: path))
            try ModelFile.check(layers, inputShape: inputShape, outputCount: outputCount, path: path)
            return layers
        }
    }

    /// Whether the network's first layer works on images [C, H, W] (a convolution, a pooling,
    /// channel dropout or 2-D batch normalization), so that the data must come as images.
    ///
    /// - Throws: for a file, `ModelFileError` when it cannot be read or parsed.
    public func startsWithImageLayer() throws -> Bool {
        switch self {
        case let .layerList(specification):
            return LayerList.startsWithImageLayer(specification)
        case let .file(path):
            let imageTypes = [Conv2d.typeName, MaxPool2d.typeName, AvgPool2d.typeName, AdaptiveAvgPool2d.typeName,
                              BatchNorm2d.typeName, Dropout2d.typeName]
            return try ModelFile.layers(contentsOf: URL(fileURLWithPath: path)).first.map { imageTypes.contains($0.type) } ?? false
        }
    }

    /// The shape of one example of `data` as this network takes it.
    ///
    /// Data whose examples have several axes keep them. The built-in image sets are read one
    /// row of pixels per example — MNIST's 784, the digits' 64 — so that dense networks and CSV
    /// files see features; a network that starts with a layer on images (see
    /// ``startsWithImageLayer()``) gets them as images instead: [1, 28, 28] for `mnist`,
    /// [1, 8, 8] for `digits`.
    ///
    /// - Parameters:
    ///   - data: the dataset whose examples the network takes.
    ///   - source: the data's name (``DatasetSource``).
    /// - Throws: for a file, `ModelFileError` when it cannot be read or parsed.
    public func exampleShape(of data: Dataset, source: String) throws -> [Int] {
        let shape = Array(data.features.shape.dropFirst())
        let images: [String: [Int]] = ["mnist": [1, 28, 28], "digits": [1, 8, 8]]
        guard shape.count == 1, let image = images[source], image.reduce(1, *) == shape[0],
              try startsWithImageLayer() else { return shape }
        return image
    }
}
