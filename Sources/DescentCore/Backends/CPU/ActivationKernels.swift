// Leaky ReLU, ELU and softplus, forward and backward, one pass each, split across threads: leaky
// ReLU as Swift loops that vectorize, ELU and softplus in C (activations.c), whose float
// exponential and logarithm vectorize.

import CDescentKernels

extension CPUBackend {
    func activation(_ function: ParametricActivation, _ x: Tensor) -> Tensor {
        x.dtype == .float32 ? Self.activation(function, x, Float.self) : Self.activation(function, x, Double.self)
    }

    func activationBackward(_ function: ParametricActivation, _ upstream: Tensor, input: Tensor) -> Tensor {
        input.dtype == .float32 ? Self.activationBackward(function, upstream, input, Float.self)
            : Self.activationBackward(function, upstream, input, Double.self)
    }

    private static func activation<T: FloatingPointScalar>(_ function: ParametricActivation, _ x: Tensor,
                                                           _: T.Type) -> Tensor {
        let output = TensorStorage(uninitializedCount: x.scalarCount, dtype: T.dtype, device: .cpu)
        let pointers = UncheckedSendable((x.storage.typed(T.self), output.typed(T.self)))
        Parallel.forEachChunk(count: x.scalarCount, minimumChunk: 1 << 15) { range in
            let (source, target) = pointers.value
            let (a, y, n) = (source + range.lowerBound, target + range.lowerBound, range.count)
            switch function {
            case .leakyReLU(let negativeSlope):
                // The slope rounded to the dtype, then one product: what x * negativeSlope gives.
                let slope = T(fromDouble: negativeSlope)
                for i in 0..<n {
                    let v = a[i]
                    y[i] = v > 0 ? v : v * slope
                }
            case .elu(let alpha):
                if T.self == Float.self {
                    descent_elu_f32(UnsafeRawPointer(a).assumingMemoryBound(to: Float.self),
                                    UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self), n, alpha)
                } else {
                    descent_elu_f64(UnsafeRawPointer(a).assumingMemoryBound(to: Double.self),
                                    UnsafeMutableRawPointer(y).assumingMemoryBound(to: Double.self), n, alpha)
                }
            case .softplus(let beta, let threshold):
                if T.self == Float.self {
                    descent_softplus_f32(UnsafeRawPointer(a).assumingMemoryBound(to: Float.self),
                                         UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self), n, beta, threshold)
                } else {
                    descent_softplus_f64(UnsafeRawPointer(a).assumingMemoryBound(to: Double.self),
                                         UnsafeMutableRawPointer(y).assumingMemoryBound(to: Double.self), n, beta, threshold)
                }
            }
        }
        return Tensor(shape: x.shape, storage: output)
    }

    private static func activationBackward<T: FloatingPointScalar>(_ function: ParametricActivation, _ upstream: Tensor,
                                                                   _ x: Tensor, _: T.Type) -> Tensor {
        let output = TensorStorage(uninitializedCount: x.scalarCount, dtype: T.dtype, device: .cpu)
        let pointers = UncheckedSendable((upstream.storage.typed(T.self), x.storage.typed(T.self), output.typed(T.self)))
        Parallel.forEachChunk(count: x.scalarCount, minimumChunk: 1 << 15) { range in
            let (gradients, inputs, target) = pointers.value
            let start = range.lowerBound
            let (g, a, y, n) = (gradients + start, inputs + start, target + start, range.count)
            switch function {
            case .leakyReLU(let negativeSlope):
                let slope = T(fromDouble: negativeSlope)
                for i in 0..<n {
                    let (gradient, v) = (g[i], a[i])
                    y[i] = v > 0 ? gradient : gradient * slope
                }
            case .elu(let alpha):
                if T.self == Float.self {
                    descent_elu_backward_f32(UnsafeRawPointer(g).assumingMemoryBound(to: Float.self),
                                             UnsafeRawPointer(a).assumingMemoryBound(to: Float.self),
                                             UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self), n, alpha)
                } else {
                    descent_elu_backward_f64(UnsafeRawPointer(g).assumingMemoryBound(to: Double.self),
                                             UnsafeRawPointer(a).assumingMemoryBound(to: Double.self),
                                             UnsafeMutableRawPointer(y).assumingMemoryBound(to: Double.self), n, alpha)
                }
            case .softplus(let beta, let threshold):
                if T.self == Float.self {
                    descent_softplus_backward_f32(UnsafeRawPointer(g).assumingMemoryBound(to: Float.self),
                                                  UnsafeRawPointer(a).assumingMemoryBound(to: Float.self),
                                                  UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self), n, beta,
                                                  threshold)
                } else {
                    descent_softplus_backward_f64(UnsafeRawPointer(g).assumingMemoryBound(to: Double.self),
                                                  UnsafeRawPointer(a).assumingMemoryBound(to: Double.self),
                                                  UnsafeMutableRawPointer(y).assumingMemoryBound(to: Double.self), n, beta,
                                                  threshold)
                }
            }
        }
        return Tensor(shape: x.shape, storage: output)
    }
}
