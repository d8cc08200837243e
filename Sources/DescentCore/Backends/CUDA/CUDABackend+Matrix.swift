import CDescentCUDA

// Matrix products with cuBLAS, and the fused softmax cross-entropy.

extension CUDABackend {
    func matmul(_ a: Tensor, _ b: Tensor, _ product: MatrixProduct) -> Tensor {
        let (m, n, k) = (product.m, product.n, product.k)
        guard product.batch > 0, m > 0, n > 0 else { return empty(product.shape, a.dtype) }
        guard k > 0 else { return zeros(product.shape, a.dtype) }
        let y = empty(product.shape, a.dtype)
        gemm(a.dtype, transposeA: product.transposeA, transposeB: product.transposeB, m: m, n: n, k: k,
             a: a.storage.address, strideA: product.strideA, b: b.storage.address, strideB: product.strideB,
             c: y.storage.address, strideC: m * n, batch: product.batch)
        return y
    }

    /// Row-major `C = op(A)·op(B)` (plus the old C when `accumulating`) for `batch` matrices at
    /// the given element strides, on device addresses: `op(A)` is m×k, `op(B)` k×n, every
    /// matrix contiguous (A's rows are k long, or m when transposed; B's n, or k).
    ///
    /// cuBLAS is column-major and Descent row-major: a row-major C = op(A)·op(B) is the
    /// column-major Cᵀ = op(B)ᵀ·op(A)ᵀ, so the operands go in swapped, each read as the
    /// transpose of its row-major storage.
    func gemm(_ dtype: DType, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
              a: UInt64, strideA: Int, b: UInt64, strideB: Int, c: UInt64, strideC: Int, batch: Int,
              accumulating: Bool = false) {
        let operationA = Int32(transposeA ? DCUBLAS_OP_T : DCUBLAS_OP_N)
        let operationB = Int32(transposeB ? DCUBLAS_OP_T : DCUBLAS_OP_N)
        let leadingA = Int32(transposeA ? m : k), leadingB = Int32(transposeB ? k : n)
        let pointerA = UnsafeRawPointer(bitPattern: UInt(a)), pointerB = UnsafeRawPointer(bitPattern: UInt(b))
        let pointerC = UnsafeMutableRawPointer(bitPattern: UInt(c))
        func queue() -> DcublasStatus {
            context.blasLock.withLock { _ in
                context.makeCurrent()
                if dtype == .float32 {
                    var (alpha, beta): (Float, Float) = (1, accumulating ? 1 : 0)
                    return context.blas.sgemmStridedBatched(
                        context.blasHandle, operationB, operationA, Int32(n), Int32(m), Int32(k), &alpha,
                        pointerB?.assumingMemoryBound(to: Float.self), leadingB, Int64(strideB),
                        pointerA?.assumingMemoryBound(to: Float.self), leadingA, Int64(strideA),
                        &beta, pointerC?.assumingMemoryBound(to: Float.self), Int32(n), Int64(strideC), Int32(batch))
                } else {
                    var (alpha, beta): (Double, Double) = (1, accumulating ? 1 : 0)
                    return context.blas.dgemmStridedBatched(
                        context.blasHandle, operationB, operationA, Int32(n), Int32(m), Int32(k), &alpha,
                        pointerB?.assumingMemoryBound(to: Double.self), leadingB, Int64(strideB),
                        pointerA?.assumingMemoryBound(to: Double.self), leadingA, Int64(strideA),
                        &beta, pointerC?.assumingMemoryBound(to: Double.self), Int32(n), Int64(strideC), Int32(batch))
                }
            }
        }
        var status: DcublasStatus = 0
        if CUDAProfile.isEnabled {
            CUDAProfile.measure("cuBLAS \(dtype == .float32 ? "s" : "d")gemm \(transposeA ? "T" : "N")\(transposeB ? "T" : "N") "
                                + "\(m)×\(n)×\(k)\(batch > 1 ? " ×\(batch)" : "")\(accumulating ? " +C" : "")", on: context) {
                status = queue()
            }
        } else {
            status = queue()
        }
        do throws(CUDAError) {
            try context.blas.check(status, "cublas\(dtype == .float32 ? "S" : "D")gemmStridedBatched(\(m)×\(n)×\(k), batch \(batch))")
        } catch {
            fatalError("\(error)")
        }
        if context.synchronizesEveryLaunch { context.synchronize() }
    }

