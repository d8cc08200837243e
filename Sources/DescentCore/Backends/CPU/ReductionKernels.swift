extension CPUBackend {
    /// Reduces `x` over `axes`, keeping them as size-1 axes.
    func reduce(_ operation: ReductionOperation, _ x: Tensor, axes: [Int]) -> Tensor {
        x.dtype == .float32 ? Self.reduce(operation, x, axes, Float.self) : Self.reduce(operation, x, axes, Double.self)
    }

    private static func reduce<T: FloatingPointScalar>(_ operation: ReductionOperation, _ x: Tensor,
                                                       _ axes: [Int], _: T.Type) -> Tensor {
        let outShape = x.shape.indices.map { axes.contains($0) ? 1 : x.shape[$0] }
        let outCount = outShape.reduce(1, *)
        let output = TensorStorage(uninitializedCount: outCount, dtype: T.dtype, device: .cpu)
        let y = output.typed(T.self), source = x.storage.typed(T.self)
        let identity: T = switch operation {
        case .sum: 0
        case .max: -T.infinity
        case .min: T.infinity
        }
        y.initialize(repeating: identity, count: outCount)
        guard x.scalarCount > 0 else { return Tensor(shape: outShape, storage: output) }
        let combine: (T, T) -> T = switch operation {
        case .sum: (+)
        case .max: { a, b in a.isNaN || a > b ? a : b }
        case .min: { a, b in a.isNaN || a < b ? a : b }
        }
        // The two reductions of every training step — a cost's mean (all axes) and a dense
        // layer's bias gradient (the columns of a matrix) — without the general walk's set-up,
        // in the walk's order, so with its bits.
        if outCount == 1 {
            y[0] = combine(y[0], reduceRow(operation, source, x.scalarCount, identity, combine))
            return Tensor(shape: outShape, storage: output)
        }
        if x.rank == 2, axes == [0], x.scalarCount < Self.parallelReductionCount {
            let (rows, columns) = (x.shape[0], x.shape[1])
            for row in 0..<rows {
                let a = source + row * columns
                if operation == .sum {
                    for i in 0..<columns { y[i] += a[i] }
                } else {
                    for i in 0..<columns { y[i] = combine(y[i], a[i]) }
                }
            }
            return Tensor(shape: outShape, storage: output)
        }
        let (loopShape, strides) = Broadcasting.coalesce(
            shape: x.shape,
            strides: [Broadcasting.strides(of: x.shape, broadcastTo: x.shape),
                      Broadcasting.strides(of: outShape, broadcastTo: x.shape)])
        let n = loopShape.last!
        let outputStride = strides[1].last!
        // Reduces rows `rows` of the walk into `y`.
        func reduceRows(_ rows: Range<Int>, into y: UnsafeMutablePointer<T>) {
            var walk = StridedWalk(shape: loopShape, strides: strides, startingAt: rows.lowerBound)
            for _ in rows {
                let a = source + walk.offsets[0], out = y + walk.offsets[1]
                if outputStride == 0 {
                    out[0] = combine(out[0], reduceRow(operation, a, n, identity, combine))
                } else if operation == .sum {
                    for i in 0..<n { out[i] += a[i] }  // a plain loop vectorizes (column sums)
                } else {
                    for i in 0..<n { out[i] = combine(out[i], a[i]) }
                }
                walk.advance()
            }
        }
        let rowCount = StridedWalk(shape: loopShape, strides: strides).rowCount
        // A large reduction (a convolution's bias gradient sums megabytes) is split by rows
        // over the threads, each into its own partial result, combined in part order: the same
        // result for the same thread count, whichever thread finishes first.
        let parts = x.scalarCount >= Self.parallelReductionCount ? min(ThreadCount.current, rowCount) : 1
        guard parts > 1 else {
            reduceRows(0..<rowCount, into: y)
            return Tensor(shape: outShape, storage: output)
        }
        let partials = UnsafeMutablePointer<T>.allocate(capacity: parts * outCount)
        defer { partials.deallocate() }
        partials.initialize(repeating: identity, count: parts * outCount)
        let share = (rowCount + parts - 1) / parts
        withoutActuallyEscaping(reduceRows) { reduceRows in
            let shared = UncheckedSendable((reduceRows, partials))
            WorkerPool.shared.run(parts) { part in
                let (reduceRows, partials) = shared.value
                let rows = min(rowCount, part * share)..<min(rowCount, (part + 1) * share)
                reduceRows(rows, partials + part * outCount)
            }
        }
        for part in 0..<parts {
            let partial = partials + part * outCount
            for i in 0..<outCount { y[i] = combine(y[i], partial[i]) }
        }
        return Tensor(shape: outShape, storage: output)
    }

    /// Elements from which a reduction is split over the threads.
    private static let parallelReductionCount = 1 << 18

    /// Reduces one contiguous row. Sums use eight independent accumulators: that vectorises, and
    /// loses less precision than one running total.
    @inline(__always)
    private static func reduceRow<T: FloatingPointScalar>(_ operation: ReductionOperation, _ a: UnsafeMutablePointer<T>,
                                                          _ n: Int, _ identity: T, _ combine: (T, T) -> T) -> T {
        var result = identity
        var i = 0
        if operation == .sum {
            var lanes = SIMD8<T>(repeating: 0)
            while i + 8 <= n {
                lanes += UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<T>.self)
                i += 8
            }
            result = lanes.sum()
        }
        while i < n { result = combine(result, a[i]); i += 1 }
        return result
    }

    func argReduce(_ operation: ArgReductionOperation, _ x: Tensor, axis: Int) -> Tensor {
        func run<T: FloatingPointScalar>(_: T.Type) -> Tensor {
            let (outer, n, inner) = Broadcasting.split(x.shape, at: axis)
            var shape = x.shape
            shape.remove(at: axis)
            let output = TensorStorage(uninitializedCount: outer * inner, dtype: .int32, device: .cpu)
            let values = x.storage.typed(T.self), result = output.typed(Int32.self)
            let largest = operation == .argmax
            for o in 0..<outer {
                for j in 0..<inner {
                    var best = values[o * n * inner + j], bestIndex = 0
                    for i in 1..<n {
                        if best.isNaN { break }
                        let v = values[(o * n + i) * inner + j]
                        if v.isNaN || (largest ? v > best : v < best) { best = v; bestIndex = i }
                    }
                    result[o * inner + j] = Int32(bestIndex)
                }
            }
            return Tensor(shape: shape, storage: output)
        }
        return x.dtype == .float32 ? run(Float.self) : run(Double.self)
    }
}
