/// Inverted dropout, PyTorch's `nn.Dropout`: in training mode, each input element is zeroed
/// with probability `rate` and the survivors are scaled by 1 / (1 − rate), so that the expected
/// output equals the input; in inference mode the layer passes its input through unchanged.
///
/// Like a PyTorch module, a new layer is in training mode; switch a model to inference with
/// `model.training(false)` or `setTraining(false)`.
///
/// Each forward pass in training mode draws a new mask from a counter-based random stream (a
/// ``RandomStream``, shared by every copy of the layer): element `i` of a mask is kept when the
/// 16-bit number at position `offset + i` of the stream is below (1 − rate)·2¹⁶ (see
/// `Tensor.bernoulli`), and the offset then moves past the mask. So the same seed gives the same sequence of masks on every device and
/// whatever the number of threads.
public struct Dropout: Layer, Sendable {
    /// The probability of zeroing each element, in 0...1.
    public let rate: Double
    /// Whether the layer drops elements (training) or passes its input through (inference).
    public var isTraining = true
    /// Where the masks come from; shared by the copies of this layer.
    public let randomness: RandomStream

    /// A dropout layer whose masks are drawn from the stream of `seed`, or, without a seed, of
    /// the next seed of ``DefaultInitialization``.
    public init(rate: Double, seed: UInt64? = nil) {
        precondition((0...1).contains(rate), "Dropout: rate must be in 0...1, got \(rate)")
        self.rate = rate
        randomness = RandomStream(seed: seed ?? DefaultInitialization.nextSeed())
    }

    /// A dropout layer whose masks are seeded from `generator` (which advances by one draw), so
    /// that one generator can seed every layer of a model.
    public init(rate: Double, using generator: inout RandomGenerator) {
        self.init(rate: rate, seed: generator.next())
    }

    /// In training mode, `input` with a fresh random mask applied; otherwise `input` itself.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        guard isTraining && rate > 0 else { return input }
        return input * mask(shape: input.shape, like: input)
    }

    /// Turns dropping on (training) or off (inference).
    public mutating func setTraining(_ isTraining: Bool) {
        self.isTraining = isTraining
    }

    /// 1 / (1 − rate) where an element survives (probability 1 − rate), 0 where it is dropped.
    /// The mask is a constant, so the gradient is the upstream gradient times the same mask.
    private func mask(shape: [Int], like input: Tensor) -> Tensor {
        let keep = 1 - rate
        // With rate 1 nothing survives and PyTorch outputs zeros (not 0 · ∞).
        let scale = rate == 1 ? 0 : 1 / keep
        return Tensor.bernoulli(shape, probability: keep, value: scale, key: randomness.reserve(shape.reduce(1, *)),
                                dtype: input.dtype, on: input.device)
    }
}

extension Dropout: CustomStringConvertible {
    /// "Dropout(rate: 0.2)".
    public var description: String { "Dropout(rate: \(rate))" }
}


extension Dropout: SavableLayer {
    /// PyTorch's `nn.Dropout`, whose `p` defaults to 0.5.
    public static let typeName = "dropout"

    public var configuration: LayerConfiguration {
        LayerConfiguration(type: Self.typeName, fields: rate == 0.5 ? [] : [(key: "p", value: .number(rate))])
    }

    public init(configuration: LayerConfiguration, using generator: inout RandomGenerator) throws {
        try configuration.requireOnly(["p"])
        self.init(rate: try configuration.number("p", default: 0.5, in: 0...1), using: &generator)
    }
}
