// The thread pool behind the kernels, and flushing denormals to zero while training.
@testable import DescentCore
import Synchronization
import Testing

@Suite struct WorkerPoolTests {
    /// Every iteration runs exactly once, however many jobs follow each other.
    @Test func everyIterationRunsOnce() {
        for count in [0, 1, 2, 3, 17, 64] {
            for _ in 0..<50 {
                let hits = Mutex([Int](repeating: 0, count: count))
                WorkerPool.shared.run(count) { iteration in hits.withLock { $0[iteration] += 1 } }
                #expect(hits.withLock { $0 } == [Int](repeating: 1, count: count), "count \(count)")
            }
        }
    }

    /// A job started from inside a job runs on the calling thread instead of waiting for a pool
    /// that is busy with its parent.
    @Test func nestedJobsComplete() {
        let total = Atomic<Int>(0)
        WorkerPool.shared.run(4) { _ in
            WorkerPool.shared.run(5) { _ in total.wrappingAdd(1, ordering: .relaxed) }
        }
        #expect(total.load(ordering: .relaxed) == 20)
    }

    /// Chunks cover the range without overlap, on one thread or several.
    @Test func chunksCoverTheRange() {
        for threads in [1, 2, 3] {
            let saved = ThreadCount.current
            ThreadCount.current = threads
            defer { ThreadCount.current = saved }
            let covered = Mutex([Int](repeating: 0, count: 1000))
            Parallel.forEachChunk(count: 1000, minimumChunk: 100) { range in
                covered.withLock { for i in range { $0[i] += 1 } }
            }
            #expect(covered.withLock { $0 } == [Int](repeating: 1, count: 1000), "\(threads) threads")
        }
    }
}

@Suite struct DenormalTests {
    /// Inside `flushingToZero` a product below float32's smallest normal number is 0, on the
    /// calling thread and in kernels split across threads; outside, it is a denormal again.
    @Test func denormalsAreZeroOnlyWhileFlushing() {
        let tiny = Tensor(repeating: 1e-20, shape: [100_000], dtype: .float32)
        func smallestProduct() -> Float { (tiny * tiny.detached()).scalars(as: Float.self).max()! }
        func smallestExp() -> Float { exp(Tensor(repeating: -100, shape: [100_000], dtype: .float32)).scalars(as: Float.self).max()! }
        #expect(smallestProduct() > 0)  // 1e-40 is a denormal
        Denormals.flushingToZero {
            #expect(smallestProduct() == 0)
            #expect(smallestExp() == 0)  // e⁻¹⁰⁰ ≈ 3.7e-44, computed across threads
        }
        #expect(smallestProduct() > 0)
        #expect(smallestExp() > 0)
    }
}
