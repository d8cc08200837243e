import CDescentKernels
import Dispatch
import Foundation
import Synchronization

/// The threads that run the parallel parts of Descent's kernels.
///
/// A training step hands out many small parallel jobs (a matrix product of 20 µs, an optimizer
/// update of 30 µs) with little serial work between them. Waking a sleeping thread costs about
/// as much as such a job, so after each job the workers keep polling for the next one for a
/// short while (``spinDuration``) before they go to sleep, as OpenMP runtimes and MKL do. Idle
/// for longer than that, they sleep and cost nothing.
final class WorkerPool: @unchecked Sendable {
    /// The pool the kernels share; it grows to ``ThreadCount/current`` − 1 workers on demand
    /// (the calling thread does its share of every job).
    static let shared = WorkerPool()

    /// How long an idle worker polls for new work before it sleeps.
    static let spinDuration: UInt64 = 200_000  // nanoseconds

    /// One call to ``run(_:_:)``: its iterations are claimed one at a time by whichever thread
    /// is free.
    private final class Job: @unchecked Sendable {
        let count: Int
        /// The caller's closure, which outlives the job: the caller waits until every
        /// iteration is done, and a late worker only calls it after claiming an iteration.
        let body: UnsafePointer<(Int) -> Void>
        /// Whether the caller flushes denormals to zero, and so must the workers that help it
        /// (read from the calling thread's control register, since jobs are made there).
        let flushesDenormals: Bool
        let nextIteration = Atomic<Int>(0)
        let finishedIterations = Atomic<Int>(0)

        init(count: Int, body: UnsafePointer<(Int) -> Void>) {
            self.count = count
            self.body = body
            flushesDenormals = Denormals.areFlushedOnThisThread
        }

        /// Runs iterations until none is left unclaimed.
        func work() {
            while true {
                let iteration = nextIteration.wrappingAdd(1, ordering: .relaxed).oldValue
                guard iteration < count else { return }
                body.pointee(iteration)
                finishedIterations.wrappingAdd(1, ordering: .releasing)
            }
        }
    }

    private final class Worker: @unchecked Sendable {
        let wakeUp = DispatchSemaphore(value: 0)
        let isSleeping = Atomic<Bool>(false)
    }

    /// Bumped for every new job; workers watch it.
    private let generation = Atomic<Int>(0)
    private let currentJob = Mutex<Job?>(nil)
    /// Held while a job runs: one job at a time.
    private let submission = Mutex<Void>(())
    private let workers = Mutex<[Worker]>([])

    /// Calls `body(i)` for every `i` in `0..<count`, spread over the calling thread and up to
    /// `min(count, ThreadCount.current) − 1` workers, and returns when all calls have returned.
    ///
    /// A call made while another job runs (from inside a job, or from a second thread) runs
    /// its iterations on the calling thread.
    func run(_ count: Int, _ body: (Int) -> Void) {
        guard count > 1 else {
            if count == 1 { body(0) }
            return
        }
        let ran = submission.withLockIfAvailable { _ -> Bool in
            withoutActuallyEscaping(body) { body in
                var closure = body
                withUnsafePointer(to: &closure) { pointer in
                    let job = Job(count: count, body: pointer)
                    // Iterations beyond the thread count wait for a free thread; they get no
                    // worker of their own.
                    let sleepers = prepareWorkers(min(count, ThreadCount.current) - 1)
                    currentJob.withLock { $0 = job }
                    generation.wrappingAdd(1, ordering: .sequentiallyConsistent)
                    for worker in sleepers where worker.isSleeping.exchange(false, ordering: .sequentiallyConsistent) {
                        worker.wakeUp.signal()
                    }
                    job.work()
                    // The other iterations are running; wait for them, giving the core away
                    // now and then in case a worker is waiting for one (more threads than cores).
                    var polls = 0
                    while job.finishedIterations.load(ordering: .acquiring) < count {
                        descent_spin_loop_hint()
                        polls += 1
                        if polls % 1024 == 0 { sched_yield() }
                    }
                    currentJob.withLock { $0 = nil }
                }
            }
            return true
        }
        if ran == nil {
            for iteration in 0..<count { body(iteration) }
        }
    }

    /// `count` workers (started as needed), returned for waking.
    private func prepareWorkers(_ count: Int) -> [Worker] {
        workers.withLock { workers in
            while workers.count < count {
                let worker = Worker()
                workers.append(worker)
                let thread = Thread { [self] in loop(worker) }
                thread.name = "descent-worker-\(workers.count)"
                thread.start()
            }
            return Array(workers.prefix(count))
        }
    }

    /// A worker's life: poll for a job, help with it, and sleep when none comes for a while.
    private func loop(_ worker: Worker) {
        var seen = generation.load(ordering: .acquiring)
        while true {
            let idleSince = DispatchTime.now().uptimeNanoseconds
            var polls = 0
            while generation.load(ordering: .acquiring) == seen {
                descent_spin_loop_hint()
                polls += 1
                if polls % 256 == 0, DispatchTime.now().uptimeNanoseconds - idleSince > Self.spinDuration {
                    // Announce the sleep, then look once more, so a job posted in between is
                    // not missed; a wake-up for a job already taken is harmless.
                    worker.isSleeping.store(true, ordering: .sequentiallyConsistent)
                    if generation.load(ordering: .sequentiallyConsistent) == seen { worker.wakeUp.wait() }
                    worker.isSleeping.store(false, ordering: .sequentiallyConsistent)
                    polls = 0
                }
            }
            seen = generation.load(ordering: .acquiring)
            if let job = currentJob.withLock({ $0 }) {
                Denormals.onWorkerThread(flushing: job.flushesDenormals) { job.work() }
            }
        }
    }
}
