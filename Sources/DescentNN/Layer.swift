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

    /// Switches between training behaviour (e.g. dropout active) and inference behaviour.
    mutating func setTraining(_ isTraining: Bool)
}

extension Layer {
    /// A layer without parameters visits nothing.
    public mutating func visitParameters(_ body: (_ name: String, _ parameter: inout Tensor) throws -> Void) rethrows {}

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

    /// A copy of this layer with every parameter moved to `device` (PyTorch's `module.to`).
    public func to(_ device: Device) -> Self {
        var copy = self
        copy.visitParameters { _, parameter in parameter = parameter.to(device) }
        return copy
    }

    /// A copy of this layer in training (`true`) or inference (`false`) mode.
    public func training(_ isTraining: Bool) -> Self {
        var copy = self
        copy.setTraining(isTraining)
        return copy
    }
}
