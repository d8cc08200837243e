import Foundation
import Testing

/// `descent-cuda-bench`'s graphed workloads against the do-nothing CUDA driver (see
/// `CUDAStubTrainingTests`): `CUDATrainingGraph` (W2) and `CUDAInferenceGraph` (W4 batch-1)
/// are captured and replayed with every capture rule of a real driver checked, on every machine.
@Suite struct CUDAStubGraphBenchTests {
    @Test(.enabled(if: DoNothingCUDADriver.compiler != nil, "\(DoNothingCUDADriver.whyMissing)"))
    func trainingAndInferenceGraphsCaptureAndReplay() throws {
        let driver = try DoNothingCUDADriver.folder.get()
        let result = try runBuilt("descent-cuda-bench", ["--workloads", "w2g,w4", "--json"], environment: [
            "DESCENT_CUDA_PATH": driver.path, "DESCENT_CUDA_CACHE": "", "STUB_COUNTS": "1", "STUB_ZERO": "1", "STUB_RUN": "",
            "STUB_ABORT": "1",
        ])
        let (printed, logged) = (result.standardOutput, result.standardError)
        try #require(result.status == 0, "\(logged)")

        let figures = try jsonObject(printed)
        // The inference graph's outputs are the forward pass's, bit for bit (zeros here, but
        // through the graph's own copies in and out).
        #expect(figures["w4_graph_largest_difference"] as? Double == 0)
        #expect((figures["w2_graph_steps_per_second"] as? Double ?? 0) > 0)
        let counts = try CUDAStubTrainingTests.Counts(logged)
        #expect(counts["captures"] == 2, "one training graph, one inference graph")
        #expect(counts["misrouted"] == 0)
        #expect(counts["graph-launches"] > 2_000, "W2's replays and W4's 2,000 timed calls")
    }
}
