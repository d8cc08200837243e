import CDescentKernels

/// Kernels that move elements without computing with them. They work on raw bytes, so one
/// implementation serves every dtype.
extension CPUBackend {
    /// Runs the instance of a kernel for the unsigned integer as wide as an element of `dtype`
    /// (`wide` for 8 bytes, `word` for 4, `byte` for 1): movement copies bits, whatever they
    /// mean, so one kernel serves every dtype of a size.
    ///
    /// Callers pass the same generic function three times. Each argument names a concrete type,
    /// so the compiler specializes the kernel for it. Returning the type as an
    /// `any UnsignedInteger.Type` instead left the kernels generic at run time, moving every
    /// element through a witness-table call: broadcasting alone was 15 % of a training step of a
    /// network with `BatchNorm2d`.
    static func withBitPattern(of dtype: DType, _ wide: (UInt64.Type) -> Void, _ word: (UInt32.Type) -> Void,
                               _ byte: (UInt8.Type) -> Void) {
        switch dtype.byteCount {
        case 8: wide(UInt64.self)
        case 4: word(UInt32.self)
        default: byte(UInt8.self)
        }
    }

    /// The tensor with its axes reordered: output axis `i` is input axis `permutation[i]`.
    func permute(_ x: Tensor, _ permutation: [Int]) -> Tensor {
        let shape = permutation.map { x.shape[$0] }
        let inputStrides = Broadcasting.strides(of: x.shape, broadcastTo: x.shape)
        let output = TensorStorage(uninitializedCount: x.scalarCount, dtype: x.dtype, device: .cpu)
        guard x.scalarCount > 0 else { return Tensor(shape: shape, storage: output) }
        let (loopShape, strides) = Broadcasting.coalesce(
            shape: shape,
            strides: [permutation.map { inputStrides[$0] }, Broadcasting.strides(of: shape, broadcastTo: shape)])
        let n = loopShape.last!, stride = strides[0].last!
        var walk = StridedWalk(shape: loopShape, strides: strides)
        func copy<T: UnsignedInteger>(_: T.Type) {
            let source = x.storage.pointer.assumingMemoryBound(to: T.self)
            let target = output.pointer.assumingMemoryBound(to: T.self)
            for _ in 0..<walk.rowCount {
                let s = source + walk.offsets[0], t = target + walk.offsets[1]
                for i in 0..<n { t[i] = s[i * stride] }
                walk.advance()
            }
        }
        Self.withBitPattern(of: x.dtype, copy, copy, copy)
        return Tensor(shape: shape, storage: output)
    }

    /// `x` repeated along its broadcast axes to `shape` (NumPy's `broadcast_to`, materialised).
    func broadcast(_ x: Tensor, to shape: [Int]) -> Tensor {
        let output = TensorStorage(uninitializedCount: shape.reduce(1, *), dtype: x.dtype, device: .cpu)
        guard output.count > 0 else { return Tensor(shape: shape, storage: output) }
        if x.scalarCount == 1 {
            // One value everywhere (a mean's gradient, spread over the batch): no walk to set up.
            func fill<T: UnsignedInteger>(_: T.Type) {
                let value = x.storage.pointer.load(as: T.self)
                output.pointer.assumingMemoryBound(to: T.self).update(repeating: value, count: output.count)
            }
            Self.withBitPattern(of: x.dtype, fill, fill, fill)
            return Tensor(shape: shape, storage: output)
        }
        let (loopShape, strides) = Broadcasting.coalesce(
            shape: shape,
            strides: [Broadcasting.strides(of: x.shape, broadcastTo: shape), Broadcasting.strides(of: shape, broadcastTo: shape)])
        let n = loopShape.last!, stride = strides[0].last!
        var walk = StridedWalk(shape: loopShape, strides: strides)
        func copy<T: UnsignedInteger>(_: T.Type) {
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
        Self.withBitPattern(of: x.dtype, copy, copy, copy)
        return Tensor(shape: shape, storage: output)
    }

    /// Elements `indices[i]` along `axis` (a gather): the output has `indices.count` at `axis`.
    func gather(_ x: Tensor, indices: [Int], axis: Int) -> Tensor {
        let (outer, length, inner) = Broadcasting.split(x.shape, at: axis)
        var shape = x.shape
        shape[axis] = indices.count
        let output = TensorStorage(uninitializedCount: shape.reduce(1, *), dtype: x.dtype, device: .cpu)
        let bytes = inner * x.dtype.byteCount
        // Picking a mini-batch's rows out of a large dataset waits on memory for every row, and
        // each core keeps only so many lines in flight: the slices are copied on several threads
        // from 16 KB each (W2's 32 rows of 3,136 bytes: 10.1 µs on one thread, 7.0 on two).
        let slices = outer * indices.count
        indices.withUnsafeBufferPointer { indices in
            let indices = UncheckedSendable(indices)
            Parallel.forEachChunk(count: slices, minimumChunk: max(1, (1 << 14) / max(bytes, 1))) { range in
                // One C call per run of slices that share their outer position.
                var slice = range.lowerBound
                while slice < range.upperBound {
                    let (o, i) = slice.quotientAndRemainder(dividingBy: indices.value.count)
                    let run = min(range.upperBound - slice, indices.value.count - i)
                    descent_gather_slices(x.storage.pointer + o * length * bytes, bytes, indices.value.baseAddress! + i,
                                          run, output.pointer + slice * bytes)
                    slice += run
                }
            }
        }
        return Tensor(shape: shape, storage: output)
    }

    /// The inverse of ``gather(_:indices:axis:)`` for gradients: a zero tensor of `shape` into
    /// which the slices of `x` are added at `indices` (repeated indices accumulate).
    func scatterAdd(_ x: Tensor, indices: [Int], axis: Int, shape: [Int]) -> Tensor {
        func run<T: FloatingPointScalar>(_: T.Type) -> Tensor {
            let (outer, length, inner) = Broadcasting.split(shape, at: axis)
            let output = TensorStorage(zeroedCount: shape.reduce(1, *), dtype: x.dtype, device: .cpu)
            let source = x.storage.typed(T.self), target = output.typed(T.self)
            for o in 0..<outer {
                for (i, index) in indices.enumerated() {
                    let s = source + (o * indices.count + i) * inner, t = target + (o * length + index) * inner
                    for j in 0..<inner { t[j] += s[j] }
                }
            }
            return Tensor(shape: shape, storage: output)
        }
        return x.dtype == .float32 ? run(Float.self) : run(Double.self)
    }

    /// The tensors joined along `axis` (all other axes equal).
    func concatenate(_ tensors: [Tensor], axis: Int) -> Tensor {
        var shape = tensors[0].shape
        shape[axis] = tensors.map { $0.shape[axis] }.reduce(0, +)
        let dtype = tensors[0].dtype
        let output = TensorStorage(uninitializedCount: shape.reduce(1, *), dtype: dtype, device: .cpu)
        let (outer, _, inner) = Broadcasting.split(shape, at: axis)
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
