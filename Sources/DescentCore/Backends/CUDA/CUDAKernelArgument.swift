/// One argument of a kernel launch, as `cuLaunchKernel` takes it: a pointer to the argument's
/// bytes, laid out as the kernel's C parameter type.
enum CUDAKernelArgument {
    case pointer(UInt64)
    case int32(Int32)
    case uint32(UInt32)
    case int64(Int64)
    case uint64(UInt64)
    case double(Double)
    /// The `Dims` struct of the kernels' prelude: up to 48 `long long`s, zero-filled.
    case dims([Int64])
    /// The `Scalars` struct: up to 16 `double`s, zero-filled.
    case scalars([Double])

    /// The argument's bytes.
    var bytes: [UInt8] {
        func raw<T>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value) { Array($0) } }
        switch self {
        case .pointer(let value): return raw(value)
        case .int32(let value): return raw(value)
        case .uint32(let value): return raw(value)
        case .int64(let value): return raw(value)
        case .uint64(let value): return raw(value)
        case .double(let value): return raw(value)
        case .dims(let values):
            precondition(values.count <= 48, "internal: \(values.count) dims for a kernel's Dims of 48")
            return (values + [Int64](repeating: 0, count: 48 - values.count)).withUnsafeBytes { Array($0) }
        case .scalars(let values):
            precondition(values.count <= 16, "internal: \(values.count) scalars for a kernel's Scalars of 16")
            return (values + [Double](repeating: 0, count: 16 - values.count)).withUnsafeBytes { Array($0) }
        }
    }

    /// Calls `body` with the `void **` array of pointers to each argument's bytes (8-byte
    /// aligned, valid only inside `body`).
    static func withParameters<R>(_ arguments: [CUDAKernelArgument], _ body: (UnsafeMutablePointer<UnsafeMutableRawPointer?>) -> R) -> R {
        let storages = arguments.map { argument -> UnsafeMutableRawPointer in
            let bytes = argument.bytes
            let storage = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(bytes.count, 8), alignment: 16)
            bytes.withUnsafeBytes { storage.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
            return storage
        }
        defer { storages.forEach { $0.deallocate() } }
        var pointers: [UnsafeMutableRawPointer?] = storages
        return pointers.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
    }
}