    /// The most rows, and the longest rows, that ``linear(_:weight:bias:activation:)`` computes with
    /// one kernel of dot products (`linear_rows`) rather than cuBLAS: batch-1 inference (W4) is
    /// then one launch per layer; beyond them, cuBLAS's tiles share each load among many
    /// outputs, and a block per output would read W once for every row.
    static let dotProductRows = (rows: 8, length: 8_192)

    /// For a few rows, one kernel: a dot product per output, with the bias and the activation.
    /// Otherwise cuBLAS's product, then the bias and the activation in one kernel of their own (a
    /// fused epilogue, cuBLASLt's, is not used yet).
    func linear(_ x: Tensor, weight: Tensor, bias: Tensor?, activation: LinearActivation) -> Tensor {
        let (rows, k, outputs) = (x.shape[0], x.shape[1], weight.shape[0])
        if rows <= Self.dotProductRows.rows, k <= Self.dotProductRows.length {
            let y = empty([rows, outputs], x.dtype)
            // A block of 256 threads per output.
            context.launch("linear_rows_\(Self.suffix(x.dtype))", in: .reduction, count: y.scalarCount * 256,
                           [x.cudaArgument, weight.cudaArgument, bias?.cudaArgument ?? .pointer(0), .int32(bias == nil ? 0 : 1),
                            .int32(activation == .relu ? 1 : 0), y.cudaArgument, .int64(Int64(rows)), .int64(Int64(outputs)),
                            .int64(Int64(k))])
            return y
        }
        let product = MatrixProduct(transposeA: false, transposeB: true, batch: 1, m: rows, n: outputs, k: k,
                                    strideA: 0, strideB: 0, shape: [rows, outputs])
        let y = matmul(x, weight, product)
        guard let bias else { return activation == .relu ? unary(.relu, y) : y }
        context.launch("add_bias_\(Self.suffix(x.dtype))", in: .matrix, count: y.scalarCount,
                       [y.cudaArgument, bias.cudaArgument, .int64(Int64(y.scalarCount)), .int64(Int64(outputs)),
                        .int32(activation == .relu ? 1 : 0)])
        return y
    }

    func softmaxCrossEntropy(logits: Tensor, labels: Tensor) -> (losses: Tensor, probabilities: Tensor) {
        let (rows, classes) = (logits.shape[0], logits.shape[1])
        let losses = empty([rows], logits.dtype), probabilities = empty(logits.shape, logits.dtype)
        context.launch("softmax_cross_entropy_\(Self.suffix(logits.dtype))", in: .matrix, count: rows,
                       [logits.cudaArgument, labels.cudaArgument, losses.cudaArgument, probabilities.cudaArgument,
                        .int64(Int64(rows)), .int64(Int64(classes))])
        return (losses, probabilities)
    }

    func softmaxCrossEntropyGradient(probabilities: Tensor, labels: Tensor, upstream: Tensor) -> Tensor {
        let y = empty(probabilities.shape, probabilities.dtype)
        context.launch("softmax_cross_entropy_gradient_\(Self.suffix(probabilities.dtype))", in: .matrix,
                       count: y.scalarCount,
                       [probabilities.cudaArgument, labels.cudaArgument, upstream.cudaArgument, y.cudaArgument,
                        .int64(Int64(y.scalarCount)), .int64(Int64(probabilities.shape[1]))])
        return y
    }
}
