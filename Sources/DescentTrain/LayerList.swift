/// The layer-list spelling of a network (the command line's `layers` option): a comma-separated
/// list such as `512,relu,dropout=0.2,10` or
/// `conv=32x3,relu,maxpool=2,flatten,128,relu`, where each item is one layer of the
/// `Sequential` — so item *k* (counting from 0) is the layer whose parameters are named
/// `k.weight` and `k.bias`, as in PyTorch's `nn.Sequential`:
///
/// | item | layer |
/// | --- | --- |
/// | `N` (a number) | a dense (linear) layer of N units, on examples of one axis |
/// | `relu`, `tanh`, `sigmoid`, `gelu`, `elu`, `leaky-relu`, `softplus`, `identity` | the activation |
/// | `dropout=P` | dropout with rate P, at least 0 and below 1 |
/// | `conv=OUTxK` | a 2-D convolution to OUT channels with a K×K kernel; then, optionally and in this order, `sS` (stride), `pP` (zero padding) or `psame`, `dD` (dilation), `gG` (groups): `conv=64x3s2p1`, `conv=8x3d2g2` |
/// | `maxpool=K`, `avgpool=K` | K×K max or average pooling; `sS` after K sets the stride (by default K): `maxpool=3s2` |
/// | `globalavgpool` | the mean of each channel, [C, H, W] → [C, 1, 1] (`nn.AdaptiveAvgPool2d(1)`) |
/// | `batchnorm` | batch normalization: `BatchNorm2d` on images [C, H, W], `BatchNorm1d` on [C] or [C, L] |
/// | `dropout2d=P` | dropout of whole channels with rate P |
/// | `flatten` | one axis per example, as `nn.Flatten()` |
///
/// The input shape comes from the data, so the list only names what follows the input; each
/// layer's sizes (a dense layer's inputs, a convolution's input channels) come from the shape
/// the layers before it give. Two layers are added where the list needs them:
///
/// - when the list's first item is a dense layer (or the list is empty) and the examples have
///   more than one axis (images [C, H, W]), a flatten comes first, so that `512,relu` on images
///   is a multilayer perceptron on their pixels (its dense layers then count from 1);
/// - when the list does not end with a dense layer of the data's output size, one is appended —
///   after a flatten if the last shape has more than one axis — so that `64,relu,64,relu` and
///   `conv=8x3,relu` are complete classifiers. When the cost needs an activation on the outputs
///   (a sigmoid for `bce`, which takes probabilities), it follows the output layer.
///
/// A dense layer elsewhere must follow a layer that gives one axis per example (`flatten`).
public enum LayerList {
    /// The activation names `parse` accepts.
    public static let activationNames = ["relu", "tanh", "sigmoid", "gelu", "elu", "leaky-relu", "softplus", "identity"]

    /// The largest size (units, channels, kernel, stride, padding, dilation, groups) an item may
    /// give: far beyond any real network, small enough that no arithmetic on it overflows.
    public static let largestSize = 1 << 16

    /// The layers described by `specification`, between examples of `inputCount` features and
    /// `outputCount` outputs: ``parse(_:inputShape:outputCount:outputActivation:)`` with the
    /// input shape `[inputCount]`.
    public static func parse(_ specification: String, inputCount: Int, outputCount: Int,
                             outputActivation: Activation? = nil) throws -> [LayerConfiguration] {
        try parse(specification, inputShape: [inputCount], outputCount: outputCount, outputActivation: outputActivation)
    }

