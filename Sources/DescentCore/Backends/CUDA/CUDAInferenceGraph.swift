import CDescentCUDA
import Synchronization

/// A forward pass of fixed input shape, captured once on a GPU as a CUDA graph and then replayed
/// with one launch per call: inference without the cost of queueing each kernel and matrix product
/// one by one.
///
/// At batch size 1 a forward pass is a handful of small kernels, and queueing each of them costs
/// more than running it. A graph queues them all at once: each call copies the input into
/// page-locked memory, launches the graph (which copies it to the GPU, runs the forward pass and
/// copies the output back) and waits for it.
///
/// ```swift
/// let model = Sequential { Dense(inputCount: 784, outputCount: 10) }.to(.cuda(0))
/// let graph = try CUDAInferenceGraph(model, inputShape: [1, 784], on: .cuda(0))
/// let logits = try graph(hostInput: pixels)   // 784 floats in, 10 out
/// ```
///
/// The forward pass runs three times when the graph is made, without recording gradients: once as
/// usual (which compiles its kernels and gives the output's shape), once as a rehearsal on the
/// stream it is captured on, and once captured. It must depend on
/// nothing but its input's values (no read-back, no random numbers drawn on the host, no shape
/// that changes), and the tensors it reads besides its input (a model's parameters) must stay
/// alive and unchanged for as long as the graph: it reads them at the addresses they had when it
/// was captured. Capture a model by value (a `let`, or the `Layer` initializer, which keeps a copy
/// of the model): training the original afterwards then leaves the graph's copy alone (copy on
/// write), and a graph that should see new weights is captured again.
///
/// Nothing else may use the same GPU while a graph is being captured; once captured, calls are
/// safe from any thread (they take turns).
public final class CUDAInferenceGraph: @unchecked Sendable {
    /// The GPU the graph runs on.
    public let device: Device
    /// The shape of the input, batch axis included, as the forward pass is given it.
    public let inputShape: [Int]
    /// The shape of the forward pass's output.
    public let outputShape: [Int]

    private let context: CUDAContext
    private let executable: CUDAGraphExecutable
    /// The tensor the graph reads its input from (its storage's address is in the graph).
    private let staticInput: Tensor
    private let hostInput: CUDAPinnedBuffer
    private let hostOutput: CUDAPinnedBuffer
    /// The forward pass, kept for what it holds: the parameters whose addresses are in the graph.
    private let forward: (Tensor) -> Tensor
    /// The pinned buffers are shared by every call: one call at a time.
    private let calls = Mutex(())

    /// Runs `forward` on a float32 input of `inputShape` on `device`, once as usual and once
    /// captured as a graph.
    ///
    /// - Parameters:
    ///   - inputShape: the input's shape, batch axis included (`[1, 784]`).
    ///   - device: a ``Device/cuda(_:)`` device.
    ///   - forward: the forward pass. It is kept, with what it captures, as long as the graph.
    /// - Throws: ``CUDAGraphError``: the device is not a GPU, or is not available; the shape is
    ///   empty; the forward pass gives a tensor that is not float32, or allocates a tensor that
    ///   outlives it; `DESCENT_CUDA_SYNC=1` or `DESCENT_CUDA_PROFILE=1` is set; or the driver
    ///   refused the capture (its message).
    public init(inputShape: [Int], on device: Device, forward: @escaping (Tensor) -> Tensor) throws(CUDAGraphError) {
        guard case .cuda(let ordinal) = device else { throw CUDAGraphError(.notCUDA(device)) }
        let inputCount = inputShape.reduce(1, *)
        guard inputShape.allSatisfy({ $0 >= 0 }), inputCount > 0 else { throw CUDAGraphError(.emptyInputShape(inputShape)) }
        let context: CUDAContext
        do throws(CUDAError) { context = try CUDABackend.context(ordinal).get() } catch { throw CUDAGraphError(.cuda(error)) }
        guard !context.synchronizesEveryLaunch, !CUDAProfile.isEnabled else { throw CUDAGraphError(.synchronizesEveryLaunch) }
        self.device = device
        self.inputShape = inputShape
        self.context = context
        self.forward = forward
        staticInput = CUDABackend(context: context).zeros(inputShape, .float32)

        // The first run compiles and loads the kernels, which cannot happen during a capture,
        // and gives the output's shape, for the output buffer that the capture copies into.
        let outputShape = try Self.firstRun(forward, on: staticInput, context: context)
        self.outputShape = outputShape
        let api = try CUDAGraphExecutable.cuda { () throws(CUDAError) in try CUDAGraphAPI(context.driver.library) }
        (hostInput, hostOutput) = try CUDAGraphExecutable.cuda { () throws(CUDAError) in
            (try CUDAPinnedBuffer(count: inputCount, context: context, api: api),
             try CUDAPinnedBuffer(count: outputShape.reduce(1, *), context: context, api: api))
        }
        let (input, hostInput, hostOutput) = (staticInput, hostInput, hostOutput)
        // The copies' kernel, loaded now: a capture cannot load it.
        _ = context.function("copy_b4", in: .movement)
        executable = try CUDAGraphExecutable(capturingOn: context) { _ throws(CUDAGraphError) in
            Self.copy(hostInput.count, from: hostInput.deviceAddress, to: input.storage.address, context: context)
            try Self.captureForward(forward, on: input, into: hostOutput, expecting: outputShape, context: context)
        }
        // One replay now: the driver maps the graph's memory at its first launch, and a graph
        // that cannot run fails here rather than at the first call.
        try CUDAGraphExecutable.cuda { () throws(CUDAError) in
            try executable.launch()
            try context.driver.check(context.driver.streamSynchronize(context.stream), "cuStreamSynchronize")
        }
    }

