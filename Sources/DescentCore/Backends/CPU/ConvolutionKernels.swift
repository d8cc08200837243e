// The 2-D convolution on the CPU as matrix products: each example's input windows are copied
// into the columns of a matrix (im2col), so that one group's convolution is one GEMM with its
// weights, and the threaded GEMM does the arithmetic. The input gradient is the transposed
// product scattered back onto the input (col2im); the weight gradient is the product of the
// upstream gradient with the same columns, accumulated over the batch.

extension CPUBackend {
    func conv2d(_ input: Tensor, weight: Tensor, bias: Tensor?, _ geometry: Conv2dGeometry) -> Tensor {
        func run<T: FloatingPointScalar>(_: T.Type) -> Tensor {
            let s = geometry
            let (rows, columns) = (s.im2colRows, s.outHeight * s.outWidth)
            let output = TensorStorage(uninitializedCount: s.outputShape.reduce(1, *), dtype: T.dtype, device: .cpu)
            let x = UnsafePointer(input.storage.typed(T.self)), w = UnsafePointer(weight.storage.typed(T.self))
            let b = bias.map { UnsafePointer($0.storage.typed(T.self)) }
            let y = output.typed(T.self)
            let matrix = UnsafeMutablePointer<T>.allocate(capacity: Swift.max(rows * columns, 1))
            defer { matrix.deallocate() }
            for n in 0..<s.batch {
                for group in 0..<s.groups {
                    s.im2col(x + (n * s.inChannels + group * s.groupInChannels) * s.height * s.width, into: matrix)
                    let block = y + (n * s.outChannels + group * s.groupOutChannels) * columns
                    // The bias is per output channel, a row of this product (GEMM's fused bias is
                    // per column): each row starts as its bias and the product accumulates onto it.
                    if let b {
                        for row in 0..<s.groupOutChannels {
                            (block + row * columns).initialize(repeating: b[group * s.groupOutChannels + row], count: columns)
                        }
                    }
                    GEMM.multiply(transposeA: false, transposeB: false, m: s.groupOutChannels, n: columns, k: rows,
                                  a: w + group * s.groupOutChannels * rows, lda: rows, b: matrix, ldb: columns,
                                  c: block, ldc: columns, beta: b == nil ? 0 : 1)
                }
            }
            return Tensor(shape: s.outputShape, storage: output)
        }
        return input.dtype == .float32 ? run(Float.self) : run(Double.self)
    }

    func conv2dInputGradient(_ upstream: Tensor, weight: Tensor, _ geometry: Conv2dGeometry) -> Tensor {
        func run<T: FloatingPointScalar>(_: T.Type) -> Tensor {
            let s = geometry
            let (rows, columns) = (s.im2colRows, s.outHeight * s.outWidth)
            // Zeroed: col2im adds into it, and padding positions receive nothing.
            let output = TensorStorage(zeroedCount: s.inputShape.reduce(1, *), dtype: T.dtype, device: .cpu)
            let g = UnsafePointer(upstream.storage.typed(T.self)), w = UnsafePointer(weight.storage.typed(T.self))
            let xGradient = output.typed(T.self)
            let matrix = UnsafeMutablePointer<T>.allocate(capacity: Swift.max(rows * columns, 1))
            defer { matrix.deallocate() }
            for n in 0..<s.batch {
                for group in 0..<s.groups {
                    // The columns' gradient, Wᵀ·Ḡ: [rows, opg]·[opg, columns].
                    GEMM.multiply(transposeA: true, transposeB: false, m: rows, n: columns, k: s.groupOutChannels,
                                  a: w + group * s.groupOutChannels * rows, lda: rows,
                                  b: g + (n * s.outChannels + group * s.groupOutChannels) * columns, ldb: columns,
                                  c: matrix, ldc: columns, beta: 0)
                    s.col2imAdding(matrix, into: xGradient + (n * s.inChannels + group * s.groupInChannels) * s.height * s.width)
                }
            }
            return Tensor(shape: s.inputShape, storage: output)
        }
        return upstream.dtype == .float32 ? run(Float.self) : run(Double.self)
    }

