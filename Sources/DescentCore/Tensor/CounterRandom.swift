/// Where a stream of counter-based random numbers starts: a seed and an offset into it.
///
/// Element `i` of a draw with this key is a pure function of (`seed`, `offset + i`), so any
/// backend, on any number of threads, in any order, computes the same numbers. A layer that
/// draws again and again (``Dropout``) keeps one seed and moves its offset past each draw.
public struct RandomKey: Sendable, Hashable, Codable {
    /// Selects the stream.
    public var seed: UInt64
    /// The position in the stream of the first number drawn.
    public var offset: UInt64

    public init(seed: UInt64, offset: UInt64 = 0) {
        self.seed = seed
        self.offset = offset
    }
}

/// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011), the
/// counter-based generator of cuRAND, PyTorch's CUDA kernels and JAX: a keyed bijection of a
/// 128-bit counter, ten rounds of multiply-and-xor. The `n`-th 32-bit number of the stream of
/// seed `s` is word `n mod 4` of Philox(key: s, counter: ⌊n / 4⌋).
public enum CounterRandom {
    /// The four 32-bit words for `counter` under `key` (key and counter as Random123 writes them:
    /// key = (k0, k1), counter = (c0, c1, c2, c3)).
    @inlinable
    public static func philox(key: (UInt32, UInt32), counter: (UInt32, UInt32, UInt32, UInt32))
        -> (UInt32, UInt32, UInt32, UInt32) {
        var (c0, c1, c2, c3) = counter
        var (k0, k1) = key
        for round in 0..<10 {
            if round > 0 {
                k0 &+= 0x9E37_79B9
                k1 &+= 0xBB67_AE85
            }
            let p0 = UInt64(0xD251_1F53) &* UInt64(c0)
            let p1 = UInt64(0xCD9E_8D57) &* UInt64(c2)
            (c0, c1, c2, c3) = (UInt32(truncatingIfNeeded: p1 >> 32) ^ c1 ^ k0, UInt32(truncatingIfNeeded: p1),
                                UInt32(truncatingIfNeeded: p0 >> 32) ^ c3 ^ k1, UInt32(truncatingIfNeeded: p0))
        }
        return (c0, c1, c2, c3)
    }

    /// The four 32-bit numbers at positions 4·`block` … 4·`block` + 3 of the stream of `seed`.
    @inlinable
    public static func block(seed: UInt64, _ block: UInt64) -> (UInt32, UInt32, UInt32, UInt32) {
        philox(key: (UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32)),
               counter: (UInt32(truncatingIfNeeded: block), UInt32(truncatingIfNeeded: block >> 32), 0, 0))
    }

    /// The 32-bit number at `position` of the stream of `seed`.
    @inlinable
    public static func bits(seed: UInt64, position: UInt64) -> UInt32 {
        let words = block(seed: seed, position / 4)
        switch position % 4 {
        case 0: return words.0
        case 1: return words.1
        case 2: return words.2
        default: return words.3
        }
    }

    /// 32 random bits as a uniform number in [0, 1): the top 24 bits for `Float`, all 32 for
    /// `Double` — exact conversions, so every backend rounds them alike.
    @inlinable
    public static func unit<T: FloatingPointScalar>(_ bits: UInt32, as type: T.Type) -> T {
        T.self == Float.self ? T(Float(bits >> 8) * 0x1p-24) : T(Double(bits) * 0x1p-32)
    }
}

extension Tensor {
    /// Uniform samples in [0, 1) of `dtype` from the counter-based stream `key` (see
    /// ``RandomKey``): element `i` is the number at position `key.offset + i`, on every device.
    public static func randomUniform(_ shape: [Int], key: RandomKey, dtype: DType = .float32,
                                     on device: Device = .cpu) -> Tensor {
        precondition(dtype.isFloatingPoint, "randomUniform(key:): needs a floating-point dtype, got \(dtype)")
        precondition(shape.allSatisfy { $0 >= 0 }, "randomUniform(key:): negative size in shape \(shape)")
        return device.backend.randomUniform(shape: shape, dtype: dtype, key: key)
    }
}

