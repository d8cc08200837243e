import Dispatch
import Foundation
import Synchronization

/// How many threads Descent's CPU kernels use. Defaults to the number of cores.
public enum ThreadCount {
    private static let storage = Atomic<Int>(defaultValue)

    /// The number of cores this process may use.
    public static var defaultValue: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// The number of threads large kernels split their work across (at least 1).
    public static var current: Int {
        get { storage.load(ordering: .relaxed) }
        set { storage.store(max(1, newValue), ordering: .relaxed) }
    }
}

/// Splitting work across cores. Small work stays on the calling thread: waking a thread costs
/// microseconds, more than a small kernel takes.
public enum Parallel {
    /// Calls `body` on disjoint chunks covering `0..<count`, each at least `minimumChunk` long
    /// (except the last), on up to ``ThreadCount/current`` threads at once.
    ///
    /// `body` may run on several threads at the same time, so it must only write what belongs
    /// to its own chunk.
    public static func forEachChunk(count: Int, minimumChunk: Int, _ body: (Range<Int>) -> Void) {
        let chunks = min(ThreadCount.current, max(1, count / max(1, minimumChunk)))
        if chunks <= 1 {
            if count > 0 { body(0..<count) }
            return
        }
        let chunkSize = (count + chunks - 1) / chunks
        withoutActuallyEscaping(body) { body in
            // The chunks are disjoint, so sharing `body` (and the pointers it holds) is safe.
            let shared = UncheckedSendable(body)
            WorkerPool.shared.run(chunks) { chunk in
                let start = chunk * chunkSize
                let end = min(count, start + chunkSize)
                if start < end { Denormals.onWorkerThread { shared.value(start..<end) } }
            }
        }
    }
}

/// A value handed to other threads where the caller guarantees there is no data race.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