    /// The forward pass's output for `hostInput`: the input's values in row-major order, as many
    /// as ``inputShape`` holds; the output's likewise, as many as ``outputShape`` holds.
    ///
    /// - Throws: ``CUDAGraphError``: an input of the wrong size, or the driver's error.
    public func callAsFunction(hostInput input: [Float]) throws(CUDAGraphError) -> [Float] {
        guard input.count == hostInput.count else {
            throw CUDAGraphError(.inputCount(expected: hostInput.count, found: input.count))
        }
        return try calls.withLock { _ throws(CUDAGraphError) -> [Float] in
            input.withUnsafeBufferPointer { hostInput.pointer.update(from: $0.baseAddress!, count: $0.count) }
            try CUDAGraphExecutable.cuda { () throws(CUDAError) in
                try executable.launch()
                try context.driver.check(context.driver.streamSynchronize(context.stream), "cuStreamSynchronize")
            }
            return Array(UnsafeBufferPointer(start: hostOutput.pointer, count: hostOutput.count))
        }
    }

    /// The forward pass run as usual on the (zero) static input, waited for: the output's shape.
    /// The output and every tensor made on the way are gone when it returns.
    private static func firstRun(_ forward: (Tensor) -> Tensor, on input: Tensor,
                                 context: CUDAContext) throws(CUDAGraphError) -> [Int] {
        let output = withoutGradients { forward(input) }
        guard output.device == input.device else { throw CUDAGraphError(.outputDevice(output.device)) }
        guard output.dtype == .float32 else { throw CUDAGraphError(.outputDType(output.dtype)) }
        try CUDAGraphExecutable.cuda { () throws(CUDAError) in
            try context.driver.check(context.driver.streamSynchronize(context.stream), "cuStreamSynchronize")
        }
        return output.shape
    }

    /// The forward pass queued during the capture, and its output's copy into `hostOutput`. Its
    /// tensors, the output included, are let go before it returns, so that their frees are
    /// captured with their allocations.
    private static func captureForward(_ forward: (Tensor) -> Tensor, on input: Tensor, into hostOutput: CUDAPinnedBuffer,
                                       expecting shape: [Int], context: CUDAContext) throws(CUDAGraphError) {
        let output = withoutGradients { forward(input) }
        guard output.dtype == .float32 else { throw CUDAGraphError(.outputDType(output.dtype)) }
        guard output.shape == shape else { throw CUDAGraphError(.outputShapeChanged(first: shape, captured: output.shape)) }
        guard output.device == input.device else { throw CUDAGraphError(.outputDevice(output.device)) }
        copy(hostOutput.count, from: output.storage.address, to: hostOutput.deviceAddress, context: context)
    }

    /// Queues a copy of `count` floats between the GPU's memory and pinned host memory as a
    /// kernel, which the GPU reads or writes over the bus itself: in a graph, a copy engine's
    /// node (`cuMemcpyHtoDAsync`) costs several microseconds of a batch-1 call's latency (W4's
    /// graphed call on an H200: 22 µs with the kernels, 29 µs with the two copy nodes).
    private static func copy(_ count: Int, from source: DCUdeviceptr, to destination: DCUdeviceptr, context: CUDAContext) {
        context.launch("copy_b4", in: .movement, count: count, [.pointer(source), .pointer(destination), .int64(Int64(count))])
    }
}
