/// Channel dropout, PyTorch's `nn.Dropout2d`: in training mode, each channel of each example
/// of an input [batch, channels, height, width] is zeroed as a whole with probability `rate`,
/// and the surviving channels are scaled by 1 / (1 − rate); in inference mode the layer passes
/// its input through unchanged.
///
/// Neighbouring pixels of a feature map are strongly correlated, so dropping single pixels
/// (``Dropout``) hardly regularizes a convolutional network; dropping whole feature maps does.
///
/// An input of rank 3 is taken as [batch, channels, length] and its channels are dropped, as
/// PyTorch 2 does with a 3-D input (Descent's inputs always have a batch axis, so this is never an
/// unbatched image).
///
/// The masks, [batch, channels, 1, 1], come from a counter-based ``RandomStream`` shared by the
/// copies of the layer, as ``Dropout``'s do: the same seed gives the same masks on every device.
public struct Dropout2d: Layer, Sendable {
    /// The probability of zeroing each channel, in 0...1.
    public let rate: Double
    /// Whether the layer drops channels (training) or passes its input through (inference).
    public var isTraining = true
    /// Where the masks come from; shared by the copies of this layer.
    public let randomness: RandomStream

    /// A channel-dropout layer whose masks are drawn from the stream of `seed`, or, without a
    /// seed, of the next seed of ``DefaultInitialization``.
    public init(rate: Double, seed: UInt64? = nil) {
        precondition((0...1).contains(rate), "Dropout2d: rate must be in 0...1, got \(rate)")
        self.rate = rate
        randomness = RandomStream(seed: seed ?? DefaultInitialization.nextSeed())
    }

    /// A channel-dropout layer whose masks are seeded from `generator` (which advances by one
    /// draw).
    public init(rate: Double, using generator: inout RandomGenerator) {
        self.init(rate: rate, seed: generator.next())
    }

    /// In training mode, `input` with a fresh random mask applied to whole channels; otherwise
    /// `input` itself.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        precondition(input.rank == 3 || input.rank == 4,
                     "\(self): expected inputs [batch, channels, height, width] or [batch, channels, length], got shape \(input.shape)")
        guard isTraining && rate > 0 else { return input }
        // One value per (example, channel), broadcast over the spatial axes. The mask is a
        // constant, so the gradient is the upstream gradient times the same mask.
        let shape = Array(input.shape.prefix(2)) + [Int](repeating: 1, count: input.rank - 2)
        let keep = 1 - rate
        // With rate 1 nothing survives and PyTorch outputs zeros (not 0 · ∞).
        let scale = rate == 1 ? 0 : 1 / keep
        let mask = Tensor.bernoulli(shape, probability: keep, value: scale, key: randomness.reserve(shape.reduce(1, *)),
                                    dtype: input.dtype, on: input.device)
        return input * mask
    }

    /// Turns dropping on (training) or off (inference).
    public mutating func setTraining(_ isTraining: Bool) {
        self.isTraining = isTraining
    }

    /// The input's shape, which must be [channels, height, width] or [channels, length].
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard inputShape.count == 2 || inputShape.count == 3 else {
            throw LayerShapeError(expected: "[channels, height, width] or [channels, length]", found: inputShape,
                                  layer: description)
        }
        return inputShape
    }
}

extension Dropout2d: CustomStringConvertible {
    /// "Dropout2d(rate: 0.25)".
    public var description: String { "Dropout2d(rate: \(rate))" }
}

extension Dropout2d: SavableLayer {
    /// PyTorch's `nn.Dropout2d`, whose `p` defaults to 0.5.
    public static let typeName = "dropout2d"

    public var configuration: LayerConfiguration {
        LayerConfiguration(type: Self.typeName, fields: rate == 0.5 ? [] : [(key: "p", value: .number(rate))])
    }

    public init(configuration: LayerConfiguration, using generator: inout RandomGenerator) throws {
        try configuration.requireOnly(["p"])
        self.init(rate: try configuration.number("p", default: 0.5, in: 0...1), using: &generator)
    }
}
