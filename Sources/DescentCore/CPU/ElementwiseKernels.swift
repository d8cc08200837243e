/// Elementwise operations of one input.
public enum UnaryOperation: String, Sendable {
    case negate, exp, log, sqrt, abs, tanh, sigmoid, relu, sign, log1p, erf, reciprocal, square
}

/// Elementwise operations of two inputs (with broadcasting).
public enum BinaryOperation: String, Sendable {
    case add, subtract, multiply, divide, maximum, minimum, pow
    case equal, notEqual, less, lessOrEqual, greater, greaterOrEqual
}

/// The CPU backend: kernels that compute values. They know nothing of gradients.
enum CPU {
    // MARK: Unary

    static func unary(_ operation: UnaryOperation, _ x: Tensor) -> Tensor {
        switch x.dtype {
        case .float32: unary(operation, x, Float.self)
        case .float64: unary(operation, x, Double.self)
        case .int32: preconditionFailure("\(operation): needs a floating-point tensor, got int32 of shape \(x.shape)")
        }
    }

    private static func unary<T: FloatingPointScalar>(_ operation: UnaryOperation, _ x: Tensor, _: T.Type) -> Tensor {
        let count = x.scalarCount
        let output = TensorStorage(uninitializedCount: count, dtype: T.dtype)
        let source = x.storage.typed(T.self)
        let target = output.typed(T.self)
        Parallel.forEachChunk(count: count, minimumChunk: 1 << 15) { range in
            let a = source + range.lowerBound, y = target + range.lowerBound, n = range.count
            @inline(__always) func map(_ f: (T) -> T) { for i in 0..<n { y[i] = f(a[i]) } }
            switch operation {
            case .negate: map { -$0 }
            case .exp: map { T.exp($0) }
            case .log: map { T.log($0) }
            case .sqrt: map { $0.squareRoot() }
            case .abs: map { Swift.abs($0) }
            case .tanh: map { T.tanh($0) }
            case .sigmoid: map { x in
                // Written so that exp never overflows: for x < 0, σ(x) = eˣ / (1 + eˣ).
                x >= 0 ? 1 / (1 + T.exp(-x)) : T.exp(x) / (1 + T.exp(x))
            }
            case .relu: map { $0 > 0 ? $0 : 0 }
            case .sign: map { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }
            case .log1p: map { T.log1p($0) }
            case .erf: map { T.erf($0) }
            case .reciprocal: map { 1 / $0 }
            case .square: map { $0 * $0 }
            }
        }
        return Tensor(shape: x.shape, storage: output)
    }

    /// `g` where `x > 0`, else 0 (same shapes): ReLU's backward pass in one pass over memory,
    /// instead of a comparison and a product.
    static func keepingWherePositive(_ g: Tensor, _ x: Tensor) -> Tensor {
        precondition(g.shape == x.shape && g.dtype == x.dtype, "relu: gradient \(g.shape) does not match input \(x.shape)")
        func run<T: FloatingPointScalar>(_: T.Type) -> Tensor {
            let count = x.scalarCount
            let output = TensorStorage(uninitializedCount: count, dtype: T.dtype)
            let pg = g.storage.typed(T.self), px = x.storage.typed(T.self), py = output.typed(T.self)
            Parallel.forEachChunk(count: count, minimumChunk: 1 << 15) { range in
                // Both loads first, then a select: a loop without branches, which vectorizes.
                for i in range {
                    let (gradient, input) = (pg[i], px[i])
                    py[i] = input > 0 ? gradient : 0
                }
            }
            return Tensor(shape: x.shape, storage: output)
        }
        switch x.dtype {
        case .float32: return run(Float.self)
        case .float64: return run(Double.self)
        case .int32: preconditionFailure("relu: needs a floating-point tensor, got int32")
        }
    }

    // MARK: Binary

