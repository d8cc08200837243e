// The matrix products: every dense layer's forward and backward pass, through the C GEMM.

extension CPUBackend {
    func matmul(_ a: Tensor, _ b: Tensor, _ product: MatrixProduct) -> Tensor {
        func run<T: FloatingPointScalar>(_: T.Type) -> Tensor {
            let (m, n, k) = (product.m, product.n, product.k)
            let output = TensorStorage(uninitializedCount: product.batch * m * n, dtype: T.dtype, device: .cpu)
            let pa = UnsafePointer(a.storage.typed(T.self)), pb = UnsafePointer(b.storage.typed(T.self))
            let pc = output.typed(T.self)
            for index in 0..<product.batch {
                GEMM.multiply(transposeA: product.transposeA, transposeB: product.transposeB, m: m, n: n, k: k,
                              a: pa + index * product.strideA, lda: product.transposeA ? m : k,
                              b: pb + index * product.strideB, ldb: product.transposeB ? k : n,
                              c: pc + index * m * n, ldc: n, beta: 0)
            }
            return Tensor(shape: product.shape, storage: output)
        }
        return a.dtype == .float32 ? run(Float.self) : run(Double.self)
    }

    func linear(_ x: Tensor, weight: Tensor, bias: Tensor?, activation: LinearActivation) -> Tensor {
        func run<T: FloatingPointScalar>(_: T.Type) -> Tensor {
            let (n, k, m) = (x.shape[0], x.shape[1], weight.shape[0])
            let output = TensorStorage(uninitializedCount: n * m, dtype: T.dtype, device: .cpu)
            // The micro-kernels add the bias and apply the activation to each tile of the
            // output before they store it: the output is written once.
            GEMM.multiply(transposeA: false, transposeB: true, m: n, n: m, k: k,
                          a: x.storage.typed(T.self), lda: k, b: weight.storage.typed(T.self), ldb: k,
                          c: output.typed(T.self), ldc: m, beta: 0, bias: bias.map { UnsafePointer($0.storage.typed(T.self)) },
                          activation: activation)
            return Tensor(shape: [n, m], storage: output)
        }
        return x.dtype == .float32 ? run(Float.self) : run(Double.self)
    }
}
