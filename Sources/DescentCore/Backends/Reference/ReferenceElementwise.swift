import Foundation

// Elementwise primitives: one output element at a time, each from the input elements that its
// position reads under broadcasting.

extension ReferenceBackend {
    func unary(_ operation: UnaryOperation, _ x: Tensor) -> Tensor {
        func run<T: FloatingPointScalar>(_: T.Type) -> Tensor {
            make(x.shape, T.self) { i in Self.apply(operation, x.element(i, as: T.self)) }
        }
        return floating(x.dtype) { run($0) }
    }

    /// The definition of each unary operation.
    static func apply<T: FloatingPointScalar>(_ operation: UnaryOperation, _ x: T) -> T {
        switch operation {
        case .negate: -x
        case .exp: T.exp(x)
        case .log: T.log(x)
        case .sqrt: x.squareRoot()
        case .abs: Swift.abs(x)
        case .tanh: T.tanh(x)
        case .sigmoid: x >= 0 ? 1 / (1 + T.exp(-x)) : T.exp(x) / (1 + T.exp(x))
        case .relu: x > 0 ? x : 0
        case .sign: x > 0 ? 1 : (x < 0 ? -1 : 0)
        case .log1p: T.log1p(x)
        case .erf: T.erf(x)
        case .reciprocal: 1 / x
        case .square: x * x
        case .gelu: T(fromDouble: gelu(x.doubleValue))
        case .geluTanh: T(fromDouble: geluTanh(x.doubleValue))
        }
    }

    // GELU in double, rounded once: x·Φ(x) with Φ(x) = ½erfc(−x/√2), which keeps its precision
    // where Φ is tiny (½(1 + erf) would be 1 − 1); and the tanh approximation ½x(1 + tanh u) as
    // x·σ(2u), the same number without the cancellation of 1 + tanh u for negative x.

    static func gelu(_ x: Double) -> Double { x * (0.5 * Foundation.erfc(-x * 0.5.squareRoot())) }

    static func geluTanh(_ x: Double) -> Double { x * tanhGate(x).gate }

    /// GELU′(x) = Φ(x) + x·φ(x), φ(x) = e^(−x²/2)/√(2π).
    static func geluDerivative(_ x: Double) -> Double {
        0.5 * Foundation.erfc(-x * 0.5.squareRoot()) + x * (Foundation.exp(-0.5 * x * x) / (2 * Double.pi).squareRoot())
    }

    /// (x·s)′ = s + x·s(1 − s)·2u′ for s = σ(2u).
    static func geluTanhDerivative(_ x: Double) -> Double {
        let (s, slope) = tanhGate(x)
        return s + x * (s * (1 - s) * (2 * slope))
    }

    /// σ(2u) for u = √(2/π)(x + 0.044715x³), and du/dx.
    private static func tanhGate(_ x: Double) -> (gate: Double, slope: Double) {
        let scale = (2 / Double.pi).squareRoot()
        let u = scale * (x + 0.044715 * x * x * x)
        return (1 / (1 + Foundation.exp(-2 * u)), scale * (1 + 3 * 0.044715 * x * x))
    }

    func activation(_ function: ParametricActivation, _ x: Tensor) -> Tensor {
        func run<T: FloatingPointScalar>(_: T.Type) -> Tensor {
            make(x.shape, T.self) { i in Self.apply(function, x.element(i, as: T.self)) }
        }
        return floating(x.dtype) { run($0) }
    }

    func activationBackward(_ function: ParametricActivation, _ upstream: Tensor, input: Tensor) -> Tensor {
        func run<T: FloatingPointScalar>(_: T.Type) -> Tensor {
            make(input.shape, T.self) { i in
                Self.derivative(function, input.element(i, as: T.self), upstream: upstream.element(i, as: T.self))
            }
        }
        return floating(input.dtype) { run($0) }
    }

    /// The definition of each activation with a parameter: leaky ReLU's product in the dtype
    /// (x · slope, the slope rounded to it), ELU's α·(eˣ − 1) in double as α·expm1(x), rounded once;
    /// softplus in double with z = βx: x where z > threshold, ln(1 + e^z)/β otherwise, rounded once.
    static func apply<T: FloatingPointScalar>(_ function: ParametricActivation, _ x: T) -> T {
        switch function {
        case .leakyReLU(let slope): x > 0 ? x : x * T(fromDouble: slope)
        case .elu(let alpha): x > 0 ? x : T(fromDouble: alpha * Foundation.expm1(x.doubleValue))
        case .softplus(let beta, let threshold):
            beta * x.doubleValue > threshold ? x : T(fromDouble: logOnePlusExp(beta * x.doubleValue) / beta)
        }
    }

