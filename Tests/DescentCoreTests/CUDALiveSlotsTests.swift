// The bookkeeping of a captured training step's live values (CUDALiveSlots): which slot each
// optimizer step and random draw reads, and what a replay rewrites — the part of CUDA training
// graphs that needs no GPU.
@testable import DescentCore
import Testing

@Suite struct CUDALiveSlotsTests {
    private let adam = "adam_f32"
    private func settings(step: Int, learningRate: Double = 1e-3) -> [Double] {
        CUDABackend.scalars(.adam(AdamStep(learningRate: learningRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-8,
                                           weightDecay: 0, amsgrad: false, decoupledWeightDecay: false, step: step))).values
    }

    /// A capture of an MLP's step: four parameters with Adam's settings at `step`, two dropout draws.
    private func captured(step: Int = 2) -> CUDALiveSlots {
        var slots = CUDALiveSlots(capacity: 6)
        #expect(slots.claimOptimizerStep(kernel: adam, scalars: settings(step: step)) == 0)
        #expect(slots.claimRandomDraw(key: RandomKey(seed: 7, offset: 100)) == 1)
        #expect(slots.claimRandomDraw(key: RandomKey(seed: 8, offset: 40)) == 2)
        // The other three parameters have the same settings: the first slot, shared.
        for _ in 0..<3 { #expect(slots.claimOptimizerStep(kernel: adam, scalars: settings(step: step)) == 0) }
        #expect(slots.failure == nil)
        return slots
    }

    private func steps(_ step: Int, learningRate: Double = 1e-3) -> [(kernel: String, scalars: [Double])] {
        Array(repeating: (adam, settings(step: step, learningRate: learningRate)), count: 4)
    }

    @Test func equalSettingsShareASlotAndOtherKernelsDoNot() {
        var slots = captured()
        #expect(slots.slots.count == 3)
        #expect(slots.claimOptimizerStep(kernel: "adam_f64", scalars: settings(step: 2)) == 3)
        #expect(slots.capturedRandomKeys == [RandomKey(seed: 7, offset: 100), RandomKey(seed: 8, offset: 40)])
        #expect(slots.capturedOptimizerSteps.map(\.kernel) == [adam, adam, adam, adam, "adam_f64"])
    }

    @Test func theFirstWriteHasEverySlotThenOnlyWhatChanged() throws {
        var slots = captured()
        let keys = [RandomKey(seed: 7, offset: 100), RandomKey(seed: 8, offset: 40)]
        let first = try slots.writes(optimizerSteps: steps(2), randomKeys: keys, wordsPerWrite: 480)
        #expect(first.count == 1 && first[0].firstWord == 0)
        // Slot 0: Adam's settings as the kernel reads them, bit for bit; slot 1: seed, offset.
        #expect(first[0].words.count == 48)
        #expect(Array(first[0].words[0..<10]) == settings(step: 2).map(\.bitPattern))
        #expect(Array(first[0].words[16..<18]) == [7, 100] && first[0].words[18..<32].allSatisfy { $0 == 0 })
        #expect(Array(first[0].words[32..<34]) == [8, 40])

        // The same values again: nothing to write.
        #expect(try slots.writes(optimizerSteps: steps(2), randomKeys: keys, wordsPerWrite: 480).isEmpty)
        // The next step: Adam's step count moved (slot 0), the keys did not.
        let next = try slots.writes(optimizerSteps: steps(3), randomKeys: keys, wordsPerWrite: 480)
        #expect(next.count == 1 && next[0].firstWord == 0 && next[0].words.count == 16)
        #expect(Array(next[0].words[0..<10]) == settings(step: 3).map(\.bitPattern))
        // Only the second key: one slot, at word 32.
        let moved = try slots.writes(optimizerSteps: steps(3), randomKeys: [keys[0], RandomKey(seed: 8, offset: 72)],
                                     wordsPerWrite: 480)
        #expect(moved.map(\.firstWord) == [32] && Array(moved[0].words[0..<2]) == [8, 72])
        // The first and the last slot: one run from 0 to 47, as the launch takes runs.
        let both = try slots.writes(optimizerSteps: steps(3, learningRate: 5e-4),
                                    randomKeys: [keys[0], RandomKey(seed: 8, offset: 104)], wordsPerWrite: 480)
        #expect(both.map(\.firstWord) == [0] && both[0].words.count == 48)
    }

    @Test func longRunsAreSplitIntoWritesOfTheLaunchsSize() throws {
        var slots = CUDALiveSlots(capacity: 70)
        let keys = (0..<70).map { RandomKey(seed: UInt64($0), offset: 0) }
        for key in keys { _ = slots.claimRandomDraw(key: key) }
        let writes = try slots.writes(optimizerSteps: [], randomKeys: keys, wordsPerWrite: 480)
        #expect(writes.map(\.firstWord) == [0, 480, 960])
        #expect(writes.map(\.words.count) == [480, 480, 160])
        #expect(Array(writes[2].words[0..<2]) == [60, 0])
    }

    @Test func aReplayThatIsNotTheCapturedStepIsRefused() {
        var slots = captured()
        let keys = [RandomKey(seed: 7, offset: 100), RandomKey(seed: 8, offset: 40)]
        func message(_ steps: [(kernel: String, scalars: [Double])], _ keys: [RandomKey]) -> String? {
            do {
                _ = try slots.writes(optimizerSteps: steps, randomKeys: keys, wordsPerWrite: 480)
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(message(Array(steps(3).prefix(3)), keys) == "the optimizer made 3 fused steps, but the captured step 4")
        #expect(message(steps(3), [keys[0]]) == "1 random keys for the captured step's 2 random draws")
        #expect(message(steps(3).map { ("sgd_f32", $0.scalars) }, keys) == "the optimizer ran sgd_f32 where the captured step ran adam_f32")
        // Two parameters that shared a slot now at different step counts: refused.
        var diverged = steps(3)
        diverged[2] = (adam, settings(step: 4))
        #expect(message(diverged, keys)?.contains("settings were equal when captured now differ") == true)
    }

    @Test func aCaptureBeyondTheBlocksRoomIsNoted() {
        var slots = CUDALiveSlots(capacity: 1)
        #expect(slots.claimRandomDraw(key: RandomKey(seed: 1)) == 0)
        // No slot past the block is handed out: the last one, with the failure noted.
        #expect(slots.claimRandomDraw(key: RandomKey(seed: 2)) == 0)
        #expect(slots.failure == "the captured step made more optimizer steps and random draws than the 1 its rehearsal left room for")
    }
}
