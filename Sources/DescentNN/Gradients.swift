/// The gradient of a cost with respect to each parameter of a model, by parameter name:
/// ∇C(θ), the direction in which the cost rises fastest.
public struct Gradients: Sendable {
    /// ∂C/∂θ for each parameter name.
    public var byName: [String: Tensor]

    public init(_ byName: [String: Tensor]) {
        self.byName = byName
    }

    /// ∂C/∂θ for the parameter called `name`.
    public subscript(name: String) -> Tensor? {
        get { byName[name] }
        set { byName[name] = newValue }
    }
}

/// The value of `body` for `model` (typically the cost of a batch) and the gradient of that value
/// with respect to every parameter of the model: forward propagation, then backpropagation.
///
/// ```swift
/// let (cost, gradients) = valueWithGradient(at: model) { model in
///     crossEntropy(logits: model(batch.inputs), labels: batch.labels)
/// }
/// ```
public func valueWithGradient<Model: Layer>(at model: Model, in body: (Model) throws -> Tensor) rethrows
    -> (value: Tensor, gradient: Gradients) {
    let named = model.parameters
    let (value, gradients) = try valueWithGradient(at: named.map(\.value)) { tracked in
        var tracking = model
        var index = 0
        tracking.visitParameters { _, parameter in
            parameter = tracked[index]
            index += 1
        }
        return try body(tracking)
    }
    return (value, Gradients(Dictionary(uniqueKeysWithValues: zip(named.map(\.name), gradients))))
}

/// The gradient of `body` with respect to every parameter of `model`.
public func gradient<Model: Layer>(at model: Model, in body: (Model) throws -> Tensor) rethrows -> Gradients {
    try valueWithGradient(at: model, in: body).gradient
}
