import Descent
import Foundation
import Testing

/// `--device cuda` on a machine without a GPU: an error that says what was looked for, a
/// non-zero exit, nothing trained — never a trap.
@Suite struct CUDADeviceOptionTests {
    @Test(.enabled(if: (try? Device.cuda(0).checkAvailable()) == nil, "a GPU works here"))
    func withoutAGPUTrainingSaysWhy() throws {
        let directory = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: directory) }
        for spelling in ["cuda", "cuda:1"] {
            let result = try descent(["train", "--device", spelling], in: directory)
            #expect(result.status == 1, "\(spelling): \(result.standardError)")
            #expect(result.standardError.contains("CUDA"), "\(spelling): \(result.standardError)")
            #expect(!result.standardError.contains("Fatal error"), "\(spelling): \(result.standardError)")
            #expect(!result.standardOutput.contains("epoch"))
        }
    }

    /// `--cuda-graphs` without `--device cuda`: refused before any data are read, naming both options.
    @Test func cudaGraphsNeedTheCUDADevice() throws {
        let directory = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try descent(["train", "--cuda-graphs"], in: directory)
        #expect(result.status != 0)
        #expect(result.standardError.contains("--cuda-graphs needs --device to be cuda, found cpu"), "\(result.standardError)")
        #expect(!result.standardOutput.contains("epoch"))
    }
}
