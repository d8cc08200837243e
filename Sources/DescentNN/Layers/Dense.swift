/// A fully connected layer: every output is a weighted sum of every input plus a bias,
/// y = activation(x · Wᵀ + b) — PyTorch's `nn.Linear`, with an optional built-in activation.
///
/// The weight is stored [outputCount, inputCount] and the bias [outputCount], named "weight"
/// and "bias" exactly as in `nn.Linear`'s `state_dict()`. Inputs of any rank ≥ 1 are
/// transformed along their last axis, which must have `inputCount` entries.
///
/// By default the parameters start as `nn.Linear`'s do, U(−1/√inputCount, 1/√inputCount)
/// (``Initializer/pytorchLinear``). The random numbers come from, in order of preference: the
/// generator you pass (`using:` — pass the same one to every layer of a model), a `seed:`, or
/// else the next seed of ``DefaultInitialization``. The weight is drawn before the
/// bias.
public struct Dense: Layer, Sendable {
    /// The weights W, [outputCount, inputCount].
    public var weight: Tensor
    /// The biases b, [outputCount]; `nil` for a layer without bias.
    public var bias: Tensor?
    /// The nonlinearity applied to x · Wᵀ + b.
    public var activation: Activation

    /// The number of values each input has along its last axis.
    public var inputCount: Int { weight.shape[1] }
    /// The number of values each output has along its last axis.
    public var outputCount: Int { weight.shape[0] }

    /// A layer with the given parameters: `weight` is [outputCount, inputCount], `bias` is
    /// [outputCount].
    public init(weight: Tensor, bias: Tensor? = nil, activation: Activation = .identity) {
        precondition(weight.rank == 2, "Dense: weight must be [outputCount, inputCount], got shape \(weight.shape)")
        if let bias {
            precondition(bias.shape == [weight.shape[0]] && bias.dtype == weight.dtype,
                         "Dense: bias must be \(weight.dtype) [\(weight.shape[0])] to match weight \(weight.shape), got \(bias.dtype) \(bias.shape)")
        }
        self.weight = weight
        self.bias = bias
        self.activation = activation
    }

    /// A layer with parameters drawn from `generator`, which advances, so that layers built
    /// from one generator get different weights and the same seed rebuilds the same model.
    public init(inputCount: Int, outputCount: Int, activation: Activation = .identity, useBias: Bool = true,
                weightInitializer: Initializer = .pytorchLinear, biasInitializer: Initializer = .pytorchLinear,
                dtype: DType = .float32, using generator: inout RandomGenerator) {
        precondition(inputCount > 0 && outputCount > 0,
                     "Dense: inputCount and outputCount must be positive, got \(inputCount) and \(outputCount)")
        let weight = weightInitializer.tensor([outputCount, inputCount], fanIn: inputCount, fanOut: outputCount,
                                              dtype: dtype, using: &generator)
        let bias = useBias ? biasInitializer.tensor([outputCount], fanIn: inputCount, fanOut: outputCount,
                                                    dtype: dtype, using: &generator) : nil
        self.init(weight: weight, bias: bias, activation: activation)
    }

    /// A layer with parameters drawn from a generator seeded with `seed`, or, without a seed,
    /// from the next seed of ``DefaultInitialization``.
    public init(inputCount: Int, outputCount: Int, activation: Activation = .identity, useBias: Bool = true,
                weightInitializer: Initializer = .pytorchLinear, biasInitializer: Initializer = .pytorchLinear,
                dtype: DType = .float32, seed: UInt64? = nil) {
        var generator = seed.map(RandomGenerator.init(seed:)) ?? DefaultInitialization.nextGenerator()
        self.init(inputCount: inputCount, outputCount: outputCount, activation: activation, useBias: useBias,
                  weightInitializer: weightInitializer, biasInitializer: biasInitializer, dtype: dtype,
                  using: &generator)
    }

    /// activation(x · Wᵀ + b), along the input's last axis.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        output(for: input, activation: activation)
    }

    /// activation(x · Wᵀ + b) for the given activation in place of the layer's own.
    func output(for input: Tensor, activation: Activation) -> Tensor {
        precondition(input.rank >= 1 && input.shape[input.rank - 1] == inputCount,
                     "\(self): expected inputs whose last axis has \(inputCount) values, got shape \(input.shape)")
        // One matrix product for the whole batch, whatever its rank: [..., in] → [n, in] → [n, out].
        let rows = input.rank == 2 ? input : input.reshaped(to: [input.scalarCount / inputCount, inputCount])
        // x · Wᵀ + b in one pass, without copying W transposed, and the activation in the same
        // pass where the matrix product can apply it (ReLU).
        let fused = activation.linearActivation
        var output = linear(rows, weight: weight, bias: bias, activation: fused ?? .identity)
        if input.rank != 2 { output = output.reshaped(to: input.shape.dropLast() + [outputCount]) }
        return fused == nil ? activation(output) : output
    }

    /// Visits "weight", then "bias" if the layer has one.
    public mutating func visitParameters(_ body: (_ name: String, _ parameter: inout Tensor) throws -> Void) rethrows {
        try body("weight", &weight)
        if bias != nil { try body("bias", &bias!) }
    }
}

extension Dense: CustomStringConvertible {
    /// "Dense(784 → 512, relu)"; "no bias" where there is none.
    public var description: String {
        var settings = ["\(inputCount) → \(outputCount)"]
        if activation != .identity { settings.append("\(activation)") }
        if bias == nil { settings.append("no bias") }
        return "Dense(\(settings.joined(separator: ", ")))"
    }
}

extension Dense: SavableLayer {
    /// PyTorch's `nn.Linear`; `dense` is read too.
    public static let typeName = "linear"
    public static let aliases = ["dense"]

    /// `in_features`, `out_features`, then `bias: false` when there is none and the fused
    /// `activation` when there is one.
    public var configuration: LayerConfiguration {
        .dense(inputCount: inputCount, outputCount: outputCount, activation: activation, useBias: bias != nil)
    }

    public init(configuration: LayerConfiguration, using generator: inout RandomGenerator) throws {
        try configuration.requireOnly(["in_features", "out_features", "bias", "activation"])
        let inputs = try configuration.integer("in_features", in: 1...Int.max)
        let outputs = try configuration.integer("out_features", in: 1...Int.max)
        let useBias = try configuration.boolean("bias", default: true)
        let activation = try configuration["activation"].map {
            try Activation(field: $0, key: "activation", of: configuration)
        } ?? .identity
        try configuration.requireMemory(forElements: Double(inputs) * Double(outputs) + Double(outputs),
                                        what: "\(inputs) × \(outputs) weights")
        self.init(inputCount: inputs, outputCount: outputs, activation: activation, useBias: useBias, using: &generator)
    }

    /// The input's shape with its last axis, which must have `inputCount` values, replaced by
    /// `outputCount`.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard inputShape.last == inputCount else {
            throw LayerShapeError(expected: "inputs whose last axis has \(counted(inputCount, "value"))", found: inputShape,
                                  layer: description)
        }
        return inputShape.dropLast() + [outputCount]
    }
}
