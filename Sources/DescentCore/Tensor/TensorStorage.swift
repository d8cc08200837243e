/// The memory behind a tensor: a contiguous, row-major, 64-byte-aligned buffer of one dtype, from
/// the ``BufferPool``.
///
/// Tensors share a storage until one of them is mutated (copy-on-write), so a storage is only
/// ever written while exactly one tensor refers to it.
@usableFromInline
final class TensorStorage: @unchecked Sendable {
    @usableFromInline let pointer: UnsafeMutableRawPointer
    @usableFromInline let count: Int
    @usableFromInline let dtype: DType

    /// Allocates uninitialised memory for `count` elements (the caller fills every one).
    @usableFromInline
    init(uninitializedCount count: Int, dtype: DType) {
        self.count = count
        self.dtype = dtype
        pointer = BufferPool.allocate(byteCount: max(count, 1) * dtype.byteCount)
    }

    /// Allocates memory for `count` elements set to zero.
    @usableFromInline
    convenience init(zeroedCount count: Int, dtype: DType) {
        self.init(uninitializedCount: count, dtype: dtype)
        pointer.initializeMemory(as: UInt8.self, repeating: 0, count: count * dtype.byteCount)
    }

    deinit { BufferPool.deallocate(pointer, byteCount: max(count, 1) * dtype.byteCount) }

    @usableFromInline
    func copy() -> TensorStorage {
        let result = TensorStorage(uninitializedCount: count, dtype: dtype)
        result.pointer.copyMemory(from: pointer, byteCount: count * dtype.byteCount)
        return result
    }

    @inlinable
    func typed<T: TensorScalar>(_ type: T.Type) -> UnsafeMutablePointer<T> {
        precondition(T.dtype == dtype, "storage holds \(dtype), read as \(T.dtype)")
        return pointer.assumingMemoryBound(to: T.self)
    }
}
