// Activations as layers with PyTorch's names (`nn.ReLU()`, `nn.LeakyReLU(0.2)` …), for models
// that list their nonlinearities as separate steps. Each is a thin wrapper around ``Activation``.

/// f(x) = x, PyTorch's `nn.Identity`.
public struct Identity: Layer, Sendable {
    public init() {}
    public func callAsFunction(_ input: Tensor) -> Tensor { input }
}

/// max(x, 0), PyTorch's `nn.ReLU`.
public struct ReLU: Layer, Sendable {
    public init() {}
    public func callAsFunction(_ input: Tensor) -> Tensor { relu(input) }
}

/// x where x > 0, otherwise `negativeSlope` · x; PyTorch's `nn.LeakyReLU`.
public struct LeakyReLU: Layer, Sendable {
    /// The slope for negative inputs.
    public var negativeSlope: Double
    public init(negativeSlope: Double = 0.01) { self.negativeSlope = negativeSlope }
    public func callAsFunction(_ input: Tensor) -> Tensor { leakyReLU(input, negativeSlope: negativeSlope) }
}

/// x where x > 0, otherwise α(eˣ − 1); PyTorch's `nn.ELU`.
public struct ELU: Layer, Sendable {
    /// The value the output approaches for very negative inputs is −α.
    public var alpha: Double
    public init(alpha: Double = 1) { self.alpha = alpha }
    public func callAsFunction(_ input: Tensor) -> Tensor { elu(input, alpha: alpha) }
}

/// x · Φ(x); PyTorch's `nn.GELU`.
public struct GELU: Layer, Sendable {
    /// Exact (erf) or tanh approximation.
    public var approximation: GELUApproximation
    public init(approximation: GELUApproximation = .exact) { self.approximation = approximation }
    public func callAsFunction(_ input: Tensor) -> Tensor { gelu(input, approximation: approximation) }
}

/// 1 / (1 + e⁻ˣ); PyTorch's `nn.Sigmoid`.
public struct Sigmoid: Layer, Sendable {
    public init() {}
    public func callAsFunction(_ input: Tensor) -> Tensor { sigmoid(input) }
}

/// The hyperbolic tangent; PyTorch's `nn.Tanh`.
public struct Tanh: Layer, Sendable {
    public init() {}
    public func callAsFunction(_ input: Tensor) -> Tensor { tanh(input) }
}

/// (1/β) ln(1 + e^(βx)), linear where βx > `threshold`; PyTorch's `nn.Softplus`.
public struct Softplus: Layer, Sendable {
    public var beta: Double
    public var threshold: Double
    public init(beta: Double = 1, threshold: Double = 20) {
        self.beta = beta
        self.threshold = threshold
    }
    public func callAsFunction(_ input: Tensor) -> Tensor { softplus(input, beta: beta, threshold: threshold) }
}

/// Probabilities along `axis`; PyTorch's `nn.Softmax(dim:)`.
public struct Softmax: Layer, Sendable {
    /// The axis whose entries sum to 1; negative counts from the end.
    public var axis: Int
    public init(axis: Int = -1) { self.axis = axis }
    public func callAsFunction(_ input: Tensor) -> Tensor { softmax(input, alongAxis: axis) }
}

/// Log-probabilities along `axis`; PyTorch's `nn.LogSoftmax(dim:)`.
public struct LogSoftmax: Layer, Sendable {
    /// The axis whose exponentials sum to 1; negative counts from the end.
    public var axis: Int
    public init(axis: Int = -1) { self.axis = axis }
    public func callAsFunction(_ input: Tensor) -> Tensor { logSoftmax(input, alongAxis: axis) }
}
