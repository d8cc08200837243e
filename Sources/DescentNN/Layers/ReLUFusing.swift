/// A layer that can apply a ReLU that follows it to its own output, in the same pass, as
/// `linear(_:weight:bias:activation:)`, `conv2d(_:weight:bias:stride:padding:dilation:groups:activation:)`
/// and `batchNormalization(_:weight:bias:epsilon:activation:)` do: ``Sequential`` runs such a
/// layer and the ``ReLU`` after it as one recorded step, the same values and gradients (up to
/// the rounding of a convolution's bias gradient) without the ReLU's own passes over the whole
/// output.
protocol ReLUFusing: Layer {
    /// Whether ``callAsFunction(reluOf:)`` can stand for `relu(self(input))`: false for a layer
    /// with an activation of its own.
    var fusesReLU: Bool { get }

    /// `relu(self(input))`, recorded as one step.
    func callAsFunction(reluOf input: Tensor) -> Tensor

    /// `relu(forwardUpdatingBuffers(input))`, recorded as one step.
    mutating func forwardUpdatingBuffers(reluOf input: Tensor) -> Tensor
}

extension ReLUFusing {
    /// A layer without buffers: the plain forward pass.
    mutating func forwardUpdatingBuffers(reluOf input: Tensor) -> Tensor { self(reluOf: input) }
}

extension Dense: ReLUFusing {
    var fusesReLU: Bool { activation == .identity }

    func callAsFunction(reluOf input: Tensor) -> Tensor { output(for: input, activation: .relu) }
}

extension Conv2d: ReLUFusing {
    var fusesReLU: Bool { true }

    func callAsFunction(reluOf input: Tensor) -> Tensor { output(for: input, activation: .relu) }
}

/// Whether `layer` is a ReLU, as a layer of its own (``ReLU``) or as an ``Activation``.
///
/// ``Sequential`` asks this of every layer on every forward pass. Comparing the layer's type
/// reads it from the existential; a cast (`is`, `as?`) is a call into the Swift runtime, and
/// these casts were about a twentieth of a W4 batch-1 call's instructions.
func isReLU(_ layer: any Layer) -> Bool {
    switch ObjectIdentifier(type(of: layer)) {
    case ObjectIdentifier(ReLU.self): true
    case ObjectIdentifier(Activation.self): (layer as? Activation) == .relu
    default: false
    }
}
