import CDescentCUDA

/// Work captured once from a GPU's stream and replayed with one launch: a CUDA graph,
/// instantiated, with the cuBLAS workspace its matrix products were captured with.
///
/// A capture records what is queued on the stream instead of running it: kernels, copies,
/// cuBLAS's products, and the stream-ordered allocations and frees of the tensors made on the
/// way, which become the graph's own memory nodes (the driver keeps a pool for them). A replay
/// runs the same work on the same addresses, so whatever the captured work reads — parameters,
/// a static input — must stay alive, at the same address, as long as the graph.
final class CUDAGraphExecutable: @unchecked Sendable {
    let context: CUDAContext
    let api: CUDAGraphAPI
    private let executable: DCUgraphExec
    /// cuBLAS's workspace during the capture: its products read and write it on every replay.
    private let blasWorkspace: DCUdeviceptr

    /// Captures what `body` queues on `context`'s stream and instantiates it.
    ///
    /// `body` runs twice on the GPU's capture stream, with the capture's cuBLAS handle given a
    /// workspace of the graph's own (so that cuBLAS allocates nothing inside the capture, and
    /// the default handle, stream and workspace stay as they are for every other operation):
    /// once as usual (``CUDAGraphPhase/rehearsal``), once captured (``CUDAGraphPhase/capture``).
    /// The rehearsal must use every cuBLAS product the capture will (a training step's rehearsal
    /// leaves out the optimizer's update, so that it changes nothing).
    ///
    /// The capture mode is thread-local: a call that cannot be captured (a wait for the GPU, a
    /// synchronous allocation or copy) made by this thread invalidates the capture, which then
    /// fails with the driver's error instead of recording a graph that is silently wrong, while
    /// other threads, whose work goes to the default stream, are left alone (`global` would
    /// fail their unrelated calls, `relaxed` would let this thread's mistakes through).
    ///
    /// - Throws: the body's error, the driver's (capture, instantiation), or
    ///   ``CUDAGraphError/Kind/allocationsOutliveCapture(allocated:freed:)`` when the graph
    ///   would allocate memory it never frees.
    init(capturingOn context: CUDAContext, _ body: (CUDAGraphPhase) throws(CUDAGraphError) -> Void) throws(CUDAGraphError) {
        self.context = context
        let driver = context.driver
        let (api, workspace) = try Self.cuda { () throws(CUDAError) in
            let api = try CUDAGraphAPI(driver.library)
            context.makeCurrent()
            var workspace: DCUdeviceptr = 0
            try driver.check(driver.memAllocAsync(&workspace, Self.blasWorkspaceBytes(context), context.stream),
                             "cuMemAllocAsync(cuBLAS workspace)")
            // The capture stream does not wait for the default one: what the body reads
            // (parameters, inputs, the workspace) must be there before it starts.
            try driver.check(driver.streamSynchronize(context.stream), "cuStreamSynchronize")
            return (api, workspace)
        }
        var instantiated: DCUgraphExec?
        do throws(CUDAGraphError) {
            let graph = try Self.capture(on: context, api: api, workspace: workspace, body)
            defer { _ = api.destroyGraph(graph) }  // the executable graph is independent of it
            let nodes = try Self.cuda { () throws(CUDAError) in try api.memoryNodeCounts(graph, driver: driver) }
            // No CUDA_GRAPH_INSTANTIATE_FLAG_AUTO_FREE_ON_LAUNCH: a graph that frees everything it
            // allocates has nothing to free between launches, and one that does not is refused.
            try Self.cuda { () throws(CUDAError) in
                try driver.check(api.instantiate(&instantiated, graph, 0), "cuGraphInstantiateWithFlags")
            }
            guard nodes.allocations == nodes.frees else {
                try Self.releaseEscapedAllocations(instantiated!, context: context, api: api)
                throw CUDAGraphError(.allocationsOutliveCapture(allocated: nodes.allocations, freed: nodes.frees))
            }
        } catch {
            _ = driver.memFreeAsync(workspace, context.stream)
            throw error
        }
        self.api = api
        blasWorkspace = workspace
        executable = instantiated!
    }

    deinit {
        context.makeCurrent()
        // An executable graph still running is destroyed when it finishes; the workspace's free
        // is ordered after it on the stream.
        _ = api.destroyExec(executable)
        _ = context.driver.memFreeAsync(blasWorkspace, context.stream)
    }

