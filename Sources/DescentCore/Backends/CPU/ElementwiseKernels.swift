import CDescentKernels

/// The CPU backend: the fast kernels — C micro-kernels for matrix products, SIMD loops, work
/// split across a pool of worker threads. It computes values and knows nothing of gradients.
struct CPUBackend: Backend {
    static let shared = CPUBackend()

    var device: Device { .cpu }

    func upload(_ host: Tensor) -> Tensor { host }
    func download(_ x: Tensor) -> Tensor { x }
    // MARK: Unary

    func unary(_ operation: UnaryOperation, _ x: Tensor) -> Tensor {
        x.dtype == .float32 ? Self.unary(operation, x, Float.self) : Self.unary(operation, x, Double.self)
    }

    private static func unary<T: FloatingPointScalar>(_ operation: UnaryOperation, _ x: Tensor, _: T.Type) -> Tensor {
        let count = x.scalarCount
        let output = TensorStorage(uninitializedCount: count, dtype: T.dtype, device: .cpu)
        let source = x.storage.typed(T.self)
        let target = output.typed(T.self)
        Parallel.forEachChunk(count: count, minimumChunk: 1 << 15) { range in
            let a = source + range.lowerBound, y = target + range.lowerBound, n = range.count
            @inline(__always) func map(_ f: (T) -> T) { for i in 0..<n { y[i] = f(a[i]) } }
            // float's exponentials in exponentials.c, vectorized, within an ulp.
            @inline(__always) func map(_ f: (T) -> T, float kernel: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) {
                if T.self == Float.self {
                    kernel(UnsafeRawPointer(a).assumingMemoryBound(to: Float.self),
                           UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self), n)
                } else {
                    map(f)
                }
            }
            switch operation {
            case .negate: map { -$0 }
            case .exp: map({ T.exp($0) }, float: descent_exp_f32)
            case .log: map { T.log($0) }
            case .sqrt: map { $0.squareRoot() }
            case .abs: map { Swift.abs($0) }
            case .tanh: map({ T.tanh($0) }, float: descent_tanh_f32)
            case .sigmoid: map({ x in
                // Written so that exp never overflows: for x < 0, σ(x) = eˣ / (1 + eˣ).
                x >= 0 ? 1 / (1 + T.exp(-x)) : T.exp(x) / (1 + T.exp(x))
            }, float: descent_sigmoid_f32)
            case .relu: map { $0 > 0 ? $0 : 0 }
            case .sign: map { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }
            case .log1p: map { T.log1p($0) }
            case .erf: map { T.erf($0) }
            case .reciprocal: map { 1 / $0 }
            case .square: map { $0 * $0 }
            case .gelu, .geluTanh: geluRun(a, y, n, tanhApproximation: operation == .geluTanh)
            }
        }
        return Tensor(shape: x.shape, storage: output)
    }

    // MARK: Binary

    func binary(_ operation: BinaryOperation, _ a: Tensor, _ b: Tensor, shape: [Int]) -> Tensor {
        a.dtype == .float32 ? Self.binary(operation, a, b, shape, Float.self) : Self.binary(operation, a, b, shape, Double.self)
    }

    private static func binary<T: FloatingPointScalar>(_ operation: BinaryOperation, _ a: Tensor, _ b: Tensor,
                                                       _ shape: [Int], _: T.Type) -> Tensor {
        let count = shape.reduce(1, *)
        let output = TensorStorage(uninitializedCount: count, dtype: T.dtype, device: .cpu)
        let pa = a.storage.typed(T.self), pb = b.storage.typed(T.self), py = output.typed(T.self)
        guard count > 0 else { return Tensor(shape: shape, storage: output) }
        // Two tensors of the same shape, or a tensor and a single number (most of a training
        // step's elementwise work), are one run: the run the general case below coalesces them
        // to, without working out its strides.
        let run: (sa: Int, sb: Int)? = a.shape == shape
            ? (b.shape == shape ? (1, 1) : b.scalarCount == 1 ? (1, 0) : nil)
            : (b.shape == shape && a.scalarCount == 1 ? (0, 1) : nil)
        if let (sa, sb) = run {
            binaryRun(operation, pa, sa, pb, sb, py, count)
            return Tensor(shape: shape, storage: output)
        }
        let (loopShape, strides) = Broadcasting.coalesce(
            shape: shape,
            strides: [Broadcasting.strides(of: a.shape, broadcastTo: shape),
                      Broadcasting.strides(of: b.shape, broadcastTo: shape),
                      Broadcasting.strides(of: shape, broadcastTo: shape)])
        let rowLength = loopShape.last!
        let sa = strides[0].last!, sb = strides[1].last!
        if loopShape.count == 1 {
            binaryRun(operation, pa, sa, pb, sb, py, rowLength)
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

    /// A binary op over one run of `n` elements, split across threads when it is long.
    private static func binaryRun<T: FloatingPointScalar>(
        _ operation: BinaryOperation, _ a: UnsafeMutablePointer<T>, _ sa: Int,
        _ b: UnsafeMutablePointer<T>, _ sb: Int, _ y: UnsafeMutablePointer<T>, _ n: Int
    ) {
        Parallel.forEachChunk(count: n, minimumChunk: 1 << 15) { range in
            let start = range.lowerBound
            binaryRow(operation, a + start * sa, sa, b + start * sb, sb, y + start, range.count)
        }
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
        // Both loads, then a select: a loop without branches, which vectorizes.
        case .keepWherePositive: zip { gradient, input in input > 0 ? gradient : 0 }
        case .tanhBackward: zip { gradient, y in gradient * ((1 - y) * (1 + y)) }
        case .sigmoidBackward: zip { gradient, y in gradient * (y * (1 - y)) }
        case .geluBackward, .geluTanhBackward:
            geluBackwardRun(a, sa, b, sb, y, n, tanhApproximation: operation == .geluTanhBackward)
        }
    }

    // MARK: Selection

    /// `condition != 0 ? a : b`, elementwise with broadcasting.
    func select(_ condition: Tensor, _ a: Tensor, _ b: Tensor, shape: [Int]) -> Tensor {
        // select = b + condition·(a − b) would lose exactness (inf, nan); walk all three instead.
        a.dtype == .float32 ? Self.select(condition, a, b, shape, Float.self) : Self.select(condition, a, b, shape, Double.self)
    }

    private static func select<T: FloatingPointScalar>(_ c: Tensor, _ a: Tensor, _ b: Tensor, _ shape: [Int],
                                                       _: T.Type) -> Tensor {
        let output = TensorStorage(uninitializedCount: shape.reduce(1, *), dtype: T.dtype, device: .cpu)
        guard output.count > 0 else { return Tensor(shape: shape, storage: output) }
        // A condition of the output's shape and two values each of it or a single number (what
        // an activation such as ELU selects, forward and backward) are one run, split across
        // threads: the general walk below runs on one thread and vectorizes nothing, and it was
        // a quarter of an ELU network's training.
        if c.shape == shape, let sa = Self.runStep(a, shape), let sb = Self.runStep(b, shape) {
            let pointers = UncheckedSendable((c.storage.typed(T.self), a.storage.typed(T.self), b.storage.typed(T.self),
                                              output.typed(T.self)))
            Parallel.forEachChunk(count: output.count, minimumChunk: 1 << 15) { range in
                let (pc, pa, pb, py) = pointers.value
                let start = range.lowerBound
                Self.selectRun(pc + start, pa + start * sa, sa, pb + start * sb, sb, py + start, range.count)
            }
            return Tensor(shape: shape, storage: output)
        }
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

    /// 1 when `x` has the output's `shape`, 0 when it is a single number repeated, nil otherwise.
    private static func runStep(_ x: Tensor, _ shape: [Int]) -> Int? {
        x.shape == shape ? 1 : x.scalarCount == 1 ? 0 : nil
    }

    /// `c[i] != 0 ? a[i·sa] : b[i·sb]` for `n` elements; `sa` and `sb` are 1 (walk) or 0 (one
    /// number). Both values are loaded before the choice, so the loops have no branch and
    /// vectorize.
    @inline(__always)
    private static func selectRun<T: FloatingPointScalar>(
        _ c: UnsafeMutablePointer<T>, _ a: UnsafeMutablePointer<T>, _ sa: Int,
        _ b: UnsafeMutablePointer<T>, _ sb: Int, _ y: UnsafeMutablePointer<T>, _ n: Int
    ) {
        switch (sa, sb) {
        case (1, 1):
            for i in 0..<n {
                let (x, z) = (a[i], b[i])
                y[i] = c[i] != 0 ? x : z
            }
        case (1, _):
            let z = b[0]
            for i in 0..<n {
                let x = a[i]
                y[i] = c[i] != 0 ? x : z
            }
        case (_, 1):
            let x = a[0]
            for i in 0..<n {
                let z = b[i]
                y[i] = c[i] != 0 ? x : z
            }
        default:
            let (x, z) = (a[0], b[0])
            for i in 0..<n { y[i] = c[i] != 0 ? x : z }
        }
    }

    // MARK: Conversion

    func cast(_ x: Tensor, to dtype: DType) -> Tensor {
        let output = TensorStorage(uninitializedCount: x.scalarCount, dtype: dtype, device: .cpu)
        func convert<S: TensorScalar>(from _: S.Type) {
            func to<D: TensorScalar>(_: D.Type) {
                let source = x.storage.typed(S.self), target = output.typed(D.self)
                for i in 0..<x.scalarCount { target[i] = converted(source[i], to: D.self) }
            }
            switch dtype {
            case .float32: to(Float.self)
            case .float64: to(Double.self)
            case .int32: to(Int32.self)
            case .int64: to(Int64.self)
            case .uint8: to(UInt8.self)
            }
        }
        switch x.dtype {
        case .float32: convert(from: Float.self)
        case .float64: convert(from: Double.self)
        case .int32: convert(from: Int32.self)
        case .int64: convert(from: Int64.self)
        case .uint8: convert(from: UInt8.self)
        }
        return Tensor(shape: x.shape, storage: output)
    }
}
