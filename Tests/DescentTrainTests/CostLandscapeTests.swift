import Descent
import Foundation
import Testing

/// `CostLandscape`: the contour lines of a line fit's cost and the five runs of gradient descent,
/// as data and as the SVG drawn from them.
@Suite struct CostLandscapeTests {
    /// Nine points near y = 2x + 1.
    let fit = try! LineFit(x: [-1, -0.5, 0, 0.5, 1, 1.5, 2, 2.5, 3],
                           y: [-1.3, 0.4, 0.7, 2.4, 2.6, 4.3, 4.8, 6.4, 7.1])

    /// Small grids keep the tests fast.
    func settings(learningRate: Double = 0.05, steps: Int = 40) -> LandscapeSettings {
        var settings = LandscapeSettings()
        settings.learningRate = learningRate
        settings.steps = steps
        settings.miniBatchSize = 3
        settings.gridSize = 41
        return settings
    }

    @Test func theMinimumIsTheLeastSquaresLine() {
        let minimum = fit.minimum
        // ∂C/∂w and ∂C/∂b, summed point by point, vanish there.
        let residuals = zip(fit.x, fit.y).map { minimum.x * $0.0 + minimum.y - $0.1 }
        #expect(abs(zip(residuals, fit.x).map { $0.0 * $0.1 }.reduce(0, +)) < 1e-9)
        #expect(abs(residuals.reduce(0, +)) < 1e-9)
        #expect(abs(fit.minimumCost - fit.cost(w: minimum.x, b: minimum.y)) < 1e-12)
    }

    @Test func contourLinesOfACircleLieOnTheCircle() {
        let region = PlaneRegion(x: -2...2, y: -2...2)
        let lines = ContourLine.trace({ $0.x * $0.x + $0.y * $0.y }, over: region, gridSize: 41, levels: [1])
        #expect(lines.count == 1 && lines[0].level == 1)
        var length = 0.0
        for segment in lines[0].segments {
            for end in [segment.start, segment.end] {
                #expect(abs((end.x * end.x + end.y * end.y).squareRoot() - 1) < 0.005)
            }
            length += hypot(segment.end.x - segment.start.x, segment.end.y - segment.start.y)
        }
        #expect(abs(length - 2 * Double.pi) < 0.02 * 2 * Double.pi)
    }

    @Test func contourLinesAreWhereTheCostTakesTheirLevel() throws {
        let landscape = try CostLandscape(fit: fit, settings: settings())
        let levels = landscape.contours.map(\.level)
        #expect(levels.count == 12)
        // Levels halve towards the minimum, one through the start.
        let start = fit.cost(w: 0, b: 0)
        #expect(levels.contains { abs($0 - start) < 1e-9 * start })
        for (higher, lower) in zip(levels, levels.dropFirst()) {
            #expect(abs((lower - fit.minimumCost) / (higher - fit.minimumCost) - 0.5) < 1e-9)
        }
        // Linear interpolation along a cell's edge misses a quadratic by at most h²·C''/8, and C''
        // is 2·mean(x²) along w and 2 along b.
        let h = (landscape.region.x.upperBound - landscape.region.x.lowerBound) / 40
        let meanSquare = fit.x.map { $0 * $0 }.reduce(0, +) / Double(fit.count)
        let tolerance = h * h * 2 * max(meanSquare, 1) / 8
        for line in landscape.contours {
            #expect(!line.segments.isEmpty, "level \(line.level) has no line")
            for segment in line.segments {
                for end in [segment.start, segment.end] {
                    // The cost summed point by point, not the formula the lines were traced on.
                    #expect(abs(fit.cost(w: end.x, b: end.y) - line.level) <= tolerance)
                    #expect(landscape.region.contains(end))
                }
            }
        }
    }

