import Descent
import Foundation

/// Shows training progress: on a terminal a bar redrawn in place (`\r`) during each epoch and a
/// line per epoch; on a pipe a line per epoch only; nothing when quiet.
final class ProgressDisplay: @unchecked Sendable {
    private let live: Bool
    private let plain: Bool
    private var lastDraw = Date.distantPast
    private var epochStart = Date()

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
            if step == 1 { epochStart = Date() }
            guard live, step == stepCount || Date().timeIntervalSince(lastDraw) > 0.1 else { return }
            lastDraw = Date()
            let width = 24
            let filled = width * step / max(stepCount, 1)
            let bar = String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
            let remaining = Date().timeIntervalSince(epochStart) / Double(step) * Double(stepCount - step)
            let line = String(format: "epoch %d/%d [%@] %d/%d  cost %.4f  %.0f samples/s  ETA %.1fs",
                              epoch, epochCount, bar, step, stepCount, cost, samplesPerSecond, remaining)
            FileHandle.standardOutput.write(Data(("\r" + line + "\u{1B}[K").utf8))
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
