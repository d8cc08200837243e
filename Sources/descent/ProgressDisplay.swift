import Descent
import Foundation
import Synchronization

/// Shows training progress: on a terminal a bar redrawn in place (`\r`) during each epoch and a
/// line per epoch; on a pipe a line per epoch only; nothing when quiet.
final class ProgressDisplay: Sendable {
    /// When the bar was last drawn and when the current epoch began.
    private struct Clock {
        var lastDraw = Date.distantPast
        var epochStart = Date()
    }

    private let live: Bool
    private let plain: Bool
    /// Behind a lock because events may come from whichever thread training runs on; drawing
    /// under the same lock also keeps two redraws from interleaving their bytes.
    private let clock = Mutex(Clock())

    init(live: Bool, plain: Bool) {
        self.live = live
        self.plain = plain
    }

    func announce(_ line: String) {
        if plain { print(line) }
    }

    func show(_ event: TrainingEvent) {
        switch event {
        case let .stepEnded(epoch, epochCount, step, stepCount, cost, samplesPerSecond):
            clock.withLock { clock in
                if step == 1 { clock.epochStart = Date() }
                guard live, step == stepCount || Date().timeIntervalSince(clock.lastDraw) > 0.1 else { return }
                clock.lastDraw = Date()
                let width = 24
                let filled = width * step / max(stepCount, 1)
                let bar = String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
                let remaining = Date().timeIntervalSince(clock.epochStart) / Double(step) * Double(stepCount - step)
                let line = String(format: "epoch %d/%d [%@] %d/%d  cost %.4f  %.0f samples/s  ETA %.1fs",
                                  epoch, epochCount, bar, step, stepCount, cost, samplesPerSecond, remaining)
                FileHandle.standardOutput.write(Data(("\r" + line + "\u{1B}[K").utf8))
            }
        case let .epochEnded(epoch, epochCount, values, seconds):
            guard plain else { return }
            if live { FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8)) }
            var keys = ["loss", "accuracy", "mae", "rmse"]
            keys += keys.map { "val_" + $0 }
            print(String(format: "epoch %d/%d  ", epoch, epochCount) + formatted(values, order: keys)
                  + String(format: "  (%.2fs)", seconds))
        }
    }
}
