import Foundation
import Testing

/// `descent landscape`, and the decision regions `descent train` saves for 2-feature classifiers.
@Suite struct PictureCLITests {
    /// A folder holding `points.csv`, twelve points near y = 2x + 1 with a text column first.
    func folderWithPoints() throws -> URL {
        let folder = try temporaryFolder()
        let rows = (0..<12).map { i in
            let x = Double(i) / 3 - 1
            return "p\(i),\(x),\(2 * x + 1 + (i % 3 == 0 ? 0.3 : -0.15))"
        }
        try (["name,hours,score"] + rows).joined(separator: "\n").write(to: folder.appendingPathComponent("points.csv"),
                                                                       atomically: true, encoding: .utf8)
        return folder
    }

    @Test func landscapeDrawsFivePathsAndSaysWhereTheyEnded() throws {
        let folder = try folderWithPoints()
        let result = try descent(["landscape", "points.csv", "--output", "surface.svg", "--steps", "20", "--start", "-1,3"],
                                 in: folder)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("Line fit score ≈ w·hours + b on 12 points"))
        for method in ["full-batch", "stochastic", "mini-batch", "momentum", "adam"] {
            #expect(result.standardOutput.contains("  \(method) "), "no line for \(method)")
        }
        let svg = try String(contentsOf: folder.appendingPathComponent("surface.svg"), encoding: .utf8)
        #expect(svg.components(separatedBy: "data-method=").count - 1 == 5)
        #expect(svg.contains("start (w, b) = (-1, 3)"))
    }

    @Test func landscapeRefusesBadInputWithTheOptionsName() throws {
        let folder = try folderWithPoints()
        let cases: [([String], String)] = [
            (["--x", "area"], "no column named 'area'"),
            (["--y", "name"], "column 'name': expected a number, found 'p0'"),
            (["--learning-rate", "0"], "--learning-rate must be a finite number above 0, found 0.0"),
            (["--steps", "0"], "--steps must be at least 1, found 0"),
            (["--start", "1,x"], "--start must be two finite numbers W,B"),
        ]
        for (options, message) in cases {
            let result = try descent(["landscape", "points.csv"] + options, in: folder)
            #expect(result.status != 0 && result.standardError.contains(message), "\(options): \(result.standardError)")
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("landscape.svg").path))
        }
        let missing = try descent(["landscape", "nowhere.csv"], in: folder)
        #expect(missing.status != 0 && missing.standardError.contains("'nowhere.csv' does not exist"))
    }

    @Test func trainingOnMoonsSavesTheDecisionRegions() throws {
        let folder = try temporaryFolder()
        let result = try descent(["train", "moons", "--epochs", "2", "--output", "moons-model"], in: folder)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("history.svg, decision-boundary.svg and a checkpoint in moons-model"))
        let svg = try String(contentsOf: folder.appendingPathComponent("moons-model/decision-boundary.svg"), encoding: .utf8)
        #expect(svg.components(separatedBy: "data-label=").count - 1 == 200)
    }
}
