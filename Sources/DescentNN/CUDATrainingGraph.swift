import DescentCore

/// A training step — forward propagation, the cost, backpropagation and the optimizer's update —
/// captured once on a GPU as a CUDA graph and then replayed with one launch per batch.
///
/// A mini-batch step of a small network is a few dozen small kernels, and on a GPU queueing each
/// of them costs more than running it. A graph queues the whole step at once:
///
/// ```swift
/// let graph = try CUDATrainingGraph(model, optimizer: Adam(), on: .cuda(0)) { model, inputs, labels in
///     crossEntropy(logits: model(inputs), labels: labels)
/// }
/// for batch in batches {
///     optimizer.learningRate = schedule(…)     // a schedule works as usual
///     try graph.step(inputs: batch.inputs, labels: batch.labels)
/// }
/// let trained = graph.model
/// ```
///
/// The first step runs as usual (it compiles the kernels and makes the optimizer's state), the
/// second is captured and run, and every later one replays the capture. What changes from step
/// to step lives on the GPU: each batch is copied into the graph's own input tensors; the
/// learning rate and each optimizer's step count (Adam's bias correction) are worked out on the
/// host by the optimizer's own update rule, run without launching anything, and written to the
/// GPU before the replay; each dropout layer's random stream moves on as it would, and the keys
/// of its masks are written likewise. So a graphed run computes what an ungraphed one does, step
/// for step, and the optimizer's state and the random streams stay true on the host (for
/// checkpoints). Nothing is read back: ``lastCost`` reads the last step's cost when asked.
///
/// What a graph needs:
/// - batches of one shape (a batch of another shape, such as the last, smaller batch of an
///   epoch, runs as an ordinary step);
/// - an optimizer whose every step is one fused kernel: any of Descent's own (``SGD``,
///   ``RMSProp``, ``Adam``, ``AdamW``, ``Adagrad``, ``Adadelta``, ``Adamax``, ``NAdam``) with
///   `usesFusedStep` on, and no gradient clipping;
/// - a cost that depends only on its inputs (nothing read back, no random numbers of its own);
/// - the model's parameters and the optimizer's buffers updated in place: keep no reference to
///   them between steps (``model`` gives a copy). A copy on write of one is found and refused
///   with an error, rather than training a tensor the model no longer holds.
public final class CUDATrainingGraph<Model: Layer, Rule: Optimizer> {
    /// The GPU the steps run on.
    public let device: Device
    /// The optimizer, whose state (step counts, moment buffers) the steps advance.
    public let optimizer: Rule

    /// The model being trained: its parameters are the tensors the graph updates.
    private var trained: Model
    /// The step's outputs: the cost, then the values it reports.
    private let outputs: (Model, Tensor, Tensor) -> [Tensor]
    private var stepGraph: CUDAStepGraph?
    /// The last step's outputs when that step ran without the graph (the graph's own copies
    /// hold the others).
    private var ungraphedOutputs: [Tensor]?
    /// The random streams of the model's dropout layers, and how far one step moves each.
    private var streams: [(stream: RandomStream, advance: UInt64)] = []
    /// Each captured random draw's stream, and its distance from that stream's position at the
    /// start of the step.
    private var drawPlaces: [(stream: Int, distance: UInt64)] = []
    /// Gradients of the parameters' shapes, which the optimizer is given while its steps are
    /// recorded (their values are never read).
    private var placeholders = Gradients([:])
    /// The memory of each parameter when the step was captured: what the graph updates.
    private var capturedParameters: [(name: String, storage: ObjectIdentifier)] = []

    /// The number of steps taken.
    public private(set) var stepCount = 0
    /// The error that stopped the graph: every later step throws it.
    private var failure: CUDAGraphError?

