import CDescentCUDA
import Synchronization

/// The backend of an NVIDIA GPU (``Device/cuda(_:)``): cuBLAS for matrix products, and kernels
/// in CUDA C (``CUDAKernelModule``) that NVRTC compiles at first use, queued in order on one
/// stream.
///
/// Nothing waits for the GPU except a download (a read-back, counted like the reference
/// backend's), so a training step queues its kernels and reads back only its cost. Each
/// primitive computes what the ``ReferenceBackend`` defines, checked by ``BackendCrossCheck``
/// (`descent-crosscheck --device cuda` on a GPU machine).
struct CUDABackend: Backend {
    let context: CUDAContext

    /// How many tensors were copied from any GPU to the host.
    static let readBacks = Atomic<Int>(0)

    var device: Device { .cuda(context.ordinal) }

    /// The context of GPU `ordinal`, made at first use; the error (no driver, no GPU …) is
    /// remembered, so it is found once and then reported the same way.
    static func context(_ ordinal: Int) -> Result<CUDAContext, CUDAError> {
        contexts.withLock { contexts in
            if let known = contexts[ordinal] { return known }
            let made = Result { () throws(CUDAError) in try CUDAContext(ordinal: ordinal) }
            contexts[ordinal] = made
            return made
        }
    }

    private static let contexts = Mutex<[Int: Result<CUDAContext, CUDAError>]>([:])

    /// The context of GPU `ordinal`; a trap with the reason if there is none (operations cannot
    /// throw: ``Device/checkAvailable()`` is where a program finds out politely).
    static func requireContext(_ ordinal: Int) -> CUDAContext {
        switch context(ordinal) {
        case .success(let context): return context
        case .failure(let error): fatalError("\(error)\n(Call Device.cuda(\(ordinal)).checkAvailable() first to handle this as an error.)")
        }
    }

    // MARK: Helpers

    /// A new tensor of `shape` on this GPU, uninitialized.
    func empty(_ shape: [Int], _ dtype: DType) -> Tensor {
        Tensor(shape: shape, storage: TensorStorage(uninitializedCount: shape.reduce(1, *), dtype: dtype, device: device))
    }

    /// A new tensor of `shape` on this GPU, zero.
    func zeros(_ shape: [Int], _ dtype: DType) -> Tensor {
        Tensor(shape: shape, storage: TensorStorage(zeroedCount: shape.reduce(1, *), dtype: dtype, device: device))
    }

    /// The kernels' name suffix for a floating-point dtype.
    static func suffix(_ dtype: DType) -> String {
        switch dtype {
        case .float32: "f32"
        case .float64: "f64"
        case .int32: "i32"
        case .int64: "i64"
        case .uint8: "u8"
        }
    }

    /// The movement kernels' suffix: elements are moved as 1, 4 or 8 bytes, whatever they mean.
    static func widthSuffix(_ dtype: DType) -> String { "b\(dtype.byteCount)" }

    /// `indices` on this GPU as int64, for gather and scatter-add.
    ///
    /// The same row numbers asked for twice in a row are uploaded once: a batch gathers its
    /// features and then its labels by the same rows, and an upload from pageable memory is
    /// the one step of a training loop that waits for the host. The table stays on the GPU
    /// until other row numbers replace it. A capturing thread never takes the kept table (a
    /// graph would hold its address after it is freed) and never keeps one.
    func deviceIndices(_ indices: [Int]) -> Tensor {
        let capturing = context.isCapturing
        if !capturing, let kept = context.lastIndexTable.withLock({ $0 }), kept.indices == indices {
            return kept.table
        }
        let table = upload(Tensor(shape: [indices.count], scalars: indices.map(Int64.init)))
        if !capturing { context.lastIndexTable.withLock { $0 = (indices, table) } }
        return table
    }
}

extension TensorStorage {
    /// The device address of a GPU storage (its `pointer`'s bits).
    var address: UInt64 { UInt64(UInt(bitPattern: pointer)) }
}

extension Tensor {
    /// The device address of this GPU tensor's elements, as a kernel argument.
    var cudaArgument: CUDAKernelArgument { .pointer(storage.address) }
}

/// Shapes and strides packed into a kernel's `Dims` (see ``CUDAKernelSource/prelude``).
enum CUDALayout {
    /// Row-major strides of `shape`.
    static func strides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var stride = 1
        for axis in shape.indices.reversed() {
            strides[axis] = stride
            stride *= shape[axis]
        }
        return strides
    }

    /// The strides at which an operand of `shape`, broadcast to `output`, is read: 0 along its
    /// size-1 axes and the leading axes it lacks.
    static func broadcastStrides(_ shape: [Int], to output: [Int]) -> [Int] {
        let own = strides(shape)
        let offset = output.count - shape.count
        return output.indices.map { axis in
            axis < offset || shape[axis - offset] == 1 ? 0 : own[axis - offset]
        }
    }

    /// `Dims`: the rank, the output's shape and each operand's strides, 8 entries each.
    static func dims(_ output: [Int], _ operands: [[Int]]) -> CUDAKernelArgument {
        let rank = CUDAKernelSource.maximumRank
        precondition(output.count <= rank, "the CUDA backend handles tensors of up to \(rank) axes, not \(output.count) (\(output))")
        func padded(_ values: [Int]) -> [Int64] { values.map(Int64.init) + [Int64](repeating: 0, count: rank - values.count) }
        return .dims([Int64(output.count)] + padded(output) + operands.flatMap(padded))
    }
}
