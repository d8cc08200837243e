import Synchronization

/// A random generator with reference semantics, safe to share between threads: the sequence of
/// seeds that ``DefaultInitialization`` hands to layers built without one. (Dropout's masks come
/// from a ``RandomStream`` instead, which any device computes.) The same seed gives the same
/// sequence of draws.
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

/// A counter-based random stream with reference semantics: a seed and the position of the next
/// number, safe to share between threads.
///
/// A ``Dropout`` layer is a value but must draw a *new* mask on every forward pass; its copies
/// share this object, which hands out consecutive ranges of positions. The numbers themselves
/// are computed by the backend from (seed, position) — see `RandomKey` — so they are the same
/// on every device.
public final class RandomStream: Sendable {
    /// The seed and the position of the next number, together so that a checkpoint reads and
    /// restores them as one.
    private let state: Mutex<RandomKey>

    /// A stream whose numbers are fixed by `seed`, starting at position 0.
    public init(seed: UInt64) {
        state = Mutex(RandomKey(seed: seed, offset: 0))
    }

    /// Selects the stream.
    public var seed: UInt64 { state.withLock { $0.seed } }

    /// The position of the next number to be drawn.
    public var offset: UInt64 {
        get { state.withLock { $0.offset } }
        set { state.withLock { $0.offset = newValue } }
    }

    /// The seed and the position of the next number: what a training checkpoint saves, and
    /// restores to continue the same sequence of draws.
    public var key: RandomKey {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }

    /// Reserves the next `count` numbers of the stream and returns the key that draws them.
    public func reserve(_ count: Int) -> RandomKey {
        state.withLock { key in
            defer { key.offset &+= UInt64(count) }
            return key
        }
    }
}

/// Where layers draw their initial weights (and dropout seeds) when they are given neither a
/// `seed` nor a generator — the counterpart of PyTorch's global generator and `torch.manual_seed`.
///
/// Each such layer takes the next seed from a sequence of seeds: inside ``withSeed(_:_:)``, a
/// sequence that starts from the given seed and belongs to that scope (and task); elsewhere, one
/// process-wide sequence that starts from ``initialSeed``. So the layers of one model get
/// different weights, and a program that builds its model the same way gets the same weights on
/// every run:
///
/// ```swift
/// let model = DefaultInitialization.withSeed(42) {
///     Sequential {
///         Dense(inputCount: 784, outputCount: 512, activation: .relu)
///         Dense(inputCount: 512, outputCount: 10)
///     }
/// }
/// ```
///
/// For full control, pass one generator to every layer instead:
/// `Dense(inputCount: 784, outputCount: 512, using: &generator)`.
public enum DefaultInitialization {
    /// The seed the process-wide sequence starts from.
    public static let initialSeed: UInt64 = 0

    private static let processWide = SharedRandomGenerator(seed: initialSeed)
    @TaskLocal private static var scoped: SharedRandomGenerator?

    /// Runs `body` with layers built without a seed or generator drawing from a fresh sequence
    /// that starts from `seed`; the same seed gives the same model. Other tasks and threads are
    /// unaffected.
    public static func withSeed<Result>(_ seed: UInt64, _ body: () throws -> Result) rethrows -> Result {
        try $scoped.withValue(SharedRandomGenerator(seed: seed), operation: body)
    }

    /// Restarts the process-wide sequence from `seed` (like `torch.manual_seed`). Layers built
    /// concurrently on other threads draw from the same sequence, so prefer ``withSeed(_:_:)``
    /// where more than one thread builds models.
    public static func reseed(_ seed: UInt64) {
        processWide.withGenerator { $0 = RandomGenerator(seed: seed) }
    }

    /// The next seed of the current sequence (the scoped one inside ``withSeed(_:_:)``).
    public static func nextSeed() -> UInt64 {
        (scoped ?? processWide).withGenerator { $0.next() }
    }

    /// A generator for one layer, seeded with ``nextSeed()``.
    public static func nextGenerator() -> RandomGenerator {
        RandomGenerator(seed: nextSeed())
    }
}
