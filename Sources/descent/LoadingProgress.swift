import Foundation
import Synchronization

/// A line on standard error while a large CSV file loads — none for a file that loads within a
/// second, which is most — redrawn in place on a terminal, a line per tenth elsewhere.
final class LoadingProgress: Sendable {
    private struct State {
        var start = Date()
        var shownTenths = -1
    }

    private let file: String
    private let live: Bool
    private let state = Mutex(State())

    init(file: String) {
        self.file = file
        live = isatty(2) != 0
    }

    /// Called with the fraction read so far, from the threads that read the file.
    func report(_ fraction: Double) {
        state.withLock { state in
            guard Date().timeIntervalSince(state.start) > 1 else { return }
            let tenths = Int(fraction * 10)
            guard live || tenths > state.shownTenths else { return }
            state.shownTenths = tenths
            let line = "Reading \(file): \(Int(fraction * 100)) %"
            FileHandle.standardError.write(Data((live ? "\r\(line)" + (fraction >= 1 ? "\n" : "") : line + "\n").utf8))
        }
    }
}
