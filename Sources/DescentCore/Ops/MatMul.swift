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
    precondition(a.dtype.isFloatingPoint, "matmul: needs floating-point tensors, got \(a.dtype)")
    let device = commonDevice("matmul", a, b)
    let batch = batchA.isEmpty ? batchB : batchA
    let product = MatrixProduct(transposeA: transposeA, transposeB: transposeB,
                                batch: batch.reduce(1, *), m: m, n: n, k: ka,
                                strideA: batchA.isEmpty ? 0 : a.shape.suffix(2).reduce(1, *),
                                strideB: batchB.isEmpty ? 0 : b.shape.suffix(2).reduce(1, *),
                                shape: batch + [m, n])
    let y = device.backend.matmul(a, b, product)
    guard a.gradientNode != nil || b.gradientNode != nil else { return y }
    return y.recorded("matmul", [a, b],
                      pullback: DerivativeRules.matmul(a, b, transposeA: transposeA, transposeB: transposeB))
}
