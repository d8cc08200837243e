import Foundation

// The update rules run one fused loop over a parameter and its state buffers, element by
// element, instead of composing tensor operations: no temporary tensors, one pass over memory.
// These helpers open the buffers of a gradient (read-only) and of several tensors (in place)
// at once.

extension Tensor {
    /// Zeros shaped like `parameter` when `isNeeded`, otherwise an empty tensor: the state
    /// buffer of an option that is turned off (momentum 0, not centered…) costs no memory.
    static func stateBuffer(like parameter: Tensor, if isNeeded: Bool = true, filledWith value: Double = 0) -> Tensor {
        isNeeded ? Tensor(repeating: value, shape: parameter.shape, dtype: parameter.dtype)
                 : Tensor.zeros([0], dtype: parameter.dtype)
    }
}

func withScalars<S: FloatingPointScalar>(
    of gradient: Tensor, mutating a: inout Tensor, as type: S.Type,
    _ body: (UnsafeBufferPointer<S>, UnsafeMutableBufferPointer<S>) -> Void
) {
    gradient.withUnsafeBufferPointer(as: S.self) { g in
        a.withUnsafeMutableBufferPointer(as: S.self) { a in body(g, a) }
    }
}

func withScalars<S: FloatingPointScalar>(
    of gradient: Tensor, mutating a: inout Tensor, _ b: inout Tensor, as type: S.Type,
    _ body: (UnsafeBufferPointer<S>, UnsafeMutableBufferPointer<S>, UnsafeMutableBufferPointer<S>) -> Void
) {
    withScalars(of: gradient, mutating: &a, as: S.self) { g, a in
        b.withUnsafeMutableBufferPointer(as: S.self) { b in body(g, a, b) }
    }
}

func withScalars<S: FloatingPointScalar>(
    of gradient: Tensor, mutating a: inout Tensor, _ b: inout Tensor, _ c: inout Tensor, as type: S.Type,
    _ body: (UnsafeBufferPointer<S>, UnsafeMutableBufferPointer<S>, UnsafeMutableBufferPointer<S>,
             UnsafeMutableBufferPointer<S>) -> Void
) {
    withScalars(of: gradient, mutating: &a, &b, as: S.self) { g, a, b in
        c.withUnsafeMutableBufferPointer(as: S.self) { c in body(g, a, b, c) }
    }
}

func withScalars<S: FloatingPointScalar>(
    of gradient: Tensor, mutating a: inout Tensor, _ b: inout Tensor, _ c: inout Tensor, _ d: inout Tensor,
    as type: S.Type,
    _ body: (UnsafeBufferPointer<S>, UnsafeMutableBufferPointer<S>, UnsafeMutableBufferPointer<S>,
             UnsafeMutableBufferPointer<S>, UnsafeMutableBufferPointer<S>) -> Void
) {
    withScalars(of: gradient, mutating: &a, &b, &c, as: S.self) { g, a, b, c in
        d.withUnsafeMutableBufferPointer(as: S.self) { d in body(g, a, b, c, d) }
    }
}

/// Linear interpolation a + w(b − a), computed the way PyTorch's `lerp_` does so that moving
/// averages round the same: from `a` for small weights, from `b` for large ones.
@inline(__always)
func lerp<S: FloatingPointScalar>(_ a: S, _ b: S, weight: S) -> S {
    abs(weight) < 0.5 ? a + weight * (b - a) : b - (b - a) * (1 - weight)
}

/// xⁿ for a step count n, in `Double` like Python's `beta ** step`.
@inline(__always)
func power(_ x: Double, _ n: Int) -> Double {
    Foundation.pow(x, Double(n))
}
