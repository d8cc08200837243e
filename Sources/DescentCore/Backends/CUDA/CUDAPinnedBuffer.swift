import CDescentCUDA

/// Page-locked host memory (`cuMemHostAlloc`) for `count` floats, mapped into the GPU's address
/// space: a kernel reads and writes it directly, so a copy of it can be part of a CUDA graph (a
/// copy of ordinary, pageable memory cannot be captured: the driver stages it through a buffer of
/// its own when it is queued).
final class CUDAPinnedBuffer: @unchecked Sendable {
    let context: CUDAContext
    let api: CUDAGraphAPI
    let count: Int
    let pointer: UnsafeMutablePointer<Float>

    init(count: Int, context: CUDAContext, api: CUDAGraphAPI) throws(CUDAError) {
        self.context = context
        self.api = api
        self.count = count
        context.makeCurrent()
        var raw: UnsafeMutableRawPointer?
        try context.driver.check(api.hostAllocate(&raw, max(count, 1) * MemoryLayout<Float>.stride, Self.deviceMapped),
                                 "cuMemHostAlloc(\(count) floats)")
        guard let raw else { throw CUDAError(.unsupported("cuMemHostAlloc returned no memory")) }
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    deinit {
        context.makeCurrent()
        _ = api.hostFree(pointer)
    }

    /// `CU_MEMHOSTALLOC_DEVICEMAP`: the memory is mapped into the GPU's address space, so that
    /// kernels read and write it over the bus.
    private static let deviceMapped: UInt32 = 0x02

    /// The buffer's address for a kernel: with unified addressing (every 64-bit platform CUDA
    /// 12 and 13 support), mapped host memory has the same address on the GPU as on the host.
    var deviceAddress: DCUdeviceptr { DCUdeviceptr(UInt(bitPattern: pointer)) }
}
