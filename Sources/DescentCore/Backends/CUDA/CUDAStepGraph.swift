import CDescentCUDA

/// A step that updates tensors in place — a training step — captured once on a GPU as a CUDA
/// graph and replayed with one launch, its changing values (optimizer settings, random keys)
/// living on the GPU (see ``CUDALiveValues``). The building block of DescentNN's
/// `CUDATrainingGraph`, which knows models and optimizers; this type knows kernels and memory.
///
/// The step reads its inputs from static tensors (each replay's inputs are copied into them
/// first) and its outputs (the cost, then any values reported beside it, such as a batch's
/// accuracy) are copied by the graph into static tensors of its own, read back only when asked.
package final class CUDAStepGraph: @unchecked Sendable {
    package let device: Device
    private let context: CUDAContext
    private let live: CUDALiveValues
    private let staticInputs: [Tensor]
    private let staticOutputs: [Tensor]
    private var executable: CUDAGraphExecutable!

    /// Captures `body`, with `inputs` (copied) as its first inputs, and launches it once: when it
    /// returns, the step has run on `inputs` (queued, as every GPU operation is).
    ///
    /// `body` runs twice: as a rehearsal (`.rehearsal`), which must run the same forward pass
    /// and backpropagation as the capture but change nothing (no optimizer update; random streams
    /// left where they were), then captured (`.capture`), where it runs the whole step. Its
    /// outputs are the step's cost, a floating-point scalar, then any other values to report,
    /// the same shapes in both runs.
    ///
    /// - Parameters:
    ///   - inputs: the first step's inputs, on `device`; every replay's must have their shapes
    ///     and dtypes.
    ///   - optimizerSlots: at least the number of fused optimizer steps the captured step makes
    ///     (the rehearsal, which makes none, counts only the random draws).
    package init(on device: Device, inputs: [Tensor], optimizerSlots: Int,
                 _ body: ([Tensor], CUDAGraphPhase) throws(CUDAGraphError) -> [Tensor]) throws(CUDAGraphError) {
        let context = try Self.context(capturingOn: device)
        for input in inputs where input.device != device { throw CUDAGraphError(.modelDevice(input.device)) }
        let backend = CUDABackend(context: context)
        self.device = device
        self.context = context
        let live = CUDALiveValues()
        self.live = live
        CUDALiveValues.loadKernels(on: context)
        let staticInputs = inputs.map { backend.empty($0.shape, $0.dtype) }
        self.staticInputs = staticInputs
        for (source, destination) in zip(inputs, staticInputs) { Self.copy(source, into: destination, context: context) }
        var outputs: [Tensor] = []
        executable = try CUDAGraphExecutable(capturingOn: context) { phase throws(CUDAGraphError) in
            live.mode = phase == .rehearsal ? .rehearsing : .capturing
            // The task-local scope's `rethrows` is untyped: the outcome is carried out of it.
            let outcome = CUDALiveValues.$current.withValue(live) {
                Result { () throws(CUDAGraphError) -> [Tensor] in try body(staticInputs, phase) }
            }
            let results = try outcome.get()
            try live.checkFailure()
            guard let cost = results.first, cost.dtype.isFloatingPoint, cost.scalarCount == 1 else {
                throw CUDAGraphError(.trainingStep("a training step's cost is one floating-point number, not \(results.first.map { "\($0.dtype) \($0.shape)" } ?? "nothing")"))
            }
            for result in results where result.device != device { throw CUDAGraphError(.outputDevice(result.device)) }
            if phase == .rehearsal {
                // Made outside the capture, so that they outlive it: the slots and the outputs.
                live.allocateBlock(on: backend, extraSlots: optimizerSlots)
                outputs = results.map { backend.empty($0.shape, $0.dtype) }
            }
            guard results.map(\.shape) == outputs.map(\.shape), results.map(\.dtype) == outputs.map(\.dtype) else {
                throw CUDAGraphError(.trainingStep("the step's outputs were \(outputs.map { "\($0.dtype) \($0.shape)" }) when rehearsed, "
                    + "then \(results.map { "\($0.dtype) \($0.shape)" }) when captured"))
            }
            for (result, output) in zip(results, outputs) { Self.copy(result, into: output, context: context) }
        }
        staticOutputs = outputs
        try launch(optimizerSteps: live.capturedOptimizerSteps, randomKeys: live.capturedRandomKeys)
    }

    /// Throws unless a step can be captured on `device`: it is not a GPU or cannot be used;
    /// `DESCENT_CUDA_SYNC=1` or `DESCENT_CUDA_PROFILE=1` is set.
    package static func checkCapturable(on device: Device) throws(CUDAGraphError) {
        _ = try context(capturingOn: device)
    }

    private static func context(capturingOn device: Device) throws(CUDAGraphError) -> CUDAContext {
        guard case .cuda(let ordinal) = device else { throw CUDAGraphError(.notCUDA(device)) }
        let context: CUDAContext
        do throws(CUDAError) { context = try CUDABackend.context(ordinal).get() } catch { throw CUDAGraphError(.cuda(error)) }
        guard !context.synchronizesEveryLaunch, !CUDAProfile.isEnabled else { throw CUDAGraphError(.synchronizesEveryLaunch) }
        return context
    }

    /// The keys of the random draws the capture made, in order.
    package var capturedRandomKeys: [RandomKey] { live.capturedRandomKeys }

    /// Runs `update` — the optimizer's update of every parameter — without launching anything,
    /// and returns the settings of the fused steps it would have launched, for ``replay(inputs:optimizerSteps:randomKeys:)``.
    ///
    /// - Throws: ``CUDAGraphError/Kind/trainingStep(_:)`` when `update` does anything but fused
    ///   optimizer steps (another kernel, a copy on write).
    package func recordOptimizerSteps(_ update: () -> Void) throws(CUDAGraphError) -> [CUDAOptimizerStepRecord] {
        try live.recording(update).map { CUDAOptimizerStepRecord(kernel: $0.kernel, scalars: $0.scalars) }
    }

    /// Runs `update` — the optimizer's update of the first, ordinary step — as usual, but
    /// throws when it launched anything but fused optimizer steps, which a replay could not record.
    package static func checkFusedUpdate(_ update: () -> Void) throws(CUDAGraphError) {
        try CUDALiveValues.checkingFusedUpdate(update)
    }

    /// Runs `update` — an optimizer's update after an ungraphed step — as usual, but throws
    /// when it copies a tensor (copy on write), which would leave the graph updating the original.
    package func watchingCopies(_ update: () -> Void) throws(CUDAGraphError) {
        try live.watchingCopies(update)
    }

    /// Queues one step: copies `inputs` into the graph's static inputs, writes the live values
    /// that changed, and launches the graph.
    package func replay(inputs: [Tensor], optimizerSteps: [CUDAOptimizerStepRecord], randomKeys: [RandomKey]) throws(CUDAGraphError) {
        try check(inputs: inputs)
        for (source, destination) in zip(inputs, staticInputs) { Self.copy(source, into: destination, context: context) }
        try launch(optimizerSteps: optimizerSteps.map { ($0.kernel, $0.scalars) }, randomKeys: randomKeys)
    }

    /// Whether `inputs` have the shapes, dtypes and device of the captured step's.
    package func accepts(inputs: [Tensor]) -> Bool {
        inputs.count == staticInputs.count && zip(inputs, staticInputs).allSatisfy { input, destination in
            input.shape == destination.shape && input.dtype == destination.dtype && input.device == device
        }
    }

    /// Throws unless `inputs` have the shapes, dtypes and device of the captured step's.
    package func check(inputs: [Tensor]) throws(CUDAGraphError) {
        guard inputs.count == staticInputs.count else {
            throw CUDAGraphError(.trainingStep("the captured step takes \(staticInputs.count) inputs, not \(inputs.count)"))
        }
        for (index, (input, destination)) in zip(inputs, staticInputs).enumerated() {
            guard input.shape == destination.shape, input.dtype == destination.dtype, input.device == device else {
                throw CUDAGraphError(.trainingStep("input \(index) of a captured step is \(destination.dtype) \(destination.shape) on \(device), "
                    + "not \(input.dtype) \(input.shape) on \(input.device)"))
            }
        }
    }

    /// Copies of the last step's outputs: its cost, then the values it reports (reading them
    /// waits for the GPU).
    package var lastOutputs: [Tensor] {
        staticOutputs.map { output in
            let copy = CUDABackend(context: context).empty(output.shape, output.dtype)
            Self.copy(output, into: copy, context: context)
            return copy
        }
    }

    private func launch(optimizerSteps: [(kernel: String, scalars: [Double])], randomKeys: [RandomKey]) throws(CUDAGraphError) {
        try live.store(optimizerSteps: optimizerSteps, randomKeys: randomKeys, on: context)
        try CUDAGraphExecutable.cuda { () throws(CUDAError) in try executable.launch() }
    }

    private static func copy(_ source: Tensor, into destination: Tensor, context: CUDAContext) {
        context.copy(destination.storage.address, from: source.storage.address, byteCount: source.scalarCount * source.dtype.byteCount)
    }
}

/// The settings of one fused optimizer step as a captured step's replay recorded them.
package struct CUDAOptimizerStepRecord: Sendable {
    let kernel: String
    let scalars: [Double]
}

extension Tensor {
    /// The identity of the memory that holds the values: it changes when copy on write copies them.
    package var storageIdentity: ObjectIdentifier { ObjectIdentifier(storage) }

    /// The same values in memory of their own (a copy that a later in-place update of this
    /// tensor's memory leaves alone).
    package func copyingStorage() -> Tensor {
        var copy = self
        copy.storage = storage.copy()
        return copy
    }
}
