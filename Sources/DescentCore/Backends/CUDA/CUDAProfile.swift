import Foundation
import Synchronization

/// `DESCENT_CUDA_PROFILE=1`: where a GPU run's time goes, per kernel and per cuBLAS product,
/// printed to standard error when the process exits.
///
/// Each profiled operation waits for the GPU before and after it, so the figures are each
/// operation's own time, launch included, with nothing overlapping — a run is slower than
/// without the variable, and its table says which operations to make faster (there is no
/// Nsight Systems on every GPU machine; this needs nothing but the driver).
enum CUDAProfile {
    static let isEnabled = ProcessInfo.processInfo.environment["DESCENT_CUDA_PROFILE"] == "1"

    private static let totals = Mutex<[String: (count: Int, seconds: Double)]>([:])
    private static let registered = Mutex(false)

    /// Runs `operation` between two waits for `context`'s stream and adds its time to `name`.
    static func measure(_ name: @autoclosure () -> String, on context: CUDAContext, _ operation: () -> Void) {
        context.synchronize()
        let start = DispatchTime.now().uptimeNanoseconds
        operation()
        context.synchronize()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let key = name()
        totals.withLock { $0[key, default: (0, 0)].count += 1; $0[key, default: (0, 0)].seconds += seconds }
        registered.withLock { done in
            guard !done else { return }
            done = true
            atexit { CUDAProfile.printReport() }
        }
    }

    /// The table: operations by total time, with their count and mean.
    static var report: String {
        let rows = totals.withLock { $0 }.sorted { $0.value.seconds > $1.value.seconds }
        let total = rows.reduce(0) { $0 + $1.value.seconds }
        var lines = ["DESCENT_CUDA_PROFILE: \(String(format: "%.3f", total)) s in profiled GPU operations"]
        for (name, entry) in rows {
            lines.append(String(format: "%8.3f s %5.1f%% %9d × %9.1f µs  ", entry.seconds, 100 * entry.seconds / max(total, 1e-12),
                                entry.count, entry.seconds / Double(entry.count) * 1e6) + name)
        }
        return lines.joined(separator: "\n")
    }

    private static func printReport() {
        FileHandle.standardError.write(Data((report + "\n").utf8))
    }
}
