import CDescentCUDA

/// The values of a captured training step that change from one replay to the next — each fused
/// optimizer step's settings (the learning rate, Adam's step count) and each dropout mask's random
/// key — kept in a block of GPU memory that the graph's kernels read, and rewritten before every
/// replay.
///
/// A CUDA graph replays its kernels with the arguments they were captured with. So while a
/// training step is captured, the optimizer and random kernels are launched in their `_live` form,
/// which reads those values through a pointer into this block (one 16-word slot each; optimizer
/// steps with equal settings share a slot). Before each replay the host works out the new values
/// the way an ungraphed step would — the optimizer's own update rule runs with the backend in
/// *recording* mode, which notes each fused step's settings instead of launching it — and
/// ``store(optimizerSteps:randomKeys:on:)`` writes the slots that changed with one `live_store`
/// launch, whose arguments carry the values (nothing on the host is read later, so the host never
/// waits for the GPU).
///
/// The backend finds the values of the calling thread in ``current``, in one of five modes:
/// rehearsing (the graph's first, real run: launches as usual, counts the slots a capture will
/// need), capturing (launches the `_live` kernels and records the slots), recording (notes
/// optimizer steps, launches nothing), watching copies (an ordinary update between replays),
/// checking the first step's update (launches as usual, but only fused optimizer steps).
final class CUDALiveValues: @unchecked Sendable {
    /// What the backend does with the values of a kernel that reads live values.
    enum Mode: Equatable {
        case rehearsing, capturing, recording
        /// An ordinary optimizer update between replays (a batch of another shape): launched as
        /// usual, but a copy on write is a failure, as when recording.
        case watchingCopies
        /// The optimizer's update of the first, ordinary step: launched as usual, but a kernel
        /// other than a fused optimizer step is a failure (a replay could not record it).
        case checkingFusedUpdate
    }

    /// How the backend runs one optimizer step or random draw.
    enum Use {
        /// Launch the ordinary kernel, the values as arguments.
        case byValue
        /// Launch the `_live` kernel, with this device address of its slot.
        case slot(DCUdeviceptr)
        /// Launch nothing: the step was recorded.
        case recorded
    }

    /// The live values of the current thread's capture or replay.
    @TaskLocal static var current: CUDALiveValues?

    var mode = Mode.rehearsing
    /// The number of optimizer steps and random draws in the rehearsal.
    private(set) var rehearsedCount = 0
    /// The slots, made after the rehearsal.
    private var slots = CUDALiveSlots(capacity: 0)
    /// The slots' device memory (16 words each), made after the rehearsal.
    private var block: Tensor?
    /// The optimizer steps noted in recording mode, in order.
    private(set) var recorded: [(kernel: String, scalars: [Double])] = []
    /// A launch or copy that recording or watching could not take, said at the end.
    private(set) var failure: String?

    /// The keys of the random draws captured, in order: the caller works out each replay's keys
    /// from them.
    var capturedRandomKeys: [RandomKey] { slots.capturedRandomKeys }

    /// The settings of the captured optimizer steps, in order: the first replay's.
    var capturedOptimizerSteps: [(kernel: String, scalars: [Double])] { slots.capturedOptimizerSteps }

    /// Loads every `_live` kernel and `live_store` before a capture: a rehearsal that leaves out
    /// the optimizer's update never uses the optimizer's, and loading code is not for a capture.
    static func loadKernels(on context: CUDAContext) {
        for module in [CUDAKernelModule.optimizer, .random] {
            for name in module.kernelNames where name.contains("_live") || name == "live_store" {
                _ = context.function(name, in: module)
            }
        }
    }

    /// Makes the block on `backend`'s GPU, after the rehearsal: room for what it counted and
    /// `extraSlots` more (the optimizer steps, which a rehearsal leaves out).
    func allocateBlock(on backend: CUDABackend, extraSlots: Int) {
        slots = CUDALiveSlots(capacity: rehearsedCount + extraSlots)
        block = backend.zeros([Swift.max(slots.capacity, 1) * CUDALiveSlots.Slot.wordCount], .float64)
    }

    private func address(ofSlot index: Int) -> DCUdeviceptr {
        block!.storage.address + DCUdeviceptr(index * CUDALiveSlots.Slot.wordCount * 8)
    }

    /// How to run a kernel that reads a live value: a fused optimizer step (its kernel, with
    /// the dtype, and settings) or a random draw (its key).
    func use(for value: CUDALiveSlots.Slot) -> Use {
        switch mode {
        case .watchingCopies, .checkingFusedUpdate:
            return .byValue
        case .rehearsing:
            rehearsedCount += 1
            return .byValue
        case .recording:
            guard case .optimizer(let kernel, let scalars) = value else {
                noteStray("a random draw")
                return .recorded
            }
            recorded.append((kernel, scalars))
            return .recorded
        case .capturing:
            let index = switch value {
            case .optimizer(let kernel, let scalars): slots.claimOptimizerStep(kernel: kernel, scalars: scalars)
            case .random(let key): slots.claimRandomDraw(key: key)
            }
            return .slot(address(ofSlot: index))
        }
    }

    /// Notes a kernel launched in recording mode, which must run only fused optimizer steps, or a
    /// copy on write while recording or watching copies.
    func noteStray(_ what: String) {
        if failure == nil {
            failure = "the optimizer's update ran \(what) besides its fused steps: a captured training step "
                + "needs an optimizer whose every step is one fused kernel (SGD, RMSProp, Adam, AdamW or Adadelta, usesFusedStep on)"
        }
    }

    /// Throws what went wrong during the capture or recording, if anything did.
    func checkFailure() throws(CUDAGraphError) {
        if let failure = failure ?? slots.failure { throw CUDAGraphError(.trainingStep(failure)) }
    }

    /// Writes the values of the next replay: `optimizerSteps`, recorded in the order of the
    /// capture's, and the `randomKeys` of the capture's random draws, in order. Only the slots
    /// that changed since the last store are written (one `live_store` launch per 30 slots).
    func store(optimizerSteps: [(kernel: String, scalars: [Double])], randomKeys: [RandomKey],
               on context: CUDAContext) throws(CUDAGraphError) {
        let writes = try slots.writes(optimizerSteps: optimizerSteps, randomKeys: randomKeys,
                                      wordsPerWrite: CUDAKernelArgument.liveWordCapacity)
        for (firstWord, words) in writes {
            context.launch("live_store", in: .optimizer, count: words.count,
                           [block!.cudaArgument, .int64(Int64(firstWord)), .int64(Int64(words.count)), .words(words)])
        }
    }

    /// Runs `body` — an optimizer's update — as usual, but throws when it launched a kernel
    /// other than a fused optimizer step.
    static func checkingFusedUpdate(_ body: () -> Void) throws(CUDAGraphError) {
        let live = CUDALiveValues()
        live.mode = .checkingFusedUpdate
        $current.withValue(live) { body() }
        try live.checkFailure()
    }

    /// Runs `body` as usual, except that a copy on write is a failure (thrown).
    func watchingCopies(_ body: () -> Void) throws(CUDAGraphError) {
        mode = .watchingCopies
        Self.$current.withValue(self) { body() }
        try checkFailure()
    }

    /// Runs `body` in recording mode and returns the optimizer steps it noted.
    func recording(_ body: () -> Void) throws(CUDAGraphError) -> [(kernel: String, scalars: [Double])] {
        mode = .recording
        recorded = []
        Self.$current.withValue(self) { body() }
        try checkFailure()
        return recorded
    }
}
