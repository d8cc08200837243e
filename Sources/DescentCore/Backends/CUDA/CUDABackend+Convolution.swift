// Convolution as im2col and cuBLAS's products (see CUDAKernels+Convolution), and pooling by its
// definition (CUDAKernels+Pooling).

/// How large a convolution's columns matrix (its input unfolded for a matrix product) may grow
/// on a GPU: 2²⁵ elements, 128 MB of float32. A larger batch is unfolded a chunk of examples at
/// a time (W3's evaluation batches of 1,024, for one).
package enum CUDAConvolutionLimits {
    /// The most elements a columns matrix may have; tests lower it for a task
    /// (`$columnsBudget.withValue(1) { … }`) to send small batches through several chunks.
    @TaskLocal package static var columnsBudget = 1 << 25
}

extension CUDABackend {
    private static func dims(_ s: Conv2dGeometry) -> CUDAKernelArgument {
        .dims([s.batch, s.inChannels, s.height, s.width, s.outChannels, s.kernelHeight, s.kernelWidth, s.strideY, s.strideX,
               s.padTop, s.padLeft, s.dilationY, s.dilationX, s.groups, s.outHeight, s.outWidth].map(Int64.init))
    }

    /// The examples per chunk, and the matrices' sizes for one chunk, of `geometry`.
    private struct ConvolutionPlan {
        let positions: Int, rows: Int, groupRows: Int, groupOutputs: Int, chunk: Int

        init(_ s: Conv2dGeometry) {
            positions = s.outHeight * s.outWidth
            rows = s.inChannels * s.kernelHeight * s.kernelWidth
            groupRows = rows / s.groups
            groupOutputs = s.outChannels / s.groups
            chunk = Swift.max(1, Swift.min(s.batch, CUDAConvolutionLimits.columnsBudget / Swift.max(1, rows * positions)))
        }

        /// The chunks of examples: their first example and count.
        func chunks(_ batch: Int) -> [(first: Int, count: Int)] {
            stride(from: 0, to: batch, by: chunk).map { ($0, Swift.min(chunk, batch - $0)) }
        }
    }

    /// Unfolds examples `first ..< first + count` of `input` into `columns`: a thread for each
    /// column and input channel.
    private func unfold(_ input: Tensor, into columns: Tensor, first: Int, count: Int, _ geometry: Conv2dGeometry,
                        _ plan: ConvolutionPlan) {
        let n = geometry.inChannels * count * plan.positions
        context.launch("im2col_\(Self.suffix(input.dtype))", in: .convolution, count: n,
                       [input.cudaArgument, columns.cudaArgument, .int64(Int64(first)), .int64(Int64(count)), .int64(Int64(n)),
                        Self.dims(geometry)])
    }

    /// Examples `first ..< first + count` of the NCHW `upstream`, channel-major, into `gradient`.
    private func channelsMajor(_ upstream: Tensor, into gradient: Tensor, first: Int, count: Int,
                               _ geometry: Conv2dGeometry, _ plan: ConvolutionPlan) {
        let n = geometry.outChannels * count * plan.positions
        context.launch("channels_major_\(Self.suffix(upstream.dtype))", in: .convolution, count: n,
                       [upstream.cudaArgument, gradient.cudaArgument, .int64(Int64(first)), .int64(Int64(count)),
                        .int64(Int64(n)), Self.dims(geometry)])
    }

    /// The most products (`C/groups·kH·kW`) an output of ``conv2d(_:weight:bias:_:)`` sums for it
    /// to be computed by its definition, one thread per output (`conv2d_direct`), rather than as
    /// a matrix product of that depth.
    static let directConvolutionDepth = 32

    /// The activation (ReLU) runs as a kernel of its own after the convolution's (folding it
    /// into `conv2d_direct` and `conv2d_output` is left for when a GPU can measure it).
    func conv2d(_ input: Tensor, weight: Tensor, bias: Tensor?, _ geometry: Conv2dGeometry,
                activation: LinearActivation) -> Tensor {
        let y = convolution(input, weight: weight, bias: bias, geometry)
        return activation == .relu ? unary(.relu, y) : y
    }

    /// Two kernels, the elementwise `keepWherePositive` and the reduction (one of its own is left
    /// for when a GPU can measure it).
    func keepWherePositiveWithChannelSums(_ upstream: Tensor, output: Tensor) -> (kept: Tensor, channelSums: Tensor) {
        let kept = binary(.keepWherePositive, upstream, output, shape: upstream.shape)
        let axes = upstream.shape.indices.filter { $0 != 1 }
        return (kept, reduce(.sum, kept, axes: axes).reshaped(to: [upstream.shape[1]]))
    }

