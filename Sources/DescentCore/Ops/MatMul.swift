/// The matrix product op(a)·op(b), where op transposes its matrix if asked.
///
/// For 2-D `a` [m, k] and `b` [k, n] the result is [m, n]. Higher-rank tensors are batches of
/// matrices over their leading axes; the batch axes must be equal, or one side may be a plain
/// matrix that multiplies every matrix of the other's batch.
public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
    precondition(a.rank >= 2 && b.rank >= 2, "matmul: needs matrices, got shapes \(a.shape) and \(b.shape)")
    precondition(a.dtype == b.dtype, "matmul: dtypes differ: \(a.dtype) \(a.shape) and \(b.dtype) \(b.shape)")
    let (m, ka) = transposeA ? (a.shape[a.rank - 1], a.shape[a.rank - 2]) : (a.shape[a.rank - 2], a.shape[a.rank - 1])
    let (kb, n) = transposeB ? (b.shape[b.rank - 1], b.shape[b.rank - 2]) : (b.shape[b.rank - 2], b.shape[b.rank - 1])
    let batchA = Array(a.shape.dropLast(2)), batchB = Array(b.shape.dropLast(2))
    precondition(ka == kb && (batchA == batchB || batchA.isEmpty || batchB.isEmpty),
                 "matmul: shapes \(a.shape)\(transposeA ? "ᵀ" : "") and \(b.shape)\(transposeB ? "ᵀ" : "") do not match")
    let batch = batchA.isEmpty ? batchB : batchA
    let y = CPU.matmul(a, b, transposeA: transposeA, transposeB: transposeB,
                       batch: batch.reduce(1, *), m: m, n: n, k: ka,
                       strideA: batchA.isEmpty ? 0 : a.shape.suffix(2).reduce(1, *),
                       strideB: batchB.isEmpty ? 0 : b.shape.suffix(2).reduce(1, *),
                       shape: batch + [m, n])
    guard a.gradientNode != nil || b.gradientNode != nil else { return y }
    return y.recorded("matmul", [a, b],
                      pullback: DerivativeRules.matmul(a, b, transposeA: transposeA, transposeB: transposeB))
}

extension CPU {
    static func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool,
                       batch: Int, m: Int, n: Int, k: Int, strideA: Int, strideB: Int, shape: [Int]) -> Tensor {
        func run<T: FloatingPointScalar>(_: T.Type) -> Tensor {
            let output = TensorStorage(uninitializedCount: batch * m * n, dtype: T.dtype)
            let pa = UnsafePointer(a.storage.typed(T.self)), pb = UnsafePointer(b.storage.typed(T.self))
            let pc = output.typed(T.self)
            for index in 0..<batch {
                GEMM.multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                              a: pa + index * strideA, lda: transposeA ? m : k,
                              b: pb + index * strideB, ldb: transposeB ? k : n,
                              c: pc + index * m * n, ldc: n, beta: 0)
            }
            return Tensor(shape: shape, storage: output)
        }
        switch a.dtype {
        case .float32: return run(Float.self)
        case .float64: return run(Double.self)
        case .int32: preconditionFailure("matmul: needs floating-point tensors, got int32")
        }
    }
}
