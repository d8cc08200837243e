import CDescentKernels
import Synchronization

/// Flushing denormal numbers to zero while training.
///
/// Floats below 1.2·10⁻³⁸ (denormals) take a slow path in the CPU. As a network converges, some
/// gradients, squared gradients and activations become that small, and each epoch gets slower
/// (PyTorch's MNIST epochs drift from 3.65 to 4.4 s). Treating them as zero changes nothing
/// that matters for training and keeps every step at full speed. ``Layer/fit`` turns it on for
/// its duration; it applies to the calling thread and to the worker threads of Descent's kernels.
public enum Denormals {
    /// How many callers have flushing on; worker threads flush while it is above zero.
    private static let activeCount = Atomic<Int>(0)

    /// Whether the kernels' worker threads should flush denormals to zero.
    static var areFlushed: Bool { activeCount.load(ordering: .relaxed) > 0 }

    /// Runs `body` with denormals flushed to zero on this thread and on the kernels' worker
    /// threads, then restores the previous behaviour.
    public static func flushingToZero<R>(_ body: () throws -> R) rethrows -> R {
        activeCount.add(1, ordering: .relaxed)
        let previous = descent_flush_denormals_begin()
        defer {
            descent_flush_denormals_end(previous)
            activeCount.subtract(1, ordering: .relaxed)
        }
        return try body()
    }

    /// Runs a kernel's chunk on a worker thread, flushing denormals if a caller asked for it.
    @inline(__always)
    static func onWorkerThread(_ body: () -> Void) {
        guard areFlushed else { return body() }
        let previous = descent_flush_denormals_begin()
        body()
        descent_flush_denormals_end(previous)
    }
}
