/// Kernels that move elements without computing with them. They work on raw bytes, so one
/// implementation serves every dtype.
extension CPU {
    /// The tensor with its axes reordered: output axis `i` is input axis `permutation[i]`.
    static func permute(_ x: Tensor, _ permutation: [Int]) -> Tensor {
        let shape = permutation.map { x.shape[$0] }
        let inputStrides = Broadcasting.strides(of: x.shape, broadcastTo: x.shape)
        let output = TensorStorage(uninitializedCount: x.scalarCount, dtype: x.dtype)
        guard x.scalarCount > 0 else { return Tensor(shape: shape, storage: output) }
        let (loopShape, strides) = Broadcasting.coalesce(
            shape: shape,
            strides: [permutation.map { inputStrides[$0] }, Broadcasting.strides(of: shape, broadcastTo: shape)])
        let n = loopShape.last!, stride = strides[0].last!
        var walk = StridedWalk(shape: loopShape, strides: strides)
        func copy<T>(_: T.Type) {
            let source = x.storage.pointer.assumingMemoryBound(to: T.self)
            let target = output.pointer.assumingMemoryBound(to: T.self)
            for _ in 0..<walk.rowCount {
                let s = source + walk.offsets[0], t = target + walk.offsets[1]
                for i in 0..<n { t[i] = s[i * stride] }
                walk.advance()
            }
        }
        if x.dtype.byteCount == 8 { copy(UInt64.self) } else { copy(UInt32.self) }
        return Tensor(shape: shape, storage: output)
    }

    /// `x` repeated along its broadcast axes to `shape` (NumPy's `broadcast_to`, materialised).
    static func broadcast(_ x: Tensor, to shape: [Int]) -> Tensor {
        let output = TensorStorage(uninitializedCount: shape.reduce(1, *), dtype: x.dtype)
        guard output.count > 0 else { return Tensor(shape: shape, storage: output) }
        let (loopShape, strides) = Broadcasting.coalesce(
            shape: shape,
            strides: [Broadcasting.strides(of: x.shape, broadcastTo: shape), Broadcasting.strides(of: shape, broadcastTo: shape)])
        let n = loopShape.last!, stride = strides[0].last!
        var walk = StridedWalk(shape: loopShape, strides: strides)
        func copy<T>(_: T.Type) {
            let source = x.storage.pointer.assumingMemoryBound(to: T.self)
            let target = output.pointer.assumingMemoryBound(to: T.self)
            for _ in 0..<walk.rowCount {
                let s = source + walk.offsets[0], t = target + walk.offsets[1]
                if stride == 0 {
                    t.update(repeating: s[0], count: n)
                } else {
                    t.update(from: s, count: n)
                }
                walk.advance()
            }
        }
        if x.dtype.byteCount == 8 { copy(UInt64.self) } else { copy(UInt32.self) }
        return Tensor(shape: shape, storage: output)
    }

    /// Views `shape` as `[outer, shape[axis], inner]`.
    static func split(_ shape: [Int], at axis: Int) -> (outer: Int, length: Int, inner: Int) {
        (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }

    /// Elements `indices[i]` along `axis` (a gather): the output has `indices.count` at `axis`.
    static func gather(_ x: Tensor, indices: [Int], axis: Int) -> Tensor {
        let (outer, length, inner) = split(x.shape, at: axis)
        var shape = x.shape
        shape[axis] = indices.count
        let output = TensorStorage(uninitializedCount: shape.reduce(1, *), dtype: x.dtype)
        let bytes = inner * x.dtype.byteCount
        for index in indices {
            precondition(index >= 0 && index < length,
                         "gather: index \(index) out of range 0..<\(length) along axis \(axis) of \(x.shape)")
        }
        // Picking a mini-batch's rows out of a large dataset waits on memory for every row, so
        // the slices are copied on several threads when there are many bytes to move.
        let slices = outer * indices.count
        Parallel.forEachChunk(count: slices, minimumChunk: max(1, (1 << 16) / max(bytes, 1))) { range in
            for slice in range {
                let (o, i) = slice.quotientAndRemainder(dividingBy: indices.count)
                (output.pointer + slice * bytes)
                    .copyMemory(from: x.storage.pointer + ((o * length + indices[i]) * bytes), byteCount: bytes)
            }
        }
        return Tensor(shape: shape, storage: output)
    }

    /// The inverse of ``gather(_:indices:axis:)`` for gradients: a zero tensor of `shape` into
    /// which the slices of `x` are added at `indices` (repeated indices accumulate).
    static func scatterAdd(_ x: Tensor, indices: [Int], axis: Int, shape: [Int]) -> Tensor {
        func run<T: FloatingPointScalar>(_: T.Type) -> Tensor {
            let (outer, length, inner) = split(shape, at: axis)
            let output = TensorStorage(zeroedCount: shape.reduce(1, *), dtype: x.dtype)
            let source = x.storage.typed(T.self), target = output.typed(T.self)
            for o in 0..<outer {
                for (i, index) in indices.enumerated() {
                    let s = source + (o * indices.count + i) * inner, t = target + (o * length + index) * inner
                    for j in 0..<inner { t[j] += s[j] }
                }
            }
            return Tensor(shape: shape, storage: output)
        }
        switch x.dtype {
        case .float32: return run(Float.self)
        case .float64: return run(Double.self)
        case .int32: preconditionFailure("scatterAdd: needs a floating-point tensor")
        }
    }

    /// The tensors joined along `axis` (all other axes equal).
    static func concatenate(_ tensors: [Tensor], axis: Int) -> Tensor {
        var shape = tensors[0].shape
        shape[axis] = tensors.map { $0.shape[axis] }.reduce(0, +)
        let dtype = tensors[0].dtype
        let output = TensorStorage(uninitializedCount: shape.reduce(1, *), dtype: dtype)
        let (outer, _, inner) = split(shape, at: axis)
        var offset = 0
        for o in 0..<outer {
            for tensor in tensors {
                let bytes = tensor.shape[axis] * inner * dtype.byteCount
                (output.pointer + offset).copyMemory(from: tensor.storage.pointer + o * bytes, byteCount: bytes)
                offset += bytes
            }
        }
        return Tensor(shape: shape, storage: output)
    }
}
