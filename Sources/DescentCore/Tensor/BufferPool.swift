import Synchronization

/// Recently freed tensor buffers, kept for reuse.
///
/// A training step allocates the same buffers every time (activations, gradients, products of
/// the same shapes), then frees them. Handing each one back to the operating system and asking
/// for it again next step costs page faults and zeroing of fresh pages, several percent of a
/// step; keeping them here makes the steady state of training allocation-free. Only buffers
/// large enough to matter are kept, and only up to ``capacity`` bytes in all, so memory use
/// stays bounded.
enum BufferPool {
    /// Buffers smaller than this go straight back to `malloc`, which recycles small blocks well.
    static let minimumByteCount = 16 * 1024
    /// The most bytes kept in the pool at once. A convolutional network's step frees tens of
    /// megabytes (W3's batch of 64: 9.4 MB per activation or gradient of its second
    /// convolution); with 32 MB, some of them went back to the system every step and 2 % of the
    /// step was page faults. Buffers kept are reused by the next step, so peak memory did not
    /// grow (W3 step: 124 MB).
    static let capacity = 128 * 1024 * 1024
    /// Every buffer has this alignment: whole cache lines, and aligned loads for the kernels.
    static let alignment = 64

    private struct Shelves: ~Copyable {
        /// Free buffers by byte count, as addresses (pointers are not `Sendable`).
        var buffers: [Int: [UInt]] = [:]
        var byteCount = 0
    }

    private static let shelves = Mutex(Shelves())

    /// A buffer of exactly `byteCount` bytes (uninitialized), reused when one is free.
    static func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        if byteCount >= minimumByteCount,
           let reused = shelves.withLock({ shelves -> UInt? in
               guard let address = shelves.buffers[byteCount]?.popLast() else { return nil }
               shelves.byteCount -= byteCount
               return address
           }),
           let pointer = UnsafeMutableRawPointer(bitPattern: reused) {
            return pointer
        }
        return .allocate(byteCount: byteCount, alignment: alignment)
    }

    /// Returns a buffer from ``allocate(byteCount:)``: kept for reuse while there is room,
    /// freed otherwise.
    static func deallocate(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        if byteCount >= minimumByteCount, byteCount <= capacity {
            let address = UInt(bitPattern: pointer)
            let kept = shelves.withLock { shelves -> Bool in
                guard shelves.byteCount + byteCount <= capacity else { return false }
                shelves.buffers[byteCount, default: []].append(address)
                shelves.byteCount += byteCount
                return true
            }
            if kept { return }
        }
        pointer.deallocate()
    }

    /// Calls `body` with `count` uninitialized floats from the pool, returned after it.
    static func withFloats<R>(_ count: Int, _ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        let byteCount = Swift.max(count, 1) * MemoryLayout<Float>.stride
        let pointer = allocate(byteCount: byteCount)
        defer { deallocate(pointer, byteCount: byteCount) }
        return try body(pointer.bindMemory(to: Float.self, capacity: Swift.max(count, 1)))
    }
}
