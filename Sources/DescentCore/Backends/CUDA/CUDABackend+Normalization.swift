// Batch normalization in training mode: one kernel forward and one backward, a block of 256
// threads per channel (the `batch_norm` kernels of the reduction group), ReLU applied in the
// forward kernel and its derivative recomputed in the backward one.

extension CUDABackend {
    /// x [N, C, …] as the kernels take it: [outer, channels, inner].
    private static func layout(_ shape: [Int]) -> [CUDAKernelArgument] {
        [.int64(Int64(shape[0])), .int64(Int64(shape[1])), .int64(Int64(shape.dropFirst(2).reduce(1, *)))]
    }

    func batchNormalization(_ x: Tensor, weight: Tensor?, bias: Tensor?, epsilon: Double,
                            activation: LinearActivation) -> (output: Tensor, mean: Tensor, variance: Tensor) {
        let channels = x.shape[1]
        let y = empty(x.shape, x.dtype), mean = empty([channels], x.dtype), variance = empty([channels], x.dtype)
        context.launch("batch_norm_\(Self.suffix(x.dtype))", in: .reduction, count: channels * 256, threads: 256,
                       blocks: Swift.min(channels, 65_535 * 8),
                       [x.cudaArgument, y.cudaArgument, weight?.cudaArgument ?? .pointer(0), bias?.cudaArgument ?? .pointer(0)]
                           + Self.layout(x.shape)
                           + [.double(epsilon), .int32(activation == .relu ? 1 : 0), mean.cudaArgument, variance.cudaArgument])
        return (y, mean, variance)
    }

    func batchNormalizationBackward(_ upstream: Tensor, input x: Tensor, mean: Tensor, variance: Tensor,
                                    weight: Tensor?, bias: Tensor?, epsilon: Double, activation: LinearActivation)
        -> (input: Tensor, weight: Tensor, bias: Tensor) {
        let channels = x.shape[1]
        let dx = empty(x.shape, x.dtype), dWeight = empty([channels], x.dtype), dBias = empty([channels], x.dtype)
        context.launch("batch_norm_backward_\(Self.suffix(x.dtype))", in: .reduction, count: channels * 256, threads: 256,
                       blocks: Swift.min(channels, 65_535 * 8),
                       [upstream.cudaArgument, x.cudaArgument, mean.cudaArgument, variance.cudaArgument,
                        weight?.cudaArgument ?? .pointer(0), bias?.cudaArgument ?? .pointer(0)]
                           + Self.layout(x.shape)
                           + [.double(epsilon), .int32(activation == .relu ? 1 : 0), dx.cudaArgument, dWeight.cudaArgument,
                              dBias.cudaArgument])
        return (dx, dWeight, dBias)
    }
}
