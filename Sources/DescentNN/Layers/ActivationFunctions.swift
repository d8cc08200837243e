// Activation functions composed from the core's primitives (select, exp, log1p), so
// backpropagation passes through them without derivative rules of their own. Each matches
// PyTorch's forward value and its gradient, including at x = 0. (GELU is a primitive of the
// core, `gelu(_:approximation:)`: composed, it took about fifteen passes a training step.)

/// A scalar tensor of `value` in `x`'s dtype, broadcast against `x` by the operations below.
private func constant(_ value: Double, like x: Tensor) -> Tensor {
    Tensor(repeating: value, shape: [], dtype: x.dtype, on: x.device)
}

/// Leaky ReLU: x where x > 0, otherwise `negativeSlope` · x (PyTorch's `leaky_relu`; its
/// gradient at 0 is `negativeSlope`, as PyTorch's).
public func leakyReLU(_ x: Tensor, negativeSlope: Double = 0.01) -> Tensor {
    select(where: x .> 0, x, otherwise: x * negativeSlope)
}

/// ELU: x where x > 0, otherwise α · (eˣ − 1) (PyTorch's `elu`; gradient α at 0).
public func elu(_ x: Tensor, alpha: Double = 1) -> Tensor {
    let isPositive = x .> 0
    // exp sees only the non-positive part, so a large x never makes an infinite value whose
    // zero gradient would turn into NaN (0 · ∞) on the way back.
    let negativePart = select(where: isPositive, constant(0, like: x), otherwise: x)
    return select(where: isPositive, x, otherwise: alpha * (exp(negativePart) - 1))
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