    private func convolution(_ input: Tensor, weight: Tensor, bias: Tensor?, _ geometry: Conv2dGeometry) -> Tensor {
        let y = empty(geometry.outputShape, input.dtype)
        let plan = ConvolutionPlan(geometry)
        guard y.scalarCount > 0 else { return y }
        if plan.groupRows <= Self.directConvolutionDepth {
            context.launch("conv2d_direct_\(Self.suffix(input.dtype))", in: .convolution, count: y.scalarCount,
                           [input.cudaArgument, weight.cudaArgument, bias?.cudaArgument ?? .pointer(0), .int32(bias == nil ? 0 : 1),
                            y.cudaArgument, .int64(Int64(y.scalarCount)), Self.dims(geometry)])
            return y
        }
        let dtype = input.dtype
        let columns = empty([plan.rows * plan.chunk * plan.positions], dtype)
        let product = empty([geometry.outChannels * plan.chunk * plan.positions], dtype)
        for (first, count) in plan.chunks(geometry.batch) {
            let width = count * plan.positions
            if plan.rows > 0 {
                unfold(input, into: columns, first: first, count: count, geometry, plan)
                gemm(dtype, transposeA: false, transposeB: false, m: plan.groupOutputs, n: width, k: plan.groupRows,
                     a: weight.storage.address, strideA: plan.groupOutputs * plan.groupRows,
                     b: columns.storage.address, strideB: plan.groupRows * width,
                     c: product.storage.address, strideC: plan.groupOutputs * width, batch: geometry.groups)
            } else {
                context.zero(product.storage.address, byteCount: geometry.outChannels * width * dtype.byteCount)
            }
            let n = geometry.outChannels * width
            context.launch("conv2d_output_\(Self.suffix(dtype))", in: .convolution, count: n,
                           [product.cudaArgument, bias?.cudaArgument ?? .pointer(0), .int32(bias == nil ? 0 : 1), y.cudaArgument,
                            .int64(Int64(first)), .int64(Int64(count)), .int64(Int64(n)), Self.dims(geometry)])
        }
        return y
    }

    func conv2dInputGradient(_ upstream: Tensor, weight: Tensor, _ geometry: Conv2dGeometry) -> Tensor {
        let dtype = upstream.dtype
        let plan = ConvolutionPlan(geometry)
        guard plan.rows > 0, plan.positions > 0, geometry.outChannels > 0 else { return zeros(geometry.inputShape, dtype) }
        let y = empty(geometry.inputShape, dtype)
        guard y.scalarCount > 0 else { return y }
        let gradient = empty([geometry.outChannels * plan.chunk * plan.positions], dtype)
        let columns = empty([plan.rows * plan.chunk * plan.positions], dtype)
        for (first, count) in plan.chunks(geometry.batch) {
            let width = count * plan.positions
            channelsMajor(upstream, into: gradient, first: first, count: count, geometry, plan)
            gemm(dtype, transposeA: true, transposeB: false, m: plan.groupRows, n: width, k: plan.groupOutputs,
                 a: weight.storage.address, strideA: plan.groupOutputs * plan.groupRows,
                 b: gradient.storage.address, strideB: plan.groupOutputs * width,
                 c: columns.storage.address, strideC: plan.groupRows * width, batch: geometry.groups)
            let n = count * geometry.inChannels * geometry.height * geometry.width
            context.launch("col2im_\(Self.suffix(dtype))", in: .convolution, count: n,
                           [columns.cudaArgument, y.cudaArgument, .int64(Int64(first)), .int64(Int64(count)), .int64(Int64(n)),
                            Self.dims(geometry)])
        }
        return y
    }

    func conv2dWeightGradient(_ upstream: Tensor, input: Tensor, _ geometry: Conv2dGeometry) -> Tensor {
        let dtype = upstream.dtype
        let plan = ConvolutionPlan(geometry)
        guard geometry.batch > 0, plan.positions > 0, plan.rows > 0, geometry.outChannels > 0 else {
            return zeros(geometry.weightShape, dtype)
        }
        let y = empty(geometry.weightShape, dtype)
        let gradient = empty([geometry.outChannels * plan.chunk * plan.positions], dtype)
        let columns = empty([plan.rows * plan.chunk * plan.positions], dtype)
        for (first, count) in plan.chunks(geometry.batch) {
            let width = count * plan.positions
            unfold(input, into: columns, first: first, count: count, geometry, plan)
            channelsMajor(upstream, into: gradient, first: first, count: count, geometry, plan)
            // dW = g·columnsᵀ, summed over the chunks by accumulating into y.
            gemm(dtype, transposeA: false, transposeB: true, m: plan.groupOutputs, n: plan.groupRows, k: width,
                 a: gradient.storage.address, strideA: plan.groupOutputs * width,
                 b: columns.storage.address, strideB: plan.groupRows * width,
                 c: y.storage.address, strideC: plan.groupOutputs * plan.groupRows, batch: geometry.groups,
                 accumulating: first > 0)
        }
        return y
    }

