import Foundation

/// A layer that `model.json` can describe: its type owns its configuration.
///
/// A new layer type is one new file — the layer, and its conformance to this protocol — and one
/// line in ``LayerTypes/builtIn``. (A program's own layer types can be passed to
/// `Sequential.load(from:layerTypes:)` instead.)
public protocol SavableLayer: Layer {
    /// The tag of the layer's entry in `model.json`: PyTorch's class name in lower case.
    static var typeName: String { get }
    /// Other tags read as this type (`dense` for `linear`).
    static var aliases: [String] { get }
    /// The layer's settings as `model.json` writes them (PyTorch's argument names, defaults
    /// left out).
    var configuration: LayerConfiguration { get }
    /// A layer with the settings of `configuration` and fresh weights from `generator`.
    ///
    /// - Throws: ``ModelFileError/invalidValue(path:location:expected:found:)`` for a setting
    ///   that is missing, of the wrong type or out of range, or a layer too large for memory.
    init(configuration: LayerConfiguration, using generator: inout RandomGenerator) throws
}

extension SavableLayer {
    public static var aliases: [String] { [] }
}

/// The layer types that `model.json` can name.
public enum LayerTypes {
    /// Descent's own layer types: one line per type.
    public static var builtIn: [any SavableLayer.Type] {
        [
            Dense.self,
            Conv2d.self,
            Dropout.self,
            Flatten.self,
            BatchNorm1d.self,
            BatchNorm2d.self,
            Dropout2d.self,
            Identity.self, ReLU.self, LeakyReLU.self, ELU.self, GELU.self, Sigmoid.self, Tanh.self, Softplus.self,
            Softmax.self, LogSoftmax.self,
            MaxPool2d.self,
            AvgPool2d.self,
            AdaptiveAvgPool2d.self,
        ]
    }

    /// The type whose tag (or alias) is `name`, among `types`.
    static func type(named name: String, in types: [any SavableLayer.Type]) -> (any SavableLayer.Type)? {
        types.first { $0.typeName == name || $0.aliases.contains(name) }
    }

    /// A layer built from `configuration`, whose type is looked up among the built-in types and
    /// `extraTypes`.
    static func makeLayer(_ configuration: LayerConfiguration, extraTypes: [any SavableLayer.Type] = [],
                          using generator: inout RandomGenerator) throws -> any Layer {
        let types = builtIn + extraTypes
        guard let type = type(named: configuration.type, in: types) else {
            throw configuration.invalid("type", expected: "a layer type: " + types.map { $0.typeName }.joined(separator: ", "),
                                        found: "\"\(configuration.type)\"")
        }
        return try build(type, configuration, &generator)
    }

    /// `T(configuration:using:)` with `T` opened from an existential metatype. (Calling the
    /// initializer on `any SavableLayer.Type` directly crashes the Swift 6.3 compiler.)
    private static func build<T: SavableLayer>(_: T.Type, _ configuration: LayerConfiguration,
                                               _ generator: inout RandomGenerator) throws -> any Layer {
        try T(configuration: configuration, using: &generator)
    }

    /// The configuration of `layer` as `model.json` writes it; an ``Activation`` used as a
    /// layer is written as the layer type of the same name.
    static func configuration(of layer: any Layer, index: Int) throws -> LayerConfiguration {
        if let activation = layer as? Activation { return activation.configuration }
        guard let savable = layer as? any SavableLayer else {
            throw ModelFileError.unsupportedLayer(index: index, type: String(describing: Swift.type(of: layer)))
        }
        return savable.configuration
    }
}

extension LayerConfiguration {
    /// Stops unless a layer of `elements` float32 values fits in this machine's memory: a size
    /// read from a file must never reach an allocation that fails.
    func requireMemory(forElements elements: Double, what: String) throws {
        let bytes = elements * 4
        let available = Double(ProcessInfo.processInfo.physicalMemory)
        guard bytes <= available else {
            throw invalid(expected: "a layer that fits in this machine's \(Self.bytesText(available)) of memory",
                          found: "\(what): \(Self.bytesText(bytes)) of weights")
        }
    }

    private static func bytesText(_ bytes: Double) -> String {
        let units = ["bytes", "KB", "MB", "GB", "TB", "PB", "EB"]
        var value = bytes, unit = 0
        while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
        return unit == 0 ? "\(Int(value)) bytes" : String(format: "%.1f %@", value, units[unit])
    }
}
