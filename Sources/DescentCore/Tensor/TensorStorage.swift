/// The memory behind a tensor: a contiguous, row-major, 64-byte-aligned buffer of one dtype on
/// one ``Device``.
///
/// Tensors share a storage until one of them is mutated (copy-on-write), so a storage is only
/// ever written while exactly one tensor refers to it. `pointer` is an address in the device's
/// memory; only that device's backend reads or writes through it (the CPU and reference
/// backends both keep their elements in this machine's memory, each in its own buffers; a GPU's
/// storage holds a device address from the CUDA backend's stream-ordered pool, which only
/// kernels and copies may use).
@usableFromInline
final class TensorStorage: @unchecked Sendable {
    @usableFromInline let pointer: UnsafeMutableRawPointer
    @usableFromInline let count: Int
    @usableFromInline let dtype: DType
    @usableFromInline let device: Device

    /// Allocates uninitialised memory for `count` elements on `device` (the caller fills every
    /// one).
    @usableFromInline
    init(uninitializedCount count: Int, dtype: DType, device: Device) {
        self.count = count
        self.dtype = dtype
        self.device = device
        if case .cuda(let ordinal) = device {
            let address = CUDABackend.requireContext(ordinal).allocate(byteCount: max(count, 1) * dtype.byteCount)
            pointer = UnsafeMutableRawPointer(bitPattern: UInt(address))!
        } else {
            pointer = BufferPool.allocate(byteCount: max(count, 1) * dtype.byteCount)
        }
    }

    /// Allocates memory for `count` elements set to zero.
    @usableFromInline
    convenience init(zeroedCount count: Int, dtype: DType, device: Device) {
        self.init(uninitializedCount: count, dtype: dtype, device: device)
        if case .cuda(let ordinal) = device {
            CUDABackend.requireContext(ordinal).zero(address, byteCount: count * dtype.byteCount)
        } else {
            pointer.initializeMemory(as: UInt8.self, repeating: 0, count: count * dtype.byteCount)
        }
    }

    deinit {
        if case .cuda(let ordinal) = device {
            // Ordered after every kernel already queued that reads it: no wait.
            CUDABackend.requireContext(ordinal).free(address)
        } else {
            BufferPool.deallocate(pointer, byteCount: max(count, 1) * dtype.byteCount)
        }
    }

    /// A copy of the elements in a new storage on the same device (for copy-on-write).
    @usableFromInline
    func copy() -> TensorStorage {
        let result = TensorStorage(uninitializedCount: count, dtype: dtype, device: device)
        if case .cuda(let ordinal) = device {
            CUDABackend.requireContext(ordinal).copy(result.address, from: address, byteCount: count * dtype.byteCount)
        } else {
            result.pointer.copyMemory(from: pointer, byteCount: count * dtype.byteCount)
        }
        return result
    }

    /// The same elements in a new storage on `device` (both devices keep host memory).
    func copy(to device: Device) -> TensorStorage {
        let result = TensorStorage(uninitializedCount: count, dtype: dtype, device: device)
        result.pointer.copyMemory(from: pointer, byteCount: count * dtype.byteCount)
        return result
    }

    @inlinable
    func typed<T: TensorScalar>(_ type: T.Type) -> UnsafeMutablePointer<T> {
        precondition(T.dtype == dtype, "storage holds \(dtype), read as \(T.dtype)")
        return pointer.assumingMemoryBound(to: T.self)
    }
}