    private static func dims(_ pooling: Pooling2d) -> CUDAKernelArgument {
        let w = pooling.window
        return .dims([w.kernelSize.height, w.kernelSize.width, w.stride.height, w.stride.width, w.padding.height, w.padding.width,
                      w.dilation.height, w.dilation.width, pooling.input.height, pooling.input.width, pooling.output.height,
                      pooling.output.width, pooling.countIncludePad ? 1 : 0, pooling.appliesReLU ? 1 : 0].map(Int64.init))
    }

    func maxPool2d(_ x: Tensor, _ pooling: Pooling2d) -> (values: Tensor, indices: Tensor) {
        let shape = [x.shape[0], x.shape[1], pooling.output.height, pooling.output.width]
        let values = empty(shape, x.dtype), indices = empty(shape, .int32)
        context.launch("max_pool2d_\(Self.suffix(x.dtype))", in: .pooling, count: values.scalarCount,
                       [x.cudaArgument, values.cudaArgument, indices.cudaArgument, .int64(Int64(values.scalarCount)), Self.dims(pooling)])
        return (values, indices)
    }

    func maxPool2dBackward(_ upstream: Tensor, indices: Tensor, inputShape: [Int], _ pooling: Pooling2d) -> Tensor {
        let y = empty(inputShape, upstream.dtype)
        if !Self.hasEmptyWindow(pooling) {
            context.launch("max_pool2d_backward_windows_\(Self.suffix(upstream.dtype))", in: .pooling, count: y.scalarCount,
                           [upstream.cudaArgument, indices.cudaArgument, y.cudaArgument, .int64(Int64(y.scalarCount)),
                            Self.dims(pooling)])
            return y
        }
        context.launch("max_pool2d_backward_\(Self.suffix(upstream.dtype))", in: .pooling, count: y.scalarCount,
                       [upstream.cudaArgument, indices.cudaArgument, y.cudaArgument, .int64(Int64(y.scalarCount)),
                        .int64(Int64(upstream.shape[2] * upstream.shape[3])), .int64(Int64(inputShape[2] * inputShape[3]))])
        return y
    }

    func avgPool2d(_ x: Tensor, _ pooling: Pooling2d) -> Tensor {
        let y = empty([x.shape[0], x.shape[1], pooling.output.height, pooling.output.width], x.dtype)
        context.launch("avg_pool2d_\(Self.suffix(x.dtype))", in: .pooling, count: y.scalarCount,
                       [x.cudaArgument, y.cudaArgument, .int64(Int64(y.scalarCount)), Self.dims(pooling)])
        return y
    }

    func avgPool2dBackward(_ upstream: Tensor, _ pooling: Pooling2d) -> Tensor {
        let y = empty([upstream.shape[0], upstream.shape[1], pooling.input.height, pooling.input.width], upstream.dtype)
        context.launch("avg_pool2d_backward_\(Self.suffix(upstream.dtype))", in: .pooling, count: y.scalarCount,
                       [upstream.cudaArgument, y.cudaArgument, .int64(Int64(y.scalarCount)), Self.dims(pooling)])
        return y
    }

    /// Whether some window of `pooling` holds no input element (dilation can step over the whole
    /// input): its recorded position may then lie outside it, and only a scan finds it.
    private static func hasEmptyWindow(_ pooling: Pooling2d) -> Bool {
        func empty(outputs: Int, stride: Int, kernel: Int, padding: Int, dilation: Int, length: Int) -> Bool {
            (0..<outputs).contains { o in
                !(0..<kernel).contains { i in (0..<length).contains(o * stride - padding + i * dilation) }
            }
        }
        let w = pooling.window
        return empty(outputs: pooling.output.height, stride: w.stride.height, kernel: w.kernelSize.height,
                     padding: w.padding.height, dilation: w.dilation.height, length: pooling.input.height)
            || empty(outputs: pooling.output.width, stride: w.stride.width, kernel: w.kernelSize.width,
                     padding: w.padding.width, dilation: w.dilation.width, length: pooling.input.width)
    }
}
