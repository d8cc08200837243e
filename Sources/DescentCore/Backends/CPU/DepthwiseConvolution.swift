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

    /// Calls `body(unit, first, count, geometry, scratch)` for each of `units` units of work
    /// (input planes, or input channels) and each share of the filters that read it: filters
    /// `first ..< first + count` of all the output channels. Units and shares are split among
    /// threads, each chunk with its own scratch. A share is all of a channel's filters, or part
    /// of them when there are fewer units than threads (the filters' gradient has one unit per
    /// channel); a unit's work is `planesPerFilter` output planes per filter.
    fileprivate func forEachFilterShare<T: FloatingPointScalar>(
        of units: Int, planesPerFilter: Int, _: T.Type,
        _ body: (_ unit: Int, _ first: Int, _ count: Int, UnsafePointer<descent_depthwise_geometry>,
                 UnsafeMutablePointer<T>) -> Void
    ) {
        let wanted = Swift.min(groupOutChannels, Swift.max(1, (ThreadCount.current + units - 1) / Swift.max(1, units)))
        let filters = (groupOutChannels + wanted - 1) / wanted, shares = (groupOutChannels + filters - 1) / filters
        let chunk = Swift.max(1, planesPerChunk / Swift.max(1, planesPerFilter * filters))
        Parallel.forEachChunk(count: units * shares, minimumChunk: chunk) { tasks in
            withScratch(T.self) { geometry, scratch in
                for task in tasks {
                    let (unit, share) = task.quotientAndRemainder(dividingBy: shares)
                    let first = unit % inChannels * groupOutChannels + share * filters
                    body(unit, first, Swift.min(filters, groupOutChannels - share * filters), geometry, scratch)
                }
            }
        }
    }
}

extension CPUBackend {
    func depthwiseConv2d(_ input: Tensor, weight: Tensor, bias: Tensor?, _ s: Conv2dGeometry,
                         activation: LinearActivation) -> Tensor {
        let output = TensorStorage(uninitializedCount: s.outputShape.reduce(1, *), dtype: input.dtype, device: .cpu)
        func run<T: FloatingPointScalar>(
            _: T.Type,
            _ kernel: (UnsafePointer<descent_depthwise_geometry>, UnsafePointer<T>, UnsafePointer<T>, UnsafePointer<T>?,
                       Int, Int32, UnsafeMutablePointer<T>, UnsafeMutablePointer<T>) -> Void
        ) {
            let pointers = UncheckedSendable((input.storage.typed(T.self), weight.storage.typed(T.self),
                                              bias?.storage.typed(T.self), output.typed(T.self)))
            let (inPlane, outPlane, taps) = (s.height * s.width, s.outHeight * s.outWidth, s.kernelHeight * s.kernelWidth)
            let relu: Int32 = activation == .relu ? 1 : 0
            s.forEachFilterShare(of: s.batch * s.inChannels, planesPerFilter: 1, T.self) { plane, first, count, geometry, scratch in
                // Input plane (n, c) and its filters' output planes (n, first ..< first + count).
                let (x, w, b, y) = pointers.value
                let n = plane / s.inChannels
                kernel(geometry, x + plane * inPlane, w + first * taps, b.map { UnsafePointer($0 + first) }, count, relu,
                       y + (n * s.outChannels + first) * outPlane, scratch)
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
            s.forEachFilterShare(of: s.inChannels, planesPerFilter: s.batch, T.self) { c, first, count, geometry, scratch in
                // Input channel c and its filters first ..< first + count, over the batch.
                let (g, x, dw) = pointers.value
                kernel(geometry, g + first * outPlane, s.outChannels * outPlane, x + c * inPlane,
                       s.inChannels * inPlane, s.batch, count, dw + first * taps, scratch)
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
