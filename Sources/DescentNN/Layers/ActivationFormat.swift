// How activations appear in model.json: as layers of their own (`{"type": "relu"}`,
// `{"type": "leakyrelu", "negative_slope": 0.2}`) and as a linear layer's fused `activation`
// (`"relu"`, or the same object when a setting differs from PyTorch's default).

extension Activation {
    /// The activation as a layer entry: PyTorch's class name in lower case, settings that
    /// differ from the defaults.
    public var configuration: LayerConfiguration {
        switch self {
        case .identity: LayerConfiguration(type: "identity")
        case .relu: LayerConfiguration(type: "relu")
        case let .leakyReLU(slope):
            LayerConfiguration(type: "leakyrelu", fields: slope == 0.01 ? [] : [(key: "negative_slope", value: .number(slope))])
        case let .elu(alpha): LayerConfiguration(type: "elu", fields: alpha == 1 ? [] : [(key: "alpha", value: .number(alpha))])
        case let .gelu(approximation):
            LayerConfiguration(type: "gelu", fields: approximation == .exact ? [] : [(key: "approximate", value: "tanh")])
        case .sigmoid: LayerConfiguration(type: "sigmoid")
        case .tanh: LayerConfiguration(type: "tanh")
        case let .softplus(beta, threshold):
            LayerConfiguration(type: "softplus", fields: (beta == 1 ? [] : [(key: "beta", value: .number(beta))])
                + (threshold == 20 ? [] : [(key: "threshold", value: .number(threshold))]))
        case .softmax: LayerConfiguration(type: "softmax")
        case .logSoftmax: LayerConfiguration(type: "logsoftmax")
        }
    }

    /// The names of activations, as tags.
    static let typeNames = ["identity", "relu", "leakyrelu", "elu", "gelu", "sigmoid", "tanh", "softplus",
                            "softmax", "logsoftmax"]

    /// The activation an entry describes (a softmax over the last axis only).
    ///
    /// - Throws: ``ModelFileError`` for an unknown name or a setting out of range.
    init(configuration c: LayerConfiguration) throws {
        switch c.type {
        case "identity": try c.requireOnly([]); self = .identity
        case "relu": try c.requireOnly([]); self = .relu
        case "leakyrelu":
            try c.requireOnly(["negative_slope"])
            self = .leakyReLU(negativeSlope: try c.number("negative_slope", default: 0.01))
        case "elu":
            try c.requireOnly(["alpha"])
            self = .elu(alpha: try c.number("alpha", default: 1))
        case "gelu":
            try c.requireOnly(["approximate"])
            self = .gelu(approximation: try c.string("approximate", default: "none", oneOf: ["none", "tanh"]) == "tanh" ? .tanh : .exact)
        case "sigmoid": try c.requireOnly([]); self = .sigmoid
        case "tanh": try c.requireOnly([]); self = .tanh
        case "softplus":
            try c.requireOnly(["beta", "threshold"])
            self = .softplus(beta: try c.number("beta", default: 1, in: Double.leastNormalMagnitude...Double.greatestFiniteMagnitude),
                             threshold: try c.number("threshold", default: 20))
        case "softmax", "logsoftmax":
            // As a linear layer's activation, along the last axis only (a layer of its own may
            // take any `dim`: see `Softmax`).
            try c.requireOnly(["dim"])
            _ = try c.integer("dim", default: -1, in: -1...(-1))
            self = c.type == "softmax" ? .softmax : .logSoftmax
        default:
            throw c.invalid("type", expected: "an activation: " + Self.typeNames.joined(separator: ", "), found: "\"\(c.type)\"")
        }
    }

    /// A linear layer's `activation` field: the name when every setting is the default, else
    /// the object.
    var fieldValue: JSONValue {
        let configuration = configuration
        return configuration.fields.isEmpty ? .string(configuration.type) : configuration.json
    }

    /// The activation named by a linear layer's `activation` field (a name or an object), read
    /// at `key` of `owner`.
    init(field value: JSONValue, key: String, of owner: LayerConfiguration) throws {
        var entry: LayerConfiguration
        switch value {
        case let .string(name):
            entry = LayerConfiguration(type: name)
        case .object:
            entry = try LayerConfiguration(json: value, file: owner.source.file, location: owner.source.location + "." + key)
        default:
            throw owner.invalid(key, expected: "an activation's name, such as \"relu\", or an object with its \"type\"",
                                found: value.summary)
        }
        entry.source = LayerConfiguration.Source(file: owner.source.file, location: owner.source.location + "." + key)
        try self.init(configuration: entry)
    }
}

