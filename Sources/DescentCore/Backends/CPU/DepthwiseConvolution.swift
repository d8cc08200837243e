// Depthwise convolutions (each output channel reads one input channel) computed directly, a
// plane at a time, in C (depthwise.c): through im2col, each channel's product has a single row of
// weights, and copying every window cost more than the product itself. The work is split among
// threads by input planes, each with the filters that read it (the filters' gradient: by input
// channels over the whole batch, or shares of their filters when there are fewer channels than
// threads), so every value is computed on one thread in a fixed order and the result does not
// depend on the thread count.
//
// A convolution of a single input channel (the first layer of a network on grayscale images)
// could take the same path, but it was no faster there: in W3's step its first layer took 4.3 %
// of the profile this way, about what im2col and the matrix multiply take.

import CDescentKernels

extension Conv2dGeometry {
    /// Whether the CPU backend computes this convolution directly (depthwise.c) rather than by
    /// im2col: every output channel reads a single input channel and there is more than one
    /// group, as in a depthwise convolution (`groups` equal to the input channels, with one or
    /// more filters each).
    var usesDepthwiseKernel: Bool { groups > 1 && groupInChannels == 1 }

    /// The plane geometry the C kernels take.
    fileprivate var depthwise: descent_depthwise_geometry {
        descent_depthwise_geometry(height: height, width: width, outHeight: outHeight, outWidth: outWidth,
                                   kernelHeight: kernelHeight, kernelWidth: kernelWidth,
                                   strideY: strideY, strideX: strideX, padTop: padTop, padLeft: padLeft,
                                   dilationY: dilationY, dilationX: dilationX)
    }

    /// Runs `body` with `s.depthwise` and a scratch buffer for the C kernels (from the buffer
    /// pool, so that training allocates nothing), one per call: each chunk of planes gets its own.
    fileprivate func withScratch<T: FloatingPointScalar>(
        _: T.Type, _ body: (UnsafePointer<descent_depthwise_geometry>, UnsafeMutablePointer<T>) -> Void
    ) {
        var geometry = depthwise
        let count = Swift.max(1, descent_depthwise_scratch_count(&geometry, groupOutChannels, MemoryLayout<T>.stride))
        let byteCount = count * MemoryLayout<T>.stride
        let scratch = BufferPool.allocate(byteCount: byteCount).bindMemory(to: T.self, capacity: count)
        defer { BufferPool.deallocate(scratch, byteCount: byteCount) }
        withUnsafePointer(to: &geometry) { body($0, scratch) }
    }

    /// How many output planes make a chunk worth a thread: about 128k multiply-adds (GEMM's rule).
    fileprivate var planesPerChunk: Int {
        Swift.max(1, GEMM.multiplyAddsPerThread / Swift.max(1, outHeight * outWidth * kernelHeight * kernelWidth))
    }

    /// The filters of one input channel that a task takes, when `tasks` tasks (one per input
    /// plane or channel) leave threads idle: all of them, or a share, so that every thread has
    /// one (the filters' gradient has one task per channel, two for a convolution of two channels).
    fileprivate func filtersPerTask(tasks: Int) -> Int {
        let shares = Swift.min(groupOutChannels, Swift.max(1, (ThreadCount.current + tasks - 1) / Swift.max(1, tasks)))
        return (groupOutChannels + shares - 1) / shares
    }
}

extension CPUBackend {
    func depthwiseConv2d(_ input: Tensor, weight: Tensor, bias: Tensor?, _ s: Conv2dGeometry) -> Tensor {
        let output = TensorStorage(uninitializedCount: s.outputShape.reduce(1, *), dtype: input.dtype, device: .cpu)
        func run<T: FloatingPointScalar>(
            _: T.Type,
            _ kernel: (UnsafePointer<descent_depthwise_geometry>, UnsafePointer<T>, UnsafePointer<T>, UnsafePointer<T>?,
                       Int, UnsafeMutablePointer<T>, UnsafeMutablePointer<T>) -> Void
        ) {
            let pointers = UncheckedSendable((input.storage.typed(T.self), weight.storage.typed(T.self),
                                              bias?.storage.typed(T.self), output.typed(T.self)))
            let (inPlane, outPlane, taps) = (s.height * s.width, s.outHeight * s.outWidth, s.kernelHeight * s.kernelWidth)
            let planes = s.batch * s.inChannels
            let filters = s.filtersPerTask(tasks: planes), shares = (s.groupOutChannels + filters - 1) / filters
            let chunk = Swift.max(1, s.planesPerChunk / filters)
            Parallel.forEachChunk(count: planes * shares, minimumChunk: chunk) { tasks in
                let (x, w, b, y) = pointers.value
                s.withScratch(T.self) { geometry, scratch in
                    for task in tasks {
                        // Input plane (n, c) and its filters c·multiplier + first ..< + count.
                        let (plane, share) = task.quotientAndRemainder(dividingBy: shares)
                        let (n, c) = plane.quotientAndRemainder(dividingBy: s.inChannels)
                        let first = c * s.groupOutChannels + share * filters
                        let count = Swift.min(filters, s.groupOutChannels - share * filters)
                        kernel(geometry, x + plane * inPlane, w + first * taps, b.map { UnsafePointer($0 + first) }, count,
                               y + (n * s.outChannels + first) * outPlane, scratch)
                    }
                }
            }
        }
        if input.dtype == .float32 {
            run(Float.self, descent_depthwise_conv2d_f32)
        } else {
            run(Double.self, descent_depthwise_conv2d_f64)
        }
        return Tensor(shape: s.outputShape, storage: output)
    }