    /// ḡ·f′(x): leaky ReLU's ḡ·slope for x ≤ 0, ELU's ḡ·α·eˣ, softplus' ḡ·σ(βx) up to its
    /// threshold and ḡ above it (in double, rounded once).
    static func derivative<T: FloatingPointScalar>(_ function: ParametricActivation, _ x: T, upstream g: T) -> T {
        switch function {
        case .leakyReLU(let slope): x > 0 ? g : g * T(fromDouble: slope)
        case .elu(let alpha): x > 0 ? g : T(fromDouble: g.doubleValue * (alpha * Foundation.exp(x.doubleValue)))
        case .softplus(let beta, let threshold):
            beta * x.doubleValue > threshold ? g : T(fromDouble: g.doubleValue / (1 + Foundation.exp(-beta * x.doubleValue)))
        }
    }

    /// ln(1 + e^z) as max(z, 0) + ln(1 + e^−|z|), which never overflows.
    private static func logOnePlusExp(_ z: Double) -> Double { max(z, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(z))) }

    func binary(_ operation: BinaryOperation, _ a: Tensor, _ b: Tensor, shape: [Int]) -> Tensor {
        func run<T: FloatingPointScalar>(_: T.Type) -> Tensor {
            make(shape, T.self) { i in
                let position = Positions.multiIndex(of: i, in: shape)
                return Self.apply(operation, a.element(Positions.broadcastSource(of: position, from: a.shape), as: T.self),
                                  b.element(Positions.broadcastSource(of: position, from: b.shape), as: T.self))
            }
        }
        return floating(a.dtype) { run($0) }
    }

    /// The definition of each binary operation (comparisons give 1 or 0; max and min pass NaN on).
    static func apply<T: FloatingPointScalar>(_ operation: BinaryOperation, _ a: T, _ b: T) -> T {
        switch operation {
        case .add: a + b
        case .subtract: a - b
        case .multiply: a * b
        case .divide: a / b
        case .maximum: a.isNaN || a > b ? a : b
        case .minimum: a.isNaN || a < b ? a : b
        case .pow: T.pow(a, b)
        case .equal: a == b ? 1 : 0
        case .notEqual: a != b ? 1 : 0
        case .less: a < b ? 1 : 0
        case .lessOrEqual: a <= b ? 1 : 0
        case .greater: a > b ? 1 : 0
        case .greaterOrEqual: a >= b ? 1 : 0
        case .keepWherePositive: b > 0 ? a : 0
        case .tanhBackward: T(fromDouble: a.doubleValue * ((1 - b.doubleValue) * (1 + b.doubleValue)))
        case .sigmoidBackward: T(fromDouble: a.doubleValue * (b.doubleValue * (1 - b.doubleValue)))
        case .geluBackward: T(fromDouble: a.doubleValue * geluDerivative(b.doubleValue))
        case .geluTanhBackward: T(fromDouble: a.doubleValue * geluTanhDerivative(b.doubleValue))
        }
    }

    func select(_ condition: Tensor, _ a: Tensor, _ b: Tensor, shape: [Int]) -> Tensor {
        func run<T: FloatingPointScalar>(_: T.Type) -> Tensor {
            make(shape, T.self) { i in
                let position = Positions.multiIndex(of: i, in: shape)
                let holds = condition.element(Positions.broadcastSource(of: position, from: condition.shape), as: T.self) != 0
                return holds ? a.element(Positions.broadcastSource(of: position, from: a.shape), as: T.self)
                             : b.element(Positions.broadcastSource(of: position, from: b.shape), as: T.self)
            }
        }
        return floating(a.dtype) { run($0) }
    }

    func cast(_ x: Tensor, to dtype: DType) -> Tensor {
        func from<S: TensorScalar>(_: S.Type) -> Tensor {
            func to<D: TensorScalar>(_: D.Type) -> Tensor {
                make(x.shape, D.self) { i in converted(x.element(i, as: S.self), to: D.self) }
            }
            switch dtype {
            case .float32: return to(Float.self)
            case .float64: return to(Double.self)
            case .int32: return to(Int32.self)
            case .int64: return to(Int64.self)
            case .uint8: return to(UInt8.self)
            }
        }
        switch x.dtype {
        case .float32: return from(Float.self)
        case .float64: return from(Double.self)
        case .int32: return from(Int32.self)
        case .int64: return from(Int64.self)
        case .uint8: return from(UInt8.self)
        }
    }
}
