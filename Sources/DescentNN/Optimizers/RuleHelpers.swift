import Foundation

// What the update rules share: state buffers, and the two formulas PyTorch rounds in its own way.

extension Tensor {
    /// A state buffer for `parameter`: `value` in every element, on the parameter's device, when
    /// `isNeeded`; otherwise an empty tensor, so an option that is turned off (momentum 0, not
    /// centered…) costs no memory.
    static func stateBuffer(like parameter: Tensor, if isNeeded: Bool = true, filledWith value: Double = 0) -> Tensor {
        isNeeded ? Tensor(repeating: value, shape: parameter.shape, dtype: parameter.dtype, on: parameter.device)
                 : Tensor.zeros([0], dtype: parameter.dtype, on: parameter.device)
    }
}

/// Linear interpolation a + w(b − a), computed the way PyTorch's `lerp_` does so that moving
/// averages round the same: from `a` for small weights, from `b` for large ones. `weight` is
/// rounded to the tensors' dtype first, as a kernel that receives it as a scalar of that type
/// would.
func lerp(_ a: Tensor, _ b: Tensor, weight: Double) -> Tensor {
    let w = weight.rounded(to: a.dtype)
    return abs(w) < 0.5 ? a + w * (b - a) : b - (b - a) * (1 - w)
}

extension Double {
    /// This number as the nearest value of `dtype` (Float for float32), back in a `Double`.
    func rounded(to dtype: DType) -> Double {
        dtype == .float32 ? Double(Float(self)) : self
    }
}

/// xⁿ for a step count n, in `Double` like Python's `beta ** step`.
@inline(__always)
func power(_ x: Double, _ n: Int) -> Double {
    Foundation.pow(x, Double(n))
}