    /// The layers described by `specification`, between examples of `inputShape` (without the
    /// batch axis: `[4]` for four features, `[1, 28, 28]` for MNIST's images) and `outputCount`
    /// outputs.
    ///
    /// - Parameters:
    ///   - specification: the comma-separated list (`64,relu,dropout=0.2,10`).
    ///   - inputShape: the shape of one example, without the batch axis.
    ///   - outputCount: the number of outputs of the last layer.
    ///   - outputActivation: the activation the cost needs after the output layer;
    ///     appended unless the list already ends with it (`…,1,sigmoid`).
    /// - Throws: ``TrainingError/invalidSetting(_:)`` naming the item (its position, from 1, and
    ///   its text) that is not understood or that cannot take the shape the items before it give.
    public static func parse(_ specification: String, inputShape: [Int], outputCount: Int,
                             outputActivation: Activation? = nil) throws -> [LayerConfiguration] {
        var layers: [LayerConfiguration] = []
        // The units of each layer that is a dense one (nil for the others).
        var units: [Int?] = []
        var shape = inputShape
        let written = specification.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        // An empty list (no hidden layer) has one empty item; an empty item elsewhere is an error.
        let items = written == [""] ? [] : written
        if shape.count > 1, items.first.map({ Int($0) != nil }) ?? true {
            layers.append(.flatten)
            units.append(nil)
            shape = [shape.reduce(1, *)]
        }
        for (position, item) in items.enumerated() {
            let layer = try configuration(of: item, position: position, shape: shape)
            // Checked before `outputShape` builds the layer, which allocates its weights.
            try LayerMemory.check(layers + [layer], item: "item \(position + 1) \"\(item)\"")
            // A dense layer's output is its units (its input was checked above): no need to
            // build it, and its weights, for that.
            shape = layer.type == Dense.typeName
                ? [try layer.integer("out_features", in: 1...Int.max)]
                : try outputShape(of: layer, for: shape, item: item, position: position)
            layers.append(layer)
            units.append(layer.type == Dense.typeName ? shape.last : nil)
        }
        if let outputActivation, layers.last == .activation(outputActivation), units.dropLast().last == outputCount {
            return layers
        }
        if units.last != outputCount || shape != [outputCount] {
            if shape.count != 1 {
                layers.append(.flatten)
                shape = [shape.reduce(1, *)]
            }
            layers.append(.dense(inputCount: shape[0], outputCount: outputCount))
            try LayerMemory.check(layers, item: "the output layer (\(shape[0]) inputs, \(outputCount) outputs)")
        }
        if let outputActivation { layers.append(.activation(outputActivation)) }
        return layers
    }

    /// Whether the list's first item is a layer on images (a convolution, a pooling, channel
    /// dropout): the data must then come as images [C, H, W].
    public static func startsWithImageLayer(_ specification: String) -> Bool {
        let first = specification.split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return ["conv=", "maxpool=", "avgpool=", "dropout2d="].contains { first.hasPrefix($0) } || first == "globalavgpool"
    }

    /// The configuration of one item, on examples of `shape`.
    private static func configuration(of item: String, position: Int, shape: [Int]) throws -> LayerConfiguration {
        if let count = Int(item) {
            guard (1...largestSize).contains(count) else {
                // Too large for memory is the reason worth giving when it is one.
                if count > largestSize, shape.count == 1 {
                    try LayerMemory.check([.dense(inputCount: shape[0], outputCount: count)], item: "item \(position + 1) \"\(item)\"")
                }
                throw invalid(item, position, "a dense layer needs 1 to \(largestSize) units")
            }
            guard shape.count == 1 else {
                throw misfit(item, position, "a dense layer takes examples of one axis, but the layers before it give "
                             + "\(text(shape)); put flatten before it")
            }
            return .dense(inputCount: shape[0], outputCount: count)
        }
        if let rate = setting(item, "dropout=", position) {
            return .dropout(rate: try dropoutRate(rate, item, position))
        }
        if let rate = setting(item, "dropout2d=", position) {
            return Dropout2d(rate: try dropoutRate(rate, item, position), seed: 0).configuration
        }
        if let settings = setting(item, "conv=", position) {
            return try convolution(settings, item: item, position: position, shape: shape)
        }
        if let settings = setting(item, "maxpool=", position) {
            let (kernel, stride) = try pooling(settings, item: item, position: position)
            return MaxPool2d(kernelSize: Size2D(kernel), stride: Size2D(stride)).configuration
        }
        if let settings = setting(item, "avgpool=", position) {
            let (kernel, stride) = try pooling(settings, item: item, position: position)
            return AvgPool2d(kernelSize: Size2D(kernel), stride: Size2D(stride)).configuration
        }
        switch item {
        case "globalavgpool":
            return AdaptiveAvgPool2d(outputSize: 1).configuration
        case "flatten":
            return .flatten
        case "batchnorm":
            switch shape.count {
            case 1, 2: return BatchNorm1d(featureCount: shape[0]).configuration
            case 3: return BatchNorm2d(featureCount: shape[0]).configuration
            default:
                throw misfit(item, position, "batch normalization takes features [C], sequences [C, L] or images "
                             + "[C, H, W], but the layers before it give \(text(shape))")
            }
        default:
            if let activation = activation(named: item) { return .activation(activation) }
            throw invalid(item, position, "expected a number of units, an activation ("
                          + activationNames.joined(separator: ", ")
                          + "), dropout=P, conv=OUTxK, maxpool=K, avgpool=K, globalavgpool, batchnorm, dropout2d=P or flatten")
        }
    }

