import CDescentCUDA

/// Page-locked host memory (`cuMemHostAlloc`) for `count` floats: the GPU copies to and from it
/// directly, so a copy of it can be part of a CUDA graph (a copy of ordinary, pageable memory
/// cannot be captured: the driver stages it through a buffer of its own when it is queued).
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
        try context.driver.check(api.hostAllocate(&raw, max(count, 1) * MemoryLayout<Float>.stride, 0),
                                 "cuMemHostAlloc(\(count) floats)")
        guard let raw else { throw CUDAError(.unsupported("cuMemHostAlloc returned no memory")) }
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    deinit {
        context.makeCurrent()
        _ = api.hostFree(pointer)
    }

    var byteCount: Int { count * MemoryLayout<Float>.stride }
}
