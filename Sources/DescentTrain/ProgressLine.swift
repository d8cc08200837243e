import Foundation

/// The progress bar `descent train` redraws in place during an epoch, fitted to the terminal:
/// a line as wide as the terminal or wider wraps, and every redraw then leaves a new line behind.
public struct ProgressLine: Sendable, Equatable {
    public var epoch: Int
    public var epochCount: Int
    public var step: Int
    public var stepCount: Int
    public var cost: Double
    public var samplesPerSecond: Double
    /// The epoch's estimated remaining time.
    public var secondsLeft: Double

    public init(epoch: Int, epochCount: Int, step: Int, stepCount: Int, cost: Double,
                samplesPerSecond: Double, secondsLeft: Double) {
        self.epoch = epoch
        self.epochCount = epochCount
        self.step = step
        self.stepCount = stepCount
        self.cost = cost
        self.samplesPerSecond = samplesPerSecond
        self.secondsLeft = secondsLeft
    }

    /// The line in at most `width − 1` characters (the last column stays free, where a
    /// terminal would wrap): the bar narrows first, down to 10 cells, then the speed, the time
    /// left and the bar go, in that order; what is still too long is cut.
    public func text(width: Int) -> String {
        let limit = max(width - 1, 0)
        let head = "epoch \(epoch)/\(epochCount)"
        let steps = "\(step)/\(stepCount)"
        let cost = String(format: "cost %.4f", cost)
        let speed = String(format: "%.0f samples/s", samplesPerSecond)
        let left = String(format: "ETA %.1fs", secondsLeft)
        func line(bar: Int?, speed showsSpeed: Bool, left showsLeft: Bool) -> String {
            var parts = [head + (bar.map { " [\(self.bar(cells: $0))]" } ?? "") + " " + steps, cost]
            if showsSpeed { parts.append(speed) }
            if showsLeft { parts.append(left) }
            return parts.joined(separator: "  ")
        }
        let full = line(bar: 0, speed: true, left: true)
        // The widest bar that fits with everything else, up to 24 cells.
        let room = limit - full.count
        if room >= 10 { return line(bar: min(room, 24), speed: true, left: true) }
        for candidate in [line(bar: 10, speed: false, left: true), line(bar: nil, speed: false, left: true),
                          line(bar: nil, speed: false, left: false)] where candidate.count <= limit {
            return candidate
        }
        return String(line(bar: nil, speed: false, left: false).prefix(limit))
    }

    /// `cells` characters: "=" for the part of the epoch done, spaces for the rest.
    private func bar(cells: Int) -> String {
        let filled = cells * step / max(stepCount, 1)
        return String(repeating: "=", count: filled) + String(repeating: " ", count: cells - filled)
    }
}
