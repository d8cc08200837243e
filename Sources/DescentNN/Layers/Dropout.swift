/// Inverted dropout, PyTorch's `nn.Dropout`: in training mode, each input element is zeroed
/// with probability `rate` and the survivors are scaled by 1 / (1 − rate), so that the expected
/// output equals the input; in inference mode the layer passes its input through unchanged.
///
/// Like a PyTorch module, a new layer is in training mode; switch a model to inference with
/// `model.training(false)` or `setTraining(false)`.
///
/// Each forward pass in training mode draws a new mask. The masks come from a generator shared
/// by every copy of the layer (a ``SharedRandomGenerator``), so the same seed gives the same
/// sequence of masks, and the sequence moves on from one step to the next even though the
/// layer itself is a value.
public struct Dropout: Layer, Sendable {
    /// The probability of zeroing each element, in 0...1.
    public let rate: Double
    /// Whether the layer drops elements (training) or passes its input through (inference).
    public var isTraining = true
    /// Where the masks come from; shared by the copies of this layer.
    public let randomness: SharedRandomGenerator

    /// A dropout layer whose masks are drawn from a generator seeded with `seed`, or, without a
    /// seed, with the next seed of ``DefaultInitialization``.
    public init(rate: Double, seed: UInt64? = nil) {
        precondition((0...1).contains(rate), "Dropout: rate must be in 0...1, got \(rate)")
        self.rate = rate
        randomness = SharedRandomGenerator(seed: seed ?? DefaultInitialization.nextSeed())
    }

    /// A dropout layer whose masks are seeded from `generator` (which advances by one draw), so
    /// that one generator can seed every layer of a model.
    public init(rate: Double, using generator: inout RandomGenerator) {
        self.init(rate: rate, seed: generator.next())
    }

    /// In training mode, `input` with a fresh random mask applied; otherwise `input` itself.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        guard isTraining && rate > 0 else { return input }
        return input * mask(shape: input.shape, dtype: input.dtype)
    }

    /// Turns dropping on (training) or off (inference).
    public mutating func setTraining(_ isTraining: Bool) {
        self.isTraining = isTraining
    }

    /// 1 / (1 − rate) where an element survives (probability 1 − rate), 0 where it is dropped.
    /// The mask is a constant, so the gradient is the upstream gradient times the same mask.
    private func mask(shape: [Int], dtype: DType) -> Tensor {
        let keep = 1 - rate
        // With rate 1 nothing survives and PyTorch outputs zeros (not 0 · ∞).
        let scale = rate == 1 ? 0 : 1 / keep
        var mask = Tensor.zeros(shape, dtype: dtype)
        func fill<Scalar: TensorScalar>(_: Scalar.Type) {
            let survivor = Scalar(fromDouble: scale)
            // Each 64-bit draw decides four elements: an element survives when its 16-bit
            // quarter is below keep·2¹⁶, which happens with probability `keep` to within 2⁻¹⁶.
            // The mask is drawn in fixed chunks, each from its own generator seeded from this
            // layer's stream: the same mask whatever the number of threads, drawn on all of them.
            let threshold = UInt64((keep * 0x1p16).rounded())
            let chunkLength = 1 << 14
            let count = mask.scalarCount
            let chunkCount = (count + chunkLength - 1) / chunkLength
            let seeds = randomness.withGenerator { generator in (0..<chunkCount).map { _ in generator.next() } }
            mask.withUnsafeMutableBufferPointer(as: Scalar.self) { elements in
                Parallel.forEachChunk(count: chunkCount, minimumChunk: 1) { chunks in
                    for chunk in chunks {
                        var generator = RandomGenerator(seed: seeds[chunk])
                        let end = min(count, (chunk + 1) * chunkLength)
                        var index = chunk * chunkLength
                        while index < end {
                            var bits = generator.next()
                            // Selects rather than branches: a dropped element is a coin flip
                            // the CPU cannot predict.
                            for position in index..<min(end, index + 4) {
                                elements[position] = bits & 0xFFFF < threshold ? survivor : 0
                                bits >>= 16
                            }
                            index += 4
                        }
                    }
                }
            }
        }
        switch dtype {
        case .float32: fill(Float.self)
        case .float64: fill(Double.self)
        case .int32: preconditionFailure("Dropout: needs a floating-point input, got int32")
        }
        return mask
    }
}

extension Dropout: CustomStringConvertible {
    /// "Dropout(rate: 0.2)".
    public var description: String { "Dropout(rate: \(rate))" }
}