extension CounterRandom {
    /// Philox blocks `first` … `first + 7` of the stream of `seed`, computed side by side in
    /// SIMD lanes (lane `j` is block `first + j`): the same words as ``block(seed:_:)``, eight
    /// blocks for about the cost of one, since each round's 32×32 → 64-bit products become
    /// vector multiplies.
    @inlinable
    public static func blocks(seed: UInt64, first: UInt64)
        -> (SIMD8<UInt32>, SIMD8<UInt32>, SIMD8<UInt32>, SIMD8<UInt32>) {
        let counters = SIMD8<UInt64>(repeating: first) &+ SIMD8<UInt64>(0, 1, 2, 3, 4, 5, 6, 7)
        var c0 = SIMD8<UInt32>(truncatingIfNeeded: counters)
        var c1 = SIMD8<UInt32>(truncatingIfNeeded: counters &>> 32)
        var c2 = SIMD8<UInt32>(repeating: 0), c3 = SIMD8<UInt32>(repeating: 0)
        var k0 = UInt32(truncatingIfNeeded: seed), k1 = UInt32(truncatingIfNeeded: seed >> 32)
        for round in 0..<10 {
            if round > 0 {
                k0 &+= 0x9E37_79B9
                k1 &+= 0xBB67_AE85
            }
            let p0 = SIMD8<UInt64>(truncatingIfNeeded: c0) &* 0xD251_1F53
            let p1 = SIMD8<UInt64>(truncatingIfNeeded: c2) &* 0xCD9E_8D57
            let next0 = SIMD8<UInt32>(truncatingIfNeeded: p1 &>> 32) ^ c1 ^ SIMD8(repeating: k0)
            let next2 = SIMD8<UInt32>(truncatingIfNeeded: p0 &>> 32) ^ c3 ^ SIMD8(repeating: k1)
            (c0, c1, c2, c3) = (next0, SIMD8<UInt32>(truncatingIfNeeded: p1), next2, SIMD8<UInt32>(truncatingIfNeeded: p0))
        }
        return (c0, c1, c2, c3)
    }

    /// The 16-bit number at `position` of the stream of `seed`: the low half of the 32-bit
    /// number at ⌊position / 2⌋ for even positions, the high half for odd ones.
    @inlinable
    public static func bits16(seed: UInt64, position: UInt64) -> UInt16 {
        let word = bits(seed: seed, position: position / 2)
        return UInt16(truncatingIfNeeded: position % 2 == 0 ? word : word >> 16)
    }

    /// The threshold below which a 16-bit number keeps an element with probability `p`
    /// (to within 2⁻¹⁶): `p`·2¹⁶, rounded.
    @inlinable
    public static func threshold16(probability p: Double) -> UInt32 {
        UInt32((Swift.min(Swift.max(p, 0), 1) * 0x1p16).rounded())
    }
}

extension Tensor {
    /// `value` with probability `probability` and 0 otherwise, independently for each element
    /// (PyTorch's `bernoulli`, scaled): a dropout mask. Element `i` is `value` when the 16-bit
    /// number at position `key.offset + i` of the stream (see ``CounterRandom/bits16(seed:position:)``)
    /// is below ``CounterRandom/threshold16(probability:)`` — so `probability` counts in steps
    /// of 2⁻¹⁶, and the mask is the same on every device.
    public static func bernoulli(_ shape: [Int], probability: Double, value: Double = 1, key: RandomKey,
                                 dtype: DType = .float32, on device: Device = .cpu) -> Tensor {
        precondition(dtype.isFloatingPoint, "bernoulli: needs a floating-point dtype, got \(dtype)")
        precondition(shape.allSatisfy { $0 >= 0 }, "bernoulli: negative size in shape \(shape)")
        precondition((0...1).contains(probability), "bernoulli: probability \(probability) is not in 0...1")
        return device.backend.bernoulli(shape: shape, dtype: dtype, probability: probability, value: value, key: key)
    }
}
