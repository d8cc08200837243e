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
