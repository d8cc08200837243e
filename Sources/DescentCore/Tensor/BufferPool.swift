#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization

/// Recently freed tensor buffers, kept for reuse.
///
/// A training step allocates the same buffers every time (activations, gradients, products of
/// the same shapes), then frees them. Handing each one back to the operating system and asking
/// for it again next step costs page faults and zeroing of fresh pages, several percent of a
/// step; keeping them here makes the steady state of training allocation-free. Buffers are
/// kept up to ``capacity`` bytes in all, and small ones up to ``smallBuffersPerClass`` of each
/// size class, so memory use stays bounded.
enum BufferPool {
    /// Buffers of this size or more are kept by their exact byte count.
    ///
    /// Smaller ones are kept by size class: their byte count rounded up to a power of two,
    /// from 64 bytes. A small model's step makes a few dozen such tensors (a bias, its
    /// gradient, a batch's losses), and `malloc` serves a 64-byte-aligned block slowly: it cuts
    /// a larger block and frees the parts around it. Reusing one costs a lock and an array
    /// access (W2's 4-4-2 step: 17 buffers, about 2 µs).
    static let minimumByteCount = 16 * 1024
    /// The most small buffers kept per size class: a step's worth for most models; at most
    /// 64 × (64 B + 128 B + … + 16 KB), about 2 MB, in all.
    static let smallBuffersPerClass = 64
    /// The smallest size class, 2⁶ = 64 bytes: one cache line.
    private static let smallestSizeClass = 6
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
        /// Free small buffers by size class (see ``sizeClass(of:)``).
        var small: [[UInt]] = Array(repeating: [], count: sizeClass(of: minimumByteCount - 1) + 1)
    }

    /// The power of two, from 2⁶, that a small buffer of `byteCount` bytes is rounded up to;
    /// counted from ``smallestSizeClass``.
    private static func sizeClass(of byteCount: Int) -> Int {
        let exponent = Int.bitWidth - (byteCount - 1).leadingZeroBitCount
        return Swift.max(exponent, smallestSizeClass) - smallestSizeClass
    }

    private static func byteCount(ofSizeClass sizeClass: Int) -> Int {
        1 << (sizeClass + smallestSizeClass)
    }

    private static let shelves = Mutex(Shelves())

    /// A buffer of `byteCount` bytes or more (uninitialized), reused when one is free; give it
    /// back with ``deallocate(_:byteCount:)`` and the same byte count.
    static func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        if byteCount < minimumByteCount {
            let sizeClass = sizeClass(of: byteCount)
            if let reused = shelves.withLock({ $0.small[sizeClass].popLast() }),
               let pointer = UnsafeMutableRawPointer(bitPattern: reused) {
                return pointer
            }
            return .allocate(byteCount: Self.byteCount(ofSizeClass: sizeClass), alignment: alignment)
        }
        if let reused = shelves.withLock({ shelves -> UInt? in
            guard let address = shelves.buffers[byteCount]?.popLast() else { return nil }
            shelves.byteCount -= byteCount
            return address
        }),
           let pointer = UnsafeMutableRawPointer(bitPattern: reused) {
            return pointer
        }
        if byteCount >= hugePageByteCount {
            return allocateInHugePages(byteCount: byteCount)
        }
        return .allocate(byteCount: byteCount, alignment: alignment)
    }

    /// The size of a transparent huge page on x86-64 and most ARM64 Linux kernels.
    static let hugePageByteCount = 2 * 1024 * 1024

    /// A large buffer aligned to a huge page and, on Linux, marked for transparent huge pages
    /// (where the system leaves that to the program, its usual setting), before any of its
    /// pages is touched.
    ///
    /// A training set is read a few random rows at a time: with 4 KB pages nearly every row
    /// of a 188 MB MNIST set costs a TLB miss and a page walk, and the first touch of every
    /// 4 KB faults. With 2 MB pages W2's batch gather took about 30 % less time (one thread,
    /// Zen 4). Memory use does not grow: only whole 2 MB ranges inside the buffer become huge
    /// pages, and the buffer is written in full anyway.
    private static func allocateInHugePages(byteCount: Int) -> UnsafeMutableRawPointer {
        let pointer = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: hugePageByteCount)
        #if os(Linux)
        // Only advice: where the kernel refuses it, the buffer has ordinary pages.
        _ = madvise(pointer, byteCount, Int32(MADV_HUGEPAGE))
        #endif
        return pointer
    }

    /// Returns a buffer from ``allocate(byteCount:)``: kept for reuse while there is room,
    /// freed otherwise.
    static func deallocate(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        if byteCount < minimumByteCount {
            let sizeClass = sizeClass(of: byteCount)
            let address = UInt(bitPattern: pointer)
            let kept = shelves.withLock { shelves -> Bool in
                guard shelves.small[sizeClass].count < smallBuffersPerClass else { return false }
                shelves.small[sizeClass].append(address)
                return true
            }
            if !kept { pointer.deallocate() }
            return
        }
        if byteCount <= capacity {
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