    /// Runs a graph whose allocations outlived the capture once, then destroys it.
    ///
    /// The tensors that hold those allocations free them (`cuMemFreeAsync`) when their last
    /// reference goes, which is an error for memory of a graph that never ran: after one launch
    /// the memory exists, and their frees are ordinary.
    private static func releaseEscapedAllocations(_ executable: DCUgraphExec, context: CUDAContext,
                                                  api: CUDAGraphAPI) throws(CUDAGraphError) {
        defer { _ = api.destroyExec(executable) }
        try cuda { () throws(CUDAError) in
            try context.driver.check(api.launch(executable, context.stream), "cuGraphLaunch")
            try context.driver.check(context.driver.streamSynchronize(context.stream), "cuStreamSynchronize")
        }
    }

    /// Queues one replay of the graph on the stream (it returns before the GPU has run it).
    func launch() throws(CUDAError) {
        context.makeCurrent()
        try context.driver.check(api.launch(executable, context.stream), "cuGraphLaunch")
    }

    /// The graph of what `body` queues, captured on the GPU's capture stream (the calling
    /// thread's work goes there meanwhile, see ``CUDACaptureTarget``), with `workspace` as the
    /// capture's cuBLAS workspace. The capture is always ended, also when `body` throws.
    private static func capture(on context: CUDAContext, api: CUDAGraphAPI, workspace: DCUdeviceptr,
                                _ body: (CUDAGraphPhase) throws(CUDAGraphError) -> Void) throws(CUDAGraphError) -> DCUgraph {
        try CUDACaptureTarget.withTarget(of: context) { target throws(CUDAGraphError) -> DCUgraph in
            let driver = context.driver, blas = context.blas
            try cuda { () throws(CUDAError) in
                try blas.check(blas.setWorkspace(target.blasHandle, UnsafeMutableRawPointer(bitPattern: UInt(workspace)),
                                                 blasWorkspaceBytes(context)), "cublasSetWorkspace_v2")
                context.makeCurrent()
            }
            // One run as the capture will be, not captured: the capture's cuBLAS handle chooses and
            // loads its kernels now, and an error shows outside the capture.
            target.failure = nil
            try body(.rehearsal)
            try cuda { () throws(CUDAError) in
                if let failure = target.failure { throw failure }
                try driver.check(driver.streamSynchronize(target.stream), "cuStreamSynchronize(capture stream)")
            }
            try cuda { () throws(CUDAError) in
                try driver.check(api.beginCapture(target.stream, Int32(DCU_STREAM_CAPTURE_MODE_THREAD_LOCAL)),
                                 "cuStreamBeginCapture_v2")
            }
            var bodyError: CUDAGraphError?
            do throws(CUDAGraphError) { try body(.capture) } catch { bodyError = error }
            context.makeCurrent()
            var graph: DCUgraph?
            let ended = api.endCapture(target.stream, &graph)
            do throws(CUDAGraphError) {
                if let bodyError { throw bodyError }
                // An operation the graph could not hold: its error, rather than the capture's
                // "invalidated" that follows from it.
                if let failure = target.failure { throw CUDAGraphError(.cuda(failure)) }
                try cuda { () throws(CUDAError) in try driver.check(ended, "cuStreamEndCapture") }
                guard let graph else { throw CUDAGraphError(.cuda(CUDAError(.unsupported("cuStreamEndCapture returned no graph")))) }
                return graph
            } catch {
                if let graph { _ = api.destroyGraph(graph) }
                throw error
            }
        }
    }

    /// The workspace size `cublasSetWorkspace`'s documentation recommends: 32 MiB on Hopper and
    /// later, 4 MiB before. (cuBLAS may choose algorithms by the workspace it has: the graph's
    /// products are held to the ungraphed ones by descent-cuda-bench's W4 check.)
    private static func blasWorkspaceBytes(_ context: CUDAContext) -> Int {
        (context.info.computeCapability.major >= 9 ? 32 : 4) << 20
    }

    /// `body`'s result, with a CUDA error thrown as a graph error.
    static func cuda<T>(_ body: () throws(CUDAError) -> T) throws(CUDAGraphError) -> T {
        do throws(CUDAError) { return try body() } catch { throw CUDAGraphError(.cuda(error)) }
    }
}

/// Which of its two runs a captured body is in (see ``CUDAGraphExecutable``).
package enum CUDAGraphPhase: Sendable, Equatable {
    /// The run before the capture, executed as usual on the capture stream.
    case rehearsal
    /// The captured run: queued, recorded, not executed.
    case capture
}
