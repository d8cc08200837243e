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
/// ``store(optimizerSteps:randomKeys:)`` writes the slots that changed with one `live_store`
/// launch, whose arguments carry the values (nothing on the host is read later, so the host never
/// waits for the GPU).
///
/// The backend finds the values of the calling thread in ``current``, in one of four modes:
/// rehearsing (the graph's first, real run: launches as usual, counts the slots a capture will
/// need), capturing (launches the `_live` kernels and records the slots), recording (notes
/// optimizer steps, launches nothing), watching copies (an ordinary update between replays).
final class CUDALiveValues: @unchecked Sendable {
    /// What the backend does with the values of a kernel that reads live values.
    enum Mode: Equatable {
        case rehearsing, capturing, recording
        /// An ordinary optimizer update between replays (a batch of another shape): launched as
        /// usual, but a copy on write is a failure, as when recording.
        case watchingCopies
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

    /// What one slot holds: the settings of an optimizer kernel, or the key of a random draw.
    enum Slot: Equatable {
        case optimizer(kernel: String, scalars: [Double])
        case random(RandomKey)

        /// The slot's 16 words, as the kernels read them (`Scalars`, or seed and offset).
        var words: [UInt64] {
            let words: [UInt64] = switch self {
            case .optimizer(_, let scalars): scalars.map(\.bitPattern)
            case .random(let key): [key.seed, key.offset]
            }
            return words + [UInt64](repeating: 0, count: Self.wordCount - words.count)
        }

        static let wordCount = 16
    }

    /// The live values of the current thread's capture or replay.
    @TaskLocal static var current: CUDALiveValues?

    var mode = Mode.rehearsing
    /// The number of optimizer steps and random draws in the rehearsal.
    private(set) var rehearsedCount = 0
    /// The slots, with the values they were captured with.
    private(set) var slots: [Slot] = []
    /// The values the block holds: none until the first store.
    private var stored: [Slot?] = []
    /// Each captured optimizer step's slot and kernel, in the order of the capture.
    private var optimizerLaunches: [(slot: Int, kernel: String)] = []
    /// Each captured random draw's slot, in the order of the capture.
    private var randomLaunches: [Int] = []
    /// The slots' device memory (16 words each), made after the rehearsal.
    private var block: Tensor?
    /// The optimizer steps noted in recording mode, in order.
    private(set) var recorded: [(kernel: String, scalars: [Double])] = []
    /// Something the capture or the recording could not take, said at the end.
    private(set) var failure: String?

    /// The keys of the random draws captured, in order: the caller works out each replay's keys
    /// from them.
    var capturedRandomKeys: [RandomKey] {
        randomLaunches.map { if case .random(let key) = slots[$0] { key } else { RandomKey(seed: 0) } }
    }

    /// The settings of the captured optimizer steps, in order: the first replay's.
    var capturedOptimizerSteps: [(kernel: String, scalars: [Double])] {
        optimizerLaunches.map { launch in
            if case .optimizer(_, let scalars) = slots[launch.slot] { (launch.kernel, scalars) } else { (launch.kernel, []) }
        }
    }

    /// The number of slots the block has room for.
    private var capacity = 0

    /// Makes the block on `backend`'s GPU, after the rehearsal: room for what it counted and
    /// `extraSlots` more (the optimizer steps, which a rehearsal leaves out).
    func allocateBlock(on backend: CUDABackend, extraSlots: Int) {
        capacity = rehearsedCount + extraSlots
        block = backend.zeros([Swift.max(capacity, 1) * Slot.wordCount], .float64)
    }

    private func address(ofSlot index: Int) -> DCUdeviceptr {
        block!.storage.address + DCUdeviceptr(index * Slot.wordCount * 8)
    }

