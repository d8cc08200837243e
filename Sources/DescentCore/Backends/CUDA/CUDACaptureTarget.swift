import CDescentCUDA

/// Where a thread that captures a CUDA graph queues its work: a stream of its own and a cuBLAS
/// handle bound to it, one pair per GPU, made at its first capture and kept.
///
/// A capture records everything queued on the stream it watches, from any thread, and a thread
/// that waits for that stream meanwhile fails. Capturing the shared stream would therefore take
/// other threads' work into the graph, or stop them. Instead, while a thread captures, its
/// operations go to this stream (``CUDAContext/stream`` asks ``current``), and every other
/// thread's to the GPU's default stream, as always.
final class CUDACaptureTarget: @unchecked Sendable {
    let context: CUDAContext
    let stream: DCUstream
    /// cuBLAS for the captured products: its own handle, so that the default handle's stream and
    /// workspace never change.
    let blasHandle: DcublasHandle

    /// The first CUDA error of an operation queued during the capture or its rehearsal (see
    /// ``CUDAContext/require(_:_:)``): the capture throws it. Only the capturing thread uses it.
    var failure: CUDAError?

    /// The capture that the current thread (task) is making.
    @TaskLocal static var current: CUDACaptureTarget?

    private init(context: CUDAContext) throws(CUDAError) {
        self.context = context
        let driver = context.driver, blas = context.blas
        context.makeCurrent()
        var stream: DCUstream?
        try driver.check(driver.streamCreate(&stream, UInt32(DCU_STREAM_NON_BLOCKING)), "cuStreamCreate(capture)")
        guard let stream else { throw CUDAError(.unsupported("cuStreamCreate returned no stream")) }
        self.stream = stream
        var handle: DcublasHandle?
        try blas.check(blas.create(&handle), "cublasCreate_v2(capture)")
        guard let handle else { throw CUDAError(.unsupported("cublasCreate_v2 returned no handle")) }
        blasHandle = handle
        try blas.check(blas.setStream(handle, stream), "cublasSetStream_v2(capture)")
        // The same arithmetic as the default handle's, so that a graph computes what the
        // operations it captured compute.
        let mode = context.info.tf32 ? DCUBLAS_TF32_TENSOR_OP_MATH : DCUBLAS_DEFAULT_MATH
        try blas.check(blas.setMathMode(handle, Int32(mode)), "cublasSetMathMode(capture)")
    }

    /// Runs `body` with `context`'s capture target as the calling thread's; captures on one GPU
    /// take turns.
    static func withTarget<R>(of context: CUDAContext,
                              _ body: (CUDACaptureTarget) throws(CUDAGraphError) -> R) throws(CUDAGraphError) -> R {
        // The result is carried out of the lock (and of the task-local scope, whose `rethrows`
        // is untyped) in a variable: neither passes a non-Sendable value or a typed error.
        var outcome: Result<R, CUDAGraphError>?
        context.captureTargets.withLock { cached in
            let target: CUDACaptureTarget
            if let known = cached {
                target = known
            } else {
                do throws(CUDAError) {
                    target = try CUDACaptureTarget(context: context)
                } catch {
                    outcome = .failure(CUDAGraphError(.cuda(error)))
                    return
                }
                cached = target
            }
            context.capturesInProgress.wrappingAdd(1, ordering: .relaxed)
            defer { context.capturesInProgress.wrappingSubtract(1, ordering: .relaxed) }
            $current.withValue(target) {
                do throws(CUDAGraphError) { outcome = .success(try body(target)) } catch { outcome = .failure(error) }
            }
        }
        return try outcome!.get()
    }
}
