// The CPU's convolutions on geometries drawn at random, against the float64 reference: the
// CPU chooses among several ways (Winograd, the input's phases for dilation, the filter's 3×3
// blocks, depthwise kernels, im2col with its stride-2 phases and its products of several
// examples), each with its own conditions and edge cases. The other tests pick geometries by
// hand, one way at a time; these draw them from a wide range and check every one, forward (with
// ReLU fused), input gradient and filter gradient, so that a combination nobody thought of is
// checked too.
@testable import DescentCore
import Descent
import Testing
import _DescentTestSupport

@Suite struct RandomConvolutionTests {
    /// The ways a geometry is drawn for: any at all, or near one of the CPU's ways of
    /// convolving (its conditions met, or just missed), which a draw from the whole range would
    /// rarely reach.
    enum Aim: CaseIterable { case any, winograd, filterBlocks, dilatedPhases, strideTwo, depthwise }

    /// A geometry with an output of at least 1×1, drawn near `aim`: channel counts around
    /// Winograd's threshold of 8, kernels from 1 to 7 (square and not), strides 1 to 3,
    /// dilations 1 to 3, padding up to past the kernel's reach, depthwise and other groups,
    /// batches of 1 to 11 (im2col puts several small outputs into one product).
    static func geometry(_ draws: inout SeededDraws, aim: Aim) -> Conv2dGeometry {
        while true {
            var groups = draws.pick([1, 1, 1, 2, 3])
            var inChannels = groups * draws.pick([1, 2, 3, 4, 8, 12])
            var outChannels = groups * draws.pick([1, 3, 4, 8, 16])
            var kernelHeight = draws.pick([1, 2, 3, 3, 4, 5, 5, 6, 7])
            var kernelWidth = draws.next() % 3 == 0 ? draws.pick([1, 2, 3, 4, 5, 6, 7]) : kernelHeight
            var stride = draws.pick([1, 1, 1, 2, 2, 3])
            var dilation = stride == 1 ? draws.pick([1, 1, 1, 2, 3]) : draws.pick([1, 1, 2])
            // Images from 1 to 23 on a side, a quarter of them 1 to 4 (narrower than the kernel).
            func side() -> Int { 1 + draws.upTo(draws.next() % 4 == 0 ? 3 : 22) }
            var height = side(), width = side()
            switch aim {
            case .any: break
            case .winograd:
                (groups, stride, dilation, kernelHeight, kernelWidth) = (1, 1, 1, 3, 3)
                (inChannels, outChannels) = (draws.pick([7, 8, 9, 16]), draws.pick([8, 10, 16]))
            case .filterBlocks:
                (groups, stride, dilation) = (1, 1, 1)
                (kernelHeight, kernelWidth) = (draws.pick([4, 5, 6, 7]), draws.pick([3, 4, 5, 6, 7]))
                (inChannels, outChannels) = (draws.pick([2, 3, 8]), draws.pick([8, 16]))
                (height, width) = (14 + draws.upTo(8), 14 + draws.upTo(8))
            case .dilatedPhases:
                (groups, stride, dilation, kernelHeight, kernelWidth) = (1, 1, draws.pick([2, 3]), 3, 3)
                (inChannels, outChannels) = (draws.pick([8, 12]), draws.pick([8, 16]))
                (height, width) = (dilation * (12 + draws.upTo(2)), dilation * (12 + draws.upTo(2)))
            case .strideTwo:
                (stride, dilation) = (2, 1)
                (height, width) = (2 * (1 + draws.upTo(10)), 2 * (1 + draws.upTo(10)))
            case .depthwise:
                groups = draws.pick([2, 3, 8])
                (inChannels, outChannels) = (groups, groups * draws.pick([1, 2]))
            }
            let reachY = dilation * (kernelHeight - 1), reachX = dilation * (kernelWidth - 1)
            // Dilated phases need paddings that the dilation divides: drawn so three times in four.
            let step = aim == .dilatedPhases && draws.next() % 4 != 0 ? dilation : 1
            // A stride of 2 goes through the input's phases when the output is half the input:
            // paddings that add up to the kernel's size less 1 or 2, drawn so three times in four.
            let halving = aim == .strideTwo && draws.next() % 4 != 0
            func paddings(_ reach: Int) -> (before: Int, after: Int) {
                guard halving else { return (step * draws.upTo((reach + 1) / step), step * draws.upTo((reach + 1) / step)) }
                let total = Swift.max(0, reach - 1 + draws.upTo(1)), before = draws.upTo(total)
                return (before, total - before)
            }
            let (vertical, horizontal) = (paddings(reachY), paddings(reachX))
            let s = Conv2dGeometry(
                batch: draws.pick([1, 2, 3, 5, 11]), inChannels: inChannels, height: height, width: width,
                outChannels: outChannels, kernelHeight: kernelHeight, kernelWidth: kernelWidth,
                strideY: stride, strideX: stride, padTop: vertical.before, padLeft: horizontal.before,
                padBottom: vertical.after, padRight: horizontal.after, dilationY: dilation, dilationX: dilation,
                groups: groups)
            // The float64 reference computes every product one at a time: draws that would
            // take it long are drawn again.
            if s.outHeight >= 1, s.outWidth >= 1, s.multiplyAdds <= (aim == .any ? 300_000 : 600_000) { return s }
        }
    }

