import CDescentCUDA
import Foundation
import Synchronization

/// One GPU, ready to compute: the driver, cuBLAS and NVRTC loaded, the device's primary context
/// (the one cuBLAS and any other library in the process share), one stream that every operation
/// is queued on in order, and the device's stream-ordered memory pool.
///
/// Memory comes from `cuMemAllocAsync` and goes back with `cuMemFreeAsync` on the same stream:
/// Swift frees a tensor's storage as soon as the last reference goes, often while kernels that
/// read it are still queued, and a free ordered after them on the stream is safe without waiting.
/// The pool keeps freed memory reserved (release threshold: unlimited), so the steady state of a
/// training step allocates nothing from the driver.
///
/// A thread that captures a CUDA graph queues its work on a second stream meanwhile
/// (``CUDACaptureTarget``); every other operation goes to the one stream.
final class CUDAContext: @unchecked Sendable {
    let ordinal: Int
    let driver: CUDADriver
    let blas: CUBLAS
    let compiler: CUDAKernelCompiler
    let device: DCUdevice
    let context: DCUcontext
    /// The stream every operation is queued on (see ``stream``).
    let defaultStream: DCUstream
    /// cuBLAS, bound to ``defaultStream`` (see ``blasHandle``).
    let defaultBlasHandle: DcublasHandle
    /// How many threads are capturing a CUDA graph on this GPU now: while none is, ``stream``
    /// and ``blasHandle`` are the default ones without looking further.
    let capturesInProgress = Atomic<Int>(0)
    /// The capture stream and cuBLAS handle, made at the first capture; held during a capture,
    /// so that captures on this GPU take turns.
    let captureTargets = Mutex<CUDACaptureTarget?>(nil)
    /// The GPU's name, compute capability, memory and the driver's CUDA version, for messages.
    let info: CUDADeviceInfo
    /// `sm_90` for an H100: what NVRTC compiles for.
    let architecture: String

    /// The compiled kernels by name, filled one group at a time at first use.
    private let functions = Mutex<[String: UInt]>([:])
    /// The loaded kernel groups (as addresses: pointers are not `Sendable`).
    private let modules = Mutex<[CUDAKernelModule: UInt]>([:])
    /// cuBLAS handles are not safe to use from two threads at once.
    let blasLock = Mutex(())
    /// The row numbers last uploaded for a gather, and their table on the GPU (see
    /// ``CUDABackend/deviceIndices(_:)``).
    let lastIndexTable = Mutex<(indices: [Int], table: Tensor)?>(nil)
    /// `DESCENT_CUDA_SYNC=1`: wait after every launch and check it, so that a failing kernel is
    /// named in the message (slow; for finding a bug, as `CUDA_LAUNCH_BLOCKING` is for PyTorch).
    let synchronizesEveryLaunch = ProcessInfo.processInfo.environment["DESCENT_CUDA_SYNC"] == "1"

