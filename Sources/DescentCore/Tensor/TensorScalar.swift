import Foundation

/// A Swift type that can be the element of a ``Tensor``: `Float`, `Double`, `Int32`, `Int64` or
/// `UInt8`.
public protocol TensorScalar: Numeric, Comparable, Sendable {
    /// The ``DType`` that stores this type.
    static var dtype: DType { get }
    /// Converts from `Double` (rounding to the nearest representable value).
    init(fromDouble value: Double)
    /// This value as a `Double`.
    var doubleValue: Double { get }
}

/// A floating-point tensor element: the math kernels are generic over this protocol, so the
/// same code runs in `Float` for training and in `Double` for gradient checks.
public protocol FloatingPointScalar: TensorScalar, BinaryFloatingPoint, SIMDScalar, Codable {
    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    static func tanh(_ x: Self) -> Self
    static func pow(_ x: Self, _ y: Self) -> Self
    static func erf(_ x: Self) -> Self
    static func log1p(_ x: Self) -> Self
}

extension Float: FloatingPointScalar {
    public static var dtype: DType { .float32 }
    @inlinable public init(fromDouble value: Double) { self = Float(value) }
    @inlinable public var doubleValue: Double { Double(self) }
    @inlinable public static func exp(_ x: Float) -> Float { Foundation.expf(x) }
    @inlinable public static func log(_ x: Float) -> Float { Foundation.logf(x) }
    @inlinable public static func tanh(_ x: Float) -> Float { Foundation.tanhf(x) }
    @inlinable public static func pow(_ x: Float, _ y: Float) -> Float { Foundation.powf(x, y) }
    @inlinable public static func erf(_ x: Float) -> Float { Foundation.erff(x) }
    @inlinable public static func log1p(_ x: Float) -> Float { Foundation.log1pf(x) }
}

extension Double: FloatingPointScalar {
    public static var dtype: DType { .float64 }
    @inlinable public init(fromDouble value: Double) { self = value }
    @inlinable public var doubleValue: Double { self }
    @inlinable public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    @inlinable public static func log(_ x: Double) -> Double { Foundation.log(x) }
    @inlinable public static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
    @inlinable public static func pow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
    @inlinable public static func erf(_ x: Double) -> Double { Foundation.erf(x) }
    @inlinable public static func log1p(_ x: Double) -> Double { Foundation.log1p(x) }
}

extension Int32: TensorScalar {
    public static var dtype: DType { .int32 }
    /// Rounds toward zero and saturates at the type's bounds (NaN becomes 0): never traps.
    @inlinable public init(fromDouble value: Double) { self = saturatingInteger(value) }
    @inlinable public var doubleValue: Double { Double(self) }
}

extension Int64: TensorScalar {
    public static var dtype: DType { .int64 }
    /// Rounds toward zero and saturates at the type's bounds (NaN becomes 0): never traps.
    @inlinable public init(fromDouble value: Double) { self = saturatingInteger(value) }
    @inlinable public var doubleValue: Double { Double(self) }
}

extension UInt8: TensorScalar {
    public static var dtype: DType { .uint8 }
    /// Rounds toward zero and saturates at 0 and 255 (NaN becomes 0): never traps.
    @inlinable public init(fromDouble value: Double) { self = saturatingInteger(value) }
    @inlinable public var doubleValue: Double { Double(self) }
}

/// `value` converted to `D` as a cast between dtypes converts it: rounded once to the nearest
/// value for floating point; toward zero, saturating, NaN to 0 for integers (see
/// ``saturatingInteger(_:)``). Every backend's cast is this function, element by element.
@inline(__always)
func converted<S: TensorScalar, D: TensorScalar>(_ value: S, to _: D.Type) -> D {
    // Through Double, every conversion rounds once, except int64 to float32 beyond 2⁵³: rounded
    // to Double first and then to Float, 2⁶⁰ + 2³⁶ + 1 would become 2⁶⁰ instead of the nearest
    // Float, 2⁶⁰ + 2³⁷. That one goes directly. (The metatype tests fold away when the function
    // is specialized, so the loops that call it stay branch-free.)
    if S.self == Int64.self && D.self == Float.self {
        return unsafeBitCast(Float(unsafeBitCast(value, to: Int64.self)), to: D.self)
    }
    return D(fromDouble: value.doubleValue)
}

/// `value` rounded toward zero into `I`, saturating at `I`'s bounds; NaN becomes 0. Conversions
/// from floating point to integer dtypes must never trap, whatever the data holds.
@inlinable
func saturatingInteger<I: FixedWidthInteger>(_ value: Double) -> I {
    if value.isNaN { return 0 }
    if value <= Double(I.min) { return I.min }
    // Double(I.max) may round up to 2⁶³, which no Int64 holds: compare with ≥.
    if value >= Double(I.max) { return I.max }
    return I(value.rounded(.towardZero))
}