    static func binary(_ operation: BinaryOperation, _ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.dtype == b.dtype,
                     "\(operation): dtypes differ: \(a.dtype) \(a.shape) and \(b.dtype) \(b.shape)")
        guard let shape = Broadcasting.shape(a.shape, b.shape) else {
            preconditionFailure("\(operation): shapes \(a.shape) and \(b.shape) cannot be broadcast together")
        }
        switch a.dtype {
        case .float32: return binary(operation, a, b, shape, Float.self)
        case .float64: return binary(operation, a, b, shape, Double.self)
        case .int32: preconditionFailure("\(operation): needs floating-point tensors, got int32 \(a.shape) and \(b.shape)")
        }
    }

    private static func binary<T: FloatingPointScalar>(_ operation: BinaryOperation, _ a: Tensor, _ b: Tensor,
                                                       _ shape: [Int], _: T.Type) -> Tensor {
        let count = shape.reduce(1, *)
        let output = TensorStorage(uninitializedCount: count, dtype: T.dtype)
        let (loopShape, strides) = Broadcasting.coalesce(
            shape: shape,
            strides: [Broadcasting.strides(of: a.shape, broadcastTo: shape),
                      Broadcasting.strides(of: b.shape, broadcastTo: shape),
                      Broadcasting.strides(of: shape, broadcastTo: shape)])
        let pa = a.storage.typed(T.self), pb = b.storage.typed(T.self), py = output.typed(T.self)
        guard count > 0 else { return Tensor(shape: shape, storage: output) }
        let rowLength = loopShape.last!
        let sa = strides[0].last!, sb = strides[1].last!
        if loopShape.count == 1 {
            // One run (same shapes, or a tensor and a scalar): split across threads when long.
            Parallel.forEachChunk(count: rowLength, minimumChunk: 1 << 15) { range in
                let start = range.lowerBound
                binaryRow(operation, pa + start * sa, sa, pb + start * sb, sb, py + start, range.count)
            }
            return Tensor(shape: shape, storage: output)
        }
        var walk = StridedWalk(shape: loopShape, strides: strides)
        for _ in 0..<walk.rowCount {
            let offsets = walk.offsets
            binaryRow(operation, pa + offsets[0], sa, pb + offsets[1], sb, py + offsets[2], rowLength)
            walk.advance()
        }
        return Tensor(shape: shape, storage: output)
    }

    /// One contiguous run of a binary op; `sa`/`sb` are 1 (walk) or 0 (repeat one element).
    @inline(__always)
    private static func binaryRow<T: FloatingPointScalar>(
        _ operation: BinaryOperation, _ a: UnsafeMutablePointer<T>, _ sa: Int,
        _ b: UnsafeMutablePointer<T>, _ sb: Int, _ y: UnsafeMutablePointer<T>, _ n: Int
    ) {
        @inline(__always) func zip(_ f: (T, T) -> T) {
            // Separate loops per stride pattern, so the compiler can vectorise the common ones.
            if sa == 1 && sb == 1 {
                for i in 0..<n { y[i] = f(a[i], b[i]) }
            } else if sa == 1 && sb == 0 {
                let s = b[0]
                for i in 0..<n { y[i] = f(a[i], s) }
            } else if sa == 0 && sb == 1 {
                let s = a[0]
                for i in 0..<n { y[i] = f(s, b[i]) }
            } else {
                for i in 0..<n { y[i] = f(a[i * sa], b[i * sb]) }
            }
        }
        switch operation {
        case .add: zip(+)
        case .subtract: zip(-)
        case .multiply: zip(*)
        case .divide: zip(/)
        case .maximum: zip { x, y in x.isNaN || x > y ? x : y }
        case .minimum: zip { x, y in x.isNaN || x < y ? x : y }
        case .pow: zip { T.pow($0, $1) }
        case .equal: zip { $0 == $1 ? 1 : 0 }
        case .notEqual: zip { $0 != $1 ? 1 : 0 }
        case .less: zip { $0 < $1 ? 1 : 0 }
        case .lessOrEqual: zip { $0 <= $1 ? 1 : 0 }
        case .greater: zip { $0 > $1 ? 1 : 0 }
        case .greaterOrEqual: zip { $0 >= $1 ? 1 : 0 }
        }
    }

    // MARK: Selection

    /// `condition != 0 ? a : b`, elementwise with broadcasting.
    static func select(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        // select = b + condition·(a − b) would lose exactness (inf, nan); walk all three instead.
        precondition(a.dtype == b.dtype, "where: dtypes differ: \(a.dtype) and \(b.dtype)")
        guard let ab = Broadcasting.shape(a.shape, b.shape),
              let shape = Broadcasting.shape(condition.shape, ab) else {
            preconditionFailure("where: shapes \(condition.shape), \(a.shape) and \(b.shape) cannot be broadcast together")
        }
        let mask = condition.dtype == a.dtype ? condition : condition.cast(to: a.dtype)
        switch a.dtype {
        case .float32: return select(mask, a, b, shape, Float.self)
        case .float64: return select(mask, a, b, shape, Double.self)
        case .int32: preconditionFailure("where: needs floating-point tensors")
        }
    }

    private static func select<T: FloatingPointScalar>(_ c: Tensor, _ a: Tensor, _ b: Tensor, _ shape: [Int],
                                                       _: T.Type) -> Tensor {
        let output = TensorStorage(uninitializedCount: shape.reduce(1, *), dtype: T.dtype)
        guard output.count > 0 else { return Tensor(shape: shape, storage: output) }
        let (loopShape, strides) = Broadcasting.coalesce(
            shape: shape,
            strides: [c, a, b].map { Broadcasting.strides(of: $0.shape, broadcastTo: shape) }
                + [Broadcasting.strides(of: shape, broadcastTo: shape)])
        let pc = c.storage.typed(T.self), pa = a.storage.typed(T.self), pb = b.storage.typed(T.self)
        let py = output.typed(T.self)
        let n = loopShape.last!
        let (sc, sa, sb) = (strides[0].last!, strides[1].last!, strides[2].last!)
        var walk = StridedWalk(shape: loopShape, strides: strides)
        for _ in 0..<walk.rowCount {
            let o = walk.offsets
            for i in 0..<n {
                py[o[3] + i] = pc[o[0] + i * sc] != 0 ? pa[o[1] + i * sa] : pb[o[2] + i * sb]
            }
            walk.advance()
        }
        return Tensor(shape: shape, storage: output)
    }

    // MARK: Conversion

    static func cast(_ x: Tensor, to dtype: DType) -> Tensor {
        if x.dtype == dtype { return x.detached() }
        let output = TensorStorage(uninitializedCount: x.scalarCount, dtype: dtype)
        func convert<S: TensorScalar, D: TensorScalar>(_: S.Type, _: D.Type, _ f: (S) -> D) {
            let s = x.storage.typed(S.self), d = output.typed(D.self)
            for i in 0..<x.scalarCount { d[i] = f(s[i]) }
        }
        switch (x.dtype, dtype) {
        case (.float32, .float64): convert(Float.self, Double.self) { Double($0) }
        case (.float64, .float32): convert(Double.self, Float.self) { Float($0) }
        case (.int32, .float32): convert(Int32.self, Float.self) { Float($0) }
        case (.int32, .float64): convert(Int32.self, Double.self) { Double($0) }
        case (.float32, .int32): convert(Float.self, Int32.self) { truncatingToInt32(Double($0)) }
        case (.float64, .int32): convert(Double.self, Int32.self) { truncatingToInt32($0) }
        default: preconditionFailure("unreachable")
        }
        return Tensor(shape: x.shape, storage: output)
    }

    /// Rounds toward zero and saturates at Int32's bounds (NaN becomes 0), as a cast must never trap.
    private static func truncatingToInt32(_ value: Double) -> Int32 {
        if value.isNaN { return 0 }
        if value >= Double(Int32.max) { return .max }
        if value <= Double(Int32.min) { return .min }
        return Int32(value.rounded(.towardZero))
    }
}
