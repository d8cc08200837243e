/// Gradient descent and its refinements: moves every parameter a small step against its gradient,
/// θ ← θ − η∇C(θ), where η is the learning rate.
///
/// An optimizer is a *per-parameter update rule* — ``update(_:along:state:)`` takes one
/// parameter, its gradient and that parameter's state (moment buffers, step count) and produces
/// the new parameter and the new state — plus the states of all parameters, kept by parameter
/// name. The rule never sees the model's structure, so the same optimizer updates a
/// ``Sequential``, any other ``Layer`` or a plain dictionary of tensors:
///
/// ```swift
/// let optimizer = SGD(learningRate: 0.05, momentum: 0.9)
/// let (cost, gradients) = valueWithGradient(at: model) { model in
///     crossEntropy(logits: model(batch.inputs), labels: batch.labels)
/// }
/// optimizer.update(&model, along: gradients)
/// ```
///
/// Every optimizer follows PyTorch's `torch.optim` class of the same name: the same formulas,
/// the same order of operations, the same defaults. Parameters without a gradient are left
/// alone, and their state does not advance (PyTorch skips parameters whose `grad` is `None`).
///
/// Optimizers are classes because they hold state that must persist from step to step; give
/// each model its own optimizer.
public protocol Optimizer: AnyObject {
    /// What the rule remembers about one parameter between steps.
    associatedtype State

    /// η, the size of each step. Learning-rate schedules change it between epochs.
    var learningRate: Double { get set }

    /// The state of every parameter updated so far, by parameter name.
    var states: [String: State] { get set }

    /// The state of a parameter before its first update (zero moment buffers, step 0).
    func makeState(for parameter: Tensor) -> State

    /// The update rule: moves `parameter` along `gradient` and advances its `state`.
    /// `parameter` and `gradient` have the same shape, dtype and device, and `state` was made
    /// for this parameter.
    ///
    /// Rules are written once, in tensor operations, so they run on every device; the hot ones
    /// (``SGD``, ``RMSProp``, ``Adam``, ``AdamW``) call a fused step of the backend instead (one
    /// pass over memory, no temporary tensors), and tests hold the two against each other. With
    /// value semantics, updating in place is the same as returning a new parameter and a new
    /// state — and it lets a fused step write into the buffers it was given.
    func update(_ parameter: inout Tensor, along gradient: Tensor, state: inout State)
}

extension Optimizer {
    /// Updates one parameter called `name` along its gradient, using and advancing the state
    /// kept under that name.
    public func update(_ parameter: inout Tensor, named name: String, along gradient: Tensor) {
        precondition(parameter.shape == gradient.shape,
                     "\(Self.self).update: parameter '\(name)' has shape \(parameter.shape) but its gradient has shape \(gradient.shape)")
        precondition(parameter.dtype == gradient.dtype,
                     "\(Self.self).update: parameter '\(name)' is \(parameter.dtype) but its gradient is \(gradient.dtype)")
        precondition(parameter.device == gradient.device,
                     "\(Self.self).update: parameter '\(name)' is on \(parameter.device) but its gradient is on \(gradient.device)")
        precondition(parameter.dtype.isFloatingPoint,
                     "\(Self.self).update: parameter '\(name)' is \(parameter.dtype); only floating-point parameters can be trained")
        if states[name] == nil { states[name] = makeState(for: parameter) }
        // Updating the state in place through the dictionary keeps its buffers uniquely
        // referenced, so no step copies them.
        update(&parameter, along: gradient, state: &states[name]!)
    }

    /// Updates every parameter in `parameters` that has a gradient in `gradients` (matched by
    /// name); the others are left alone.
    public func update(_ parameters: inout [String: Tensor], along gradients: Gradients) {
        for name in parameters.keys.sorted() {
            guard let gradient = gradients[name] else { continue }
            update(&parameters[name]!, named: name, along: gradient)
        }
    }

    /// Updates every parameter of `model` that has a gradient in `gradients` (matched by
    /// name, as ``valueWithGradient(at:in:)`` names them); the others are left alone.
    public func update<Model: Layer>(_ model: inout Model, along gradients: Gradients) {
        model.visitParameters { name, parameter in
            guard let gradient = gradients[name] else { return }
            update(&parameter, named: name, along: gradient)
        }
    }

    /// Forgets the state of every parameter, as if no step had been taken.
    public func resetStates() {
        states = [:]
    }
}
