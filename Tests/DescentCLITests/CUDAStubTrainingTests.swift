import Foundation
import Testing

/// `descent train --device cuda` against the do-nothing CUDA driver (`Benchmarks/CUDAStub`),
/// built here as `libcuda.so.1`, `libcublas.so.13` and `libnvrtc.so.13`: no kernel runs and the
/// values are zeros, but every host-side path of the CUDA backend runs as on a GPU, and the
/// driver counts what it was asked to do. A capture refuses what a real one refuses (a copy from
/// pageable memory, loading a kernel, waiting on the stream; `STUB_ABORT` turns that into a
/// crash here), so these tests catch, on every machine, a change that would break the first
/// capture on a GPU; and they hold the counts that CUDA graphs exist for.
@Suite struct CUDAStubTrainingTests {
    /// What the do-nothing driver counted over one run (its `STUB_COUNTS` line).
    struct Counts {
        var values: [String: Int]
        subscript(_ name: String) -> Int { values[name] ?? -1 }

        init(_ standardError: String) throws {
            let line = try #require(standardError.split(separator: "\n").last { $0.hasPrefix("launches ") },
                                    "no counts from the do-nothing driver in: \(standardError)")
            let words = line.split(separator: " ")
            values = Dictionary(uniqueKeysWithValues: stride(from: 0, to: words.count - 1, by: 2).map {
                (String(words[$0]), Int(words[$0 + 1]) ?? -1)
            })
        }
    }

    /// `descent train --device cuda` with `arguments` against the driver: what it counted, and
    /// the metrics printed.
    private func trainOnTheDriver(_ arguments: [String], driver: URL) throws -> (counts: Counts, metrics: [String: Any]) {
        let result = try descent(["train", "--device", "cuda", "--json"] + arguments, in: try temporaryFolder(),
                                 environment: ["DESCENT_CUDA_PATH": driver.path, "DESCENT_CUDA_CACHE": "",
                                               "STUB_COUNTS": "1", "STUB_ZERO": "1", "STUB_ABORT": "1", "STUB_RUN": ""])
        try #require(result.status == 0, "\(arguments): \(result.standardError)")
        return (try Counts(result.standardError), try jsonObject(result.standardOutput))
    }

    /// The built-in digits (1,797 examples) in three steps of 599 an epoch, no validation.
    private func train(epochs: Int, _ options: [String], driver: URL) throws -> Counts {
        let (counts, metrics) = try trainOnTheDriver(["--validation-split", "0", "--batch-size", "599",
                                                      "--epochs", "\(epochs)"] + options, driver: driver)
        #expect(metrics["epochs"] as? Double == Double(epochs))
        return counts
    }

    /// With `--cuda-graphs`: step 1 runs as usual, step 2 is captured once and every later step
    /// replays it; a replayed step calls no cuBLAS product (they are all in the graph), reads at
    /// most its cost back, and launches only the few kernels outside the graph (the batch's gather
    /// and the epoch's sums), plus, with Adam, one `live_store` for the step count's bias
    /// corrections.
    @Test(.enabled(if: DoNothingCUDADriver.compiler != nil, "\(DoNothingCUDADriver.whyMissing)"))
    func aGraphedStepIsOneGraphLaunch() throws {
        let driver = try DoNothingCUDADriver.folder.get()
        let sgd = ["--cuda-graphs", "--optimizer", "sgd"]
        let (two, three) = (try train(epochs: 2, sgd, driver: driver), try train(epochs: 3, sgd, driver: driver))
        for (counts, epochs) in [(two, 2), (three, 3)] {
            #expect(counts["captures"] == 1)
            #expect(counts["graph-launches"] == 3 * epochs - 1, "steps 2 to \(3 * epochs)")
            #expect(counts["misrouted"] == 0, "work queued off the capture stream while capturing")
        }
        // The third epoch: three replayed steps.
        #expect(three["products"] - two["products"] == 0)
        #expect((0...9).contains(three["launches"] - two["launches"]), "\(three["launches"] - two["launches"])")
        #expect(three["device-to-host"] - two["device-to-host"] <= 3 + 1, "the cost at most, per step")
        #expect(three["synchronizations"] - two["synchronizations"] <= 3 + 1)
        // The digits live on the GPU: a step uploads its 599 row numbers once (the features'
        // gather and the labels' share them), never the batch's 153,344 bytes of features.
        let uploaded = three["host-to-device-bytes"] - two["host-to-device-bytes"]
        #expect(uploaded <= 3 * 599 * 8 + 64, "\(uploaded) bytes uploaded in an epoch")

        let adam = ["--cuda-graphs", "--optimizer", "adam"]
        let (adamTwo, adamThree) = (try train(epochs: 2, adam, driver: driver), try train(epochs: 3, adam, driver: driver))
        #expect(adamThree["graph-launches"] == 8)
        #expect((adamThree["launches"] - adamTwo["launches"]) - (three["launches"] - two["launches"]) == 3,
                "one live_store a step")
    }

    /// With a validation split, both sets live on the GPU: an epoch uploads row numbers, never
    /// examples (the 1,438 training and 359 validation examples are 460,032 bytes of features).
    @Test(.enabled(if: DoNothingCUDADriver.compiler != nil, "\(DoNothingCUDADriver.whyMissing)"))
    func validationDataLiveOnTheGPUToo() throws {
        let driver = try DoNothingCUDADriver.folder.get()
        func run(epochs: Int) throws -> (Counts, [String: Any]) {
            try trainOnTheDriver(["--cuda-graphs", "--batch-size", "64", "--epochs", "\(epochs)"], driver: driver)
        }
        let ((one, _), (two, metrics)) = (try run(epochs: 1), try run(epochs: 2))
        #expect(metrics["val_loss"] as? Double == 0, "the do-nothing driver's zeros")
        let uploaded = two["host-to-device-bytes"] - one["host-to-device-bytes"]
        // 23 steps' row numbers, once each (features and labels share them), and the learning
        // rate; validation batches are runs of consecutive rows, copied on the device.
        #expect(uploaded <= 1_438 * 8 + 64, "\(uploaded) bytes uploaded in an epoch")
    }

    /// Without `--cuda-graphs` nothing is captured, and a step calls its products itself.
    @Test(.enabled(if: DoNothingCUDADriver.compiler != nil, "\(DoNothingCUDADriver.whyMissing)"))
    func withoutGraphsEveryStepLaunchesItsOwnWork() throws {
        let driver = try DoNothingCUDADriver.folder.get()
        let (two, three) = (try train(epochs: 2, [], driver: driver), try train(epochs: 3, [], driver: driver))
        #expect(three["captures"] == 0 && three["graph-launches"] == 0)
        // The small MLP's 3 dense layers: 3 forward products, 3 weight gradients and 2 input
        // gradients (the first layer's is not needed): 8 products a step.
        #expect(three["products"] - two["products"] == 3 * 8)
        #expect(three["launches"] - two["launches"] > 3 * 9)
    }
}