    /// How to run a fused optimizer step of `kernel` (its name with the dtype) with `scalars`.
    func optimizerStep(kernel: String, scalars: [Double]) -> Use {
        switch mode {
        case .watchingCopies:
            return .byValue
        case .rehearsing:
            rehearsedCount += 1
            return .byValue
        case .recording:
            recorded.append((kernel, scalars))
            return .recorded
        case .capturing:
            let slot = Slot.optimizer(kernel: kernel, scalars: scalars)
            let index = slots.firstIndex(of: slot) ?? claim(slot)
            optimizerLaunches.append((index, kernel))
            return .slot(address(ofSlot: index))
        }
    }

    /// How to run a random draw with `key`.
    func randomDraw(key: RandomKey) -> Use {
        switch mode {
        case .watchingCopies:
            return .byValue
        case .rehearsing:
            rehearsedCount += 1
            return .byValue
        case .recording:
            noteStray("a random draw")
            return .recorded
        case .capturing:
            let index = claim(.random(key))
            randomLaunches.append(index)
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

    /// A new slot for `slot`'s values. Past the block's room, the failure is noted and the last
    /// slot given (the capture is then refused).
    private func claim(_ slot: Slot) -> Int {
        if slots.count == capacity, failure == nil {
            failure = "the captured step made more optimizer steps and random draws than the \(capacity) its rehearsal left room for"
        }
        slots.append(slot)
        return Swift.min(slots.count - 1, Swift.max(capacity - 1, 0))
    }

    /// Throws what went wrong during the capture or recording, if anything did.
    func checkFailure() throws(CUDAGraphError) {
        if let failure { throw CUDAGraphError(.trainingStep(failure)) }
    }

    /// Writes the values of the next replay: `optimizerSteps`, recorded in the order of the
    /// capture's, and the `randomKeys` of the capture's random draws, in order. Only the slots
    /// that changed since the last store are written (one `live_store` launch per 30 slots).
    func store(optimizerSteps: [(kernel: String, scalars: [Double])], randomKeys: [RandomKey],
               on context: CUDAContext) throws(CUDAGraphError) {
        guard optimizerSteps.count == optimizerLaunches.count else {
            throw CUDAGraphError(.trainingStep("the optimizer made \(optimizerSteps.count) fused steps, but the captured step \(optimizerLaunches.count)"))
        }
        guard randomKeys.count == randomLaunches.count else {
            throw CUDAGraphError(.trainingStep("\(randomKeys.count) random keys for the captured step's \(randomLaunches.count) random draws"))
        }
        var next = [Slot?](repeating: nil, count: slots.count)
        for ((slot, kernel), step) in zip(optimizerLaunches, optimizerSteps) {
            guard step.kernel == kernel else {
                throw CUDAGraphError(.trainingStep("the optimizer ran \(step.kernel) where the captured step ran \(kernel)"))
            }
            let value = Slot.optimizer(kernel: kernel, scalars: step.scalars)
            // Steps that shared a slot when captured must still agree (the same settings and step count).
            if let earlier = next[slot], earlier != value {
                throw CUDAGraphError(.trainingStep("two parameters whose \(kernel) settings were equal when captured now differ: \(earlier) and \(value)"))
            }
            next[slot] = value
        }
        for (slot, key) in zip(randomLaunches, randomKeys) { next[slot] = .random(key) }
        if stored.count != slots.count { stored = [Slot?](repeating: nil, count: slots.count) }
        let changed = slots.indices.filter { next[$0] != stored[$0] }
        guard let first = changed.first, let last = changed.last else { return }
        for index in changed { stored[index] = next[index] }
        let slotsPerLaunch = CUDAKernelArgument.liveWordCapacity / Slot.wordCount
        for start in stride(from: first, through: last, by: slotsPerLaunch) {
            let end = Swift.min(start + slotsPerLaunch, last + 1)
            // A slot no launch reads (none: every slot was claimed by one) is written as zeros.
            let words = stored[start..<end].flatMap { $0?.words ?? [UInt64](repeating: 0, count: Slot.wordCount) }
            context.launch("live_store", in: .optimizer, count: words.count,
                           [block!.cudaArgument, .int64(Int64(start * Slot.wordCount)), .int64(Int64(words.count)), .words(words)])
        }
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
