/// A seeded pseudo-random number generator (xoshiro256**, seeded through SplitMix64).
///
/// The same seed gives the same numbers on every machine: Descent converts the raw 64-bit
/// outputs to floats and draws normals itself rather than relying on platform libraries.
public struct RandomGenerator: RandomNumberGenerator, Sendable {
    @usableFromInline var state: (UInt64, UInt64, UInt64, UInt64)

    /// A generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) {
        var splitMix = seed
        func nextSplitMix() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (nextSplitMix(), nextSplitMix(), nextSplitMix(), nextSplitMix())
    }

    /// The next 64 random bits. (Inlinable: dropout draws one per two elements of every
    /// activation, and a call per draw would cost more than the draw.)
    @inlinable
    public mutating func next() -> UInt64 {
        let result = ((state.1 &* 5) << 7 | (state.1 &* 5) >> 57) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = state.3 << 45 | state.3 >> 19
        return result
    }

    /// A uniform `Double` in [0, 1) with 53 random bits.
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform `Float` in [0, 1) with 24 random bits.
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * 0x1.0p-24
    }

    /// A uniform integer in `0..<bound`.
    public mutating func nextIndex(below bound: Int) -> Int {
        precondition(bound > 0, "nextIndex(below:): bound must be positive, got \(bound)")
        return Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// A standard normal sample (Box–Muller).
    public mutating func nextNormal() -> Double {
        let u1 = 1 - nextUnitDouble()  // in (0, 1]: log never sees 0
        let u2 = nextUnitDouble()
        return (-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2)
    }

    /// The numbers `0..<count` in a random order (Fisher–Yates).
    public mutating func permutation(count: Int) -> [Int] {
        var result = Array(0..<count)
        for i in stride(from: count - 1, to: 0, by: -1) {
            result.swapAt(i, nextIndex(below: i + 1))
        }
        return result
    }
}

import Foundation
private func _log(_ x: Double) -> Double { Foundation.log(x) }
private func _cos(_ x: Double) -> Double { Foundation.cos(x) }

extension Tensor {
    /// Samples from the uniform distribution on [`lowerBound`, `upperBound`).
    public static func randomUniform(_ shape: [Int], lowerBound: Double = 0, upperBound: Double = 1,
                                     dtype: DType = .float32, using generator: inout RandomGenerator) -> Tensor {
        precondition(dtype.isFloatingPoint, "randomUniform: needs a floating-point dtype, got \(dtype)")
        let count = shape.reduce(1, *)
        let width = upperBound - lowerBound
        let values = (0..<count).map { _ in lowerBound + width * generator.nextUnitDouble() }
        return Tensor(doubles: values, shape: shape, dtype: dtype)
    }

    /// Samples from the normal distribution with the given mean and standard deviation.
    public static func randomNormal(_ shape: [Int], mean: Double = 0, standardDeviation: Double = 1,
                                    dtype: DType = .float32, using generator: inout RandomGenerator) -> Tensor {
        precondition(dtype.isFloatingPoint, "randomNormal: needs a floating-point dtype, got \(dtype)")
        let count = shape.reduce(1, *)
        let values = (0..<count).map { _ in mean + standardDeviation * generator.nextNormal() }
        return Tensor(doubles: values, shape: shape, dtype: dtype)
    }

    /// Uniform samples from a generator seeded with `seed`.
    public static func randomUniform(_ shape: [Int], lowerBound: Double = 0, upperBound: Double = 1,
                                     dtype: DType = .float32, seed: UInt64) -> Tensor {
        var generator = RandomGenerator(seed: seed)
        return randomUniform(shape, lowerBound: lowerBound, upperBound: upperBound, dtype: dtype, using: &generator)
    }

    /// Normal samples from a generator seeded with `seed`.
    public static func randomNormal(_ shape: [Int], mean: Double = 0, standardDeviation: Double = 1,
                                    dtype: DType = .float32, seed: UInt64) -> Tensor {
        var generator = RandomGenerator(seed: seed)
        return randomNormal(shape, mean: mean, standardDeviation: standardDeviation, dtype: dtype, using: &generator)
    }
}
