import Descent
import Foundation

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
try landscape.svg().write(toFile: "landscape.svg", atomically: true, encoding: .utf8)

// Full-batch descent again, with a learning rate ten times larger: each step jumps past
// the bottom of the bowl and lands higher up the other side, so the cost grows.
let tooLarge = descend(.fullBatch, optimizer: SGD(learningRate: 0.5), epochs: 10)
print("η = 0.5, cost after epochs 1 to 10:", tooLarge)
