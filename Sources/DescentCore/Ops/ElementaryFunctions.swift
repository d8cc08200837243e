// Elementwise functions y = f(x). Their derivatives are in DerivativeRules.unary.

extension Tensor {
    func unary(_ operation: UnaryOperation) -> Tensor {
        precondition(dtype.isFloatingPoint, "\(operation): needs a floating-point tensor, got \(dtype) \(shape)")
        let y = device.backend.unary(operation, self)
        guard gradientNode != nil else { return y }
        return y.recorded(operation.rawValue, self, pullback: DerivativeRules.unary(operation, self, y))
    }

    /// |x|, elementwise.
    public func abs() -> Tensor { unary(.abs) }
    /// x², elementwise.
    public func squared() -> Tensor { unary(.square) }
    /// √x, elementwise.
    public func squareRoot() -> Tensor { unary(.sqrt) }
    /// −1, 0 or 1 by the sign of each element.
    public func sign() -> Tensor { unary(.sign) }
    /// 1/x, elementwise.
    public func reciprocal() -> Tensor { unary(.reciprocal) }
}

/// eˣ, elementwise.
public func exp(_ x: Tensor) -> Tensor { x.unary(.exp) }
/// The natural logarithm, elementwise.
public func log(_ x: Tensor) -> Tensor { x.unary(.log) }
/// ln(1 + x), elementwise, accurate for small x.
public func log1p(_ x: Tensor) -> Tensor { x.unary(.log1p) }
/// √x, elementwise.
public func sqrt(_ x: Tensor) -> Tensor { x.unary(.sqrt) }
/// |x|, elementwise.
public func abs(_ x: Tensor) -> Tensor { x.unary(.abs) }
/// The hyperbolic tangent, elementwise.
public func tanh(_ x: Tensor) -> Tensor { x.unary(.tanh) }
/// The error function, elementwise.
public func erf(_ x: Tensor) -> Tensor { x.unary(.erf) }
/// The logistic sigmoid σ(x) = 1 / (1 + e⁻ˣ), elementwise (computed without overflow).
public func sigmoid(_ x: Tensor) -> Tensor { x.unary(.sigmoid) }
/// The rectified linear unit max(x, 0), elementwise.
public func relu(_ x: Tensor) -> Tensor { x.unary(.relu) }
