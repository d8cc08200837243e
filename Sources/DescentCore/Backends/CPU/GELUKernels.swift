// GELU and its derivative, forward and backward in one pass each, in C (gelu.c): float32 through
// formulas that vectorize, float64 through the C library's erfc and exp.

import CDescentKernels

extension CPUBackend {
    /// y = GELU(x) for `n` contiguous elements (x·Φ(x), or its tanh approximation).
    static func geluRun<T: FloatingPointScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int,
                                                tanhApproximation: Bool) {
        let approximation: Int32 = tanhApproximation ? 1 : 0
        if T.self == Float.self {
            descent_gelu_f32(UnsafeRawPointer(x).assumingMemoryBound(to: Float.self),
                             UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self), n, approximation)
        } else {
            descent_gelu_f64(UnsafeRawPointer(x).assumingMemoryBound(to: Double.self),
                             UnsafeMutableRawPointer(y).assumingMemoryBound(to: Double.self), n, approximation)
        }
    }

    /// y = g·GELU′(x) for `n` elements, `g` and `x` each contiguous (stride 1) or one element
    /// repeated (stride 0).
    static func geluBackwardRun<T: FloatingPointScalar>(_ g: UnsafePointer<T>, _ sg: Int, _ x: UnsafePointer<T>, _ sx: Int,
                                                        _ y: UnsafeMutablePointer<T>, _ n: Int, tanhApproximation: Bool) {
        let approximation: Int32 = tanhApproximation ? 1 : 0
        func kernel(_ g: UnsafePointer<T>, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int) {
            if T.self == Float.self {
                descent_gelu_backward_f32(UnsafeRawPointer(g).assumingMemoryBound(to: Float.self),
                                          UnsafeRawPointer(x).assumingMemoryBound(to: Float.self),
                                          UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self), n, approximation)
            } else {
                descent_gelu_backward_f64(UnsafeRawPointer(g).assumingMemoryBound(to: Double.self),
                                          UnsafeRawPointer(x).assumingMemoryBound(to: Double.self),
                                          UnsafeMutableRawPointer(y).assumingMemoryBound(to: Double.self), n, approximation)
            }
        }
        if sg == 1 && sx == 1 {
            kernel(g, x, y, n)
        } else {
            // A broadcast operand (never the derivative rule's own use): one element at a time,
            // through the same code, so the same bits.
            for i in 0..<n { kernel(g + i * sg, x + i * sx, y + i, 1) }
        }
    }
}
