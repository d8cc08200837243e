// The thread pool behind the kernels, and flushing denormals to zero while training.
@testable import DescentCore
import Foundation
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
            let covered = Mutex([Int](repeating: 0, count: 1000))
            ThreadCount.withValue(threads) {
                Parallel.forEachChunk(count: 1000, minimumChunk: 100) { range in
                    covered.withLock { for i in range { $0[i] += 1 } }
                }
            }
            #expect(covered.withLock { $0 } == [Int](repeating: 1, count: 1000), "\(threads) threads")
        }
    }
}

/// `ThreadCount.withValue` is how tests compare thread counts while other tests run in parallel:
/// setting `ThreadCount.current` would change the count under every test running at the time,
/// and two tests that save, set and restore it can interleave and leave it changed for the rest
/// of the run. A scoped value rather than one `.serialized` suite, because `.serialized` orders
/// the tests of its own suite only: every other suite still runs beside it, and any of them
/// could come to depend on the count. (Denormal flushing is scoped too: it follows the thread
/// that asked for it; see `DenormalTests`.)
@Suite struct ThreadCountTests {
    /// The count set by `withValue` is seen by its own task, innermost scope first, and by no
    /// other thread; the process-wide count is as it was before and after.
    @Test func withValueIsScopedToTheCallingTask() {
        let global = ThreadCount.current
        ThreadCount.withValue(global + 5) {
            #expect(ThreadCount.current == global + 5)
            ThreadCount.withValue(0) { #expect(ThreadCount.current == 1) }  // at least 1
            #expect(ThreadCount.current == global + 5)
            #expect(onAnotherThread { ThreadCount.current } == global)
        }
        #expect(ThreadCount.current == global)
    }
}

/// Runs `body` on a new thread, outside any task, and returns what it returned.
private func onAnotherThread<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
    let result = Mutex<T?>(nil)
    let done = DispatchSemaphore(value: 0)
    Thread {
        result.withLock { $0 = body() }
        done.signal()
    }.start()
    done.wait()
    return result.withLock { $0! }
}

/// The largest of 100,000 products 10⁻²⁰ · 10⁻²⁰ (a denormal, or 0 when flushed), computed in one
/// chunk on the calling thread.
private func smallestProduct() -> Float {
    let tiny = Tensor(repeating: 1e-20, shape: [100_000], dtype: .float32)
    return ThreadCount.withValue(1) { (tiny * tiny.detached()).scalars(as: Float.self).max()! }
}

/// The largest of 100,000 values e⁻¹⁰⁰ ≈ 3.7·10⁻⁴⁴ (a denormal, or 0 when flushed), computed in
/// chunks on three threads.
private func smallestExp() -> Float {
    ThreadCount.withValue(3) { exp(Tensor(repeating: -100, shape: [100_000], dtype: .float32)).scalars(as: Float.self).max()! }
}

@Suite struct DenormalTests {
    /// Inside `flushingToZero` a product below float32's smallest normal number is 0, on the
    /// calling thread and in kernels split across threads; outside, it is a denormal again.
    @Test func denormalsAreZeroOnlyWhileFlushing() {
        #expect(smallestProduct() > 0)  // 1e-40 is a denormal
        Denormals.flushingToZero {
            #expect(smallestProduct() == 0)
            #expect(smallestExp() == 0)
        }
        #expect(smallestProduct() > 0)
        #expect(smallestExp() > 0)
    }

    /// A worker thread inherits the control state of the thread that started it, which may be
    /// training; a job from a thread that keeps denormals must still keep them on that worker.
    @Test func aWorkerKeepsDenormalsForAJobThatDoes() {
        Denormals.flushingToZero {
            #expect(Denormals.areFlushedOnThisThread)
            Denormals.onWorkerThread(flushing: false) {
                #expect(!Denormals.areFlushedOnThisThread)
            }
            #expect(Denormals.areFlushedOnThisThread)
        }
        Denormals.onWorkerThread(flushing: true) { #expect(Denormals.areFlushedOnThisThread) }
        #expect(!Denormals.areFlushedOnThisThread)
    }

    /// Flushing belongs to the thread that asked for it (training, say): while one thread
    /// flushes, kernels that another thread splits across the workers still keep denormals.
    @Test func flushingOnOneThreadLeavesOtherThreadsAlone() {
        let flushing = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let released = DispatchSemaphore(value: 0)
        Thread {
            Denormals.flushingToZero {
                flushing.signal()
                release.wait()
            }
            released.signal()
        }.start()
        flushing.wait()
        #expect(smallestProduct() > 0)
        #expect(smallestExp() > 0)
        release.signal()
        released.wait()
    }
}
