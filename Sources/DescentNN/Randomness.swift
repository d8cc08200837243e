import Synchronization

/// A random generator with reference semantics, safe to share between threads.
///
/// Layers are values, but a ``Dropout`` layer must draw a *new* mask on every forward pass from
/// a non-mutating `callAsFunction`: the generator's state therefore lives in this small object,
/// which every copy of the layer shares. The same seed gives the same sequence of draws.
public final class SharedRandomGenerator: Sendable {
    private let generator: Mutex<RandomGenerator>

    /// A shared generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) {
        generator = Mutex(RandomGenerator(seed: seed))
    }

    /// Runs `body` with exclusive access to the generator, so that concurrent callers never draw
    /// the same numbers.
    public func withGenerator<Result>(_ body: (inout RandomGenerator) -> Result) -> Result {
        generator.withLock { body(&$0) }
    }
}

/// Where layers draw their initial weights (and dropout seeds) when they are given neither a
/// `seed` nor a generator — the counterpart of PyTorch's global generator and `torch.manual_seed`.
///
/// Each such layer takes the next seed from one process-wide generator that starts from
/// ``initialSeed``. So the layers of one model get different weights, and a program that builds
/// its model the same way gets the same weights on every run. For full control, pass a generator
/// to every layer instead:
///
/// ```swift
/// var generator = RandomGenerator(seed: 42)
/// let model = Sequential {
///     Dense(inputCount: 784, outputCount: 512, activation: .relu, using: &generator)
///     Dense(inputCount: 512, outputCount: 10, using: &generator)
/// }
/// ```
public enum DefaultInitialization {
    /// The seed the process-wide generator starts from.
    public static let initialSeed: UInt64 = 0

    private static let current = Mutex(RandomGenerator(seed: initialSeed))

    /// Restarts the process-wide sequence from `seed` (like `torch.manual_seed`): layers built
    /// afterwards without a seed or generator are reproducible from this point.
    public static func reseed(_ seed: UInt64) {
        current.withLock { $0 = RandomGenerator(seed: seed) }
    }

    /// A fresh generator for one layer, seeded from the process-wide sequence.
    public static func nextGenerator() -> RandomGenerator {
        RandomGenerator(seed: nextSeed())
    }

    /// The next seed of the process-wide sequence.
    public static func nextSeed() -> UInt64 {
        current.withLock { $0.next() }
    }
}
