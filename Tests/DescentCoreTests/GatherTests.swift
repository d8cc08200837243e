// Gathering slices on the CPU: short slices, long ones copied eight at a time (a batch's rows),
// ragged line tails, groups of fewer than eight, repeated indices and outer axes.
@testable import DescentCore
import Testing

@Suite struct GatherTests {
    /// The definition: output slice i of outer block o is input slice indices[i] of block o.
    private func expected<T>(_ values: [T], outer: Int, length: Int, inner: Int, indices: [Int]) -> [T] {
        var result: [T] = []
        for o in 0..<outer {
            for index in indices {
                let start = (o * length + index) * inner
                result += values[start..<(start + inner)]
            }
        }
        return result
    }

    /// Every slice size class of the C gather (below 256 bytes, and longer with and without a
    /// partial last cache line) for counts around its group of eight, on one thread and two.
    @Test(arguments: [1, 3, 63, 64, 65, 784, 1000])
    func rowsOfEveryLength(inner: Int) {
        let length = 40
        let values = (0..<(length * inner)).map { Float($0) * 0.5 - 7 }
        let x = Tensor(shape: [length, inner], scalars: values)
        for indices in [[5], [39, 0, 7, 7, 12, 3, 30], Array((0..<8).reversed()), (0..<9).map { $0 * 4 },
                        (0..<33).map { ($0 * 17) % length }] {
            for threads in [1, 2] {
                let gathered = ThreadCount.withValue(threads) { x.gathering(atIndices: indices) }
                #expect(gathered.shape == [indices.count, inner])
                #expect(gathered.scalars(as: Float.self) == expected(values, outer: 1, length: length, inner: inner,
                                                                       indices: indices),
                        "inner \(inner), \(indices.count) indices, \(threads) threads")
            }
        }
    }

    /// A middle axis: each outer block gathers its own slices; float64 and bytes.
    @Test func alongAMiddleAxis() {
        let (outer, length, inner) = (3, 11, 70)
        let doubles = (0..<(outer * length * inner)).map { Double($0) / 3 }
        let indices = [10, 0, 4, 4, 9, 1, 2, 3, 8, 5]
        let x = Tensor(shape: [outer, length, inner], scalars: doubles)
        #expect(x.gathering(atIndices: indices, alongAxis: 1).scalars(as: Double.self)
                == expected(doubles, outer: outer, length: length, inner: inner, indices: indices))

        let bytes = (0..<(outer * length * 300)).map { UInt8($0 % 251) }
        let images = Tensor(shape: [outer, length, 300], scalars: bytes)
        #expect(images.gathering(atIndices: indices, alongAxis: 1).scalars(as: UInt8.self)
                == expected(bytes, outer: outer, length: length, inner: 300, indices: indices))
    }
}
