// Arithmetic with NumPy broadcasting: + − × ÷, powers, max/min, comparisons, selection.

extension Tensor {
    /// A scalar tensor of `other`'s dtype on `other`'s device: how a Swift number joins an
    /// operation, wherever its tensor operand is.
    static func scalar(_ value: Double, like other: Tensor) -> Tensor {
        Tensor(repeating: value, shape: [], dtype: other.dtype, on: other.device)
    }

    /// The primitive `operation` on `a` and `b`, after checking that they can meet.
    static func computing(_ operation: BinaryOperation, _ a: Tensor, _ b: Tensor) -> Tensor {
        let device = commonDevice(operation.rawValue, a, b)
        precondition(a.dtype == b.dtype,
                     "\(operation): dtypes differ: \(a.dtype) \(a.shape) and \(b.dtype) \(b.shape)")
        precondition(a.dtype.isFloatingPoint,
                     "\(operation): needs floating-point tensors, got \(a.dtype) \(a.shape) and \(b.dtype) \(b.shape)")
        guard let shape = Broadcasting.shape(a.shape, b.shape) else {
            preconditionFailure("\(operation): shapes \(a.shape) and \(b.shape) cannot be broadcast together")
        }
        return device.backend.binary(operation, a, b, shape: shape)
    }

    static func binary(_ operation: BinaryOperation, _ a: Tensor, _ b: Tensor,
                       rule: (Tensor, Tensor) -> DerivativeRules.Pullback) -> Tensor {
        let y = computing(operation, a, b)
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

    public static func .== (a: Tensor, b: Tensor) -> Tensor { Tensor.computing(.equal, a, b) }
    public static func .!= (a: Tensor, b: Tensor) -> Tensor { Tensor.computing(.notEqual, a, b) }
    public static func .< (a: Tensor, b: Tensor) -> Tensor { Tensor.computing(.less, a, b) }
    public static func .<= (a: Tensor, b: Tensor) -> Tensor { Tensor.computing(.lessOrEqual, a, b) }
    public static func .> (a: Tensor, b: Tensor) -> Tensor { Tensor.computing(.greater, a, b) }
    public static func .>= (a: Tensor, b: Tensor) -> Tensor { Tensor.computing(.greaterOrEqual, a, b) }
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
    let y = Tensor.computing(.pow, a, b)
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
    let device = commonDevice("select", condition, a, b)
    precondition(a.dtype == b.dtype, "select: dtypes differ: \(a.dtype) and \(b.dtype)")
    precondition(a.dtype.isFloatingPoint, "select: needs floating-point tensors, got \(a.dtype)")
    guard let ab = Broadcasting.shape(a.shape, b.shape), let shape = Broadcasting.shape(condition.shape, ab) else {
        preconditionFailure("select: shapes \(condition.shape), \(a.shape) and \(b.shape) cannot be broadcast together")
    }
    let y = device.backend.select(condition.cast(to: a.dtype).detached(), a, b, shape: shape)
    let mask = condition.detached()
    return y.recorded("select", [mask, a, b], pullback: DerivativeRules.selection(mask, a, b))
}

extension Tensor {
    /// Each element limited to `lower...upper`.
    public func clamped(min lower: Double = -.infinity, max upper: Double = .infinity) -> Tensor {
        precondition(lower <= upper, "clamped: min \(lower) is above max \(upper)")
        let y = Tensor.computing(.minimum, Tensor.computing(.maximum, self, .scalar(lower, like: self)), .scalar(upper, like: self))
        return y.recorded("clamp", self, pullback: DerivativeRules.clamp(self, lower: lower, upper: upper))
    }

    /// The same values in another dtype. Between floating-point dtypes, gradients flow through.
    public func cast(to dtype: DType) -> Tensor {
        if dtype == self.dtype { return self }
        let y = device.backend.cast(self.detached(), to: dtype)
        guard dtype.isFloatingPoint && self.dtype.isFloatingPoint else { return y }
        return y.recorded("cast", self, pullback: DerivativeRules.cast(self))
    }
}