    /// A graph that trains `model` with `optimizer` on `device`, minimizing `cost`.
    ///
    /// - Parameters:
    ///   - model: the network, its parameters on `device` (``Layer/to(_:)``), in training mode.
    ///     The graph trains a copy of its own: ``model`` gives the result.
    ///   - optimizer: the update rule; give the graph an optimizer of its own.
    ///   - device: a `Device.cuda(_:)` device.
    ///   - cost: the cost of a batch: the model, the inputs and the labels of ``step(inputs:labels:)``
    ///     in, one number out.
    /// - Throws: `CUDAGraphError`: the device is not a GPU or cannot be used; the model is
    ///   elsewhere; `DESCENT_CUDA_SYNC=1` or `DESCENT_CUDA_PROFILE=1` is set (they wait for the
    ///   GPU around every operation, which a capture cannot).
    public convenience init(_ model: Model, optimizer: Rule, on device: Device,
                            cost: @escaping (_ model: Model, _ inputs: Tensor, _ labels: Tensor) -> Tensor) throws(CUDAGraphError) {
        try self.init(model, optimizer: optimizer, on: device) { model, inputs, labels in [cost(model, inputs, labels)] }
    }

    /// A graph whose step gives, besides its cost (the first of `outputs`' values, which it
    /// minimizes), values to report, such as a batch's accuracy (``lastOutputs``): how `fit`
    /// keeps its metrics.
    package init(_ model: Model, optimizer: Rule, on device: Device,
                 outputs: @escaping (_ model: Model, _ inputs: Tensor, _ labels: Tensor) -> [Tensor]) throws(CUDAGraphError) {
        guard case .cuda = device else { throw CUDAGraphError(.notCUDA(device)) }
        if let elsewhere = (model.parameters + model.buffers).first(where: { $0.value.device != device }) {
            throw CUDAGraphError(.modelDevice(elsewhere.value.device))
        }
        try CUDAStepGraph.checkCapturable(on: device)
        self.device = device
        self.optimizer = optimizer
        self.trained = model
        self.outputs = outputs
    }

    /// A copy of the model as trained so far (its own memory: later steps leave it alone).
    public var model: Model {
        var copy = trained
        copy.visitParameters { _, parameter in parameter = parameter.copyingStorage() }
        copy.visitBuffers { _, buffer in buffer = buffer.copyingStorage() }
        return copy
    }

    /// The cost of the last step, a scalar on the GPU (reading its value waits for the step).
    public var lastCost: Tensor? {
        lastOutputs.first
    }

    /// The last step's outputs, on the GPU: its cost, then the values it reports (none before
    /// the first step).
    package var lastOutputs: [Tensor] {
        ungraphedOutputs ?? stepGraph?.lastOutputs ?? []
    }

    /// Queues one training step on a batch: the first runs as usual, the second is captured,
    /// the others replay it — except a batch of another shape or dtype than the captured one
    /// (the last, smaller batch of an epoch), which runs as usual.
    ///
    /// - Parameters:
    ///   - inputs: the batch's inputs, on the graph's GPU.
    ///   - labels: its labels (or targets), likewise.
    /// - Throws: `CUDAGraphError`: a batch on another device; a step that cannot be captured
    ///   (see the type's requirements; the driver's message); a copy on write of a parameter or
    ///   of an optimizer buffer. After an error the graph takes no more steps (each throws the
    ///   same error), and the optimizer's state may have moved on without the step: start again
    ///   from a checkpoint or from ``model`` with a new optimizer.
    public func step(inputs: Tensor, labels: Tensor) throws(CUDAGraphError) {
        for input in [inputs, labels] where input.device != device {
            throw CUDAGraphError(.trainingStep("a batch on \(input.device) for a training graph on \(device): move it there with .to(_:) first"))
        }
        if let failure { throw failure }
        do throws(CUDAGraphError) {
            if let graph = stepGraph, graph.accepts(inputs: [inputs, labels]) {
                let recorded = try graph.recordOptimizerSteps { optimizer.update(&trained, along: placeholders) }
                try checkParametersInPlace()
                try graph.replay(inputs: [inputs, labels], optimizerSteps: recorded, randomKeys: nextRandomKeys())
                ungraphedOutputs = nil
            } else if stepGraph == nil && stepCount > 0 {
                try capture(inputs: inputs, labels: labels)
                ungraphedOutputs = nil
            } else {
                var reported: [Tensor] = []
                let (value, gradients) = valueWithGradient(at: trained) { model in
                    let values = outputs(model, inputs, labels)
                    reported = values.dropFirst().map { $0.detached() }
                    return values[0]
                }
                if let graph = stepGraph {
                    // The update must stay in the memory the graph updates.
                    try graph.watchingCopies { optimizer.update(&trained, along: gradients) }
                    try checkParametersInPlace()
                } else {
                    // An optimizer that a replay cannot record is found now, before any capture.
                    try CUDAStepGraph.checkFusedUpdate { optimizer.update(&trained, along: gradients) }
                }
                ungraphedOutputs = [value] + reported
            }
        } catch {
            // The optimizer's state may have moved on without the step: nothing more is trained.
            failure = error
            throw error
        }
        stepCount += 1
    }

