// The 2-D convolution on the CPU as matrix products: each example's input windows are copied
// into the columns of a matrix (im2col), so that one group's convolution is one GEMM with its
// weights. The input gradient is the transposed product scattered back onto the input (col2im);
// the weight gradient is the product of the upstream gradient with the same columns, accumulated
// over the batch.
//
// Threads split the batch, not the products: each thread takes a contiguous run of examples and
// does their im2col, GEMMs (single-threaded) and col2im with its own scratch matrix. Splitting
// each product instead left im2col and col2im (a third of a small convolution's time) on one
// thread and paid a fork and join per example and group; per-example products of a convolution
// layer (64×576×288 in the MNIST example) are large enough for the GEMM to run near its peak on
// one thread. A batch smaller than the thread count (batch-1 inference) keeps the threaded GEMM.
// Examples with small outputs (7×7) go into one product several at a time, their matrices side
// by side (`examplesPerProduct`).
//
// 3×3 convolutions with stride 1 in float32 take Winograd's shorter way instead (see
// WinogradConvolution.swift), dilated ones too, through the input's phases
// (DilatedConvolution.swift), and larger filters as 3×3 blocks (BlockedFilterConvolution.swift);
// depthwise convolutions take a direct one (DepthwiseConvolution.swift).

extension CPUBackend {
    /// Runs `body(examples, scratch)` over the batch, split into contiguous runs of examples,
    /// one per thread, each with its own `scratchCount`-element scratch buffer (from the buffer
    /// pool, so that steady-state training allocates nothing). `body` gets `gemmThreads`: 1 when
    /// the batch is split (the threads are busy), all threads otherwise.
    func forEachExampleRun<T: FloatingPointScalar>(
        _ geometry: Conv2dGeometry, scratchCount: Int, _: T.Type,
        _ body: (_ examples: Range<Int>, _ part: Int, _ scratch: UnsafeMutablePointer<T>, _ gemmThreads: Int) -> Void
    ) {
        let s = geometry
        let threads = ThreadCount.current
        let parts = exampleRunCount(s)
        let byteCount = Swift.max(scratchCount, 1) * MemoryLayout<T>.stride
        guard parts > 1 else {
            let scratch = BufferPool.allocate(byteCount: byteCount).bindMemory(to: T.self, capacity: Swift.max(scratchCount, 1))
            defer { BufferPool.deallocate(scratch, byteCount: byteCount) }
            body(0..<s.batch, 0, scratch, s.batch == 1 ? threads : 1)
            return
        }
        let runLength = (s.batch + parts - 1) / parts
        WorkerPool.shared.run(parts) { part in
            let examples = (part * runLength)..<Swift.min(s.batch, (part + 1) * runLength)
            guard !examples.isEmpty else { return }
            let scratch = BufferPool.allocate(byteCount: byteCount).bindMemory(to: T.self, capacity: Swift.max(scratchCount, 1))
            defer { BufferPool.deallocate(scratch, byteCount: byteCount) }
            body(examples, part, scratch, 1)
        }
    }

    /// The number of parts ``forEachExampleRun(_:scratchCount:_:_:)`` will cut the batch into.
    func exampleRunCount(_ s: Conv2dGeometry) -> Int {
        let threads = ThreadCount.current
        // A convolution too small to be worth a second thread is not split (GEMM's rule).
        let multiplyAdds = Double(s.batch) * Double(s.outChannels) * Double(s.im2colRows) * Double(s.outHeight * s.outWidth)
        return min(threads, s.batch, max(1, Int(min(multiplyAdds / Double(GEMM.multiplyAddsPerThread), Double(threads)))))
    }