/// An activation layer: its entry is its activation's.
protocol ActivationLayer: SavableLayer {
    var activation: Activation { get }
    init?(_ activation: Activation)
}

extension ActivationLayer {
    public var configuration: LayerConfiguration { activation.configuration }

    public init(configuration: LayerConfiguration, using generator: inout RandomGenerator) throws {
        guard let layer = Self(try Activation(configuration: configuration)) else {
            throw configuration.invalid("type", expected: "\"\(Self.typeName)\"", found: "\"\(configuration.type)\"")
        }
        self = layer
    }
}

extension Identity: ActivationLayer {
    public static let typeName = "identity"
    var activation: Activation { .identity }
    init?(_ activation: Activation) {
        guard activation == .identity else { return nil }
        self.init()
    }
}

extension ReLU: ActivationLayer {
    public static let typeName = "relu"
    var activation: Activation { .relu }
    init?(_ activation: Activation) {
        guard activation == .relu else { return nil }
        self.init()
    }
}

extension LeakyReLU: ActivationLayer {
    public static let typeName = "leakyrelu"
    var activation: Activation { .leakyReLU(negativeSlope: negativeSlope) }
    init?(_ activation: Activation) {
        guard case let .leakyReLU(slope) = activation else { return nil }
        self.init(negativeSlope: slope)
    }
}

extension ELU: ActivationLayer {
    public static let typeName = "elu"
    var activation: Activation { .elu(alpha: alpha) }
    init?(_ activation: Activation) {
        guard case let .elu(alpha) = activation else { return nil }
        self.init(alpha: alpha)
    }
}

extension GELU: ActivationLayer {
    public static let typeName = "gelu"
    var activation: Activation { .gelu(approximation: approximation) }
    init?(_ activation: Activation) {
        guard case let .gelu(approximation) = activation else { return nil }
        self.init(approximation: approximation)
    }
}

extension Sigmoid: ActivationLayer {
    public static let typeName = "sigmoid"
    var activation: Activation { .sigmoid }
    init?(_ activation: Activation) {
        guard activation == .sigmoid else { return nil }
        self.init()
    }
}

extension Tanh: ActivationLayer {
    public static let typeName = "tanh"
    var activation: Activation { .tanh }
    init?(_ activation: Activation) {
        guard activation == .tanh else { return nil }
        self.init()
    }
}

extension Softplus: ActivationLayer {
    public static let typeName = "softplus"
    var activation: Activation { .softplus(beta: beta, threshold: threshold) }
    init?(_ activation: Activation) {
        guard case let .softplus(beta, threshold) = activation else { return nil }
        self.init(beta: beta, threshold: threshold)
    }
}

// Softmax and log-softmax layers take PyTorch's `dim`, which counts the batch axis.

extension Softmax: SavableLayer {
    public static let typeName = "softmax"
    public var configuration: LayerConfiguration {
        LayerConfiguration(type: Self.typeName, fields: axis == -1 ? [] : [(key: "dim", value: .integer(Int64(axis)))])
    }
    public init(configuration: LayerConfiguration, using generator: inout RandomGenerator) throws {
        try configuration.requireOnly(["dim"])
        self.init(axis: try configuration.integer("dim", default: -1, in: -64...64))
    }
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        try requireAxis(axis, of: inputShape, layer: "\(Self.typeName) dim \(axis)")
    }
}

extension LogSoftmax: SavableLayer {
    public static let typeName = "logsoftmax"
    public var configuration: LayerConfiguration {
        LayerConfiguration(type: Self.typeName, fields: axis == -1 ? [] : [(key: "dim", value: .integer(Int64(axis)))])
    }
    public init(configuration: LayerConfiguration, using generator: inout RandomGenerator) throws {
        try configuration.requireOnly(["dim"])
        self.init(axis: try configuration.integer("dim", default: -1, in: -64...64))
    }
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        try requireAxis(axis, of: inputShape, layer: "\(Self.typeName) dim \(axis)")
    }
}

/// `inputShape` itself, if `axis` (counting the batch axis in front of it) is one of its axes.
private func requireAxis(_ axis: Int, of inputShape: [Int], layer: String) throws -> [Int] {
    let rank = inputShape.count + 1
    guard axis >= -rank && axis < rank else {
        throw LayerShapeError(expected: "inputs with an axis \(axis) (with the batch axis, \(-rank)…\(rank - 1))",
                              found: inputShape, layer: layer)
    }
    return inputShape
}