    /// Captures the step on `inputs` and `labels` and runs it.
    private func capture(inputs: Tensor, labels: Tensor) throws(CUDAGraphError) {
        // Each stream once: layers that share one (copies of a layer) move it together.
        var randomStreams: [RandomStream] = []
        for stream in trained.randomStreams.map(\.stream) where !randomStreams.contains(where: { $0 === stream }) {
            randomStreams.append(stream)
        }
        let starts = randomStreams.map(\.key)
        let graph = try CUDAStepGraph(on: device, inputs: [inputs, labels], optimizerSlots: trained.parameters.count) {
            batch, phase throws(CUDAGraphError) in
            switch phase {
            case .rehearsal:
                // The forward pass and backpropagation, as the capture will run them (cuBLAS
                // chooses its kernels now); no update, and the random streams put back.
                let values = valueAndReports(batch)
                for (stream, start) in zip(randomStreams, starts) { stream.key = start }
                return values.outputs
            case .capture:
                capturedParameters = trained.parameters.map { ($0.name, $0.value.storageIdentity) }
                let values = valueAndReports(batch)
                optimizer.update(&trained, along: values.gradients)
                return values.outputs
            }
        }
        try checkParametersInPlace()
        streams = zip(randomStreams, starts).map { stream, start in (stream, stream.offset &- start.offset) }
        drawPlaces = []
        for key in graph.capturedRandomKeys {
            let place = zip(streams, starts).enumerated().first { _, pair in
                key.seed == pair.1.seed && key.offset &- pair.1.offset < pair.0.advance
            }
            guard let place else {
                throw CUDAGraphError(.trainingStep("the captured step drew random numbers (seed \(key.seed), offset \(key.offset)) "
                    + "that come from none of the model's dropout layers, so a replay could not draw new ones"))
            }
            drawPlaces.append((place.offset, key.offset &- place.element.1.offset))
        }
        placeholders = Gradients(Dictionary(uniqueKeysWithValues: trained.parameters.map { ($0.name, Tensor.zeros(like: $0.value)) }))
        stepGraph = graph
    }

    /// The step's outputs on `batch` (inputs, labels) and the cost's gradient.
    private func valueAndReports(_ batch: [Tensor]) -> (outputs: [Tensor], gradients: Gradients) {
        var reported: [Tensor] = []
        let (value, gradients) = valueWithGradient(at: trained) { model in
            let values = outputs(model, batch[0], batch[1])
            // Detached, so that they do not keep the gradient graph (and the parameters) alive.
            reported = values.dropFirst().map { $0.detached() }
            return values[0]
        }
        return ([value] + reported, gradients)
    }

    /// The keys of the next replay's random draws, each stream moved on by one step.
    private func nextRandomKeys() -> [RandomKey] {
        let starts = streams.map { $0.stream.reserve(Int($0.advance)) }
        return drawPlaces.map { place in
            RandomKey(seed: starts[place.stream].seed, offset: starts[place.stream].offset &+ place.distance)
        }
    }

    /// Throws unless every parameter is still in the memory the graph updates.
    private func checkParametersInPlace() throws(CUDAGraphError) {
        for ((name, captured), parameter) in zip(capturedParameters, trained.parameters)
        where parameter.value.storageIdentity != captured {
            throw CUDAGraphError(.parameterMoved(name))
        }
    }
}