/// The do-nothing driver, compiled once per test run with the C compiler beside Swift, in a
/// temporary folder under the three names Descent looks for.
enum DoNothingCUDADriver {
    /// The first of clang, cc and gcc on PATH (Swift's toolchain has clang); on Linux only.
    static let compiler: URL? = {
        #if os(Linux)
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"
        return ["clang", "cc", "gcc"].lazy.compactMap { name in
            path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
                .first { FileManager.default.isExecutableFile(atPath: $0.path) }
        }.first
        #else
        return nil
        #endif
    }()

    static var whyMissing: String {
        #if os(Linux)
        "no C compiler (clang, cc or gcc) on PATH to build the do-nothing CUDA driver"
        #else
        "CUDA is for Linux"
        #endif
    }

    /// The folder, or why the driver did not compile (a test failure, not a skip).
    static let folder = Result<URL, any Error> { try build() }

    private struct CompileError: Error, CustomStringConvertible {
        var description: String
    }

    private static func build() throws -> URL {
        guard let compiler else { throw CompileError(description: whyMissing) }
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Benchmarks/CUDAStub/cuda_stub.c")
        let folder = try temporaryFolder()
        let library = folder.appendingPathComponent("libcuda.so.1")
        let process = Process()
        process.executableURL = compiler
        process.arguments = ["-O1", "-shared", "-fPIC", "-o", library.path, source.path, "-lpthread"]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CompileError(description: "\(compiler.path) could not build \(source.path): \(message)")
        }
        for name in ["libcublas.so.13", "libnvrtc.so.13"] {
            try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent(name).path,
                                                       withDestinationPath: "libcuda.so.1")
        }
        return folder
    }
}
