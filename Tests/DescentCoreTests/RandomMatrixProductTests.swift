// The CPU's matrix products on sizes drawn at random, against the float64 reference: the matrix
// multiply packs panels, cuts the work among threads at tile boundaries, handles ragged last
// tiles (narrow and full width), shared and batched operands, and fuses a bias and ReLU into its
// last pass. Sizes around the tiles' edges (12 rows, 32 columns, the cache blocks) and empty ones
// are drawn often; one to three threads.
@testable import DescentCore
import Testing
import _DescentTestSupport

@Suite struct RandomMatrixProductTests {
    /// A size near one of the matrix multiply's edges, or anywhere up to 200.
    static func size(_ draws: inout SeededDraws) -> Int {
        switch draws.upTo(3) {
        case 0: return draws.upTo(3)
        case 1: return max(0, draws.pick([12, 16, 24, 32, 64, 96, 256]) + draws.upTo(2) - 1)
        default: return 1 + draws.upTo(199)
        }
    }

    @Test func productsAgreeWithTheFloat64Reference() {
        var draws = SeededDraws(seed: 0x3A7)
        for index in 0..<100 {
            let (m, n, k) = (Self.size(&draws), Self.size(&draws), Self.size(&draws))
            let (transposeA, transposeB) = (draws.next() % 2 == 0, draws.next() % 2 == 0)
            // No batch, a batch of both, or a batch on one side sharing the other's matrix.
            let (batchA, batchB): ([Int], [Int]) = switch draws.upTo(3) {
            case 0: ([], [])
            case 1: ([2], [2])
            case 2: ([3], [])
            default: ([], [2])
            }
            let a = CrossCheckRun.normal(batchA + (transposeA ? [k, m] : [m, k]), .float32, seed: UInt64(index))
            let b = CrossCheckRun.normal(batchB + (transposeB ? [n, k] : [k, n]), .float32, seed: UInt64(index) + 500)
            let threads = 1 + draws.upTo(2)
            let product = ThreadCount.withValue(threads) { matmul(a, b, transposeA: transposeA, transposeB: transposeB) }
            let exact = matmul(wide(a), wide(b), transposeA: transposeA, transposeB: transposeB)
            WinogradTests.expectClose(
                context: "\(a.shape)\(transposeA ? "ᵀ" : "") · \(b.shape)\(transposeB ? "ᵀ" : ""), \(threads) threads",
                [("product", product, exact)])
        }
    }

    @Test func linearLayersAgreeWithTheFloat64Reference() {
        var draws = SeededDraws(seed: 0x11E)
        for index in 0..<100 {
            let (rows, inputs, outputs) = (Self.size(&draws), Self.size(&draws), max(1, Self.size(&draws)))
            let x = CrossCheckRun.normal([rows, inputs], .float32, seed: UInt64(index))
            let weight = CrossCheckRun.normal([outputs, inputs], .float32, seed: UInt64(index) + 500)
            let bias = draws.next() % 3 == 0 ? nil : CrossCheckRun.normal([outputs], .float32, seed: UInt64(index) + 900)
            let activation: LinearActivation = draws.next() % 2 == 0 ? .relu : .identity
            let threads = 1 + draws.upTo(2)
            let y = ThreadCount.withValue(threads) { linear(x, weight: weight, bias: bias, activation: activation) }
            var exact = linear(wide(x), weight: wide(weight), bias: bias.map(wide))
            if activation == .relu { exact = relu(exact) }
            WinogradTests.expectClose(
                context: "[\(rows), \(inputs)] → \(outputs), bias \(bias != nil), \(activation), \(threads) threads",
                [("linear", y, exact)])
        }
    }

    private func wide(_ t: Tensor) -> Tensor { t.to(.reference).cast(to: .float64) }
}
