/// Keeps the first (batch) axis and flattens the rest into one, like PyTorch's `nn.Flatten()`:
/// [batch, 28, 28] becomes [batch, 784]. A rank-1 input [batch] becomes [batch, 1].
public struct Flatten: Layer, Sendable {
    /// The layer; it has no settings.
    public init() {}

    /// `input` reshaped to [batch, everything else].
    public func callAsFunction(_ input: Tensor) -> Tensor {
        precondition(input.rank >= 1, "Flatten: needs a batch axis, got a scalar")
        return input.reshaped(to: [input.shape[0], input.shape.dropFirst().reduce(1, *)])
    }
}

extension Flatten: SavableLayer {
    /// PyTorch's `nn.Flatten` with its defaults (`start_dim` 1, `end_dim` −1), the only form
    /// Descent has.
    public static let typeName = "flatten"

    public var configuration: LayerConfiguration { LayerConfiguration(type: Self.typeName) }

    public init(configuration: LayerConfiguration, using generator: inout RandomGenerator) throws {
        try configuration.requireOnly(["start_dim", "end_dim"])
        _ = try configuration.integer("start_dim", default: 1, in: 1...1)
        _ = try configuration.integer("end_dim", default: -1, in: -1...(-1))
        self.init()
    }

    /// One axis holding every value of an example.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        [inputShape.reduce(1, *)]
    }
}