    @Test func fiveRunsStartTogetherAndTakeTheTextbookSteps() throws {
        let landscape = try CostLandscape(fit: fit, settings: settings())
        #expect(landscape.paths.map(\.method) == [.fullBatch, .stochastic, .miniBatch, .momentum, .adam])
        for path in landscape.paths {
            #expect(path.points.first == PlanePoint(x: 0, y: 0))
            #expect(path.points.count == 41 && path.costs.count == 41)
            #expect(!path.diverged)
            #expect(path.costs.last! < path.costs[0] / 5, "\(path.method) did not go down")
        }
        // The gradient at (0, 0) by hand: ∂C/∂w = (2/n) Σ (w·x + b − y)·x, ∂C/∂b = (2/n) Σ (w·x + b − y).
        let n = Double(fit.count)
        let gw = 2 / n * zip(fit.x, fit.y).map { -$0.1 * $0.0 }.reduce(0, +)
        let gb = 2 / n * fit.y.map { -$0 }.reduce(0, +)
        let byMethod = Dictionary(uniqueKeysWithValues: landscape.paths.map { ($0.method, $0) })
        // θ ← θ − η∇C, for full-batch descent and the first step of momentum (whose velocity
        // starts as the gradient).
        for method in [DescentMethod.fullBatch, .momentum] {
            let first = byMethod[method]!.points[1]
            #expect(abs(first.x - (-0.05 * gw)) < 1e-12 && abs(first.y - (-0.05 * gb)) < 1e-12)
        }
        // Adam's first step is η against the gradient's sign in every coordinate.
        let adam = byMethod[.adam]!.points[1]
        #expect(abs(adam.x - (gw > 0 ? -0.05 : 0.05)) < 1e-6 && abs(adam.y - (gb > 0 ? -0.05 : 0.05)) < 1e-6)
        // Full-batch descent with a small rate goes down at every step; a stochastic run does not.
        let fullBatch = byMethod[.fullBatch]!.costs
        #expect(zip(fullBatch, fullBatch.dropFirst()).allSatisfy { $1 < $0 })
        let stochastic = byMethod[.stochastic]!.costs
        #expect(zip(stochastic, stochastic.dropFirst()).contains { $1 > $0 })
        // Momentum overshoots: it passes the minimum and comes back, so its distance to it grows
        // at some step.
        let distances = byMethod[.momentum]!.points.map { hypot($0.x - fit.minimum.x, $0.y - fit.minimum.y) }
        #expect(zip(distances, distances.dropFirst()).contains { $1 > $0 })
    }

    @Test func theSameSeedShufflesTheSame() throws {
        var other = settings()
        other.seed = 1
        let (a, b, c) = (try CostLandscape(fit: fit, settings: settings()), try CostLandscape(fit: fit, settings: settings()),
                         try CostLandscape(fit: fit, settings: other))
        #expect(a.paths[1].points == b.paths[1].points)
        #expect(a.paths[1].points != c.paths[1].points)
        #expect(a.paths[0].points == c.paths[0].points)  // full batch: the order does not matter
    }

    @Test func theSVGShowsEachLevelAndFivePathsFromTheStart() throws {
        let landscape = try CostLandscape(fit: fit, settings: settings())
        let svg = landscape.svg()
        let levels = svgElements(svg, named: "path").compactMap { $0.attributes["data-level"].flatMap(Double.init) }
        #expect(levels == landscape.contours.map(\.level))
        let start = try #require(svgElements(svg, named: "circle").first { $0.attributes["data-role"] == "start" })
        let paths = svgElements(svg, named: "path").filter { $0.attributes["data-method"] != nil }
        #expect(Set(paths.compactMap { $0.attributes["data-method"] }) == Set(DescentMethod.allCases.map(\.rawValue)))
        for path in paths {
            let first = try #require(path.pathPieces.first?.first)
            #expect(abs(first.x - start.number("cx")!) < 0.06 && abs(first.y - start.number("cy")!) < 0.06)
        }
        for method in DescentMethod.allCases {
            #expect(svg.contains(">\(method.legendWord)"), "the legend does not name \(method)")
        }
    }

    @Test func divergingRunsAreClippedToThePicture() throws {
        for learningRate in [0.5, 1e6] {
            let landscape = try CostLandscape(fit: fit, settings: settings(learningRate: learningRate, steps: 30))
            let fullBatch = landscape.paths[0]
            #expect(fullBatch.diverged)
            #expect(fullBatch.points.allSatisfy { $0.isFinite })
            let svg = landscape.svg()
            #expect(!svg.lowercased().contains("nan") && !svg.lowercased().contains("inf"))
            // The frame is 440 pixels square, 76 from the left and 70 from the top.
            for path in svgElements(svg, named: "path") where path.attributes["data-method"] != nil {
                for point in path.pathPieces.joined() {
                    #expect((75.9...516.1).contains(point.x) && (69.9...510.1).contains(point.y))
                }
            }
            #expect(svg.contains("diverged"))
        }
    }

    @Test func settingsThatCannotWorkAreRefused() {
        var settings = settings()
        settings.learningRate = 0
        #expect(throws: SettingError(.learningRate, .invalid(expected: "a finite number above 0", found: "0.0"))) {
            try CostLandscape(fit: fit, settings: settings)
        }
        settings = self.settings()
        settings.steps = 0
        #expect(throws: SettingError(.maximumSteps, .invalid(expected: "at least 1", found: "0"))) {
            try CostLandscape(fit: fit, settings: settings)
        }
        settings = self.settings()
        settings.momentum = 1
        #expect(throws: SettingError.self) { try CostLandscape(fit: fit, settings: settings) }
        settings = self.settings()
        settings.start = PlanePoint(x: .nan, y: 0)
        #expect(throws: TrainingError.self) { try CostLandscape(fit: fit, settings: settings) }
    }
}

extension DescentMethod {
    /// The first word of the method's name in the legend.
    var legendWord: String {
        switch self {
        case .fullBatch: "full-batch"
        case .stochastic: "stochastic"
        case .miniBatch: "mini-batch"
        case .momentum: "momentum"
        case .adam: "Adam"
        }
    }
}
