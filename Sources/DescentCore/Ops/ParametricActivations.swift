// Leaky ReLU, ELU and softplus: activations with a parameter, each one primitive forward and one backward
// (see `ParametricActivation`). Their derivative rules are in DerivativeRules.activation.

extension Tensor {
    func activation(_ function: ParametricActivation) -> Tensor {
        precondition(dtype.isFloatingPoint, "\(function): needs a floating-point tensor, got \(dtype) \(shape)")
        let y = device.backend.activation(function, self)
        guard gradientNode != nil else { return y }
        return y.recorded(function.description, self, pullback: DerivativeRules.activation(function, self))
    }
}

/// Leaky ReLU: x where x > 0, otherwise `negativeSlope` · x (PyTorch's `leaky_relu`; its
/// gradient at 0 is `negativeSlope`, as PyTorch's).
public func leakyReLU(_ x: Tensor, negativeSlope: Double = 0.01) -> Tensor {
    x.activation(.leakyReLU(negativeSlope: negativeSlope))
}

/// ELU: x where x > 0, otherwise α · (eˣ − 1) (PyTorch's `elu`; gradient α at 0). Computed as
/// α · expm1(x), precise for x near 0, and never infinite: a large x takes the other side.
public func elu(_ x: Tensor, alpha: Double = 1) -> Tensor {
    x.activation(.elu(alpha: alpha))
}

/// Softplus: (1/β) · ln(1 + e^(βx)), a smooth ReLU (PyTorch's `softplus`). Where βx > `threshold`
/// it is x itself, as in PyTorch: the two agree to float precision there. Computed as
/// (max(βx, 0) + ln(1 + e^−|βx|))/β, which never overflows and keeps its precision far below 0;
/// its gradient is σ(βx), and 1 above the threshold.
public func softplus(_ x: Tensor, beta: Double = 1, threshold: Double = 20) -> Tensor {
    x.activation(.softplus(beta: beta, threshold: threshold))
}
