// Batch normalization in training mode, forward and backward, in C (batch_norm.c): three passes
// over the activation forward and two backward, a ReLU after it applied in the last forward pass
// and its derivative recomputed in both backward ones. Channels are independent, so large
// tensors are split across threads by channels, and the result does not depend on the thread
// count.

import CDescentKernels

extension CPUBackend {
    /// The layout the C kernels take: x as [outer, channels, inner].
    private static func layout(_ shape: [Int]) -> (outer: Int, channels: Int, inner: Int) {
        (shape[0], shape[1], shape.dropFirst(2).reduce(1, *))
    }

    /// How many channels make a chunk worth a thread: about 32k elements.
    private static func channelsPerChunk(outer: Int, inner: Int) -> Int {
        Swift.max(1, (1 << 15) / Swift.max(outer * inner, 1))
    }

    func batchNormalization(_ x: Tensor, weight: Tensor?, bias: Tensor?, epsilon: Double,
                            activation: LinearActivation) -> (output: Tensor, mean: Tensor, variance: Tensor) {
        let relu: Int32 = activation == .relu ? 1 : 0
        let (outer, channels, inner) = Self.layout(x.shape)
        let output = TensorStorage(uninitializedCount: x.scalarCount, dtype: x.dtype, device: .cpu)
        let mean = TensorStorage(uninitializedCount: channels, dtype: x.dtype, device: .cpu)
        let variance = TensorStorage(uninitializedCount: channels, dtype: x.dtype, device: .cpu)
        func run<T: FloatingPointScalar>(_: T.Type, _ kernel: (UnsafePointer<T>, UnsafeMutablePointer<T>, UnsafePointer<T>?,
                                                               UnsafePointer<T>?, Int, Int, Int, Int, Int, Double, Int32,
                                                               UnsafeMutablePointer<T>, UnsafeMutablePointer<T>) -> Void) {
            let pointers = UncheckedSendable((x.storage.typed(T.self), output.typed(T.self), weight?.storage.typed(T.self),
                                              bias?.storage.typed(T.self), mean.typed(T.self), variance.typed(T.self)))
            Parallel.forEachChunk(count: channels, minimumChunk: Self.channelsPerChunk(outer: outer, inner: inner)) { range in
                let (x, y, weight, bias, mean, variance) = pointers.value
                kernel(x, y, weight, bias, outer, channels, inner, range.lowerBound, range.count, epsilon, relu, mean,
                       variance)
            }
        }
        if x.dtype == .float32 {
            run(Float.self, descent_batch_norm_f32)
        } else {
            run(Double.self, descent_batch_norm_f64)
        }
        return (Tensor(shape: x.shape, storage: output), Tensor(shape: [channels], storage: mean),
                Tensor(shape: [channels], storage: variance))
    }

    func batchNormalizationBackward(_ upstream: Tensor, input x: Tensor, mean: Tensor, variance: Tensor,
                                    weight: Tensor?, bias: Tensor?, epsilon: Double, activation: LinearActivation)
        -> (input: Tensor, weight: Tensor, bias: Tensor) {
        let relu: Int32 = activation == .relu ? 1 : 0
        let (outer, channels, inner) = Self.layout(x.shape)
        let inputGradient = TensorStorage(uninitializedCount: x.scalarCount, dtype: x.dtype, device: .cpu)
        let weightGradient = TensorStorage(uninitializedCount: channels, dtype: x.dtype, device: .cpu)
        let biasGradient = TensorStorage(uninitializedCount: channels, dtype: x.dtype, device: .cpu)
        func run<T: FloatingPointScalar>(_: T.Type, _ kernel: (UnsafePointer<T>, UnsafePointer<T>, UnsafePointer<T>,
                                                               UnsafePointer<T>, UnsafePointer<T>?, UnsafePointer<T>?, Int, Int,
                                                               Int, Int, Int, Double, Int32, UnsafeMutablePointer<T>,
                                                               UnsafeMutablePointer<T>, UnsafeMutablePointer<T>) -> Void) {
            let pointers = UncheckedSendable((upstream.storage.typed(T.self), x.storage.typed(T.self),
                                              mean.storage.typed(T.self), variance.storage.typed(T.self),
                                              weight?.storage.typed(T.self), bias?.storage.typed(T.self),
                                              inputGradient.typed(T.self), weightGradient.typed(T.self),
                                              biasGradient.typed(T.self)))
            Parallel.forEachChunk(count: channels, minimumChunk: Self.channelsPerChunk(outer: outer, inner: inner)) { range in
                let (g, x, mean, variance, weight, bias, dx, dWeight, dBias) = pointers.value
                kernel(g, x, mean, variance, weight, bias, outer, channels, inner, range.lowerBound, range.count,
                       epsilon, relu, dx, dWeight, dBias)
            }
        }
        if x.dtype == .float32 {
            run(Float.self, descent_batch_norm_backward_f32)
        } else {
            run(Double.self, descent_batch_norm_backward_f64)
        }
        return (Tensor(shape: x.shape, storage: inputGradient), Tensor(shape: [channels], storage: weightGradient),
                Tensor(shape: [channels], storage: biasGradient))
    }
}