    init(ordinal: Int, search: CUDALibrarySearch = CUDALibrarySearch()) throws(CUDAError) {
        self.ordinal = ordinal
        let driver = try CUDADriver(CUDADynamicLibrary.open(.driver, search: search))
        self.driver = driver
        try driver.check(driver.initialize(0), "cuInit")
        var count: Int32 = 0
        try driver.check(driver.deviceGetCount(&count), "cuDeviceGetCount")
        guard ordinal >= 0, ordinal < Int(count) else { throw CUDAError(.noDevice(ordinal: ordinal, count: Int(count))) }
        var device: DCUdevice = 0
        try driver.check(driver.deviceGet(&device, Int32(ordinal)), "cuDeviceGet(\(ordinal))")
        self.device = device

        func attribute(_ attribute: Int32, _ name: String) throws(CUDAError) -> Int {
            var value: Int32 = 0
            try driver.check(driver.deviceGetAttribute(&value, attribute, device), "cuDeviceGetAttribute(\(name))")
            return Int(value)
        }
        let major = try attribute(Int32(DCU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR), "compute capability major")
        let minor = try attribute(Int32(DCU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR), "compute capability minor")
        var nameBytes = [CChar](repeating: 0, count: 256)
        try driver.check(driver.deviceGetName(&nameBytes, Int32(nameBytes.count), device), "cuDeviceGetName")
        var memory = 0
        try driver.check(driver.deviceTotalMem(&memory, device), "cuDeviceTotalMem_v2")
        var driverVersion: Int32 = 0
        try driver.check(driver.driverGetVersion(&driverVersion), "cuDriverGetVersion")
        architecture = CUDAKernelCompiler.architecture(major: major, minor: minor)
        let name = String(decoding: nameBytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)

        guard try attribute(Int32(DCU_DEVICE_ATTRIBUTE_MEMORY_POOLS_SUPPORTED), "memory pools supported") != 0 else {
            throw CUDAError(.unsupported("\(name) (cuda:\(ordinal)) has no stream-ordered memory pools (cuMemAllocAsync), which Descent needs"))
        }

        var context: DCUcontext?
        try driver.check(driver.primaryContextRetain(&context, device), "cuDevicePrimaryCtxRetain")
        guard let context else { throw CUDAError(.unsupported("cuDevicePrimaryCtxRetain returned no context")) }
        self.context = context
        try driver.check(driver.contextSetCurrent(context), "cuCtxSetCurrent")
        var stream: DCUstream?
        try driver.check(driver.streamCreate(&stream, UInt32(DCU_STREAM_NON_BLOCKING)), "cuStreamCreate")
        guard let stream else { throw CUDAError(.unsupported("cuStreamCreate returned no stream")) }
        defaultStream = stream
        // Keep freed memory in the pool instead of returning it to the driver at every
        // synchronization: allocations then cost a few hundred nanoseconds, not a system call.
        var pool: DCUmemoryPool?
        try driver.check(driver.deviceGetDefaultMemPool(&pool, device), "cuDeviceGetDefaultMemPool")
        var threshold = UInt64.max
        try driver.check(driver.memPoolSetAttribute(pool, Int32(DCU_MEMPOOL_ATTR_RELEASE_THRESHOLD), &threshold),
                         "cuMemPoolSetAttribute(release threshold)")

        // cuBLAS and NVRTC of a newer CUDA than the driver's would fail later, less clearly.
        let driverMajor = Int(driverVersion) / 1000
        let blas = try CUBLAS(CUDADynamicLibrary.open(.cublas, search: search, driverMajor: driverMajor))
        self.blas = blas
        var handle: DcublasHandle?
        try blas.check(blas.create(&handle), "cublasCreate_v2")
        guard let handle else { throw CUDAError(.unsupported("cublasCreate_v2 returned no handle")) }
        defaultBlasHandle = handle
        try blas.check(blas.setStream(handle, stream), "cublasSetStream_v2")
        // TF32 tensor cores round float32 products' inputs to 10 bits of mantissa: only when asked.
        let tf32 = ProcessInfo.processInfo.environment["DESCENT_CUDA_TF32"] == "1"
        try blas.check(blas.setMathMode(handle, Int32(tf32 ? DCUBLAS_TF32_TENSOR_OP_MATH : DCUBLAS_DEFAULT_MATH)),
                       "cublasSetMathMode")

        let nvrtc = try NVRTC.load(search: search, driverMajor: driverMajor)
        compiler = CUDAKernelCompiler(nvrtc: nvrtc, cache: CUDAKernelCache(folder: CUDAKernelCache.defaultFolder()))
        info = CUDADeviceInfo(ordinal: ordinal, name: name, computeCapability: (major, minor), memoryBytes: memory,
                              driverVersion: Int(driverVersion), nvrtcVersion: nvrtc.version,
                              libraries: [driver.library.path, blas.library.path, nvrtc.library.path], tf32: tf32)
    }

    /// The stream that work is queued on: ``defaultStream``, except on a thread that is capturing
    /// a CUDA graph, whose work goes to the capture's own stream (``CUDACaptureTarget``), so
    /// that other threads' work is neither captured nor disturbed by the capture.
    var stream: DCUstream { captureTarget?.stream ?? defaultStream }

    /// The cuBLAS handle for products queued now: bound to ``stream``.
    var blasHandle: DcublasHandle { captureTarget?.blasHandle ?? defaultBlasHandle }

    /// Whether the calling thread is capturing a CUDA graph on this GPU.
    var isCapturing: Bool { captureTarget != nil }

    /// The capture that the calling thread is making on this GPU, if any.
    @inline(__always)
    private var captureTarget: CUDACaptureTarget? {
        guard capturesInProgress.load(ordering: .relaxed) > 0, let target = CUDACaptureTarget.current,
              target.context === self else { return nil }
        return target
    }

