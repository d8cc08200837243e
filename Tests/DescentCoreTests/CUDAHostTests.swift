// The CUDA backend's host side, without a GPU: where the libraries are looked for, the cache of
// compiled kernels, the messages, `Device`'s spellings, and what happens here when there is no
// CUDA driver (a thrown error that says what was looked for, not a trap).
@testable import DescentCore
import Foundation
import Testing
import _DescentTestSupport

@Suite struct CUDAHostTests {
    /// A file system of folders, for the library search.
    private func search(_ environment: [String: String], folders: [String: [String]]) -> CUDALibrarySearch {
        CUDALibrarySearch(environment: environment, home: "/home/u", listFolder: { folders[$0] ?? [] })
    }

    @Test func librariesAreLookedForInTheDocumentedOrder() {
        let folders = [
            "/opt/mine/nvidia": ["cu13"], "/opt/mine/nvidia/cu13/lib": ["libnvrtc.so.13"],
            "/venv/lib": ["python3.12"], "/venv/lib/python3.12/site-packages": ["nvidia"],
            "/venv/lib/python3.12/site-packages/nvidia": ["cuda_nvrtc", "cublas"],
            "/venv/lib/python3.12/site-packages/nvidia/cublas/lib": ["libcublas.so.12"],
            "/venv/lib/python3.12/site-packages/nvidia/cuda_nvrtc/lib": ["libnvrtc.so.12"],
        ]
        let search = search(["DESCENT_CUDA_PATH": "/opt/cuda-libs:/opt/mine", "VIRTUAL_ENV": "/venv"], folders: folders)
        let nvrtc = search.candidates(for: .nvrtc)
        #expect(Array(nvrtc.prefix(6)) == [
            "/opt/cuda-libs/libnvrtc.so.13", "/opt/cuda-libs/libnvrtc.so.12",
            "/opt/mine/libnvrtc.so.13", "/opt/mine/libnvrtc.so.12",
            "/opt/mine/nvidia/cu13/lib/libnvrtc.so.13", "/opt/mine/nvidia/cu13/lib/libnvrtc.so.12",
        ])
        // Then the virtual environment's wheels (sorted), then the bare names for dlopen's own
        // search, then the toolkit's folders.
        let wheel = nvrtc.firstIndex(of: "/venv/lib/python3.12/site-packages/nvidia/cuda_nvrtc/lib/libnvrtc.so.13")
        let bare = nvrtc.firstIndex(of: "libnvrtc.so.13")
        let toolkit = nvrtc.firstIndex(of: "/usr/local/cuda/lib64/libnvrtc.so.13")
        #expect(wheel != nil && bare != nil && toolkit != nil)
        if let wheel, let bare, let toolkit { #expect(wheel < bare && bare < toolkit) }
        #expect(nvrtc.contains("/venv/lib/python3.12/site-packages/nvidia/cublas/lib/libnvrtc.so.12"))
        #expect(Set(nvrtc).count == nvrtc.count)

        // The driver comes with the GPU's kernel module, never from a wheel: after an explicit
        // DESCENT_CUDA_PATH, dlopen's own search first.
        let driver = search.candidates(for: .driver)
        #expect(driver.first == "/opt/cuda-libs/libcuda.so.1")
        #expect(driver.firstIndex(of: "libcuda.so.1")! < driver.firstIndex(of: "/usr/local/cuda/lib64/libcuda.so.1")!)
        #expect(!driver.contains { $0.contains("site-packages") })
        #expect(search.candidates(for: .cublas).contains("/venv/lib/python3.12/site-packages/nvidia/cublas/lib/libcublas.so.13"))
        // A CUDA 12 driver runs no library of CUDA 13.
        let forDriver12 = search.candidates(for: .nvrtc, driverMajor: 12)
        #expect(!forDriver12.isEmpty && forDriver12.allSatisfy { $0.hasSuffix(".so.12") })
        #expect(search.candidates(for: .nvrtc, driverMajor: 13) == nvrtc)
    }

    @Test func cacheKeysChangeWithEverythingTheCubinDependsOn() {
        let base = CUDAKernelCache.key(source: "k", options: ["-a"], nvrtcVersion: (13, 0), architecture: "sm_90")
        let others = [
            CUDAKernelCache.key(source: "k2", options: ["-a"], nvrtcVersion: (13, 0), architecture: "sm_90"),
            CUDAKernelCache.key(source: "k", options: ["-b"], nvrtcVersion: (13, 0), architecture: "sm_90"),
            CUDAKernelCache.key(source: "k", options: ["-a"], nvrtcVersion: (12, 9), architecture: "sm_90"),
            CUDAKernelCache.key(source: "k", options: ["-a"], nvrtcVersion: (13, 0), architecture: "sm_80"),
        ]
        let names = Set(([base] + others).map(CUDAKernelCache.fileName(forKey:)))
        #expect(names.count == 5)
        #expect(CUDAKernelCache.fileName(forKey: base) == CUDAKernelCache.fileName(forKey: base))
        #expect(CUDAKernelCache.fileName(forKey: base).count == 16 + ".cubin".count)
    }

    @Test func theCacheReturnsOnlyWhatWasStoredUnderTheSameKey() throws {
        let folder = scratchFolder.appendingPathComponent("descent-cubin-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let cache = CUDAKernelCache(folder: folder)
        #expect(cache.load(key: "a") == nil)
        cache.store([1, 2, 3], key: "a")
        #expect(cache.load(key: "a") == [1, 2, 3])
        #expect(cache.load(key: "b") == nil)
        // A file under the right name with another key (a hash collision, or a damaged file) is a miss.
        try Data("DCUBIN1\nxx".utf8).write(to: folder.appendingPathComponent(CUDAKernelCache.fileName(forKey: "c")))
        #expect(cache.load(key: "c") == nil)
        // No folder, no cache.
        CUDAKernelCache(folder: nil).store([1], key: "a")
        #expect(CUDAKernelCache(folder: nil).load(key: "a") == nil)
    }

    @Test func theCacheFolderFollowsTheEnvironment() {
        #expect(CUDAKernelCache.defaultFolder(environment: ["DESCENT_CUDA_CACHE": "/c"], home: "/h")?.path == "/c")
        #expect(CUDAKernelCache.defaultFolder(environment: ["DESCENT_CUDA_CACHE": ""], home: "/h") == nil)
        #expect(CUDAKernelCache.defaultFolder(environment: ["XDG_CACHE_HOME": "/x"], home: "/h")?.path == "/x/descent/cuda")
        #expect(CUDAKernelCache.defaultFolder(environment: [:], home: "/h")?.path == "/h/.cache/descent/cuda")
    }

    @Test func devicesAreWrittenAsUsersTypeThem() {
        #expect(Device(rawValue: "cpu") == .cpu)
        #expect(Device(rawValue: "reference") == .reference)
        #expect(Device(rawValue: "cuda") == .cuda(0))
        #expect(Device(rawValue: "cuda:1") == .cuda(1))
        for bad in ["gpu", "cuda:", "cuda:-1", "cuda:x", "CUDA"] { #expect(Device(rawValue: bad) == nil, "\(bad)") }
        #expect(Device.cuda(2).rawValue == "cuda:2")
        #expect("\(Device.cuda(0))" == "cuda:0")
        #expect(Device.allCases == [.cpu, .reference])
    }

    @Test func messagesSayWhatWasLookedForAndWhatFailed() {
        let notFound = CUDAError(.libraryNotFound(.driver, tried: [.init(path: "libcuda.so.1", message: "not found")]))
        #expect("\(notFound)".contains("the CUDA driver (libcuda.so.1) was not found"))
        #expect("\(notFound)".contains("  libcuda.so.1: not found"))
        #expect("\(notFound)".contains("nvidia-smi"))
        let nvrtc = CUDAError(.libraryNotFound(.nvrtc, tried: []))
        #expect("\(nvrtc)".contains("libnvrtc.so.13 or libnvrtc.so.12") && "\(nvrtc)".contains("DESCENT_CUDA_PATH"))
        let driver = CUDAError(.driver(call: "cuInit", code: 100, name: "CUDA_ERROR_NO_DEVICE", message: "no CUDA-capable device is detected"))
        #expect("\(driver)" == "CUDA error in cuInit: CUDA_ERROR_NO_DEVICE (100): no CUDA-capable device is detected")
        #expect("\(CUDAError(.noDevice(ordinal: 3, count: 2)))".contains("cuda:0…cuda:1"))
    }

    /// Kernel arguments are laid out as the kernels' C parameters.
    @Test func kernelArgumentsHaveTheirCLayout() {
        #expect(CUDAKernelArgument.int32(-1).bytes == [255, 255, 255, 255])
        #expect(CUDAKernelArgument.pointer(0x0102).bytes == [2, 1, 0, 0, 0, 0, 0, 0])
        #expect(CUDAKernelArgument.dims([1]).bytes.count == 48 * 8)
        #expect(CUDAKernelArgument.scalars([1]).bytes.count == 16 * 8)
        // Each parameter pointer leads to its argument's bytes, 8-byte aligned.
        let arguments: [CUDAKernelArgument] = [.int32(7), .pointer(0xABCD), .dims([3, 4]), .uint32(9), .double(0.5), .scalars([2])]
        for argument in arguments { #expect(argument.bytes.count == argument.byteCount) }
        CUDAKernelArgument.withParameters(arguments) { parameters in
            for (index, argument) in arguments.enumerated() {
                let pointer = parameters[index]!
                #expect(UInt(bitPattern: pointer) % 8 == 0)
                #expect(Array(UnsafeRawBufferPointer(start: pointer, count: argument.byteCount)) == argument.bytes, "argument \(index)")
            }
        }
        // Rank, output shape, then each operand's strides: 0 where broadcast.
        #expect(CUDALayout.broadcastStrides([3, 1], to: [2, 3, 4]) == [0, 1, 0])
        #expect(CUDALayout.strides([2, 3, 4]) == [12, 4, 1])
        guard case .dims(let dims) = CUDALayout.dims([2, 3], [[3, 1], [0, 1]]) else { Issue.record("not dims"); return }
        #expect(dims == [2, 2, 3, 0, 0, 0, 0, 0, 0, 3, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0])
    }

    /// Here (or on any machine without a GPU), asking for a GPU throws what was looked for;
    /// nothing traps.
    @Test(.enabled(if: (try? Device.cuda(0).checkAvailable()) == nil, "a GPU works here: the no-GPU message cannot be seen"))
    func withoutAGPUTheErrorSaysWhy() {
        #expect(throws: CUDAError.self) { try Device.cuda(0).checkAvailable() }
        do {
            try Device.cuda(0).checkAvailable()
        } catch {
            let message = "\(error)"
            #expect(message.contains("CUDA is not available") || message.contains("CUDA error"), "\(message)")
        }
        #expect(Device.cuda(0).cudaDeviceInfo == nil)
    }
}
