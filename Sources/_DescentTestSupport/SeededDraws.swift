// Pseudo-random choices for the tests that draw their cases (sizes, geometries, layer lists)
// rather than pick them by hand.

/// A small deterministic generator (SplitMix64): from a fixed seed, the same cases on every run,
/// so that a failure names a case that can be run again.
public struct SeededDraws {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// One of `choices` (not empty), each as likely; repeat one to make it likelier.
    public mutating func pick<T>(_ choices: [T]) -> T { choices[Int(next() % UInt64(choices.count))] }

    /// A number from 0 through `n`.
    public mutating func upTo(_ n: Int) -> Int { Int(next() % UInt64(n + 1)) }

    /// True once in `oneIn` draws, on average.
    public mutating func chance(_ oneIn: Int) -> Bool { next() % UInt64(oneIn) == 0 }
}