    /// Makes this GPU's context current on the calling thread (tensors are freed, and operations
    /// run, on whatever thread Swift uses; the call is cheap).
    @inline(__always)
    func makeCurrent() {
        _ = driver.contextSetCurrent(context)
    }

    /// Traps with the driver's message: an error inside tensor math, after the device was found
    /// working, is a bug or a lost GPU, and an operation has no way to throw. While the calling
    /// thread captures a CUDA graph, the first error is kept instead, and the capture throws it
    /// (a call that a graph cannot hold, such as a copy from pageable memory, is a refused graph,
    /// not a crash).
    func require(_ result: DCUresult, _ call: @autoclosure () -> String) {
        guard result != 0 else { return }
        if let target = captureTarget {
            if target.failure == nil { target.failure = driver.error(result, call()) }
            return
        }
        fatalError("\(driver.error(result, call()))")
    }

    // MARK: Memory

    /// `byteCount` bytes from the pool, ordered on the stream.
    func allocate(byteCount: Int) -> DCUdeviceptr {
        makeCurrent()
        var pointer: DCUdeviceptr = 0
        require(driver.memAllocAsync(&pointer, byteCount, stream), "cuMemAllocAsync(\(byteCount) bytes)")
        return pointer
    }

    /// Returns memory to the pool once the work queued before now has run.
    func free(_ pointer: DCUdeviceptr) {
        makeCurrent()
        require(driver.memFreeAsync(pointer, stream), "cuMemFreeAsync")
    }

    func copyToDevice(_ destination: DCUdeviceptr, from source: UnsafeRawPointer, byteCount: Int) {
        guard byteCount > 0 else { return }
        makeCurrent()
        // From pageable memory the driver copies `source` into its staging buffer before it
        // returns, so the caller may free `source` at once.
        func queue() { require(driver.memcpyHtoDAsync(destination, source, byteCount, stream), "cuMemcpyHtoDAsync_v2") }
        if CUDAProfile.isEnabled { CUDAProfile.measure("copy host → device (\(byteCount) bytes)", on: self, queue) } else { queue() }
    }

    /// Copies to the host and waits for the copy (and everything queued before it).
    func copyToHost(_ destination: UnsafeMutableRawPointer, from source: DCUdeviceptr, byteCount: Int) {
        makeCurrent()
        if byteCount > 0 {
            require(driver.memcpyDtoHAsync(destination, source, byteCount, stream), "cuMemcpyDtoHAsync_v2")
        }
        synchronize()
    }

    func copy(_ destination: DCUdeviceptr, from source: DCUdeviceptr, byteCount: Int) {
        guard byteCount > 0 else { return }
        if let live = CUDALiveValues.current, live.mode == .recording || live.mode == .watchingCopies {
            // A copy on write of a parameter or an optimizer buffer: the graph would go on
            // updating the original. (The copy is made, so that the host's tensor holds values.)
            live.noteStray("a copy of a tensor (copy on write: is a reference to a parameter or optimizer buffer kept elsewhere?)")
        }
        makeCurrent()
        func queue() { require(driver.memcpyDtoDAsync(destination, source, byteCount, stream), "cuMemcpyDtoDAsync_v2") }
        if CUDAProfile.isEnabled { CUDAProfile.measure("copy device → device (\(byteCount) bytes)", on: self, queue) } else { queue() }
    }

    func zero(_ destination: DCUdeviceptr, byteCount: Int) {
        fill(destination, with: UInt8(0), count: byteCount)
    }

    /// Sets `count` bytes to `value`.
    func fill(_ destination: DCUdeviceptr, with value: UInt8, count: Int) {
        guard count > 0 else { return }
        makeCurrent()
        require(driver.memsetD8Async(destination, value, count, stream), "cuMemsetD8Async")
    }

    /// Sets `count` 4-byte words to `value`.
    func fill(_ destination: DCUdeviceptr, with value: UInt32, count: Int) {
        guard count > 0 else { return }
        makeCurrent()
        require(driver.memsetD32Async(destination, value, count, stream), "cuMemsetD32Async")
    }

    /// Waits until everything queued on the stream has run; a kernel's failure shows here.
    func synchronize() {
        makeCurrent()
        require(driver.streamSynchronize(stream), "cuStreamSynchronize")
    }

    // MARK: Kernels

