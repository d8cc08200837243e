import CDescentCUDA

/// The driver functions that CUDA graphs need — stream capture, instantiation, launch — and
/// pinned host memory, looked up in the already opened `libcuda.so.1` when a graph is first made.
///
/// They are kept apart from ``CUDADriver`` so that a driver without one of them fails only the
/// graph that asked, with the name of what is missing, and every other use of the GPU is as
/// before. Each symbol is the one `cuda.h` of CUDA 12 and 13 `#define`s the call to:
/// `cuStreamBeginCapture_v2` (the unversioned symbol is the old ABI, without a capture mode),
/// `cuGraphInstantiateWithFlags` (the unversioned `cuGraphInstantiate` takes an error node and a
/// log buffer), and the plain names of the rest (their `_ptsz` twins are for the per-thread default
/// stream, which Descent does not use: it passes its own stream).
struct CUDAGraphAPI: @unchecked Sendable {
    let beginCapture: DPFN_cuStreamBeginCapture
    let endCapture: DPFN_cuStreamEndCapture
    let instantiate: DPFN_cuGraphInstantiateWithFlags
    let launch: DPFN_cuGraphLaunch
    let destroyExec: DPFN_cuGraphExecDestroy
    let destroyGraph: DPFN_cuGraphDestroy
    let graphNodes: DPFN_cuGraphGetNodes
    let nodeType: DPFN_cuGraphNodeGetType
    let hostAllocate: DPFN_cuMemHostAlloc
    let hostFree: DPFN_cuMemFreeHost

    init(_ library: CUDADynamicLibrary) throws(CUDAError) {
        beginCapture = try library.function("cuStreamBeginCapture_v2", as: DPFN_cuStreamBeginCapture.self)
        endCapture = try library.function("cuStreamEndCapture", as: DPFN_cuStreamEndCapture.self)
        instantiate = try library.function("cuGraphInstantiateWithFlags", as: DPFN_cuGraphInstantiateWithFlags.self)
        launch = try library.function("cuGraphLaunch", as: DPFN_cuGraphLaunch.self)
        destroyExec = try library.function("cuGraphExecDestroy", as: DPFN_cuGraphExecDestroy.self)
        destroyGraph = try library.function("cuGraphDestroy", as: DPFN_cuGraphDestroy.self)
        graphNodes = try library.function("cuGraphGetNodes", as: DPFN_cuGraphGetNodes.self)
        nodeType = try library.function("cuGraphNodeGetType", as: DPFN_cuGraphNodeGetType.self)
        hostAllocate = try library.function("cuMemHostAlloc", as: DPFN_cuMemHostAlloc.self)
        hostFree = try library.function("cuMemFreeHost", as: DPFN_cuMemFreeHost.self)
    }

    /// How many allocation and free nodes `graph` has: stream-ordered allocations made while it
    /// was captured, and the frees of them captured too.
    func memoryNodeCounts(_ graph: DCUgraph, driver: CUDADriver) throws(CUDAError) -> (allocations: Int, frees: Int) {
        var count = 0
        try driver.check(graphNodes(graph, nil, &count), "cuGraphGetNodes")
        var nodes = [DCUgraphNode?](repeating: nil, count: count)
        try driver.check(graphNodes(graph, &nodes, &count), "cuGraphGetNodes")
        var allocations = 0, frees = 0
        for node in nodes.prefix(count) {
            var type: Int32 = -1
            try driver.check(nodeType(node, &type), "cuGraphNodeGetType")
            if type == Int32(DCU_GRAPH_NODE_TYPE_MEM_ALLOC) { allocations += 1 }
            if type == Int32(DCU_GRAPH_NODE_TYPE_MEM_FREE) { frees += 1 }
        }
        return (allocations, frees)
    }
}
