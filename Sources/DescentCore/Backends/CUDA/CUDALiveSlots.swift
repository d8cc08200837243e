/// The bookkeeping of ``CUDALiveValues``, apart from the GPU: which slot each captured optimizer
/// step and random draw reads, and which slots a replay must rewrite.
struct CUDALiveSlots {
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

    /// The number of slots the device block has room for.
    let capacity: Int
    /// The slots, with the values they were captured with.
    private(set) var slots: [Slot] = []
    /// Each captured optimizer step's slot and kernel, in the order of the capture.
    private var optimizerLaunches: [(slot: Int, kernel: String)] = []
    /// Each captured random draw's slot, in the order of the capture.
    private var randomLaunches: [Int] = []
    /// The values the device block holds: none until the first write.
    private var stored: [Slot?] = []
    /// Set when the capture claimed more slots than the block has.
    private(set) var failure: String?

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// The slot of a captured optimizer step: the one of an earlier step with the same kernel
    /// and settings (the parameters of one optimizer share theirs), or a new one.
    mutating func claimOptimizerStep(kernel: String, scalars: [Double]) -> Int {
        let slot = Slot.optimizer(kernel: kernel, scalars: scalars)
        let index = slots.firstIndex(of: slot) ?? claim(slot)
        optimizerLaunches.append((index, kernel))
        return index
    }

    /// The slot of a captured random draw: a new one (every draw has a key of its own).
    mutating func claimRandomDraw(key: RandomKey) -> Int {
        let index = claim(.random(key))
        randomLaunches.append(index)
        return index
    }

    /// A new slot for `slot`'s values. Past the block's room, the failure is noted and the last
    /// slot given (the capture is then refused).
    private mutating func claim(_ slot: Slot) -> Int {
        if slots.count == capacity, failure == nil {
            failure = "the captured step made more optimizer steps and random draws than the \(capacity) its rehearsal left room for"
        }
        slots.append(slot)
        return Swift.min(slots.count - 1, Swift.max(capacity - 1, 0))
    }

    /// The keys of the random draws captured, in order.
    var capturedRandomKeys: [RandomKey] {
        randomLaunches.map { if case .random(let key) = slots[$0] { key } else { RandomKey(seed: 0) } }
    }

    /// The settings of the captured optimizer steps, in order: the first replay's.
    var capturedOptimizerSteps: [(kernel: String, scalars: [Double])] {
        optimizerLaunches.map { launch in
            if case .optimizer(_, let scalars) = slots[launch.slot] { (launch.kernel, scalars) } else { (launch.kernel, []) }
        }
    }

    /// What to write for the next replay, whose optimizer steps (recorded in the order of the
    /// capture's) and random keys (one per captured draw, in order) are given: runs of at most
    /// `wordsPerWrite` words that cover every slot whose value changed since the last write, each
    /// with the index of its first word. Empty when nothing changed.
    ///
    /// - Throws: ``CUDAGraphError/Kind/trainingStep(_:)`` when the steps or keys do not match
    ///   the capture's: another number, another kernel, or two steps that shared a slot when
    ///   captured and now differ.
    mutating func writes(optimizerSteps: [(kernel: String, scalars: [Double])], randomKeys: [RandomKey],
                         wordsPerWrite: Int) throws(CUDAGraphError) -> [(firstWord: Int, words: [UInt64])] {
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
        guard let first = changed.first, let last = changed.last else { return [] }
        for index in changed { stored[index] = next[index] }
        let slotsPerWrite = Swift.max(wordsPerWrite / Slot.wordCount, 1)
        return stride(from: first, through: last, by: slotsPerWrite).map { start in
            let end = Swift.min(start + slotsPerWrite, last + 1)
            // Every slot was claimed by a launch, so each has a value.
            let words = stored[start..<end].flatMap { $0?.words ?? [UInt64](repeating: 0, count: Slot.wordCount) }
            return (start * Slot.wordCount, words)
        }
    }
}