    /// The geometries of round `round` of the test below: each aim in turn.
    static func geometries(round: Int) -> [Conv2dGeometry] {
        var draws = SeededDraws(seed: 0x5EED_0000 + UInt64(round))
        return (0..<geometriesPerRound).map { geometry(&draws, aim: Aim.allCases[$0 % Aim.allCases.count]) }
    }

    static let geometriesPerRound = 60
    static let rounds = 4

    /// Forward with a bias, input gradient and filter gradient within a few float32 roundings of
    /// the float64 reference, and ReLU fused into the forward pass bit for bit ReLU of its output.
    @Test(arguments: 0..<Self.rounds)
    func agreeWithTheFloat64Reference(round: Int) {
        for (index, s) in Self.geometries(round: round).enumerated() {
            let seed = UInt64(round * 1000 + index) * 4
            let (x, w, b, y) = WinogradTests.expectAgreementWithTheFloat64Reference(s, seed: seed, context: "\(s)")
            let fused = CPUBackend.shared.conv2d(x, weight: w, bias: b, s, activation: .relu).doubles()
            #expect(fused.map(\.bitPattern) == y.doubles().map { max($0, 0).bitPattern }, "fused ReLU, \(s)")
        }
    }

    /// The draws reach every way the CPU has of convolving, so that the test above checks them all.
    @Test func theDrawsReachEveryWay() {
        let drawn = (0..<Self.rounds).flatMap { Self.geometries(round: $0) }
        let ways: [(String, (Conv2dGeometry) -> Bool)] = [
            ("Winograd", \.usesWinograd), ("dilated phases", { $0.phaseConvolution != nil }),
            ("filter blocks", { $0.blockConvolution != nil }), ("depthwise", \.usesDepthwiseKernel),
            ("stride 2 through phases", { $0.strideX == 2 && $0.strideY == 2 && $0.outHeight * 2 == $0.height && $0.outWidth * 2 == $0.width }),
            ("several examples a product", { $0.examplesPerProduct > 1 && $0.batch > 1 }),
            // Padding wider than the output: a kernel row or column that reads padding only.
            ("padding past the output", {
                ($0.padLeft + $0.strideX - 1) / $0.strideX > $0.outWidth || ($0.padTop + $0.strideY - 1) / $0.strideY > $0.outHeight
            }),
        ]
        for (way, takes) in ways {
            let count = drawn.filter(takes).count
            #expect(count >= 5, "\(way): \(count) of the \(drawn.count) draws")
        }
    }
}

extension Conv2dGeometry {
    /// The forward pass's multiply-adds.
    var multiplyAdds: Int { batch * outChannels * outHeight * outWidth * groupInChannels * kernelHeight * kernelWidth }
}
