// Activation functions composed from the core's primitives (select, exp, log1p), so
// backpropagation passes through them without derivative rules of their own. Each matches
// PyTorch's forward value and its gradient, including at x = 0. (GELU, ELU and leaky ReLU are
// operations of the core, `gelu(_:approximation:)`, `elu(_:alpha:)` and
// `leakyReLU(_:negativeSlope:)`: composed, they took several passes a training step.)

/// A scalar tensor of `value` in `x`'s dtype, broadcast against `x` by the operations below.
private func constant(_ value: Double, like x: Tensor) -> Tensor {
    Tensor(repeating: value, shape: [], dtype: x.dtype, on: x.device)
}

/// Softplus: (1/β) · ln(1 + e^(βx)), a smooth ReLU (PyTorch's `softplus`). Where βx > `threshold`
/// it is x itself, as in PyTorch: the two agree to float precision there, and e^(βx) would
/// overflow for large x.
public func softplus(_ x: Tensor, beta: Double = 1, threshold: Double = 20) -> Tensor {
    let scaled = x * beta
    let isLinear = scaled .> threshold
    let safe = select(where: isLinear, constant(0, like: x), otherwise: scaled)
    return select(where: isLinear, x, otherwise: log1p(exp(safe)) / beta)
}
