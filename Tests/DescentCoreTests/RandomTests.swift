// Seeded randomness: the same seed gives the same numbers on every machine.
import Descent
import Testing
import _DescentTestSupport

@Suite struct RandomTests {
    @Test func theAlgorithmIsPinned() {
        // xoshiro256** seeded by SplitMix64, re-implemented independently in Python from the
        // reference C code (Blackman & Vigna); a change here changes every user's results.
        var generator = RandomGenerator(seed: 42)
        #expect((0..<4).map { _ in generator.next() }
                == [1546998764402558742, 6990951692964543102, 12544586762248559009, 17057574109182124193])
        var zero = RandomGenerator(seed: 0)
        #expect([zero.next(), zero.next()] == [11091344671253066420, 13793997310169335082])
    }

    @Test func derivedDrawsArePinned() {
        // Same Python re-implementation: (next() >> 11) * 2⁻⁵³; Box–Muller on (1 − u₁, u₂);
        // Fisher–Yates with (next() · bound) >> 64.
        var generator = RandomGenerator(seed: 42)
        #expect((0..<3).map { _ in generator.nextUnitDouble() } == [0.08386297105988216, 0.3789802506626686, 0.6800434110281394])
        generator = RandomGenerator(seed: 42)
        expectClose((0..<3).map { _ in generator.nextNormal() }, [-0.303263064678738, 1.3438117634372806, 0.3834617912676943],
                    relative: 1e-14, absolute: 0)
        generator = RandomGenerator(seed: 42)
        #expect(generator.permutation(count: 10) == [9, 1, 4, 2, 8, 7, 6, 5, 3, 0])
    }

    @Test func sameSeedSameNumbers() {
        for dtype in [DType.float32, .float64] {
            #expect(Tensor.randomUniform([50], dtype: dtype, seed: 3).doubles()
                    == Tensor.randomUniform([50], dtype: dtype, seed: 3).doubles())
            #expect(Tensor.randomNormal([50], dtype: dtype, seed: 3).doubles()
                    == Tensor.randomNormal([50], dtype: dtype, seed: 3).doubles())
        }
        var a = RandomGenerator(seed: 11), b = RandomGenerator(seed: 11)
        #expect(a.permutation(count: 100) == b.permutation(count: 100))
        #expect(Tensor.randomNormal([8], using: &a).doubles() == Tensor.randomNormal([8], using: &b).doubles())
        #expect(a.nextIndex(below: 1000) == b.nextIndex(below: 1000))
    }

    @Test func theSeededVariantIsAFreshGenerator() {
        var generator = RandomGenerator(seed: 5)
        #expect(Tensor.randomUniform([10], using: &generator).doubles() == Tensor.randomUniform([10], seed: 5).doubles())
    }

    @Test func aGeneratorMovesOn() {
        var generator = RandomGenerator(seed: 5)
        let first = Tensor.randomUniform([10], using: &generator), second = Tensor.randomUniform([10], using: &generator)
        #expect(first.doubles() != second.doubles())
    }

    @Test func differentSeedsDiffer() {
        #expect(Tensor.randomUniform([20], seed: 1).doubles() != Tensor.randomUniform([20], seed: 2).doubles())
        #expect(Tensor.randomNormal([20], seed: 1).doubles() != Tensor.randomNormal([20], seed: 2).doubles())
        var a = RandomGenerator(seed: 1), b = RandomGenerator(seed: 2)
        #expect(a.permutation(count: 50) != b.permutation(count: 50))
    }

    @Test func normalSamplesHaveTheRequestedMeanAndSpread() {
        let samples = Tensor.randomNormal([100_000], mean: 2, standardDeviation: 3, dtype: .float64, seed: 17)
        let mean = samples.mean().doubleValue
        let standardDeviation = ((samples - mean).squared().mean()).doubleValue.squareRoot()
        // The standard error of the mean is 3/√100000 ≈ 0.0095; allow about five of them.
        #expect(Swift.abs(mean - 2) < 0.05)
        #expect(Swift.abs(standardDeviation - 3) < 0.05)
        #expect(samples.shape == [100_000])
    }

    @Test func uniformSamplesStayInRange() {
        let samples = Tensor.randomUniform([100_000], lowerBound: -3, upperBound: 5, dtype: .float64, seed: 23)
        let values = samples.doubles()
        #expect(values.allSatisfy { $0 >= -3 && $0 < 5 })
        #expect(samples.min().doubleValue < -2.99)
        #expect(samples.max().doubleValue > 4.99)
        #expect(Swift.abs(samples.mean().doubleValue - 1) < 0.05)
        let unitFloats = Tensor.randomUniform([10_000], seed: 29).scalars(as: Float.self)
        #expect(unitFloats.allSatisfy { $0 >= 0 && $0 < 1 })
        var generator = RandomGenerator(seed: 31)
        #expect((0..<10_000).allSatisfy { _ in (0..<1).contains(generator.nextUnitFloat()) })
        #expect((0..<10_000).allSatisfy { _ in (0..<7).contains(generator.nextIndex(below: 7)) })
    }

    @Test func permutationsArePermutations() {
        var generator = RandomGenerator(seed: 37)
        let permutation = generator.permutation(count: 1000)
        #expect(permutation.sorted() == Array(0..<1000))
        #expect(permutation != Array(0..<1000))
        #expect(generator.permutation(count: 0) == [])
        #expect(generator.permutation(count: 1) == [0])
    }
}
