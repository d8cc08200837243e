import Foundation
import Testing

/// The CUDA backend's kernels and graphs computed on the CPU: the do-nothing driver in its run
/// mode (`STUB_RUN`, Benchmarks/CUDAStub/emulator_prelude.h), whose NVRTC compiles each kernel
/// group's CUDA C with the host's C++ compiler and whose launches run the kernels, one thread at
/// a time. So a kernel that computes the wrong thing, or a graph that replays the wrong work,
/// fails here on every machine, not first on a lent GPU (Scripts/cuda-emulated.sh runs more).
@Suite struct CUDAEmulatedTests {
    /// `binary` with `arguments` against the emulated GPU: its exit status and its output.
    private func runEmulated(_ binary: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let result = try runBuilt(binary, arguments, environment: [
            "DESCENT_CUDA_PATH": try DoNothingCUDADriver.folder.get().path,
            "DESCENT_CUDA_CACHE": try EmulatedCUDA.kernelCache.get().path,
            "STUB_RUN": EmulatedCUDA.prelude.path, "STUB_CXX": EmulatedCUDA.compiler?.path ?? "c++",
        ])
        return (result.status, result.standardOutput + result.standardError)
    }

    /// Every primitive and derivative rule of the cuda backend against the reference backend,
    /// with the tolerances a GPU is held to.
    @Test(.enabled(if: EmulatedCUDA.compiler != nil, "\(EmulatedCUDA.whyMissing)"))
    func theCUDAKernelsAgreeWithTheReference() throws {
        let (status, output) = try runEmulated("descent-crosscheck", ["--device", "cuda"])
        let verdict = output.split(separator: "\n").last { $0.contains("against reference") }
        #expect(status == 0, "\(output.split(separator: "\n").filter { !$0.hasPrefix("checking") }.joined(separator: "\n"))")
        #expect(verdict?.hasSuffix("all agree") == true, "\(verdict ?? "no verdict")")
    }

    /// 100 steps with dropout, Adam and a step schedule: on the emulated GPU as on the CPU, and
    /// through a CUDA graph exactly as without one.
    @Test(.enabled(if: EmulatedCUDA.compiler != nil, "\(EmulatedCUDA.whyMissing)"))
    func graphedStepsAreUngraphedStepsAndCPUSteps() throws {
        let (status, output) = try runEmulated("descent-cuda-bench", ["--workloads", "agree", "--json"])
        #expect(status == 0, "\(output)")
        let json = try #require(output.split(separator: "\n").last { $0.hasPrefix("{") }, "no JSON in: \(output)")
        let figures = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let number = { (key: String) in figures[key] as? Double ?? .nan }
        #expect(number("agree_largest_parameter_difference") <= 1e-6)
        #expect(number("agree_largest_cost_difference") <= 1e-5)
        #expect(number("graph_agree_largest_parameter_difference") == 0)
        #expect(number("graph_agree_largest_cost_difference") == 0)
    }
}

/// What the emulated GPU needs besides the do-nothing driver: a C++ compiler that builds against
/// the C++ standard library and ucontext (checked once), and a kernel cache shared by the tests.
enum EmulatedCUDA {
    static let prelude = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Benchmarks/CUDAStub/emulator_prelude.h")

    /// The first of c++, clang++ and g++ on PATH that compiles a program using the prelude's
    /// headers; on Linux only.
    static let compiler: URL? = {
        #if os(Linux)
        guard DoNothingCUDADriver.compiler != nil else { return nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"
        let candidates = ["c++", "clang++", "g++"].compactMap { name in
            path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
                .first { FileManager.default.isExecutableFile(atPath: $0.path) }
        }
        return candidates.first(where: compiles)
        #else
        return nil
        #endif
    }()

    static let whyMissing = "no C compiler, or no C++ compiler with its standard library, to emulate a GPU"

    /// A folder for the compiled kernel groups, so that they are compiled once per test run.
    static let kernelCache = Result<URL, any Error> { try temporaryFolder() }

    private static func compiles(with compiler: URL) -> Bool {
        guard let folder = try? temporaryFolder() else { return false }
        let source = folder.appendingPathComponent("check.cpp")
        let program = "#include <map>\n#include <string>\n#include <vector>\n#include <ucontext.h>\nint main() { std::map<std::string, int> m; return (int)m.size(); }\n"
        guard (try? program.write(to: source, atomically: true, encoding: .utf8)) != nil else { return false }
        let process = Process()
        process.executableURL = compiler
        process.arguments = ["-std=c++17", "-fsyntax-only", source.path]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