    func depthwiseConv2dInputGradient(_ upstream: Tensor, weight: Tensor, _ s: Conv2dGeometry) -> Tensor {
        let output = TensorStorage(uninitializedCount: s.inputShape.reduce(1, *), dtype: upstream.dtype, device: .cpu)
        func run<T: FloatingPointScalar>(
            _: T.Type,
            _ kernel: (UnsafePointer<descent_depthwise_geometry>, UnsafePointer<T>, UnsafePointer<T>, Int,
                       UnsafeMutablePointer<T>, UnsafeMutablePointer<T>) -> Void
        ) {
            let pointers = UncheckedSendable((upstream.storage.typed(T.self), weight.storage.typed(T.self),
                                              output.typed(T.self)))
            let (inPlane, outPlane, taps) = (s.height * s.width, s.outHeight * s.outWidth, s.kernelHeight * s.kernelWidth)
            let multiplier = s.groupOutChannels
            let chunk = Swift.max(1, s.planesPerChunk / multiplier)
            Parallel.forEachChunk(count: s.batch * s.inChannels, minimumChunk: chunk) { planes in
                let (g, w, dx) = pointers.value
                s.withScratch(T.self) { geometry, scratch in
                    for plane in planes {
                        // Input plane (n, c) is read by output planes (n, c·multiplier ..< (c + 1)·multiplier).
                        let (n, c) = plane.quotientAndRemainder(dividingBy: s.inChannels)
                        kernel(geometry, g + (n * s.outChannels + c * multiplier) * outPlane,
                               w + c * multiplier * taps, multiplier, dx + plane * inPlane, scratch)
                    }
                }
            }
        }
        if upstream.dtype == .float32 {
            run(Float.self, descent_depthwise_conv2d_input_gradient_f32)
        } else {
            run(Double.self, descent_depthwise_conv2d_input_gradient_f64)
        }
        return Tensor(shape: s.inputShape, storage: output)
    }

    func depthwiseConv2dWeightGradient(_ upstream: Tensor, input: Tensor, _ s: Conv2dGeometry) -> Tensor {
        let output = TensorStorage(uninitializedCount: s.weightShape.reduce(1, *), dtype: upstream.dtype, device: .cpu)
        func run<T: FloatingPointScalar>(
            _: T.Type,
            _ kernel: (UnsafePointer<descent_depthwise_geometry>, UnsafePointer<T>, Int, UnsafePointer<T>, Int, Int, Int,
                       UnsafeMutablePointer<T>, UnsafeMutablePointer<T>) -> Void
        ) {
            let pointers = UncheckedSendable((upstream.storage.typed(T.self), input.storage.typed(T.self),
                                              output.typed(T.self)))
            let (inPlane, outPlane, taps) = (s.height * s.width, s.outHeight * s.outWidth, s.kernelHeight * s.kernelWidth)
            let filters = s.filtersPerTask(tasks: s.inChannels), shares = (s.groupOutChannels + filters - 1) / filters
            let chunk = Swift.max(1, s.planesPerChunk / Swift.max(1, s.batch * filters))
            Parallel.forEachChunk(count: s.inChannels * shares, minimumChunk: chunk) { tasks in
                let (g, x, dw) = pointers.value
                s.withScratch(T.self) { geometry, scratch in
                    for task in tasks {
                        // Input channel c and its filters c·multiplier + first ..< + count, over the batch.
                        let (c, share) = task.quotientAndRemainder(dividingBy: shares)
                        let first = c * s.groupOutChannels + share * filters
                        let count = Swift.min(filters, s.groupOutChannels - share * filters)
                        kernel(geometry, g + first * outPlane, s.outChannels * outPlane, x + c * inPlane,
                               s.inChannels * inPlane, s.batch, count, dw + first * taps, scratch)
                    }
                }
            }
        }
        if upstream.dtype == .float32 {
            run(Float.self, descent_depthwise_conv2d_weight_gradient_f32)
        } else {
            run(Double.self, descent_depthwise_conv2d_weight_gradient_f64)
        }
        return Tensor(shape: s.weightShape, storage: output)
    }
}