    /// What follows `prefix` in `item`; nil when `item` does not start with it.
    private static func setting(_ item: String, _ prefix: String, _ position: Int) -> Substring? {
        guard item.hasPrefix(prefix) else { return nil }
        return item.dropFirst(prefix.count)
    }

    private static func dropoutRate(_ text: Substring, _ item: String, _ position: Int) throws -> Double {
        guard let rate = Double(text), rate >= 0, rate < 1 else {
            throw invalid(item, position, "the dropout rate must be a number at least 0 and below 1")
        }
        return rate
    }

    /// `OUTxK`, then `sS`, `pP` or `psame`, `dD`, `gG`, each optional, in that order.
    private static func convolution(_ settings: Substring, item: String, position: Int, shape: [Int]) throws -> LayerConfiguration {
        let form = "expected conv=OUTxK, then optionally sS (stride), pP or psame (padding), dD (dilation), gG (groups) in that order, such as conv=64x3s2p1"
        var scanner = SettingScanner(text: settings)
        guard let channels = scanner.number(), scanner.skip("x"), let kernel = scanner.number() else {
            throw invalid(item, position, form)
        }
        var stride = 1, dilation = 1, groups = 1
        var padding: Conv2dPadding = 0
        if scanner.skip("s") { guard let value = scanner.number() else { throw invalid(item, position, form) }; stride = value }
        if scanner.skip("p") {
            if scanner.skip("same") {
                padding = .same
            } else {
                guard let value = scanner.number() else { throw invalid(item, position, form) }
                padding = .explicit(Size2D(value))
            }
        }
        if scanner.skip("d") { guard let value = scanner.number() else { throw invalid(item, position, form) }; dilation = value }
        if scanner.skip("g") { guard let value = scanner.number() else { throw invalid(item, position, form) }; groups = value }
        guard scanner.isAtEnd else { throw invalid(item, position, form) }
        let paddingSize = if case .explicit(let size) = padding { size.height } else { 0 }
        for (name, value, least) in [("output channels", channels, 1), ("kernel size", kernel, 1), ("stride", stride, 1),
                                     ("padding", paddingSize, 0), ("dilation", dilation, 1), ("groups", groups, 1)]
            where !(least...largestSize).contains(value) {
            throw invalid(item, position, "the \(name) must be \(least) to \(largestSize), found \(value)")
        }
        if padding == .same && stride != 1 {
            throw invalid(item, position, "padding \"same\" needs stride 1 (as PyTorch), found stride \(stride)")
        }
        guard shape.count == 3 else {
            throw misfit(item, position, "a convolution takes images [channels, height, width], but "
                         + (position == 0 ? "the data give \(text(shape))" : "the layers before it give \(text(shape))"))
        }
        guard shape[0] % groups == 0, channels % groups == 0 else {
            throw misfit(item, position, "the groups (\(groups)) must divide the input channels (\(shape[0])) and the "
                         + "output channels (\(channels))")
        }
        var fields: [(key: String, value: JSONValue)] = [
            (key: "in_channels", value: .integer(Int64(shape[0]))),
            (key: "out_channels", value: .integer(Int64(channels))),
            (key: "kernel_size", value: .integer(Int64(kernel))),
        ]
        if stride != 1 { fields.append((key: "stride", value: .integer(Int64(stride)))) }
        if padding == .same {
            fields.append((key: "padding", value: .string("same")))
        } else if paddingSize != 0 {
            fields.append((key: "padding", value: .integer(Int64(paddingSize))))
        }
        if dilation != 1 { fields.append((key: "dilation", value: .integer(Int64(dilation)))) }
        if groups != 1 { fields.append((key: "groups", value: .integer(Int64(groups)))) }
        return LayerConfiguration(type: Conv2d.typeName, fields: fields)
    }

