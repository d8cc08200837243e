import CDescentCUDA

/// The CUDA driver API functions Descent calls, looked up once in `libcuda.so.1`.
///
/// Functions whose ABI changed carry their current versioned symbol (`cuMemcpyHtoDAsync_v2`,
/// `cuDeviceTotalMem_v2`): the unversioned names are the old ABI, kept for old binaries.
struct CUDADriver: @unchecked Sendable {
    let library: CUDADynamicLibrary
    let initialize: DPFN_cuInit
    let driverGetVersion: DPFN_cuDriverGetVersion
    let getErrorName: DPFN_cuGetErrorName
    let getErrorString: DPFN_cuGetErrorString
    let deviceGetCount: DPFN_cuDeviceGetCount
    let deviceGet: DPFN_cuDeviceGet
    let deviceGetName: DPFN_cuDeviceGetName
    let deviceGetAttribute: DPFN_cuDeviceGetAttribute
    let deviceTotalMem: DPFN_cuDeviceTotalMem
    let primaryContextRetain: DPFN_cuDevicePrimaryCtxRetain
    let contextSetCurrent: DPFN_cuCtxSetCurrent
    let streamCreate: DPFN_cuStreamCreate
    let streamSynchronize: DPFN_cuStreamSynchronize
    let deviceGetDefaultMemPool: DPFN_cuDeviceGetDefaultMemPool
    let memPoolSetAttribute: DPFN_cuMemPoolSetAttribute
    let memAllocAsync: DPFN_cuMemAllocAsync
    let memFreeAsync: DPFN_cuMemFreeAsync
    let memcpyHtoDAsync: DPFN_cuMemcpyHtoDAsync
    let memcpyDtoHAsync: DPFN_cuMemcpyDtoHAsync
    let memcpyDtoDAsync: DPFN_cuMemcpyDtoDAsync
    let memsetD8Async: DPFN_cuMemsetD8Async
    let memsetD32Async: DPFN_cuMemsetD32Async
    let moduleLoadData: DPFN_cuModuleLoadData
    let moduleGetFunction: DPFN_cuModuleGetFunction
    let launchKernel: DPFN_cuLaunchKernel

    init(_ library: CUDADynamicLibrary) throws(CUDAError) {
        self.library = library
        initialize = try library.function("cuInit", as: DPFN_cuInit.self)
        driverGetVersion = try library.function("cuDriverGetVersion", as: DPFN_cuDriverGetVersion.self)
        getErrorName = try library.function("cuGetErrorName", as: DPFN_cuGetErrorName.self)
        getErrorString = try library.function("cuGetErrorString", as: DPFN_cuGetErrorString.self)
        deviceGetCount = try library.function("cuDeviceGetCount", as: DPFN_cuDeviceGetCount.self)
        deviceGet = try library.function("cuDeviceGet", as: DPFN_cuDeviceGet.self)
        deviceGetName = try library.function("cuDeviceGetName", as: DPFN_cuDeviceGetName.self)
        deviceGetAttribute = try library.function("cuDeviceGetAttribute", as: DPFN_cuDeviceGetAttribute.self)
        deviceTotalMem = try library.function("cuDeviceTotalMem_v2", as: DPFN_cuDeviceTotalMem.self)
        primaryContextRetain = try library.function("cuDevicePrimaryCtxRetain", as: DPFN_cuDevicePrimaryCtxRetain.self)
        contextSetCurrent = try library.function("cuCtxSetCurrent", as: DPFN_cuCtxSetCurrent.self)
        streamCreate = try library.function("cuStreamCreate", as: DPFN_cuStreamCreate.self)
        streamSynchronize = try library.function("cuStreamSynchronize", as: DPFN_cuStreamSynchronize.self)
        deviceGetDefaultMemPool = try library.function("cuDeviceGetDefaultMemPool", as: DPFN_cuDeviceGetDefaultMemPool.self)
        memPoolSetAttribute = try library.function("cuMemPoolSetAttribute", as: DPFN_cuMemPoolSetAttribute.self)
        memAllocAsync = try library.function("cuMemAllocAsync", as: DPFN_cuMemAllocAsync.self)
        memFreeAsync = try library.function("cuMemFreeAsync", as: DPFN_cuMemFreeAsync.self)
        memcpyHtoDAsync = try library.function("cuMemcpyHtoDAsync_v2", as: DPFN_cuMemcpyHtoDAsync.self)
        memcpyDtoHAsync = try library.function("cuMemcpyDtoHAsync_v2", as: DPFN_cuMemcpyDtoHAsync.self)
        memcpyDtoDAsync = try library.function("cuMemcpyDtoDAsync_v2", as: DPFN_cuMemcpyDtoDAsync.self)
        memsetD8Async = try library.function("cuMemsetD8Async", as: DPFN_cuMemsetD8Async.self)
        memsetD32Async = try library.function("cuMemsetD32Async", as: DPFN_cuMemsetD32Async.self)
        moduleLoadData = try library.function("cuModuleLoadData", as: DPFN_cuModuleLoadData.self)
        moduleGetFunction = try library.function("cuModuleGetFunction", as: DPFN_cuModuleGetFunction.self)
        launchKernel = try library.function("cuLaunchKernel", as: DPFN_cuLaunchKernel.self)
    }

    /// Throws the driver's name and text for `result` unless it is `CUDA_SUCCESS`.
    func check(_ result: DCUresult, _ call: @autoclosure () -> String) throws(CUDAError) {
        guard result != 0 else { return }
        throw error(result, call())
    }

    /// The error for a failed call, named by `cuGetErrorName` and explained by `cuGetErrorString`.
    func error(_ result: DCUresult, _ call: String) -> CUDAError {
        var name: UnsafePointer<CChar>?
        var text: UnsafePointer<CChar>?
        _ = getErrorName(result, &name)
        _ = getErrorString(result, &text)
        return CUDAError(.driver(call: call, code: result, name: name.map { String(cString: $0) } ?? "CUDA_ERROR_\(result)",
                                 message: text.map { String(cString: $0) } ?? "unknown error"))
    }
}
