// The pool of tensor buffers: alignment, reuse, and large buffers in huge pages.
@testable import DescentCore
import Testing

@Suite struct BufferPoolTests {
    /// Small and medium buffers are cache-line aligned; buffers of a huge page or more start on
    /// a huge page, so that every whole 2 MB range inside them can be one.
    @Test func buffersAreAlignedForTheirSize() {
        for byteCount in [64, 20_000, BufferPool.hugePageByteCount - 4, BufferPool.hugePageByteCount,
                          3 * BufferPool.hugePageByteCount + 12] {
            let pointer = BufferPool.allocate(byteCount: byteCount)
            let alignment = byteCount >= BufferPool.hugePageByteCount ? BufferPool.hugePageByteCount : BufferPool.alignment
            #expect(UInt(bitPattern: pointer) % UInt(alignment) == 0, "\(byteCount) bytes")
            // Every byte is usable: the first and the last are written and read back.
            pointer.storeBytes(of: 0xA5, as: UInt8.self)
            pointer.storeBytes(of: 0x5A, toByteOffset: byteCount - 1, as: UInt8.self)
            #expect(pointer.load(as: UInt8.self) == 0xA5)
            #expect(pointer.load(fromByteOffset: byteCount - 1, as: UInt8.self) == 0x5A)
            BufferPool.deallocate(pointer, byteCount: byteCount)
        }
    }

    /// Small buffers come back by size class: buffers out at the same time never overlap, and
    /// each has all the bytes asked for, whatever sizes were given back before it, on several
    /// threads at once.
    @Test func smallBuffersNeverOverlap() async {
        await withTaskGroup(of: Bool.self) { group in
            for thread in 0..<4 {
                group.addTask {
                    var generator = RandomGenerator(seed: UInt64(thread))
                    var intact = true
                    for round in 0..<20 {
                        let byteCounts = (0..<50).map { _ in Int(generator.next() % UInt64(BufferPool.minimumByteCount - 1)) + 1 }
                        let buffers = byteCounts.map { BufferPool.allocate(byteCount: $0) }
                        for (index, (buffer, byteCount)) in zip(buffers, byteCounts).enumerated() {
                            buffer.initializeMemory(as: UInt8.self, repeating: UInt8(truncatingIfNeeded: index + round), count: byteCount)
                        }
                        for (index, (buffer, byteCount)) in zip(buffers, byteCounts).enumerated() {
                            let bytes = UnsafeRawBufferPointer(start: buffer, count: byteCount)
                            intact = intact && bytes.allSatisfy { $0 == UInt8(truncatingIfNeeded: index + round) }
                            #expect(UInt(bitPattern: buffer) % UInt(BufferPool.alignment) == 0)
                        }
                        for (buffer, byteCount) in zip(buffers, byteCounts) { BufferPool.deallocate(buffer, byteCount: byteCount) }
                    }
                    return intact
                }
            }
            for await intact in group { #expect(intact) }
        }
    }

    /// A large tensor's values survive a round trip through a buffer in huge pages.
    @Test func aLargeTensorKeepsItsValues() {
        let count = BufferPool.hugePageByteCount / 4 * 3 + 5
        let values = (0..<count).map { Float($0 % 1000) - 500 }
        let tensor = Tensor(shape: [count], scalars: values)
        #expect(tensor.scalars(as: Float.self) == values)
        #expect((tensor + 1).scalars(as: Float.self) == values.map { $0 + 1 })
    }
}
