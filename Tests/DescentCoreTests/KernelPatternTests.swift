// The strided kernels (broadcasting, reductions, permutes) against element-by-element
// definitions, over many shapes: the kernels merge and skip axes to run fast, and these are the
// shapes where such shortcuts go wrong (size-1 axes, broadcast axes in the middle, empty axes).
import Descent
import Testing
import _DescentTestSupport

/// Row-major multi-index of `offset` in `shape`.
private func unravel(_ offset: Int, in shape: [Int]) -> [Int] {
    var index = [Int](repeating: 0, count: shape.count), rest = offset
    for axis in shape.indices.reversed() {
        index[axis] = rest % shape[axis]
        rest /= shape[axis]
    }
    return index
}

/// Row-major offset of `index` in `shape`, where size-1 axes of `shape` repeat (broadcast) and
/// `index` may have extra leading axes.
private func offset(of index: [Int], in shape: [Int]) -> Int {
    let lead = index.count - shape.count
    var result = 0
    for axis in shape.indices {
        result = result * shape[axis] + (shape[axis] == 1 ? 0 : index[axis + lead])
    }
    return result
}

/// Distinct values 1, 2, 3 … in `shape`, in float64.
private func counting(_ shape: [Int]) -> Tensor {
    Tensor.arange(from: 1, to: Double(shape.reduce(1, *) + 1), dtype: .float64).reshaped(to: shape)
}

@Suite struct KernelPatternTests {
    static let broadcastPairs: [([Int], [Int], [Int])] = [
        ([3, 4], [4], [3, 4]),
        ([3, 1], [1, 4], [3, 4]),
        ([2, 3, 4], [3, 1], [2, 3, 4]),
        ([2, 1, 4], [3, 1], [2, 3, 4]),
        ([2, 3, 4], [2, 1, 4], [2, 3, 4]),
        ([1, 3, 1], [2, 1, 5], [2, 3, 5]),
        ([4, 1, 1, 2], [3, 1, 2], [4, 3, 1, 2]),
        ([], [2, 3], [2, 3]),
        ([1], [5], [5]),
        ([2, 0], [1], [2, 0]),
        ([3, 2, 70], [70], [3, 2, 70]),
    ]

    @Test(arguments: broadcastPairs)
    func broadcastingMatchesTheDefinition(left: [Int], right: [Int], expected: [Int]) {
        let a = counting(left), b = counting(right) * 0.5
        let y = a - b
        #expect(y.shape == expected)
        let (va, vb) = (a.doubles(), b.doubles())
        let reference = (0..<expected.reduce(1, *)).map { i -> Double in
            let index = unravel(i, in: expected)
            return va[offset(of: index, in: left)] - vb[offset(of: index, in: right)]
        }
        #expect(y.doubles() == reference)
        #expect((b - a).shape == expected)
        #expect(select(where: counting(left) .> 3, b, otherwise: a).shape == expected)
    }

    static let reductionCases: [([Int], [Int])] = [
        ([2, 3, 4, 5], [0]), ([2, 3, 4, 5], [1]), ([2, 3, 4, 5], [3]), ([2, 3, 4, 5], [0, 2]),
        ([2, 3, 4, 5], [1, 3]), ([2, 3, 4, 5], [0, 1, 2, 3]), ([2, 1, 3], [1]), ([1, 4, 1], [0, 2]),
        ([3, 1, 4], [0, 2]), ([5, 37], [1]), ([37, 5], [0]), ([0, 3], [0]), ([4], [0]),
    ]

    @Test(arguments: reductionCases)
    func reductionsMatchTheDefinition(shape: [Int], axes: [Int]) {
        let x = counting(shape)
        let signs = (0..<x.scalarCount).map { ($0 * 7 % 5) % 2 == 0 ? 1.0 : -1.0 }
        let values = zip(x.doubles(), signs).map { $0 * $1 }
        let signed = Tensor(doubles: values, shape: shape, dtype: .float64)
        let kept = shape.indices.map { axes.contains($0) ? 1 : shape[$0] }
        var sums = [Double](repeating: 0, count: kept.reduce(1, *))
        var maxima = [Double](repeating: -.infinity, count: sums.count)
        var minima = [Double](repeating: .infinity, count: sums.count)
        for (i, value) in values.enumerated() {
            let target = offset(of: unravel(i, in: shape), in: kept)
            sums[target] += value
            maxima[target] = Swift.max(maxima[target], value)
            minima[target] = Swift.min(minima[target], value)
        }
        #expect(signed.sum(alongAxes: axes).shape == kept)
        expectClose(signed.sum(alongAxes: axes).doubles(), sums, relative: 1e-14, absolute: 0)
        #expect(signed.max(alongAxes: axes).doubles() == maxima)
        #expect(signed.min(alongAxes: axes).doubles() == minima)
        let negativeAxes = axes.map { $0 - shape.count }
        #expect(signed.sum(squeezingAxes: negativeAxes).shape == shape.indices.filter { !axes.contains($0) }.map { shape[$0] })
    }

    static let permutations: [([Int], [Int])] = [
        ([2, 3], [1, 0]), ([2, 3, 4], [0, 2, 1]), ([2, 3, 4], [2, 1, 0]), ([2, 3, 4], [1, 0, 2]),
        ([2, 3, 4, 5], [3, 1, 0, 2]), ([1, 3, 1, 4], [2, 3, 0, 1]), ([40, 33], [1, 0]),
    ]

    @Test(arguments: permutations)
    func permutesMatchTheDefinition(shape: [Int], permutation: [Int]) {
        let x = counting(shape)
        let y = x.permuted(permutation)
        let outShape = permutation.map { shape[$0] }
        #expect(y.shape == outShape)
        let values = x.doubles()
        let reference = (0..<x.scalarCount).map { i -> Double in
            let outIndex = unravel(i, in: outShape)
            var inIndex = [Int](repeating: 0, count: shape.count)
            for (outAxis, inAxis) in permutation.enumerated() { inIndex[inAxis] = outIndex[outAxis] }
            return values[offset(of: inIndex, in: shape)]
        }
        #expect(y.doubles() == reference)
        #expect(x.cast(to: .float32).permuted(permutation).doubles() == reference)
    }

    @Test func moreBroadcastGradients() {
        expectGradients(at: [sample([2, 1, 4], seed: 90), sample([3, 1], seed: 91)]) { xs in xs[0] * xs[1] }
        expectGradients(at: [sample([1], seed: 92), sample([2, 3], seed: 93)]) { xs in xs[0] + xs[1] }
        expectGradients(at: [sample([1, 3, 1], seed: 94), sample([2, 1, 5], seed: 95)]) { xs in xs[0] - xs[1] }
        expectGradients(at: [sample([4, 1, 1, 2], seed: 96), sampleAwayFromZero([3, 1, 2], seed: 97)]) { xs in
            xs[0] / xs[1]
        }
    }
}
