/// Layers applied one after another, like the diagrams in any tutorial:
///
/// ```swift
/// var model = Sequential {
///     Dense(inputCount: 784, outputCount: 512, activation: .relu)
///     Dropout(rate: 0.2)
///     Dense(inputCount: 512, outputCount: 10)
/// }
/// ```
///
/// Parameters are named by position, as PyTorch's `nn.Sequential` names them: "0.weight",
/// "0.bias", "2.weight" … (every layer counts, with or without parameters).
///
/// Two pairs of neighbours run as one step, with the same values and gradients as the layers
/// one by one (a convolution's bias gradient rounded as a sum in another order): a ``Dense``
/// without an activation, a ``Conv2d``, a ``BatchNorm1d`` or a ``BatchNorm2d`` followed by a
/// ``ReLU`` (the ReLU applied to the layer's output in the same pass), and a ``ReLU`` followed
/// by ``MaxPool2d``.
public struct Sequential: Layer {
    /// The layers, in order.
    public var layers: [any Layer]

    public init(_ layers: [any Layer]) {
        self.layers = layers
    }

    public init(@LayerBuilder _ build: () -> [any Layer]) {
        self.init(build())
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        var layers = layers
        return Self.forward(input, through: &layers, updatingBuffers: false)
    }

    /// The layers applied in order to `input`, each by `forwardUpdatingBuffers` where
    /// `updatingBuffers` (which changes `layers`), by `callAsFunction` otherwise; except that a
    /// ReLU followed by max pooling runs as one step (see ``maxPoolingAfterReLU(at:in:)``), and
    /// so does a dense, convolution or batch normalization layer followed by a ReLU (see
    /// ``layerFusingReLU(at:in:)``).
    private static func forward(_ input: Tensor, through layers: inout [any Layer], updatingBuffers: Bool) -> Tensor {
        var activation = input
        var index = layers.startIndex
        while index < layers.endIndex {
            if let pool = maxPoolingAfterReLU(at: index, in: layers) {
                activation = pool(reluOf: activation)
                index += 2
            } else if var layer = layerFusingReLU(at: index, in: layers) {
                if updatingBuffers {
                    activation = layer.forwardUpdatingBuffers(reluOf: activation)
                    layers[index] = layer
                } else {
                    activation = layer(reluOf: activation)
                }
                index += 2
            } else {
                activation = updatingBuffers ? layers[index].forwardUpdatingBuffers(activation) : layers[index](activation)
                index += 1
            }
        }
        return activation
    }

    /// The max pooling of layer `index + 1` when layer `index` is a ReLU: the pair runs as one
    /// recorded step (``MaxPool2d/callAsFunction(reluOf:)``), the same values and gradients
    /// with one full-size pass less in backpropagation.
    private static func maxPoolingAfterReLU(at index: Int, in layers: [any Layer]) -> MaxPool2d? {
        guard isReLU(layers[index]), index + 1 < layers.endIndex else { return nil }
        return layers[index + 1] as? MaxPool2d
    }

    /// Layer `index` when it can apply the ReLU of layer `index + 1` to its own output
    /// (``ReLUFusing``): the pair then writes its output once, with no pass of the ReLU's own.
    /// A ReLU followed by max pooling is left to that pair, which saves the ReLU's pass in
    /// backpropagation too.
    private static func layerFusingReLU(at index: Int, in layers: [any Layer]) -> (any ReLUFusing)? {
        // The cast to a protocol looks up a conformance at run time: it is made only where a
        // ReLU follows, not for every layer of every forward pass.
        guard index + 1 < layers.endIndex, isReLU(layers[index + 1]),
              let layer = layers[index] as? any ReLUFusing, layer.fusesReLU,
              maxPoolingAfterReLU(at: index + 1, in: layers) == nil else { return nil }
        return layer
    }

    public mutating func visitParameters(_ body: (_ name: String, _ parameter: inout Tensor) throws -> Void) rethrows {
        for index in layers.indices {
            // The prefix once per layer: names are built on every visit, several times a step.
            let prefix = String(index) + "."
            try layers[index].visitParameters { name, parameter in try body(prefix + name, &parameter) }
        }
    }

    public mutating func visitBuffers(_ body: (_ name: String, _ buffer: inout Tensor) throws -> Void) rethrows {
        for index in layers.indices {
            let prefix = String(index) + "."
            try layers[index].visitBuffers { name, buffer in try body(prefix + name, &buffer) }
        }
    }

    public mutating func setTraining(_ isTraining: Bool) {
        for index in layers.indices { layers[index].setTraining(isTraining) }
    }

    public mutating func forwardUpdatingBuffers(_ input: Tensor) -> Tensor {
        Self.forward(input, through: &layers, updatingBuffers: true)
    }

    /// The shape of one output example, found layer by layer without running the model.
    ///
    /// - Throws: ``LayerShapeError`` naming the first layer (and its index) that cannot take
    ///   the shape the layers before it give.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        try outputShapes(for: inputShape).last ?? inputShape
    }

    /// The output shape of every layer, in order, for one input example of `inputShape`.
    ///
    /// - Throws: ``LayerShapeError`` naming the first layer that cannot take its input.
    public func outputShapes(for inputShape: [Int]) throws -> [[Int]] {
        var shape = inputShape
        return try layers.enumerated().map { index, layer in
            do {
                shape = try layer.outputShape(for: shape)
            } catch var error as LayerShapeError {
                if error.index == nil { error.index = index }
                throw error
            }
            return shape
        }
    }
}

/// Lets ``Sequential`` list its layers one per line.
@resultBuilder
public enum LayerBuilder {
    public static func buildExpression(_ layer: any Layer) -> [any Layer] { [layer] }
    public static func buildExpression(_ layers: [any Layer]) -> [any Layer] { layers }
    public static func buildBlock(_ parts: [any Layer]...) -> [any Layer] { parts.flatMap { $0 } }
    public static func buildOptional(_ part: [any Layer]?) -> [any Layer] { part ?? [] }
    public static func buildEither(first part: [any Layer]) -> [any Layer] { part }
    public static func buildEither(second part: [any Layer]) -> [any Layer] { part }
    public static func buildArray(_ parts: [[any Layer]]) -> [any Layer] { parts.flatMap { $0 } }
}
