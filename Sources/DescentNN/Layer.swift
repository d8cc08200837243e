/// A step of forward propagation with its own trainable parameters: the building block of a
/// network.
///
/// A layer is a value. Its parameters (weights and biases) are tensors with stable names, the
/// names PyTorch's `state_dict()` would give them ("weight", "bias"; inside a ``Sequential``,
/// "0.weight", "2.bias"…), so models and their gradients line up name by name and files
/// interoperate with PyTorch.
public protocol Layer {
    /// Forward propagation: this layer's output for a batch of inputs.
    func callAsFunction(_ input: Tensor) -> Tensor

    /// Calls `body` with each trainable parameter and its name, in a fixed order; `body` may
    /// replace the parameter. This one method lets optimizers update, files load and autodiff
    /// track every parameter without knowing the layer's structure.
    mutating func visitParameters(_ body: (_ name: String, _ parameter: inout Tensor) throws -> Void) rethrows

    /// Calls `body` with each buffer — state that is not trained by gradient descent, such as
    /// batch norm's running statistics — and its name (PyTorch's buffer name), in a fixed order.
    /// Buffers are saved with the weights and moved with ``to(_:)``, but optimizers never see
    /// them.
    mutating func visitBuffers(_ body: (_ name: String, _ buffer: inout Tensor) throws -> Void) rethrows

    /// Switches between training behaviour (e.g. dropout active) and inference behaviour.
    mutating func setTraining(_ isTraining: Bool)

    /// The shape of one output example for one input example of `inputShape` (shapes without
    /// the batch axis: `[784]`, or `[channels, height, width]` for images).
    ///
    /// - Throws: ``LayerShapeError`` when the layer cannot take such an input.
    func outputShape(for inputShape: [Int]) throws -> [Int]

    /// Forward propagation that may also update the layer's buffers, as a forward pass in
    /// training mode does in PyTorch (batch norm's running statistics). `fit` calls it; the plain
    /// `callAsFunction` never changes the layer, so a copied model never shares its buffers.
    mutating func forwardUpdatingBuffers(_ input: Tensor) -> Tensor
}

/// A layer that cannot take an input of some shape: what it expected and what it was given.
public struct LayerShapeError: Error, CustomStringConvertible, Equatable {
    /// What the layer takes, in words ("inputs whose last axis has 784 values").
    public var expected: String
    /// The shape it was given (one example, without the batch axis).
    public var found: [Int]
    /// The layer, as it describes itself, and its position in a ``Sequential`` when it is in one.
    public var layer: String
    public var index: Int?

    public init(expected: String, found: [Int], layer: String, index: Int? = nil) {
        self.expected = expected
        self.found = found
        self.layer = layer
        self.index = index
    }

    public var description: String {
        "\(index.map { "layer \($0) " } ?? "")(\(layer)) expects \(expected), but its input is \(found)"
    }
}

extension Layer {
    /// A layer without parameters visits nothing.
    public mutating func visitParameters(_ body: (_ name: String, _ parameter: inout Tensor) throws -> Void) rethrows {}

    /// A layer without buffers visits nothing.
    public mutating func visitBuffers(_ body: (_ name: String, _ buffer: inout Tensor) throws -> Void) rethrows {}

    /// Most layers give an output of their input's shape.
    public func outputShape(for inputShape: [Int]) throws -> [Int] { inputShape }

    /// Most layers have no buffers to update: the plain forward pass.
    public mutating func forwardUpdatingBuffers(_ input: Tensor) -> Tensor { self(input) }

    /// The buffers with their names, in the order of ``visitBuffers(_:)``.
    public var buffers: [(name: String, value: Tensor)] {
        var copy = self
        var result: [(name: String, value: Tensor)] = []
        copy.visitBuffers { name, buffer in result.append((name, buffer)) }
        return result
    }

    /// Most layers behave the same in training and inference.
    public mutating func setTraining(_ isTraining: Bool) {}

    /// The trainable parameters with their names, in the order of ``visitParameters(_:)``.
    public var parameters: [(name: String, value: Tensor)] {
        var copy = self
        var result: [(name: String, value: Tensor)] = []
        copy.visitParameters { name, parameter in result.append((name, parameter)) }
        return result
    }

    /// The number of trainable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.scalarCount } }

    /// The device of the parameters (the CPU for a layer without parameters): where the layer
    /// computes.
    public var device: Device { parameters.first?.value.device ?? .cpu }

    /// A copy of this layer with every parameter and buffer moved to `device` (PyTorch's
    /// `module.to`).
    public func to(_ device: Device) -> Self {
        var copy = self
        copy.visitParameters { _, parameter in parameter = parameter.to(device) }
        copy.visitBuffers { _, buffer in buffer = buffer.to(device) }
        return copy
    }

    /// A copy of this layer in training (`true`) or inference (`false`) mode.
    public func training(_ isTraining: Bool) -> Self {
        var copy = self
        copy.setTraining(isTraining)
        return copy
    }
}
