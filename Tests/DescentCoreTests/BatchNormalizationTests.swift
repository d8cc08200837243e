// batchNormalization, the fused operation: against the same formula written with tensor
// operations (values and gradients), against finite differences, and the same bits on any
// number of threads.
import Descent
import Testing
import _DescentTestSupport

@Suite struct BatchNormalizationTests {
    /// The textbook formula in tensor operations: what `BatchNorm2d` computed before the fused
    /// operation, and what the fused one must agree with.
    private func composite(_ x: Tensor, weight: Tensor?, bias: Tensor?, epsilon: Double) -> Tensor {
        let axes = [0] + Array(2..<x.rank)
        let centered = x - x.mean(alongAxes: axes)
        var y = centered / (centered.squared().mean(alongAxes: axes) + epsilon).squareRoot()
        let channelShape = [1, x.shape[1]] + [Int](repeating: 1, count: x.rank - 2)
        if let weight { y = y * weight.reshaped(to: channelShape) }
        if let bias { y = y + bias.reshaped(to: channelShape) }
        return y
    }

    /// Dense features, a rank-3 input, images, and a channel a thousand from zero.
    private static let shapes: [(shape: [Int], shift: Double)] = [([6, 3], 0), ([4, 2, 5], 0), ([3, 4, 5, 6], 0), ([5, 2, 3, 3], 1000)]

    @Test(arguments: [Device.cpu, .reference])
    func agreesWithTheCompositeFormula(on device: Device) {
        for (index, (shape, shift)) in Self.shapes.enumerated() {
            let seed = 300 + 4 * UInt64(index)
            let x = (sample(shape, seed: seed) + shift).to(device)
            let weight = sample([shape[1]], seed: seed + 1).to(device), bias = sample([shape[1]], seed: seed + 2).to(device)
            for affine in [true, false] {
                let (w, b) = affine ? (weight, bias) : (nil, nil)
                let inputs = affine ? [x, weight, bias] : [x]
                let (fusedValue, fused) = valueWithGradient(at: inputs) { p in
                    (batchNormalization(p[0], weight: affine ? p[1] : nil, bias: affine ? p[2] : nil, epsilon: 1e-3).output
                        * weights(like: p[0]).to(device)).sum()
                }
                let (compositeValue, expected) = valueWithGradient(at: inputs) { p in
                    (composite(p[0], weight: affine ? p[1] : nil, bias: affine ? p[2] : nil, epsilon: 1e-3)
                        * weights(like: p[0]).to(device)).sum()
                }
                let what = "\(shape) + \(shift)\(affine ? ", affine" : "") on \(device)"
                expectClose(fusedValue, compositeValue, relative: 1e-12, absolute: 1e-12, "value \(what)")
                for (actual, wanted) in zip(fused, expected) {
                    expectClose(actual, wanted, relative: 1e-9, absolute: 1e-9, "gradient \(what)")
                }
                // The statistics: the channels' mean and biased variance.
                let statistics = batchNormalization(x, weight: w, bias: b)
                let axes = [0] + Array(2..<x.rank)
                expectClose(statistics.mean, x.mean(squeezingAxes: axes), relative: 1e-12, absolute: 1e-12, "mean \(what)")
                expectClose(statistics.variance, (x - x.mean(alongAxes: axes)).squared().mean(squeezingAxes: axes),
                            relative: 1e-12, absolute: 1e-12, "variance \(what)")
            }
        }
    }

    /// The derivative rule against central finite differences, in Float64, for the cost
    /// Σ w ⊙ y with fixed weights w on the output's device.
    @Test(arguments: [Device.cpu, .reference])
    func gradientsMatchFiniteDifferences(on device: Device) {
        func expectGradients(at inputs: [Tensor], _ f: ([Tensor]) -> Tensor) {
            expectGradientsMatchFiniteDifferences(at: inputs) { p in
                let y = f(p)
                return (y * weights(like: y).to(y.device)).sum()
            }
        }
        let x = (sample([3, 2, 2, 3], seed: 320) * 2 + 1).to(device)
        let weight = sample([2], seed: 321).to(device), bias = sample([2], seed: 322).to(device)
        expectGradients(at: [x, weight, bias]) { p in batchNormalization(p[0], weight: p[1], bias: p[2]).output }
        expectGradients(at: [sample([5, 3], seed: 323).to(device)]) { p in batchNormalization(p[0]).output }
    }

    /// Channels are shared out among threads; each is computed whole by one, so the bits do
    /// not depend on how many there are.
    @Test func threadsDoNotChangeABit() {
        let x = Tensor.randomNormal([16, 6, 40, 40], dtype: .float32, seed: 330)
        let weight = Tensor.randomNormal([6], dtype: .float32, seed: 331), upstream = Tensor.randomNormal(x.shape, dtype: .float32, seed: 332)
        func run(threads: Int) -> [[Float]] {
            ThreadCount.withValue(threads) {
                let y = batchNormalization(x, weight: weight).output
                let (_, gradients) = valueWithGradient(at: [x, weight]) { p in
                    (batchNormalization(p[0], weight: p[1]).output * upstream).sum()
                }
                return ([y] + gradients).map { $0.scalars(as: Float.self) }
            }
        }
        let one = run(threads: 1)
        for threads in [2, 3] {
            #expect(run(threads: threads).map { $0.map(\.bitPattern) } == one.map { $0.map(\.bitPattern) }, "\(threads) threads")
        }
    }
}
