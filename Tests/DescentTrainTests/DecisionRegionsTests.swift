import Descent
import Foundation
import Testing
import _DescentTestSupport

/// `DecisionRegions`: the class a model predicts over the plane of two features, with the
/// examples, as data and as the SVG drawn from them.
@Suite struct DecisionRegionsTests {
    let corners = [(0.0, 0.0, 0), (1, 1, 0), (0, 1, 1), (1, 0, 1)].map {
        DecisionRegions.Example(point: PlanePoint(x: $0.0, y: $0.1), label: $0.2)
    }

    @Test func cellsAreLaidOutAcrossThenUp() {
        // Class 1 right of x = 0.5, and class 2 above y = 0.8 on top of that.
        let regions = DecisionRegions(examples: corners, classNames: ["0", "1", "2"], resolution: 24) { points in
            points.map { $0.y > 0.8 ? 2 : $0.x > 0.5 ? 1 : 0 }
        }
        #expect(regions.columns == 24 && regions.rows == 24)
        #expect(regions.region == PlaneRegion(x: -0.1...1.1, y: -0.1...1.1))
        #expect(regions.predictedClass(at: PlanePoint(x: 0.2, y: 0.3)) == 0)
        #expect(regions.predictedClass(at: PlanePoint(x: 0.8, y: 0.3)) == 1)
        #expect(regions.predictedClass(at: PlanePoint(x: 0.2, y: 1.0)) == 2)
        #expect(regions.predictedClass(at: PlanePoint(x: 3, y: 0)) == nil)
        // The lowest row is the bottom of the plane, the first cell in it the left.
        #expect(regions.classes[0] == 0 && regions.classes[23] == 1 && regions.classes[23 * 24] == 2)
    }

    @Test func aWideRegionHasSquareCells() {
        let wide = [DecisionRegions.Example(point: PlanePoint(x: 0, y: 0), label: 0),
                    DecisionRegions.Example(point: PlanePoint(x: 4, y: 1), label: 1)]
        let regions = DecisionRegions(examples: wide, classNames: ["a", "b"], resolution: 40) { $0.map { _ in 0 } }
        #expect(regions.columns == 40 && regions.rows == 10)
    }

    @Test func aWellTrainedNetworkPutsEachClassInItsOwnRegion() throws {
        var job = TrainingJob(dataset: "moons")
        job.standardize = true
        let outcome = try job.run()
        let regions = try #require(outcome.decisionRegions(resolution: 100))
        #expect(regions.classNames == ["0", "1"] && regions.featureNames == ["x", "y"])
        #expect(regions.examples.count == 200 && regions.examples.filter(\.isValidation).count == 40)
        // The points are drawn in the data's units, not the standardized ones.
        let original = Dataset.twoMoons().features.doubles()
        let drawn = regions.examples.flatMap { [$0.point.x, $0.point.y] }
        #expect(zip(original.sorted(), drawn.sorted()).allSatisfy { abs($0 - $1) < 1e-5 })
        // The moons are easy: nearly every example lies in the region of its own class.
        let inTheirRegion = regions.examples.filter { regions.predictedClass(at: $0.point) == $0.label }.count
        #expect(inTheirRegion >= 196, "only \(inTheirRegion) of 200 examples lie in their class's region")
        // Each cell holds what the network predicts at its centre.
        let standardizer = try #require(outcome.plan.standardizer)
        for (row, column) in [(0, 0), (10, 75), (30, 30), (regions.rows - 1, regions.columns - 1)] {
            let centre = regions.region.point(across: (Double(column) + 0.5) / Double(regions.columns),
                                              up: (Double(row) + 0.5) / Double(regions.rows))
            let input = try standardizer.apply(to: Tensor(shape: [1, 2], scalars: [Float(centre.x), Float(centre.y)]))
            let logit = outcome.model.predict(input).doubles()[0]
            #expect(regions.classes[row * regions.columns + column] == (logit > 0 ? 1 : 0))
        }
    }

    @Test func theSVGPaintsEveryCellOnceAndEveryExample() throws {
        let regions = DecisionRegions(examples: corners, classNames: ["0", "1"], resolution: 30) { points in
            points.map { ($0.x > 0.5) != ($0.y > 0.5) ? 1 : 0 }
        }
        let svg = regions.svg(title: "XOR by hand")
        let runs = svgElements(svg, named: "rect").filter { $0.attributes["data-class"] != nil }
        // Each row is cut where the class changes: XOR's quarters give two runs a row.
        #expect(runs.count == 2 * regions.rows)
        let frameWidth = try #require(runs.first.flatMap { run in
            runs.filter { $0.number("y") == run.number("y") }.map { $0.number("width")! - 0.3 }.reduce(0, +)
        })
        #expect(abs(frameWidth - 460) < 0.5)
        let dots = svgElements(svg, named: "circle").filter { $0.attributes["data-label"] != nil }
        #expect(dots.compactMap { $0.attributes["data-label"] } == ["0", "0", "1", "1"])
        #expect(svg.contains(">XOR by hand<") && svg.contains(">class 0<") && svg.contains(">class 1<"))
    }

    @Test func onlyTwoFeatureClassifiersGetAPicture() throws {
        var job = TrainingJob(dataset: "digits")
        job.epochs = 1
        job.maximumSteps = 1
        #expect(try job.run().decisionRegions() == nil)

        job = TrainingJob(dataset: "circles")
        job.epochs = 1
        let folder = scratchFolder.appendingPathComponent("circles-\(UUID().uuidString)")
        job.output = folder.path
        _ = try job.run()
        let svg = try String(contentsOf: folder.appendingPathComponent(TrainingJob.decisionRegionsFileName), encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.contains("Decision regions of the trained network on circles"))
        try? FileManager.default.removeItem(at: folder)
    }
}
