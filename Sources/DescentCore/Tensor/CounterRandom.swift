/// Where a stream of counter-based random numbers starts: a seed and an offset into it.
///
/// Element `i` of a draw with this key is a pure function of (`seed`, `offset + i`), so any
/// backend, on any number of threads, in any order, computes the same numbers. A layer that
/// draws again and again (`Dropout`) keeps one seed and moves its offset past each draw.
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
/// 128-bit counter, ten rounds of multiply-and-xor.
///
/// The stream of a seed is Philox's output for the counters 0, 1, 2, … (block b is the four
/// 32-bit words of counter b, under key = seed), read in groups of eight blocks, word by word
/// across the eight: that order lets a vector unit compute eight blocks at once and store each
/// word of the eight straight into eight neighbouring outputs.
///
/// - The 32-bit number at position p is word ⌊(p mod 32)/8⌋ of block 8⌊p/32⌋ + (p mod 8).
/// - The 16-bit number at position q is word ⌊(q mod 64)/16⌋ of block 8⌊q/64⌋ + (q mod 8): its
///   low half when ⌊(q mod 16)/8⌋ is 0, its high half when it is 1.
///
/// Every backend computes these same numbers; this type computes them one at a time (the
/// reference backend's way, and the definition).
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

    /// Word `word` (0…3) of block `block` of the stream of `seed`.
    @inlinable
    public static func word(_ word: Int, ofBlock block: UInt64, seed: UInt64) -> UInt32 {
        let words = philox(key: (UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32)),
                           counter: (UInt32(truncatingIfNeeded: block), UInt32(truncatingIfNeeded: block >> 32), 0, 0))
        switch word {
        case 0: return words.0
        case 1: return words.1
        case 2: return words.2
        default: return words.3
        }
    }

    /// The 32-bit number at `position` of the stream of `seed`.
    @inlinable
    public static func bits(seed: UInt64, position: UInt64) -> UInt32 {
        let (group, rest) = position.quotientAndRemainder(dividingBy: 32)
        return word(Int(rest / 8), ofBlock: 8 * group + rest % 8, seed: seed)
    }

    /// The 16-bit number at `position` of the stream of `seed`.
    @inlinable
    public static func bits16(seed: UInt64, position: UInt64) -> UInt16 {
        let (group, rest) = position.quotientAndRemainder(dividingBy: 64)
        let word = word(Int(rest / 16), ofBlock: 8 * group + rest % 8, seed: seed)
        return UInt16(truncatingIfNeeded: (rest / 8) % 2 == 0 ? word : word >> 16)
    }

    /// 32 random bits as a uniform number in [0, 1): the top 24 bits for `Float`, all 32 for
    /// `Double` — exact conversions, so every backend rounds them alike.
    @inlinable
    public static func unit<T: FloatingPointScalar>(_ bits: UInt32, as type: T.Type) -> T {
        T.self == Float.self ? T(Float(bits >> 8) * 0x1p-24) : T(Double(bits) * 0x1p-32)
    }

    /// The threshold below which a 16-bit number keeps an element with probability `p`
    /// (to within 2⁻¹⁶): `p`·2¹⁶, rounded.
    @inlinable
    public static func threshold16(probability p: Double) -> UInt32 {
        UInt32((Swift.min(Swift.max(p, 0), 1) * 0x1p16).rounded())
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
