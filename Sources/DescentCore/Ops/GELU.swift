/// How ``gelu(_:approximation:)`` computes the Gaussian CDF.
public enum GELUApproximation: String, Sendable, Equatable, Codable {
    /// Φ(x) = ½ (1 + erf(x / √2)), PyTorch's default (`approximate='none'`).
    case exact
    /// Φ(x) ≈ ½ (1 + tanh(√(2/π) (x + 0.044715 x³))) (`approximate='tanh'`).
    case tanh
}

/// GELU: x · Φ(x), where Φ is the standard normal CDF (PyTorch's `gelu`).
///
/// One operation with its own derivative rule, x̄ = ḡ · (Φ(x) + x·φ(x)) with φ the normal
/// density (for the tanh approximation, the derivative of its own formula): a pass forward and a
/// pass backward, where the formula written with tensor operations (`0.5 * x * (1 + erf(x / √2))`)
/// takes about fifteen. It computes the same numbers as that formula, to a few ulps, except
/// where x is very negative: there Φ(x) comes from erfc, so x · Φ(x) keeps its precision down to
/// the smallest float instead of becoming 0 (from about x = −5.5 in float), and the tanh approximation is
/// computed as x · σ(2u), which equals ½x(1 + tanh u) without its cancellation. PyTorch's values
/// there are 0 or a few of its ulps; the gradients agree.
public func gelu(_ x: Tensor, approximation: GELUApproximation = .exact) -> Tensor {
    x.unary(approximation == .exact ? .gelu : .geluTanh)
}