    /// Every path applies the activation to its output while it is in cache: the matrix
    /// multiply to each tile, Winograd's and the depthwise kernels to each output plane.
    func conv2d(_ input: Tensor, weight: Tensor, bias: Tensor?, _ geometry: Conv2dGeometry,
                activation: LinearActivation) -> Tensor {
        if input.dtype == .float32, geometry.usesWinograd {
            return winogradConv2d(input, weight: weight, bias: bias, geometry, activation: activation)
        }
        if input.dtype == .float32, let phases = geometry.phaseConvolution {
            let d = geometry.dilationY
            return mergePhases(conv2d(splitPhases(input, factor: d), weight: weight, bias: bias, phases, activation: activation),
                               factor: d)
        }
        if input.dtype == .float32, geometry.blockConvolution != nil {
            return blockConv2d(input, weight: weight, bias: bias, geometry, activation: activation)
        }
        if geometry.usesDepthwiseKernel {
            return depthwiseConv2d(input, weight: weight, bias: bias, geometry, activation: activation)
        }
        func run<T: FloatingPointScalar>(_: T.Type) -> Tensor {
            let s = geometry
            let (rows, columns, together) = (s.im2colRows, s.outHeight * s.outWidth, s.examplesPerProduct)
            let ld = together * columns  // the row stride of the side-by-side matrices
            let output = TensorStorage(uninitializedCount: s.outputShape.reduce(1, *), dtype: T.dtype, device: .cpu)
            let x = UnsafePointer(input.storage.typed(T.self)), w = UnsafePointer(weight.storage.typed(T.self))
            let b = bias.map { UnsafePointer($0.storage.typed(T.self)) }
            let y = output.typed(T.self)
            // A 1×1 convolution with stride 1 and no padding reads its input as the matrix
            // itself: no im2col copy.
            let direct = s.isPointwise
            let productCount = together > 1 ? s.groupOutChannels * ld : 0
            forEachExampleRun(s, scratchCount: direct ? 0 : rows * ld + productCount, T.self) { examples, _, scratch, gemmThreads in
                let (matrix, product) = (scratch, scratch + rows * ld)
                for start in stride(from: examples.lowerBound, to: examples.upperBound, by: together) {
                    let count = min(together, examples.upperBound - start)
                    for group in 0..<s.groups {
                        func image(_ n: Int) -> UnsafePointer<T> {
                            x + (n * s.inChannels + group * s.groupInChannels) * s.height * s.width
                        }
                        func block(_ n: Int) -> UnsafeMutablePointer<T> {
                            y + (n * s.outChannels + group * s.groupOutChannels) * columns
                        }
                        if !direct {
                            for e in 0..<count { s.im2col(image(start + e), into: matrix + e * columns, rowStride: ld) }
                        }
                        // One example's product goes straight to its output; several side by
                        // side go to `product`, then each example's columns to its output.
                        let (target, ldc) = count == 1 ? (block(start), columns) : (product, ld)
                        // The bias is per output channel, a row of this product (GEMM's fused bias
                        // is per column): each row starts as its bias and the product accumulates
                        // onto it.
                        if let b {
                            for row in 0..<s.groupOutChannels {
                                (target + row * ldc).initialize(repeating: b[group * s.groupOutChannels + row],
                                                                count: count * columns)
                            }
                        }
                        GEMM.multiply(transposeA: false, transposeB: false, m: s.groupOutChannels, n: count * columns, k: rows,
                                      a: w + group * s.groupOutChannels * rows, lda: rows,
                                      b: direct ? image(start) : UnsafePointer(matrix), ldb: direct ? columns : ld,
                                      c: target, ldc: ldc, beta: b == nil ? 0 : 1, activation: activation,
                                      threads: gemmThreads)
                        guard count > 1 else { continue }
                        for e in 0..<count {
                            for row in 0..<s.groupOutChannels {
                                (block(start + e) + row * columns).initialize(from: product + row * ld + e * columns,
                                                                              count: columns)
                            }
                        }
                    }
                }
            }
            return Tensor(shape: s.outputShape, storage: output)
        }
        return input.dtype == .float32 ? run(Float.self) : run(Double.self)
    }

