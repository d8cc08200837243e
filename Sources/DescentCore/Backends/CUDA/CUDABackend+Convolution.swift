// Convolution and pooling, by their definitions (see CUDAKernels+Convolution and +Pooling).

extension CUDABackend {
    private static func dims(_ s: Conv2dGeometry) -> CUDAKernelArgument {
        .dims([s.batch, s.inChannels, s.height, s.width, s.outChannels, s.kernelHeight, s.kernelWidth, s.strideY, s.strideX,
               s.padTop, s.padLeft, s.dilationY, s.dilationX, s.groups, s.outHeight, s.outWidth].map(Int64.init))
    }

    func conv2d(_ input: Tensor, weight: Tensor, bias: Tensor?, _ geometry: Conv2dGeometry) -> Tensor {
        let y = empty(geometry.outputShape, input.dtype)
        context.launch("conv2d_\(Self.suffix(input.dtype))", in: .convolution, count: y.scalarCount,
                       [input.cudaArgument, weight.cudaArgument, bias?.cudaArgument ?? .pointer(0), .int32(bias == nil ? 0 : 1),
                        y.cudaArgument, .int64(Int64(y.scalarCount)), Self.dims(geometry)])
        return y
    }

    func conv2dInputGradient(_ upstream: Tensor, weight: Tensor, _ geometry: Conv2dGeometry) -> Tensor {
        let y = empty(geometry.inputShape, upstream.dtype)
        context.launch("conv2d_input_gradient_\(Self.suffix(upstream.dtype))", in: .convolution, count: y.scalarCount,
                       [upstream.cudaArgument, weight.cudaArgument, y.cudaArgument, .int64(Int64(y.scalarCount)), Self.dims(geometry)])
        return y
    }

    func conv2dWeightGradient(_ upstream: Tensor, input: Tensor, _ geometry: Conv2dGeometry) -> Tensor {
        let y = empty(geometry.weightShape, upstream.dtype)
        context.launch("conv2d_weight_gradient_\(Self.suffix(upstream.dtype))", in: .convolution, count: y.scalarCount,
                       [upstream.cudaArgument, input.cudaArgument, y.cudaArgument, .int64(Int64(y.scalarCount)), Self.dims(geometry)])
        return y
    }

    private static func dims(_ pooling: Pooling2d) -> CUDAKernelArgument {
        let w = pooling.window
        return .dims([w.kernelSize.height, w.kernelSize.width, w.stride.height, w.stride.width, w.padding.height, w.padding.width,
                      w.dilation.height, w.dilation.width, pooling.input.height, pooling.input.width, pooling.output.height,
                      pooling.output.width, pooling.countIncludePad ? 1 : 0].map(Int64.init))
    }

    func maxPool2d(_ x: Tensor, _ pooling: Pooling2d) -> (values: Tensor, indices: Tensor) {
        let shape = [x.shape[0], x.shape[1], pooling.output.height, pooling.output.width]
        let values = empty(shape, x.dtype), indices = empty(shape, .int32)
        context.launch("max_pool2d_\(Self.suffix(x.dtype))", in: .pooling, count: values.scalarCount,
                       [x.cudaArgument, values.cudaArgument, indices.cudaArgument, .int64(Int64(values.scalarCount)), Self.dims(pooling)])
        return (values, indices)
    }

    func maxPool2dBackward(_ upstream: Tensor, indices: Tensor, inputShape: [Int]) -> Tensor {
        let y = empty(inputShape, upstream.dtype)
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
}
