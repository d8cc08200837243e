import Descent
import Foundation

// 40 points near the line y = 2x + 1, with seeded noise: the data of a line fit.
let x = Tensor.linspace(from: -1, to: 3, count: 40).reshaped(to: [40, 1])
let noise = Tensor.randomNormal([40, 1], standardDeviation: 0.3, seed: 1)
let points = Dataset(features: x, labels: 2 * x + 1 + noise)