    func conv2dInputGradient(_ upstream: Tensor, weight: Tensor, _ geometry: Conv2dGeometry) -> Tensor {
        if upstream.dtype == .float32, geometry.usesWinogradForInputGradient {
            return winogradConv2dInputGradient(upstream, weight: weight, geometry)
        }
        if upstream.dtype == .float32, let phases = geometry.phaseConvolution {
            let d = geometry.dilationY
            return mergePhases(conv2dInputGradient(splitPhases(upstream, factor: d), weight: weight, phases), factor: d)
        }
        if upstream.dtype == .float32, geometry.blockConvolution != nil {
            return blockConv2dInputGradient(upstream, weight: weight, geometry)
        }
        if geometry.usesDepthwiseKernel { return depthwiseConv2dInputGradient(upstream, weight: weight, geometry) }
        func run<T: FloatingPointScalar>(_: T.Type) -> Tensor {
            let s = geometry
            let (rows, columns, together) = (s.im2colRows, s.outHeight * s.outWidth, s.examplesPerProduct)
            let ld = together * columns
            let direct = s.isPointwise
            // Zeroed where col2im adds into it (padding positions receive nothing); a pointwise
            // convolution's product writes every element.
            let count = s.inputShape.reduce(1, *)
            let output = direct ? TensorStorage(uninitializedCount: count, dtype: T.dtype, device: .cpu)
                : TensorStorage(zeroedCount: count, dtype: T.dtype, device: .cpu)
            let g = UnsafePointer(upstream.storage.typed(T.self)), w = UnsafePointer(weight.storage.typed(T.self))
            let xGradient = output.typed(T.self)
            let gatheredCount = together > 1 ? s.groupOutChannels * ld : 0
            forEachExampleRun(s, scratchCount: direct ? 0 : rows * ld + gatheredCount, T.self) { examples, _, scratch, gemmThreads in
                let (matrix, gathered) = (scratch, scratch + rows * ld)
                for start in stride(from: examples.lowerBound, to: examples.upperBound, by: together) {
                    let count = min(together, examples.upperBound - start)
                    for group in 0..<s.groups {
                        func image(_ n: Int) -> UnsafeMutablePointer<T> {
                            xGradient + (n * s.inChannels + group * s.groupInChannels) * s.height * s.width
                        }
                        let (gradient, ldg) = count == 1 ? (g + (start * s.outChannels + group * s.groupOutChannels) * columns, columns)
                            : (UnsafePointer(s.gatherOutputGradients(g, examples: start..<(start + count), group: group,
                                                                     into: gathered, rowStride: ld)), ld)
                        // The columns' gradient, Wᵀ·Ḡ: [rows, opg]·[opg, columns].
                        GEMM.multiply(transposeA: true, transposeB: false, m: rows, n: count * columns, k: s.groupOutChannels,
                                      a: w + group * s.groupOutChannels * rows, lda: rows, b: gradient, ldb: ldg,
                                      c: direct ? image(start) : matrix, ldc: direct ? columns : ld, beta: 0,
                                      threads: gemmThreads)
                        if !direct {
                            for e in 0..<count { s.col2imAdding(matrix + e * columns, rowStride: ld, into: image(start + e)) }
                        }
                    }
                }
            }
            return Tensor(shape: s.inputShape, storage: output)
        }
        return upstream.dtype == .float32 ? run(Float.self) : run(Double.self)
    }

