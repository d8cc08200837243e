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
        guard plain else { return }
        print(line)
        fflush(nil)  // nil: every output stream, standard output among them
    }

    func show(_ event: TrainingEvent) {
        switch event {
        case let .stepEnded(epoch, epochCount, step, stepCount, cost, samplesPerSecond):
            clock.withLock { clock in
                if step == 1 { clock.epochStart = Date() }
                guard live, step == stepCount || Date().timeIntervalSince(clock.lastDraw) > 0.1 else { return }
                clock.lastDraw = Date()
                let remaining = Date().timeIntervalSince(clock.epochStart) / Double(step) * Double(stepCount - step)
                let line = ProgressLine(epoch: epoch, epochCount: epochCount, step: step, stepCount: stepCount, cost: cost,
                                        samplesPerSecond: samplesPerSecond, secondsLeft: remaining)
                // Measured at every redraw, so that a resized window is followed.
                FileHandle.standardOutput.write(Data(("\r" + line.text(width: terminalWidth()) + "\u{1B}[K").utf8))
            }
        case let .epochEnded(epoch, epochCount, values, seconds):
            guard plain else { return }
            if live { FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8)) }
            var keys = ["loss", "accuracy", "mae", "rmse"]
            keys += keys.map { "val_" + $0 }
            print(String(format: "epoch %d/%d  ", epoch, epochCount) + formatted(values, order: keys)
                  + String(format: "  (%.2fs)", seconds))
            // A pipe is block-buffered: without this, nothing would appear until training ends.
            fflush(nil)  // nil: every output stream, standard output among them
        }
    }
}

/// The number of columns of the terminal on standard output; 80 when it is not a terminal or
/// does not say.
private func terminalWidth() -> Int {
    var size = winsize()
    guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
    return Int(size.ws_col)
}
