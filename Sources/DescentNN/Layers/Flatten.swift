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
