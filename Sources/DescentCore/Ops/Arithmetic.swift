// Arithmetic with NumPy broadcasting: + − × ÷, powers, max/min, comparisons, selection.

extension Tensor {
    /// A scalar tensor of `self`'s dtype.
    static func scalar(_ value: Double, like other: Tensor) -> Tensor {
        Tensor(repeating: value, shape: [], dtype: other.dtype)
    }

    static func binary(_ operation: BinaryOperation, _ a: Tensor, _ b: Tensor,
                       rule: (Tensor, Tensor) -> DerivativeRules.Pullback) -> Tensor {
        let y = CPU.binary(operation, a, b)
        guard a.gradientNode != nil || b.gradientNode != nil else { return y }
        return y.recorded(operation.rawValue, [a, b], pullback: rule(a, b))
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor { binary(.add, a, b, rule: DerivativeRules.add) }
    public static func - (a: Tensor, b: Tensor) -> Tensor { binary(.subtract, a, b, rule: DerivativeRules.subtract) }
    public static func * (a: Tensor, b: Tensor) -> Tensor { binary(.multiply, a, b, rule: DerivativeRules.multiply) }
    public static func / (a: Tensor, b: Tensor) -> Tensor { binary(.divide, a, b, rule: DerivativeRules.divide) }

    public static func + (a: Tensor, b: Double) -> Tensor { a + scalar(b, like: a) }
    public static func - (a: Tensor, b: Double) -> Tensor { a - scalar(b, like: a) }
    public static func * (a: Tensor, b: Double) -> Tensor { a * scalar(b, like: a) }
    public static func / (a: Tensor, b: Double) -> Tensor { a / scalar(b, like: a) }
    public static func + (a: Double, b: Tensor) -> Tensor { scalar(a, like: b) + b }
    public static func - (a: Double, b: Tensor) -> Tensor { scalar(a, like: b) - b }
    public static func * (a: Double, b: Tensor) -> Tensor { scalar(a, like: b) * b }
    public static func / (a: Double, b: Tensor) -> Tensor { scalar(a, like: b) / b }

    public static func += (a: inout Tensor, b: Tensor) { a = a + b }
    public static func -= (a: inout Tensor, b: Tensor) { a = a - b }
    public static func *= (a: inout Tensor, b: Tensor) { a = a * b }
    public static func /= (a: inout Tensor, b: Tensor) { a = a / b }
    public static func += (a: inout Tensor, b: Double) { a = a + b }
    public static func -= (a: inout Tensor, b: Double) { a = a - b }
    public static func *= (a: inout Tensor, b: Double) { a = a * b }
    public static func /= (a: inout Tensor, b: Double) { a = a / b }

    public static prefix func - (x: Tensor) -> Tensor { x.unary(.negate) }

    // MARK: Comparisons: 1 where true, 0 where false, in the inputs' dtype; never differentiated.

    public static func .== (a: Tensor, b: Tensor) -> Tensor { CPU.binary(.equal, a, b) }
    public static func .!= (a: Tensor, b: Tensor) -> Tensor { CPU.binary(.notEqual, a, b) }
    public static func .< (a: Tensor, b: Tensor) -> Tensor { CPU.binary(.less, a, b) }
    public static func .<= (a: Tensor, b: Tensor) -> Tensor { CPU.binary(.lessOrEqual, a, b) }
    public static func .> (a: Tensor, b: Tensor) -> Tensor { CPU.binary(.greater, a, b) }
    public static func .>= (a: Tensor, b: Tensor) -> Tensor { CPU.binary(.greaterOrEqual, a, b) }
    public static func .== (a: Tensor, b: Double) -> Tensor { a .== scalar(b, like: a) }
    public static func .!= (a: Tensor, b: Double) -> Tensor { a .!= scalar(b, like: a) }
    public static func .< (a: Tensor, b: Double) -> Tensor { a .< scalar(b, like: a) }
    public static func .<= (a: Tensor, b: Double) -> Tensor { a .<= scalar(b, like: a) }
    public static func .> (a: Tensor, b: Double) -> Tensor { a .> scalar(b, like: a) }
    public static func .>= (a: Tensor, b: Double) -> Tensor { a .>= scalar(b, like: a) }
}

infix operator .== : ComparisonPrecedence
infix operator .!= : ComparisonPrecedence
infix operator .< : ComparisonPrecedence
infix operator .<= : ComparisonPrecedence
infix operator .> : ComparisonPrecedence
infix operator .>= : ComparisonPrecedence

/// `a` raised to the power `b`, elementwise with broadcasting.
public func pow(_ a: Tensor, _ b: Tensor) -> Tensor {
    let y = CPU.binary(.pow, a, b)
    return y.recorded("pow", [a, b], pullback: DerivativeRules.pow(a, b, y))
}

/// `x` raised to the power `exponent`, elementwise.
public func pow(_ x: Tensor, _ exponent: Double) -> Tensor {
    if exponent == 2 { return x.unary(.square) }
    return pow(x, Tensor.scalar(exponent, like: x))
}

/// The larger of `a` and `b`, elementwise with broadcasting.
public func maximum(_ a: Tensor, _ b: Tensor) -> Tensor { Tensor.binary(.maximum, a, b, rule: DerivativeRules.maximum) }

/// The smaller of `a` and `b`, elementwise with broadcasting.
public func minimum(_ a: Tensor, _ b: Tensor) -> Tensor { Tensor.binary(.minimum, a, b, rule: DerivativeRules.minimum) }

/// The larger of `x` and `value`, elementwise.
public func maximum(_ x: Tensor, _ value: Double) -> Tensor { maximum(x, Tensor.scalar(value, like: x)) }

/// The smaller of `x` and `value`, elementwise.
public func minimum(_ x: Tensor, _ value: Double) -> Tensor { minimum(x, Tensor.scalar(value, like: x)) }

/// Elements of `a` where `condition` is non-zero and of `b` elsewhere (NumPy's `where`), with
/// broadcasting. Gradients flow to `a` and `b`, never to the condition.
public func select(where condition: Tensor, _ a: Tensor, otherwise b: Tensor) -> Tensor {
    let y = CPU.select(condition, a, b)
    let mask = condition.detached()
    return y.recorded("select", [mask, a, b], pullback: DerivativeRules.selection(mask, a, b))
}

extension Tensor {
    /// Each element limited to `lower...upper`.
    public func clamped(min lower: Double = -.infinity, max upper: Double = .infinity) -> Tensor {
        precondition(lower <= upper, "clamped: min \(lower) is above max \(upper)")
        let y = CPU.binary(.minimum, CPU.binary(.maximum, self, .scalar(lower, like: self)), .scalar(upper, like: self))
        return y.recorded("clamp", self, pullback: DerivativeRules.clamp(self, lower: lower, upper: upper))
    }

    /// The same values in another dtype. Between floating-point dtypes, gradients flow through.
    public func cast(to dtype: DType) -> Tensor {
        if dtype == self.dtype { return self }
        let y = CPU.cast(self, to: dtype)
        guard dtype.isFloatingPoint && self.dtype.isFloatingPoint else { return y }
        return y.recorded("cast", self, pullback: DerivativeRules.cast(self))
    }
}
