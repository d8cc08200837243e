import CDescentKernels

/// Flushing denormal numbers to zero while training.
///
/// Floats below 1.2·10⁻³⁸ (denormals) take a slow path in the CPU. As a network converges, some
/// gradients, squared gradients and activations become that small, and each epoch gets slower
/// (PyTorch's MNIST epochs drift from 3.65 to 4.4 s). Treating them as zero changes nothing
/// that matters for training and keeps every step at full speed. `fit` (DescentTrain) turns it on for
/// its duration; it applies to the calling thread and to the worker threads of Descent's kernels
/// while they work for that thread. Code on other threads, and the kernels it calls, still see
/// denormals: the setting belongs to a thread, not to the process, so one training run does
/// not change the numbers of whatever else runs beside it (another model's inference, tests).
public enum Denormals {
    /// Runs `body` with denormals flushed to zero on this thread and on the kernels' worker
    /// threads that work for it, then restores the previous behaviour.
    public static func flushingToZero<R>(_ body: () throws -> R) rethrows -> R {
        let previous = descent_flush_denormals_begin()
        defer { descent_flush_denormals_end(previous) }
        return try body()
    }

    /// Whether the calling thread flushes denormals to zero; read once per parallel job, so
    /// that its worker threads can do the same.
    static var areFlushedOnThisThread: Bool { descent_denormals_are_flushed() != 0 }

    /// Runs part of a job on a worker thread, flushing denormals to zero exactly when the thread
    /// that handed out the job does (`flush`), so that a result does not depend on which thread
    /// computed which part. The state is set both ways: a new thread inherits its creator's
    /// state, so a worker started while some thread was training flushes until told otherwise.
    @inline(__always)
    static func onWorkerThread(flushing flush: Bool, _ body: () -> Void) {
        let previous = descent_flush_denormals_set(flush ? 1 : 0)
        body()
        descent_flush_denormals_end(previous)
    }
}
