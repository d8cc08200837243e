import Synchronization

/// The textbook backend: every primitive as its plain loop in Swift — one thread, no C, no
/// SIMD, no blocking — written to be read and believed.
///
/// It is slow and obviously right, and it is the yardstick: ``BackendCrossCheck`` holds every
/// other backend against it, primitive by primitive. A whole training runs on it too
/// (`descent train --device reference`), which shows that nothing above the backends depends on
/// the CPU's kernels. Its tensors live in their own storages on ``Device/reference``; copying
/// one to the CPU counts as a read-back (``Device/readBackCount``, ``ReadBackCounter``), so
/// tests can see how often the training loop waits for a device.
struct ReferenceBackend: Backend {
    static let shared = ReferenceBackend()

    /// How many tensors were copied from this device to the host.
    static let readBacks = Atomic<Int>(0)

    var device: Device { .reference }

    func upload(_ host: Tensor) -> Tensor {
        Tensor(shape: host.shape, storage: host.storage.copy(to: .reference))
    }

    func download(_ x: Tensor) -> Tensor {
        Self.readBacks.wrappingAdd(1, ordering: .relaxed)
        ReadBackCounter.recordReadBack()
        return Tensor(shape: x.shape, storage: x.storage.copy(to: .cpu))
    }

    /// A new tensor of `shape` on this device whose element `i` is `value(i)`.
    func make<T: TensorScalar>(_ shape: [Int], _: T.Type, _ value: (Int) -> T) -> Tensor {
        let count = shape.reduce(1, *)
        let storage = TensorStorage(uninitializedCount: count, dtype: T.dtype, device: .reference)
        let elements = storage.typed(T.self)
        for i in 0..<count { (elements + i).initialize(to: value(i)) }
        return Tensor(shape: shape, storage: storage)
    }

    /// Runs `body` with `Float` or `Double`, whichever `dtype` is.
    func floating<R>(_ dtype: DType, _ body: (any FloatingPointScalar.Type) -> R) -> R {
        dtype == .float32 ? body(Float.self) : body(Double.self)
    }
}

extension Device {
    /// How many tensors have been copied from this device to the host since the program
    /// started: each is a wait for the device, which a training step should need at most once
    /// (for its cost). The CPU's tensors are on the host already: always 0. For a GPU, the count
    /// covers every GPU of the process.
    public var readBackCount: Int {
        switch self {
        case .cpu: 0
        case .reference: ReferenceBackend.readBacks.load(ordering: .relaxed)
        case .cuda: CUDABackend.readBacks.load(ordering: .relaxed)
        }
    }
}

/// Element `i` of a tensor read as `T`.
extension Tensor {
    @inline(__always)
    func element<T: TensorScalar>(_ i: Int, as _: T.Type) -> T { storage.typed(T.self)[i] }
}

/// Row-major positions: the multi-index of a linear index, and back.
enum Positions {
    /// The multi-index of element `index` in a row-major tensor of `shape`.
    static func multiIndex(of index: Int, in shape: [Int]) -> [Int] {
        var rest = index
        var result = [Int](repeating: 0, count: shape.count)
        for axis in shape.indices.reversed() {
            result[axis] = rest % Swift.max(shape[axis], 1)
            rest /= Swift.max(shape[axis], 1)
        }
        return result
    }

    /// The linear index of `multiIndex` in a row-major tensor of `shape`.
    static func linearIndex(of multiIndex: [Int], in shape: [Int]) -> Int {
        var index = 0
        for axis in shape.indices { index = index * shape[axis] + multiIndex[axis] }
        return index
    }

    /// The element of a tensor of `shape` that position `multiIndex` of the broadcast shape
    /// reads: leading axes it lacks are dropped, and its size-1 axes read index 0.
    static func broadcastSource(of multiIndex: [Int], from shape: [Int]) -> Int {
        let offset = multiIndex.count - shape.count
        var index = 0
        for axis in shape.indices {
            index = index * shape[axis] + (shape[axis] == 1 ? 0 : multiIndex[axis + offset])
        }
        return index
    }
}
