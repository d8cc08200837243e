import Dispatch
import Foundation
import Synchronization

/// How many threads Descent's CPU kernels use. Defaults to the number of cores.
public enum ThreadCount {
    private static let storage = Atomic<Int>(defaultValue)
    /// How many ``withValue(_:_:)`` scopes are open in the process. Every kernel reads
    /// ``current``, so while none is open (always, outside tests and tools that compare thread
    /// counts) reading it costs one atomic load and an untaken branch, not a task-local lookup.
    private static let openScopes = Atomic<Int>(0)
    /// The count set by the innermost ``withValue(_:_:)`` around the current task, if any.
    @TaskLocal private static var scoped: Int?

    /// The number of cores this process may use.
    public static var defaultValue: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// The number of threads large kernels split their work across (at least 1).
    ///
    /// Setting it changes the count for the whole process; to change it for one piece of work,
    /// leaving code that runs at the same time on other tasks alone, use ``withValue(_:_:)``.
    public static var current: Int {
        get {
            if openScopes.load(ordering: .relaxed) > 0, let scoped { return scoped }
            return storage.load(ordering: .relaxed)
        }
        set { storage.store(max(1, newValue), ordering: .relaxed) }
    }

    /// Runs `body` with ``current`` equal to `count` (at least 1) for the current task only,
    /// then returns what `body` returned.
    ///
    /// Other tasks, running at the same time, keep seeing the process-wide count; that is what
    /// lets tests compare one thread with several while other tests run in parallel.
    ///
    /// ```swift
    /// let one = ThreadCount.withValue(1) { dropout(x) }
    /// let three = ThreadCount.withValue(3) { dropout(x) }
    /// ```
    public static func withValue<R>(_ count: Int, _ body: () throws -> R) rethrows -> R {
        openScopes.add(1, ordering: .relaxed)
        defer { openScopes.subtract(1, ordering: .relaxed) }
        return try $scoped.withValue(max(1, count), operation: body)
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
                if start < end { shared.value(start..<end) }
            }
        }
    }
}

/// A value handed to other threads where the caller guarantees there is no data race.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
