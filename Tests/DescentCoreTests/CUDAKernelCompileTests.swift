// The CUDA backend's kernels compiled by NVRTC for several GPU architectures — wherever NVRTC
// loads, GPU or not, so that a compile error never waits for a GPU machine. Without NVRTC the
// test is skipped, saying why; to run it here:
//
//     python3 -m venv /tmp/cudaenv && /tmp/cudaenv/bin/pip install nvidia-cuda-nvrtc
//     DESCENT_CUDA_PATH=/tmp/cudaenv swift test --filter CUDAKernelCompile
@testable import DescentCore
import Foundation
import Testing

/// NVRTC if it loads here, or why not.
private let loadedNVRTC: Result<NVRTC, CUDAError> = Result { () throws(CUDAError) in try NVRTC.load() }

@Suite struct CUDAKernelCompileTests {
    /// Every kernel group compiles without an error or a warning, for Ampere (sm_80) and Hopper (sm_90).
    @Test(.enabled(if: (try? loadedNVRTC.get()) != nil, "NVRTC was not found: set DESCENT_CUDA_PATH to a folder with libnvrtc.so.13 or .12 (see README, 'CUDA')"),
          arguments: CUDAKernelModule.allCases)
    func everyKernelCompiles(module: CUDAKernelModule) throws {
        let nvrtc = try loadedNVRTC.get()
        for architecture in ["sm_80", "sm_90"] {
            let (cubin, log) = try nvrtc.compileWithLog(module.source, name: "\(module.rawValue).cu",
                                                        options: CUDAKernelCompiler.options(architecture: architecture))
            #expect(!log.contains("warning"), "\(module) for \(architecture):\n\(log)")
            // An ELF image: what cuModuleLoadData takes.
            #expect(cubin.starts(with: [0x7f, 0x45, 0x4c, 0x46]), "\(module) for \(architecture) is not a CUBIN")
            // Every kernel the backend launches is in it (its name, NUL-terminated, in the
            // symbol table).
            for name in module.kernelNames {
                #expect(contains(cubin, Array(name.utf8) + [0]), "\(module) for \(architecture) has no kernel \(name)")
            }
            print("compiled \(module.rawValue) for \(architecture) with NVRTC \(nvrtc.version.major).\(nvrtc.version.minor) from \(nvrtc.library.path): \(cubin.count) bytes")
        }
    }
}

/// Whether `bytes` holds `pattern` somewhere.
private func contains(_ bytes: [UInt8], _ pattern: [UInt8]) -> Bool {
    guard pattern.count <= bytes.count else { return false }
    return (0...(bytes.count - pattern.count)).contains { start in bytes[start..<(start + pattern.count)].elementsEqual(pattern) }
}
