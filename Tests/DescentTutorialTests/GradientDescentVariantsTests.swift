import Descent
import Foundation
import Testing

/// The tutorial "Batch, stochastic and mini-batch descent": a line y ≈ w·x + b fitted from the
/// same start in four ways, then the cost surface with the five paths of `descent landscape`.
/// Last, full-batch descent with too large a learning rate, which diverges. Its code, line for
/// line (``TutorialCodeTests``), and what the text says of the runs.
@Suite struct GradientDescentVariantsTests {
    @Test func theFourWaysDownAndTheLandscape() throws {
        let picture = FileManager.default.temporaryDirectory.appendingPathComponent("landscape-\(UUID().uuidString).svg").path
        defer { try? FileManager.default.removeItem(atPath: picture) }

        // 40 points near the line y = 2x + 1, with seeded noise: the data of a line fit.
        let x = Tensor.linspace(from: -1, to: 3, count: 40).reshaped(to: [40, 1])
        let noise = Tensor.randomNormal([40, 1], standardDeviation: 0.3, seed: 1)
        let points = Dataset(features: x, labels: 2 * x + 1 + noise)

        // Fits y ≈ w·x + b from w = 0, b = 0: every batch, the gradient of the cost on the batch,
        // then the optimizer's step θ ← θ − η∇C(θ). Returns the cost on all the points after each epoch.
        func descend(_ batching: Batching, optimizer: some Optimizer, epochs: Int) -> [Double] {
            var line = Sequential { Dense(weight: Tensor([[0]] as [[Float]]), bias: Tensor([0] as [Float])) }
            var costs: [Double] = []
            for epoch in 0..<epochs {
                for batch in points.batches(batching, shuffled: true, seed: 7, epoch: epoch) {
                    let (_, gradients) = valueWithGradient(at: line) { line in
                        meanSquaredError(predicted: line(batch.inputs), expected: batch.labels)
                    }
                    optimizer.update(&line, along: gradients)
                }
                costs.append(meanSquaredError(predicted: line(points.features), expected: points.labels).doubleValue)
            }
            return costs
        }

        // 40 epochs each, with the same learning rate: per epoch, 1 step for full batch,
        // 40 for stochastic, 5 for mini-batches of 8.
        let fullBatch = descend(.fullBatch, optimizer: SGD(learningRate: 0.05), epochs: 40)
        let stochastic = descend(.stochastic, optimizer: SGD(learningRate: 0.05), epochs: 40)
        let miniBatch = descend(.miniBatch(size: 8), optimizer: SGD(learningRate: 0.05), epochs: 40)
        // Momentum remembers the last steps: v ← μv + ∇C(θ), θ ← θ − ηv.
        let momentum = descend(.fullBatch, optimizer: SGD(learningRate: 0.05, momentum: 0.9), epochs: 40)
        for (name, costs) in [("full batch", fullBatch), ("stochastic", stochastic), ("mini-batch", miniBatch), ("momentum", momentum)] {
            print(name, "cost after epochs 1, 5, 10, 40:", costs[0], costs[4], costs[9], costs[39])
        }

        // The cost surface C(w, b) of the same points, and the paths of `descent landscape` on it.
        let fit = try LineFit(x: x.doubles(), y: points.labels.doubles())
        var settings = LandscapeSettings()
        settings.start = PlanePoint(x: -1, y: 4)
        let landscape = try CostLandscape(fit: fit, settings: settings)
        print("the bottom of the bowl:", landscape.minimum, "cost", fit.minimumCost)
        for path in landscape.paths {
            print(path.method, "ends at", path.end, "cost", path.costs.last!)
        }
        try landscape.svg().write(toFile: picture, atomically: true, encoding: .utf8)

        // Full-batch descent again, with a learning rate ten times larger: each step jumps past
        // the bottom of the bowl and lands higher up the other side, so the cost grows.
        let tooLarge = descend(.fullBatch, optimizer: SGD(learningRate: 0.5), epochs: 10)
        print("η = 0.5, cost after epochs 1 to 10:", tooLarge)

        // One epoch: the more steps, the further down. Stochastic descent stays noisy near the
        // bottom; momentum overshoots (its cost goes up again) before it settles.
        #expect(stochastic[0] < miniBatch[0] && miniBatch[0] < fullBatch[0] && momentum[0] == fullBatch[0])
        #expect(zip(momentum, momentum.dropFirst()).contains { $1 > $0 })
        #expect(zip(fullBatch, fullBatch.dropFirst()).allSatisfy { $1 <= $0 + 1e-9 })
        #expect(fullBatch[39] < fit.minimumCost + 0.01 && miniBatch[39] < fit.minimumCost + 0.01)
        #expect(stochastic[39] > fullBatch[39])
        #expect([fullBatch, stochastic, miniBatch, momentum].allSatisfy { $0.allSatisfy { $0 >= fit.minimumCost - 1e-6 } })
        #expect(abs(landscape.minimum.x - 2) < 0.2 && abs(landscape.minimum.y - 1) < 0.2)
        #expect(landscape.paths.count == 5 && landscape.paths.allSatisfy { $0.points.first == settings.start })
        #expect(landscape.paths.allSatisfy { !$0.diverged && $0.costs.last! < $0.costs.first! })
        let svg = try String(contentsOfFile: picture, encoding: .utf8)
        #expect(svg.hasPrefix("<svg") || svg.hasPrefix("<?xml"))
        #expect(DescentMethod.allCases.allSatisfy { svg.contains($0.rawValue) })
        // Too large a rate diverges: the cost grows every epoch, far above where it started.
        #expect(zip(tooLarge, tooLarge.dropFirst()).allSatisfy { $1 > $0 })
        #expect(tooLarge[0] > fullBatch[0] && tooLarge[9] > 1000 * fullBatch[0])
    }
}
