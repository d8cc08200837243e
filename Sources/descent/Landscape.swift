import ArgumentParser
import Descent
import Foundation

/// `descent landscape`: the picture of five kinds of gradient descent going down the cost
/// surface of a line fit.
struct Landscape: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw the cost surface C(w, b) of a line fit y ≈ w·x + b to two CSV columns, with the paths of "
            + "full-batch, stochastic, mini-batch, momentum and Adam gradient descent from one start, as an SVG.")

    @Argument(help: "A CSV file with a header row.")
    var file: String

    @Option(name: .customLong("x"), help: ArgumentHelp("The column of inputs x (default: the first numeric column).", valueName: "column"))
    var xColumn: String?

    @Option(name: .customLong("y"), help: ArgumentHelp("The column of targets y (default: the next numeric column).", valueName: "column"))
    var yColumn: String?

    @Option(help: ArgumentHelp("Where to write the picture.", valueName: "file.svg"))
    var output = "landscape.svg"

    @Option(parsing: .unconditional, help: "η for every run; too large a rate makes the runs diverge.")
    var learningRate = LandscapeSettings().learningRate

    @Option(parsing: .unconditional, help: "The number of updates each run makes.")
    var steps = LandscapeSettings().steps

    @Option(parsing: .unconditional, help: "The points per update of the mini-batch run.")
    var batchSize = LandscapeSettings().miniBatchSize

    @Option(parsing: .unconditional, help: "μ for the momentum run.")
    var momentum = LandscapeSettings().momentum

    @Option(parsing: .unconditional, help: ArgumentHelp("The (w, b) every run starts from.", valueName: "W,B"))
    var start = "0,0"

    @Option(parsing: .unconditional, help: "Seeds the order of the stochastic and mini-batch runs.")
    var seed: UInt64 = 0

    func validate() throws {
        _ = try Self.point(start)
    }

    func run() throws {
        try reported {
            var settings = LandscapeSettings()
            settings.learningRate = learningRate
            settings.steps = steps
            settings.miniBatchSize = batchSize
            settings.momentum = momentum
            settings.start = try Self.point(start)
            settings.seed = seed
            guard FileManager.default.fileExists(atPath: file) else {
                throw ValidationErrorMessage(text: "the data file '\(file)' does not exist")
            }
            let fit = try LineFit(contentsOf: URL(fileURLWithPath: file), xColumn: xColumn, yColumn: yColumn)
            let landscape = try CostLandscape(fit: fit, settings: settings)
            try AtomicFile.write(Data(landscape.svg().utf8), to: URL(fileURLWithPath: output))
            print("Line fit \(fit.yName) ≈ w·\(fit.xName) + b on \(fit.count) points: least squares at (w, b) = \(landscape.minimum), "
                  + "C = \(String(format: "%.4g", fit.minimumCost))")
            for path in landscape.paths {
                let steps = path.points.count - 1
                let outcome = path.diverged ? "diverged" : "reached"
                print("  \(path.method.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)) \(outcome) (w, b) = \(path.end), "
                      + "C = \(String(format: "%.4g", path.costs[steps])) after \(steps) steps")
            }
            print("Saved \(output)")
        }
    }

    /// "W,B" as a point.
    static func point(_ text: String) throws -> PlanePoint {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let w = parts[0], let b = parts[1], w.isFinite, b.isFinite else {
            throw ValidationError("--start must be two finite numbers W,B (e.g. 0,0 or -1.5,2), found '\(text)'")
        }
        return PlanePoint(x: w, y: b)
    }
}