    func conv2dWeightGradient(_ upstream: Tensor, input: Tensor, _ geometry: Conv2dGeometry) -> Tensor {
        func run<T: FloatingPointScalar>(_: T.Type) -> Tensor {
            let s = geometry
            let (rows, columns) = (s.im2colRows, s.outHeight * s.outWidth)
            // Zeroed, so that every example's product accumulates (β = 1) and an empty batch
            // gives zeros.
            let output = TensorStorage(zeroedCount: s.weightShape.reduce(1, *), dtype: T.dtype, device: .cpu)
            let g = UnsafePointer(upstream.storage.typed(T.self)), x = UnsafePointer(input.storage.typed(T.self))
            let wGradient = output.typed(T.self)
            let matrix = UnsafeMutablePointer<T>.allocate(capacity: Swift.max(rows * columns, 1))
            defer { matrix.deallocate() }
            for n in 0..<s.batch {
                for group in 0..<s.groups {
                    s.im2col(x + (n * s.inChannels + group * s.groupInChannels) * s.height * s.width, into: matrix)
                    // W̄ += Ḡ·columnsᵀ: [opg, columns]·[columns, rows].
                    GEMM.multiply(transposeA: false, transposeB: true, m: s.groupOutChannels, n: rows, k: columns,
                                  a: g + (n * s.outChannels + group * s.groupOutChannels) * columns, lda: columns,
                                  b: matrix, ldb: columns,
                                  c: wGradient + group * s.groupOutChannels * rows, ldc: rows, beta: 1)
                }
            }
            return Tensor(shape: s.weightShape, storage: output)
        }
        return upstream.dtype == .float32 ? run(Float.self) : run(Double.self)
    }
}

extension Conv2dGeometry {
    /// The rows of one group's im2col matrix: one per weight of an output channel, (c, p, q) in
    /// the weight's own order, so that the weights [opg, C/G·kH·kW] multiply it as they are stored.
    var im2colRows: Int { groupInChannels * kernelHeight * kernelWidth }

    /// Calls `body(row, p, q, c)` for each row of the im2col matrix.
    @inline(__always)
    private func forEachRow(_ body: (_ row: Int, _ c: Int, _ p: Int, _ q: Int) -> Void) {
        var row = 0
        for c in 0..<groupInChannels {
            for p in 0..<kernelHeight {
                for q in 0..<kernelWidth {
                    body(row, c, p, q)
                    row += 1
                }
            }
        }
    }

    /// Copies the windows of one group's channels of one example (`x`: [C/G, H, W]) into
    /// `matrix` [im2colRows, H′·W′]: row (c, p, q), column (i, j) holds
    /// x[c, i·sy − pt + p·dy, j·sx − pl + q·dx], or 0 in the padding.
    func im2col<T: FloatingPointScalar>(_ x: UnsafePointer<T>, into matrix: UnsafeMutablePointer<T>) {
        let columns = outHeight * outWidth
        forEachRow { row, c, p, q in
            let channel = x + c * height * width
            var destination = matrix + row * columns
            for i in 0..<outHeight {
                let r = i * strideY - padTop + p * dilationY
                guard r >= 0 && r < height else {
                    destination.initialize(repeating: 0, count: outWidth)
                    destination += outWidth
                    continue
                }
                let source = channel + r * width
                for j in 0..<outWidth {
                    let t = j * strideX - padLeft + q * dilationX
                    destination[j] = t >= 0 && t < width ? source[t] : 0
                }
                destination += outWidth
            }
        }
    }

    /// The reverse of ``im2col(_:into:)`` for gradients: each element of `matrix` is added to
    /// the input position it was copied from (padding positions are dropped), into `x` [C/G, H, W].
    func col2imAdding<T: FloatingPointScalar>(_ matrix: UnsafePointer<T>, into x: UnsafeMutablePointer<T>) {
        let columns = outHeight * outWidth
        forEachRow { row, c, p, q in
            let channel = x + c * height * width
            var source = matrix + row * columns
            for i in 0..<outHeight {
                let r = i * strideY - padTop + p * dilationY
                defer { source += outWidth }
                guard r >= 0 && r < height else { continue }
                let destination = channel + r * width
                for j in 0..<outWidth {
                    let t = j * strideX - padLeft + q * dilationX
                    if t >= 0 && t < width { destination[t] += source[j] }
                }
            }
        }
    }
}
