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
    /// The `LiveWords` struct of `live_store`: up to ``liveWordCapacity`` 64-bit words, zero-filled.
    case words([UInt64])

    /// The words one `live_store` launch carries: 30 slots of 16 (3,840 bytes, which with the
    /// kernel's other arguments stays under the 4 KiB that every GPU takes as arguments).
    static let liveWordCapacity = 480

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
        case .words(let values):
            precondition(values.count <= Self.liveWordCapacity, "internal: \(values.count) words for live_store's \(Self.liveWordCapacity)")
            return (values + [UInt64](repeating: 0, count: Self.liveWordCapacity - values.count)).withUnsafeBytes { Array($0) }
        }
    }

    /// The argument's size in bytes.
    var byteCount: Int {
        switch self {
        case .int32, .uint32: 4
        case .pointer, .int64, .uint64, .double: 8
        case .dims: 48 * 8
        case .scalars: 16 * 8
        case .words: Self.liveWordCapacity * 8
        }
    }

    /// Calls `body` with the `void **` array of pointers to each argument's bytes, valid only
    /// inside `body`: one buffer for all of them, each at an 8-byte-aligned offset (a launch
    /// allocates twice, not once per argument).
    static func withParameters<R>(_ arguments: [CUDAKernelArgument], _ body: (UnsafeMutablePointer<UnsafeMutableRawPointer?>) -> R) -> R {
        var offsets: [Int] = []
        offsets.reserveCapacity(arguments.count)
        var total = 0
        for argument in arguments {
            offsets.append(total)
            total += (argument.byteCount + 7) & ~7
        }
        return withUnsafeTemporaryAllocation(byteCount: Swift.max(total, 8), alignment: 16) { buffer in
            let base = buffer.baseAddress!
            for (argument, offset) in zip(arguments, offsets) { argument.write(to: base + offset) }
            return withUnsafeTemporaryAllocation(of: UnsafeMutableRawPointer?.self, capacity: Swift.max(arguments.count, 1)) { pointers in
                for (index, offset) in offsets.enumerated() { pointers[index] = base + offset }
                return body(pointers.baseAddress!)
            }
        }
    }

    /// Writes the argument's bytes at `destination`.
    private func write(to destination: UnsafeMutableRawPointer) {
        switch self {
        case .pointer(let value): destination.storeBytes(of: value, as: UInt64.self)
        case .int32(let value): destination.storeBytes(of: value, as: Int32.self)
        case .uint32(let value): destination.storeBytes(of: value, as: UInt32.self)
        case .int64(let value): destination.storeBytes(of: value, as: Int64.self)
        case .uint64(let value): destination.storeBytes(of: value, as: UInt64.self)
        case .double(let value): destination.storeBytes(of: value, as: Double.self)
        case .dims, .scalars, .words:
            let bytes = self.bytes
            bytes.withUnsafeBytes { destination.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        }
    }
}
