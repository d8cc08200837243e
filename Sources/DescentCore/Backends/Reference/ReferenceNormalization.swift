// Batch normalization as the textbook writes it, channel by channel, in Double: the mean and
// variance of the channel's values, each value standardized, scaled and shifted; backward, the
// chain rule through all three. A ReLU after it is applied, and its derivative taken, as the
// ReLU's own primitive and rule do it.

extension ReferenceBackend {
    /// The positions of channel `channel`'s elements in a tensor of `shape` [N, C, …], in order.
    private func positions(ofChannel channel: Int, in shape: [Int]) -> [Int] {
        let (outer, channels, inner) = (shape[0], shape[1], shape.dropFirst(2).reduce(1, *))
        var positions: [Int] = []
        for example in 0..<outer {
            let first = (example * channels + channel) * inner
            positions += first..<(first + inner)
        }
        return positions
    }

    func batchNormalization(_ x: Tensor, weight: Tensor?, bias: Tensor?, epsilon: Double,
                            activation: LinearActivation) -> (output: Tensor, mean: Tensor, variance: Tensor) {
        func run<T: FloatingPointScalar>(_: T.Type) -> (Tensor, Tensor, Tensor) {
            let channels = x.shape[1]
            var y = [T](repeating: 0, count: x.scalarCount), means: [T] = [], variances: [T] = []
            for c in 0..<channels {
                let positions = positions(ofChannel: c, in: x.shape)
                let values = positions.map { Double(x.element($0, as: T.self)) }
                let n = Double(values.count)
                // μ = Σx / n, σ² = Σ(x − μ)² / n (the biased variance, as PyTorch normalizes with).
                let mean = values.reduce(0, +) / n
                let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
                let gamma = weight.map { Double($0.element(c, as: T.self)) } ?? 1
                let beta = bias.map { Double($0.element(c, as: T.self)) } ?? 0
                for (position, value) in zip(positions, values) {
                    let z = T((value - mean) / (variance + epsilon).squareRoot() * gamma + beta)
                    y[position] = activation == .relu ? (z > 0 ? z : 0) : z
                }
                means.append(T(mean))
                variances.append(T(variance))
            }
            return (make(x.shape, T.self) { y[$0] }, make([channels], T.self) { means[$0] },
                    make([channels], T.self) { variances[$0] })
        }
        return floating(x.dtype) { run($0) }
    }

    func batchNormalizationBackward(_ upstream: Tensor, input x: Tensor, mean: Tensor, variance: Tensor,
                                    weight: Tensor?, bias: Tensor?, epsilon: Double, activation: LinearActivation)
        -> (input: Tensor, weight: Tensor, bias: Tensor) {
        func run<T: FloatingPointScalar>(_: T.Type) -> (Tensor, Tensor, Tensor) {
            let channels = x.shape[1]
            var dx = [T](repeating: 0, count: x.scalarCount), dWeight: [T] = [], dBias: [T] = []
            for c in 0..<channels {
                let positions = positions(ofChannel: c, in: x.shape)
                let n = Double(positions.count)
                let deviation = (Double(variance.element(c, as: T.self)) + epsilon).squareRoot()
                let mu = Double(mean.element(c, as: T.self))
                let gamma = weight.map { Double($0.element(c, as: T.self)) } ?? 1
                let beta = bias.map { Double($0.element(c, as: T.self)) } ?? 0
                let xHat = positions.map { (Double(x.element($0, as: T.self)) - mu) / deviation }
                // With ReLU, ḡ only where the output before it, x̂·γ + β, was positive.
                let g = zip(positions, xHat).map { position, xHat in
                    activation == .relu && !(T(xHat * gamma + beta) > 0) ? 0 : Double(upstream.element(position, as: T.self))
                }
                // β̄ = Σ ḡ, γ̄ = Σ ḡ·x̂; x̄ = γ/√(σ² + ε)·(ḡ − mean(ḡ) − x̂·mean(ḡ·x̂)).
                let sumG = g.reduce(0, +)
                let sumGXHat = zip(g, xHat).reduce(0) { $0 + $1.0 * $1.1 }
                for (index, position) in positions.enumerated() {
                    dx[position] = T(gamma / deviation * (g[index] - sumG / n - xHat[index] * sumGXHat / n))
                }
                dWeight.append(T(sumGXHat))
                dBias.append(T(sumG))
            }
            return (make(x.shape, T.self) { dx[$0] }, make([channels], T.self) { dWeight[$0] },
                    make([channels], T.self) { dBias[$0] })
        }
        return floating(x.dtype) { run($0) }
    }
}
