/// General matrix multiply, C ← op(A)·op(B) + β·C, on row-major matrices with leading
/// dimensions (the distance between rows) `lda`, `ldb`, `ldc`. op(X) is X or Xᵀ.
///
/// This is the hot path of training: every Dense layer's forward and backward pass is one call.
enum GEMM {
    static func multiply<T: FloatingPointScalar>(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
        c: UnsafeMutablePointer<T>, ldc: Int, beta: T
    ) {
        reference(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                  a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc, beta: beta)
    }

    /// The textbook definition, Cᵢⱼ = Σₚ op(A)ᵢₚ·op(B)ₚⱼ: the yardstick the fast kernels are
    /// tested against.
    static func reference<T: FloatingPointScalar>(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
        c: UnsafeMutablePointer<T>, ldc: Int, beta: T
    ) {
        for i in 0..<m {
            let row = c + i * ldc
            for j in 0..<n { row[j] = beta == 0 ? 0 : beta * row[j] }
            for p in 0..<k {
                let aip = transposeA ? a[p * lda + i] : a[i * lda + p]
                if transposeB {
                    for j in 0..<n { row[j] += aip * b[j * ldb + p] }
                } else {
                    let bRow = b + p * ldb
                    for j in 0..<n { row[j] += aip * bRow[j] }
                }
            }
        }
    }
}
