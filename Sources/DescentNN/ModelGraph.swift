/// The full gradient graph of `body` for `model` — every operation with its value and gradient,
/// the parameters under their names (`0.weight` …) — for drawing and teaching (see
/// `ComputationalGraph`). The same computation as `valueWithGradient(at:in:)` runs, with every
/// value kept.
///
/// ```swift
/// let graph = recordComputationalGraph(at: model) { model in
///     meanSquaredError(predicted: model(x), expected: y)
/// }
/// ```
public func recordComputationalGraph<Model: Layer>(at model: Model, of body: (Model) throws -> Tensor) rethrows
    -> ComputationalGraph {
    let named = model.parameters
    return try recordComputationalGraph(at: named) { tracked in
        var tracking = model
        var index = 0
        tracking.visitParameters { _, parameter in
            parameter = tracked[index]
            index += 1
        }
        return try body(tracking)
    }
}