    func conv2dWeightGradient(_ upstream: Tensor, input: Tensor, _ geometry: Conv2dGeometry) -> Tensor {
        if upstream.dtype == .float32, geometry.usesWinograd { return winogradConv2dWeightGradient(upstream, input: input, geometry) }
        if upstream.dtype == .float32, let phases = geometry.phaseConvolution {
            let d = geometry.dilationY
            return conv2dWeightGradient(splitPhases(upstream, factor: d), input: splitPhases(input, factor: d), phases)
        }
        if upstream.dtype == .float32, geometry.blockConvolution != nil {
            return blockConv2dWeightGradient(upstream, input: input, geometry)
        }
        if geometry.usesDepthwiseKernel { return depthwiseConv2dWeightGradient(upstream, input: input, geometry) }
        func run<T: FloatingPointScalar>(_: T.Type) -> Tensor {
            let s = geometry
            let (rows, columns) = (s.im2colRows, s.outHeight * s.outWidth)
            let direct = s.isPointwise
            let weightCount = s.weightShape.reduce(1, *)
            // Zeroed, so that every example's product accumulates (β = 1) and an empty batch
            // gives zeros.
            let output = TensorStorage(zeroedCount: weightCount, dtype: T.dtype, device: .cpu)
            let g = UnsafePointer(upstream.storage.typed(T.self)), x = UnsafePointer(input.storage.typed(T.self))
            let wGradient = output.typed(T.self)
            // Each run of examples sums into its own gradient (part 0 into the output, the others
            // into partial sums after their scratch matrix), added up in part order at the end,
            // so that the threads never write the same memory and the result does not depend on
            // which thread finishes first.
            let parts = exampleRunCount(s)
            let partials = parts > 1 ? UnsafeMutablePointer<T>.allocate(capacity: (parts - 1) * weightCount) : nil
            partials?.initialize(repeating: 0, count: (parts - 1) * weightCount)
            defer { partials?.deallocate() }
            let together = s.examplesPerProduct, ld = together * columns
            let gatheredCount = together > 1 ? s.groupOutChannels * ld : 0
            forEachExampleRun(s, scratchCount: direct ? 0 : rows * ld + gatheredCount, T.self) { examples, part, scratch, gemmThreads in
                let (matrix, gathered) = (scratch, scratch + rows * ld)
                let sum = part == 0 ? wGradient : partials! + (part - 1) * weightCount
                for start in stride(from: examples.lowerBound, to: examples.upperBound, by: together) {
                    let count = min(together, examples.upperBound - start)
                    for group in 0..<s.groups {
                        func image(_ n: Int) -> UnsafePointer<T> {
                            x + (n * s.inChannels + group * s.groupInChannels) * s.height * s.width
                        }
                        if !direct {
                            for e in 0..<count { s.im2col(image(start + e), into: matrix + e * columns, rowStride: ld) }
                        }
                        let (gradient, ldg) = count == 1 ? (g + (start * s.outChannels + group * s.groupOutChannels) * columns, columns)
                            : (UnsafePointer(s.gatherOutputGradients(g, examples: start..<(start + count), group: group,
                                                                     into: gathered, rowStride: ld)), ld)
                        // W̄ += Ḡ·columnsᵀ: [opg, columns]·[columns, rows].
                        GEMM.multiply(transposeA: false, transposeB: true, m: s.groupOutChannels, n: rows, k: count * columns,
                                      a: gradient, lda: ldg,
                                      b: direct ? image(start) : UnsafePointer(matrix), ldb: direct ? columns : ld,
                                      c: sum + group * s.groupOutChannels * rows, ldc: rows, beta: 1, threads: gemmThreads)
                    }
                }
            }
            if let partials {
                for part in 0..<(parts - 1) {
                    let partial = partials + part * weightCount
                    for i in 0..<weightCount { wGradient[i] += partial[i] }
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

    /// How many examples' im2col matrices one product takes side by side: enough for about
    /// ``productColumns`` columns. An output of 7×7 alone is 49 columns, two of the
    /// micro-kernel's panels of 32 with the second mostly empty: a 64×1600·1600×49 product ran at
    /// 77 GFLOP/s on one Zen 4 core, five side by side (245 columns) at 100. One for a pointwise
    /// convolution, whose matrix is the input itself.
    var examplesPerProduct: Int {
        isPointwise ? 1 : Swift.max(1, Self.productColumns / Swift.max(1, outHeight * outWidth))
    }

    /// The columns a product of im2col matrices side by side aims for (see ``examplesPerProduct``).
    /// On one layer's step with 7×7 outputs (`descent-bench --workloads convolutions`), 256
    /// (5 examples) and 160 (3) took 10–12 % less time than one example at a time; 512 (10)
    /// took longer, its matrix well past the L2 cache.
    static let productColumns = 256

    /// The output's gradient of `examples` and one group, [opg, H′·W′] each, copied side by side
    /// into `matrix` [opg, examples·H′·W′] (rows `rowStride` apart); returns `matrix`.
    func gatherOutputGradients<T>(_ g: UnsafePointer<T>, examples: Range<Int>, group: Int,
                                  into matrix: UnsafeMutablePointer<T>, rowStride: Int) -> UnsafeMutablePointer<T> {
        let columns = outHeight * outWidth
        for (e, n) in examples.enumerated() {
            for row in 0..<groupOutChannels {
                (matrix + row * rowStride + e * columns).update(
                    from: g + (n * outChannels + group * groupOutChannels + row) * columns, count: columns)
            }
        }
        return matrix
    }

    /// Whether this is a 1×1 convolution with stride 1 and no padding, whose im2col matrix is
    /// the input itself.
    var isPointwise: Bool {
        kernelHeight == 1 && kernelWidth == 1 && strideY == 1 && strideX == 1
            && padTop == 0 && padLeft == 0 && padBottom == 0 && padRight == 0
    }

    /// The output columns j whose input column j·sx − pl + q·dx lies inside the input: the
    /// others read padding. Computed once per im2col row, so the copy loops test nothing.
    @inline(__always)
    private func validColumns(_ q: Int, outWidth: Int) -> Range<Int> {
        let offset = q * dilationX - padLeft  // the input column of output column 0
        // Padding wider than the output can put every column in it: then none is valid.
        let first = offset >= 0 ? 0 : Swift.min(outWidth, (-offset + strideX - 1) / strideX)
        let last = width - 1 - offset  // j·sx ≤ last
        let end = last < 0 ? 0 : Swift.min(outWidth, last / strideX + 1)
        return first..<Swift.max(first, end)
    }

    // MARK: Stride 2

    /// Whether im2col and col2im go through the input's four phases (see `im2colFromPhases`):
    /// stride 2 both ways without dilation, even input sizes, an output half the input's size
    /// (a 3×3 kernel with padding 1, say).
    private var splitsIntoPhases: Bool {
        strideX == 2 && strideY == 2 && dilationX == 1 && dilationY == 1 && height % 2 == 0 && width % 2 == 0
            && outHeight * 2 == height && outWidth * 2 == width
    }

    /// im2col with a stride of 2 (see `splitsIntoPhases`). Kernel row p reads input rows
    /// 2i + p − pt, all of one parity, and kernel column q columns of one parity: split into its
    /// four phases (its rows and columns of each parity, each the output's size), the input makes
    /// every im2col row a copy of one phase shifted by whole rows and columns, in one run as for
    /// stride 1. Gathering every other element instead, over output rows of 7 or 14, was a
    /// quarter of a stride-2 CNN's training step.
    private func im2colFromPhases<T: FloatingPointScalar>(_ x: UnsafePointer<T>, into matrix: UnsafeMutablePointer<T>,
                                                         rowStride: Int) {
        let plane = outHeight * outWidth
        let phases = UnsafeMutablePointer<T>.allocate(capacity: groupInChannels * 4 * plane)
        defer { phases.deallocate() }
        movePhases(of: UnsafeMutablePointer(mutating: x), to: phases, adding: false)
        forEachRow { row, c, p, q in
            let (phase, shift, columnShift, valid) = phaseRow(of: phases, c: c, p: p, q: q)
            copyLinedUpRows(phase + columnShift, shift: shift, sourceHeight: outHeight, valid: valid,
                            into: matrix + row * rowStride)
        }
    }

    /// The reverse of `im2colFromPhases` for gradients: each im2col row added into its phase,
    /// then the phases added into the input's gradient.
    private func col2imAddingThroughPhases<T: FloatingPointScalar>(_ matrix: UnsafeMutablePointer<T>, rowStride: Int,
                                                                  into x: UnsafeMutablePointer<T>) {
        let plane = outHeight * outWidth
        let phases = UnsafeMutablePointer<T>.allocate(capacity: groupInChannels * 4 * plane)
        defer { phases.deallocate() }
        phases.initialize(repeating: 0, count: groupInChannels * 4 * plane)
        forEachRow { row, c, p, q in
            let (phase, shift, columnShift, valid) = phaseRow(of: phases, c: c, p: p, q: q)
            addLinedUpRows(matrix + row * rowStride, shift: shift, sourceHeight: outHeight, valid: valid,
                           into: phase + columnShift)
        }
        movePhases(of: x, to: phases, adding: true)
    }

    /// For im2col row (c, p, q): its phase of channel c, the phase row that output row 0 reads
    /// (the shift), the phase column that output column 0 reads, and the output columns whose
    /// phase column lies inside the phase.
    @inline(__always)
    private func phaseRow<T>(of phases: UnsafeMutablePointer<T>, c: Int, p: Int, q: Int)
        -> (phase: UnsafeMutablePointer<T>, shift: Int, columnShift: Int, valid: Range<Int>) {
        // Input row 2i + p − pt is row i + ⌊(p − pt)/2⌋ of the phase of parity (p − pt) mod 2.
        let (row, column) = (p - padTop, q - padLeft)
        let phase = phases + ((c * 2 + (row & 1)) * 2 + (column & 1)) * outHeight * outWidth
        let columnShift = column >> 1
        let first = Swift.max(0, -columnShift), end = Swift.min(outWidth, outWidth - columnShift)
        return (phase, row >> 1, columnShift, first..<Swift.max(first, end))
    }

    /// Splits one example's channels [C/G, H, W] into their phases [C/G, 2, 2, H/2, W/2] (phase
    /// (a, b) holding rows 2u + a and columns 2v + b), or, with `adding`, adds the phases back
    /// into the channels.
    private func movePhases<T: FloatingPointScalar>(of x: UnsafeMutablePointer<T>, to phases: UnsafeMutablePointer<T>,
                                                   adding: Bool) {
        let (halfWidth, plane) = (outWidth, outHeight * outWidth)
        for c in 0..<groupInChannels {
            for r in 0..<height {
                let line = x + (c * height + r) * width
                let even = phases + ((c * 2 + (r & 1)) * 2) * plane + (r >> 1) * halfWidth, odd = even + plane
                if adding {
                    for v in 0..<halfWidth {
                        line[2 &* v] += even[v]
                        line[2 &* v &+ 1] += odd[v]
                    }
                } else {
                    for v in 0..<halfWidth {
                        even[v] = line[2 &* v]
                        odd[v] = line[2 &* v &+ 1]
                    }
                }
            }
        }
    }

    /// The output rows i whose input row i·sy − pt + p·dy lies inside the input (see
    /// `validColumns`).
    @inline(__always)
    private func validRows(_ p: Int, outHeight: Int) -> Range<Int> {
        let offset = p * dilationY - padTop  // the input row of output row 0
        let first = offset >= 0 ? 0 : Swift.min(outHeight, (-offset + strideY - 1) / strideY)
        let last = height - 1 - offset  // i·sy ≤ last
        let end = last < 0 ? 0 : Swift.min(outHeight, last / strideY + 1)
        return first..<Swift.max(first, end)
    }

    /// Copies the windows of one group's channels of one example (`x`: [C/G, H, W]) into
    /// `matrix` [im2colRows, H′·W′]: row (c, p, q), column (i, j) holds
    /// x[c, i·sy − pt + p·dy, j·sx − pl + q·dx], or 0 in the padding.
    func im2col<T: FloatingPointScalar>(_ x: UnsafePointer<T>, into matrix: UnsafeMutablePointer<T>, rowStride: Int? = nil) {
        let rowStride = rowStride ?? outHeight * outWidth
        if splitsIntoPhases { return im2colFromPhases(x, into: matrix, rowStride: rowStride) }
        // The output's size once: computed properties, each a division, that the loops below
        // would otherwise call for every output row.
        let (outHeight, outWidth) = (self.outHeight, self.outWidth)
        // With stride 1 and an output as wide as the input (padding "same"), output row i of an
        // im2col row reads input row i + shift, and consecutive rows lie the same distance apart
        // on both sides: one copy serves them all, then the columns that read padding are zeroed.
        // Row by row, a 5×5 convolution of 14×14 images made three library calls of a few
        // elements each per output row, a quarter of its training step.
        let rowsLineUp = strideX == 1 && strideY == 1 && outWidth == width
        forEachRow { row, c, p, q in
            let channel = x + c * height * width
            var destination = matrix + row * rowStride
            let valid = validColumns(q, outWidth: outWidth)
            let offset = q * dilationX - padLeft
            if rowsLineUp {
                copyLinedUpRows(channel + offset, shift: p * dilationY - padTop, sourceHeight: height, valid: valid,
                                into: destination)
                return
            }
            // Output rows are short here (7 or 14 elements after a stride of 2): plain loops
            // without overflow checks, not library calls that cost more than the copy, and a
            // stride of 2 as a constant, whose loads the compiler vectorizes.
            let rows = validRows(p, outHeight: outHeight)
            for j in 0..<(rows.lowerBound &* outWidth) { destination[j] = 0 }
            destination += rows.lowerBound &* outWidth
            for i in rows {
                let inputRow: Int = i &* strideY &- padTop &+ p &* dilationY
                let source = channel + (inputRow &* width &+ offset)
                for j in 0..<valid.lowerBound { destination[j] = 0 }
                switch strideX {
                case 1: for j in valid { destination[j] = source[j] }
                case 2: for j in valid { destination[j] = source[j &* 2] }
                default: for j in valid { destination[j] = source[j &* strideX] }
                }
                for j in valid.upperBound..<outWidth { destination[j] = 0 }
                destination += outWidth
            }
            for j in 0..<((outHeight &- rows.upperBound) &* outWidth) { destination[j] = 0 }
        }
    }

    /// One im2col row when input and output rows line up (stride 1, `outWidth == width`; or a
    /// phase of the input, see `im2colFromPhases`): `source` is the input channel (rows of
    /// `outWidth`, `sourceHeight` of them) shifted by the row's column offset, and output row i
    /// reads its row i + `shift`.
    @inline(__always)
    private func copyLinedUpRows<T: FloatingPointScalar>(_ source: UnsafePointer<T>, shift: Int, sourceHeight: Int,
                                                         valid: Range<Int>, into destination: UnsafeMutablePointer<T>) {
        let first = Swift.max(0, -shift), end = Swift.min(outHeight, sourceHeight - shift)
        guard first < end, !valid.isEmpty else {
            destination.initialize(repeating: 0, count: outHeight * outWidth)
            return
        }
        // Output element i·W + j reads source element (i + shift)·W + j: one run from the first
        // valid element of row `first` to the last of row `end` − 1.
        let start = first * outWidth + valid.lowerBound, stop = (end - 1) * outWidth + valid.upperBound
        destination.initialize(repeating: 0, count: start)
        (destination + start).initialize(from: source + shift * outWidth + start, count: stop - start)
        (destination + stop).initialize(repeating: 0, count: outHeight * outWidth - stop)
        // The run also copied, between rows, the elements of the padding columns' neighbours.
        for j in 0..<valid.lowerBound {
            for i in (first + 1)..<end { destination[i * outWidth + j] = 0 }
        }
        for j in valid.upperBound..<outWidth {
            for i in first..<(end - 1) { destination[i * outWidth + j] = 0 }
        }
    }

    /// The reverse of ``im2col(_:into:)`` for gradients: each element of `matrix` is added to
    /// the input position it was copied from (padding positions are dropped), into `x` [C/G, H, W].
    /// Where input and output rows line up, `matrix`'s elements at padding columns are set to
    /// zero on the way, so that each of its rows is added in one run.
    func col2imAdding<T: FloatingPointScalar>(_ matrix: UnsafeMutablePointer<T>, rowStride: Int? = nil,
                                              into x: UnsafeMutablePointer<T>) {
        let rowStride = rowStride ?? outHeight * outWidth
        if splitsIntoPhases { return col2imAddingThroughPhases(matrix, rowStride: rowStride, into: x) }
        let (outHeight, outWidth) = (self.outHeight, self.outWidth)
        let rowsLineUp = strideX == 1 && strideY == 1 && outWidth == width
        forEachRow { row, c, p, q in
            let channel = x + c * height * width
            var source = matrix + row * rowStride
            let valid = validColumns(q, outWidth: outWidth)
            let offset = q * dilationX - padLeft
            if rowsLineUp {
                addLinedUpRows(source, shift: p * dilationY - padTop, sourceHeight: height, valid: valid,
                               into: channel + offset)
                return
            }
            let rows = validRows(p, outHeight: outHeight)
            source += rows.lowerBound &* outWidth
            for i in rows {
                let inputRow: Int = i &* strideY &- padTop &+ p &* dilationY
                let destination = channel + (inputRow &* width &+ offset)
                // Stride 1 on its own: a unit-stride loop the compiler vectorizes (col2im was 10 %
                // of a W3 step's instructions with the strided loop alone); 2 as a constant.
                switch strideX {
                case 1: for j in valid { destination[j] += source[j] }
                case 2: for j in valid { destination[j &* 2] += source[j] }
                default: for j in valid { destination[j &* strideX] += source[j] }
                }
                source += outWidth
            }
        }
    }

    /// One im2col row's gradient added back when rows line up (see `copyLinedUpRows`): its
    /// elements at padding columns zeroed, then the run from the first valid element of the
    /// first row that reads the input to the last of the last, added in one loop.
    @inline(__always)
    private func addLinedUpRows<T: FloatingPointScalar>(_ source: UnsafeMutablePointer<T>, shift: Int, sourceHeight: Int,
                                                        valid: Range<Int>, into destination: UnsafeMutablePointer<T>) {
        let first = Swift.max(0, -shift), end = Swift.min(outHeight, sourceHeight - shift)
        guard first < end, !valid.isEmpty else { return }
        for j in 0..<valid.lowerBound {
            for i in (first + 1)..<end { source[i * outWidth + j] = 0 }
        }
        for j in valid.upperBound..<outWidth {
            for i in first..<(end - 1) { source[i * outWidth + j] = 0 }
        }
        let start = first * outWidth + valid.lowerBound, stop = (end - 1) * outWidth + valid.upperBound
        let target = destination + shift * outWidth
        for k in start..<stop { target[k] += source[k] }
    }
}
