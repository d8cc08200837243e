// Matrix products by their definition, Cᵢⱼ = Σₚ op(A)ᵢₚ·op(B)ₚⱼ, and the fused softmax
// cross-entropy by its formula.

extension ReferenceBackend {
    func matmul(_ a: Tensor, _ b: Tensor, _ product: MatrixProduct) -> Tensor {
        func run<T: FloatingPointScalar>(_: T.Type) -> Tensor {
            let (m, n, k) = (product.m, product.n, product.k)
            // op(X)[i][p] of the matrix that starts at `start`: X is stored [rows, columns] and
            // read transposed when asked.
            func element(_ x: Tensor, _ start: Int, transposed: Bool, _ i: Int, _ p: Int, rows: Int, columns: Int) -> T {
                transposed ? x.element(start + p * rows + i, as: T.self) : x.element(start + i * columns + p, as: T.self)
            }
            return make(product.shape, T.self) { index in
                let (matrix, position) = index.quotientAndRemainder(dividingBy: Swift.max(m * n, 1))
                let (i, j) = position.quotientAndRemainder(dividingBy: n)
                var sum: T = 0
                for p in 0..<k {
                    sum += element(a, matrix * product.strideA, transposed: product.transposeA, i, p, rows: m, columns: k)
                        * element(b, matrix * product.strideB, transposed: product.transposeB, p, j, rows: k, columns: n)
                }
                return sum
            }
        }
        return floating(a.dtype) { run($0) }
    }

    func linear(_ x: Tensor, weight: Tensor, bias: Tensor?, activation: LinearActivation) -> Tensor {
        func run<T: FloatingPointScalar>(_: T.Type) -> Tensor {
            let (k, m) = (x.shape[1], weight.shape[0])
            return make([x.shape[0], m], T.self) { index in
                let (row, output) = index.quotientAndRemainder(dividingBy: m)
                var sum: T = bias?.element(output, as: T.self) ?? 0
                for p in 0..<k { sum += x.element(row * k + p, as: T.self) * weight.element(output * k + p, as: T.self) }
                switch activation {
                case .identity: return sum
                case .relu: return sum > 0 ? sum : 0
                }
            }
        }
        return floating(x.dtype) { run($0) }
    }

    func softmaxCrossEntropy(logits: Tensor, labels: Tensor) -> (losses: Tensor, probabilities: Tensor) {
        func run<T: FloatingPointScalar>(_: T.Type) -> (Tensor, Tensor) {
            let (rows, classes) = (logits.shape[0], logits.shape[1])
            func x(_ row: Int, _ c: Int) -> T { logits.element(row * classes + c, as: T.self) }
            // m = max x (subtracted so that no exponential overflows), s = Σ exp(x − m).
            func shiftAndSum(_ row: Int) -> (T, T) {
                var m = -T.infinity
                for c in 0..<classes where x(row, c) > m || x(row, c).isNaN { m = x(row, c) }
                var s: T = 0
                for c in 0..<classes { s += T.exp(x(row, c) - m) }
                return (m, s)
            }
            let losses = make([rows], T.self) { row in
                let (m, s) = shiftAndSum(row)
                precondition(Int(labels.element(row, as: Int32.self)) < classes && labels.element(row, as: Int32.self) >= 0,
                             "softmaxCrossEntropy: label \(labels.element(row, as: Int32.self)) of example \(row) is out of range 0..<\(classes)")
                return (m + T.log(s)) - x(row, Int(labels.element(row, as: Int32.self)))
            }
            let probabilities = make([rows, classes], T.self) { index in
                let (row, c) = index.quotientAndRemainder(dividingBy: classes)
                let (m, s) = shiftAndSum(row)
                return T.exp(x(row, c) - m) / s
            }
            return (losses, probabilities)
        }
        return floating(logits.dtype) { run($0) }
    }

    func softmaxCrossEntropyGradient(probabilities: Tensor, labels: Tensor, upstream: Tensor) -> Tensor {
        func run<T: FloatingPointScalar>(_: T.Type) -> Tensor {
            let classes = probabilities.shape[1]
            return make(probabilities.shape, T.self) { index in
                let (row, c) = index.quotientAndRemainder(dividingBy: classes)
                let isLabel: T = Int(labels.element(row, as: Int32.self)) == c ? 1 : 0
                return (probabilities.element(index, as: T.self) - isLabel) * upstream.element(row, as: T.self)
            }
        }
        return floating(probabilities.dtype) { run($0) }
    }
}