    /// The kernel `name` of `module`, compiling (or loading from the cache) and loading the
    /// module at first use.
    func function(_ name: String, in module: CUDAKernelModule) -> DCUfunction {
        if let known = functions.withLock({ $0[name] }) { return DCUfunction(bitPattern: known)! }
        do throws(CUDAError) {
            let loaded = try self.module(module)
            makeCurrent()
            var function: DCUfunction?
            try driver.check(driver.moduleGetFunction(&function, loaded, name), "cuModuleGetFunction(\(name))")
            let address = UInt(bitPattern: function)
            functions.withLock { $0[name] = address }
            return function!
        } catch {
            fatalError("CUDA kernel \(name) (\(module.rawValue)): \(error)")
        }
    }

    /// `module` loaded on this GPU, compiled (or read from the cache) once.
    private func module(_ module: CUDAKernelModule) throws(CUDAError) -> DCUmodule {
        try modules.withLock { modules throws(CUDAError) -> DCUmodule in
            if let known = modules[module] { return DCUmodule(bitPattern: known)! }
            let cubin = try compiler.cubin(module, architecture: architecture)
            makeCurrent()
            var loaded: DCUmodule?
            let result = cubin.withUnsafeBytes { driver.moduleLoadData(&loaded, $0.baseAddress) }
            try driver.check(result, "cuModuleLoadData(\(module.rawValue))")
            modules[module] = UInt(bitPattern: loaded)
            return loaded!
        }
    }

    /// Launches `name` on enough blocks of `threads` threads for `count` elements (at most a
    /// grid that fills the GPU several times; the kernels loop over the rest).
    func launch(_ name: String, in module: CUDAKernelModule, count: Int, threads: Int = 256, blocks: Int? = nil,
                _ arguments: [CUDAKernelArgument]) {
        guard count > 0 else { return }
        if let live = CUDALiveValues.current {
            // An optimizer's update that a replay must record: fused steps only (which do not
            // come here while recording).
            switch live.mode {
            case .recording:
                live.noteStray("the kernel \(name)")
                return
            case .checkingFusedUpdate where module != .optimizer:
                live.noteStray("the kernel \(name)")
            default:
                break
            }
        }
        let function = function(name, in: module)
        let blockCount = blocks ?? Swift.min((count + threads - 1) / threads, 65_535 * 8)
        makeCurrent()
        func queue() {
            CUDAKernelArgument.withParameters(arguments) { parameters in
                require(driver.launchKernel(function, UInt32(blockCount), 1, 1, UInt32(threads), 1, 1, 0, stream, parameters, nil),
                        "cuLaunchKernel(\(name), \(blockCount)×\(threads))")
            }
        }
        if CUDAProfile.isEnabled {
            CUDAProfile.measure("\(name) (\(count) elements)", on: self, queue)
        } else {
            queue()
        }
        if synchronizesEveryLaunch {
            require(driver.streamSynchronize(stream), "kernel \(name) (\(count) elements, \(blockCount)×\(threads))")
        }
    }
}

/// What Descent found about a GPU, for `descent` and `descent-crosscheck` to print.
public struct CUDADeviceInfo: Sendable, CustomStringConvertible {
    /// Which GPU: `cuda(ordinal)`.
    public var ordinal: Int
    /// The GPU's name, as `nvidia-smi` shows it.
    public var name: String
    /// The architecture's version: 9.0 for an H100.
    public var computeCapability: (major: Int, minor: Int)
    /// The GPU's memory in bytes.
    public var memoryBytes: Int
    /// The CUDA version the driver supports, as `cuDriverGetVersion` gives it (13000 for 13.0).
    public var driverVersion: Int
    /// The version of NVRTC, which compiles the kernels.
    public var nvrtcVersion: (major: Int, minor: Int)
    /// The paths of the driver, cuBLAS and NVRTC that were opened.
    public var libraries: [String]
    /// Whether cuBLAS may use TF32 tensor cores for float32 products (`DESCENT_CUDA_TF32=1`).
    public var tf32: Bool

    /// One line: the GPU, its capability and memory, the versions, and the libraries' paths.
    public var description: String {
        "cuda:\(ordinal) \(name), compute capability \(computeCapability.major).\(computeCapability.minor), "
            + "\(memoryBytes >> 20) MiB, driver CUDA \(driverVersion / 1000).\(driverVersion % 1000 / 10), "
            + "NVRTC \(nvrtcVersion.major).\(nvrtcVersion.minor), TF32 \(tf32 ? "on" : "off") (\(libraries.joined(separator: ", ")))"
    }
}