    /// `K`, then optionally `sS`.
    private static func pooling(_ settings: Substring, item: String, position: Int) throws -> (kernel: Int, stride: Int) {
        let form = "expected a kernel size K, then optionally sS (the stride, by default K), such as \(item.prefix { $0 != "=" })=2 or \(item.prefix { $0 != "=" })=3s2"
        var scanner = SettingScanner(text: settings)
        guard let kernel = scanner.number() else { throw invalid(item, position, form) }
        var stride = kernel
        if scanner.skip("s") { guard let value = scanner.number() else { throw invalid(item, position, form) }; stride = value }
        guard scanner.isAtEnd else { throw invalid(item, position, form) }
        for (name, value) in [("kernel size", kernel), ("stride", stride)] where !(1...largestSize).contains(value) {
            throw invalid(item, position, "the \(name) must be 1 to \(largestSize), found \(value)")
        }
        return (kernel, stride)
    }

    /// The shape `layer` gives for examples of `shape`, or the error naming the item.
    private static func outputShape(of layer: LayerConfiguration, for shape: [Int], item: String, position: Int) throws -> [Int] {
        do {
            return try Sequential(layers: [layer]).outputShape(for: shape)
        } catch let error as LayerShapeError {
            throw misfit(item, position, "expected \(error.expected), but "
                         + (position == 0 ? "the data give \(text(shape))" : "the layers before it give \(text(shape))"))
        } catch {
            throw misfit(item, position, "\(error)")
        }
    }

    private static func text(_ shape: [Int]) -> String {
        "[" + shape.map(String.init).joined(separator: ", ") + "]"
    }

    private static func activation(named name: String) -> Activation? {
        switch name {
        case "relu": .relu
        case "tanh": .tanh
        case "sigmoid": .sigmoid
        case "gelu": .gelu
        case "elu": .elu
        case "leaky-relu", "leakyrelu": .leakyReLU
        case "softplus": .softplus
        case "identity", "linear": .identity
        default: nil
        }
    }

    private static func invalid(_ item: String, _ position: Int, _ reason: String) -> TrainingError {
        .invalidSetting("the layer list: item \(position + 1) \"\(item)\" is not understood: \(reason)")
    }

    private static func misfit(_ item: String, _ position: Int, _ reason: String) -> TrainingError {
        .invalidSetting("the layer list: item \(position + 1) \"\(item)\" does not fit: \(reason)")
    }
}

/// Reads the settings of an item such as `64x3s2p1` from left to right.
private struct SettingScanner {
    var text: Substring

    var isAtEnd: Bool { text.isEmpty }

    /// The decimal number at the front, consumed; nil when there is none or it does not fit an `Int`.
    mutating func number() -> Int? {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty else { return nil }
        text = text.dropFirst(digits.count)
        return Int(digits)
    }

    /// Consumes `word` when the text starts with it.
    mutating func skip(_ word: String) -> Bool {
        guard text.hasPrefix(word) else { return false }
        text = text.dropFirst(word.count)
        return true
    }
}
