// Activations as layers with PyTorch's names (`nn.ReLU()`, `nn.LeakyReLU(0.2)` …), for models
// that list their nonlinearities as separate steps. Each calls the matching free function.

/// f(x) = x, PyTorch's `nn.Identity`.
public struct Identity: Layer, Sendable {
    /// The layer; it has no settings.
    public init() {}
    /// The activation of `input`.
    public func callAsFunction(_ input: Tensor) -> Tensor { input }
}

/// max(x, 0), PyTorch's `nn.ReLU`.
public struct ReLU: Layer, Sendable {
    /// The layer; it has no settings.
    public init() {}
    /// The activation of `input`.
    public func callAsFunction(_ input: Tensor) -> Tensor { relu(input) }
}

/// x where x > 0, otherwise `negativeSlope` · x; PyTorch's `nn.LeakyReLU`.
public struct LeakyReLU: Layer, Sendable {
    /// The slope for negative inputs.
    public var negativeSlope: Double
    /// The layer, with PyTorch's default settings unless given.
    public init(negativeSlope: Double = 0.01) { self.negativeSlope = negativeSlope }
    /// The activation of `input`.
    public func callAsFunction(_ input: Tensor) -> Tensor { leakyReLU(input, negativeSlope: negativeSlope) }
}

/// x where x > 0, otherwise α(eˣ − 1); PyTorch's `nn.ELU`.
public struct ELU: Layer, Sendable {
    /// The value the output approaches for very negative inputs is −α.
    public var alpha: Double
    /// The layer, with PyTorch's default settings unless given.
    public init(alpha: Double = 1) { self.alpha = alpha }
    /// The activation of `input`.
    public func callAsFunction(_ input: Tensor) -> Tensor { elu(input, alpha: alpha) }
}

/// x · Φ(x); PyTorch's `nn.GELU`.
public struct GELU: Layer, Sendable {
    /// Exact (erf) or tanh approximation.
    public var approximation: GELUApproximation
    /// The layer, with PyTorch's default settings unless given.
    public init(approximation: GELUApproximation = .exact) { self.approximation = approximation }
    /// The activation of `input`.
    public func callAsFunction(_ input: Tensor) -> Tensor { gelu(input, approximation: approximation) }
}

/// 1 / (1 + e⁻ˣ); PyTorch's `nn.Sigmoid`.
public struct Sigmoid: Layer, Sendable {
    /// The layer; it has no settings.
    public init() {}
    /// The activation of `input`.
    public func callAsFunction(_ input: Tensor) -> Tensor { sigmoid(input) }
}

/// The hyperbolic tangent; PyTorch's `nn.Tanh`.
public struct Tanh: Layer, Sendable {
    /// The layer; it has no settings.
    public init() {}
    /// The activation of `input`.
    public func callAsFunction(_ input: Tensor) -> Tensor { tanh(input) }
}

/// (1/β) ln(1 + e^(βx)), linear where βx > `threshold`; PyTorch's `nn.Softplus`.
public struct Softplus: Layer, Sendable {
    /// The sharpness of the curve: larger β is closer to ReLU.
    public var beta: Double
    /// Above this value of βx the output is x itself.
    public var threshold: Double
    /// The layer, with PyTorch's default settings unless given.
    public init(beta: Double = 1, threshold: Double = 20) {
        self.beta = beta
        self.threshold = threshold
    }
    /// The activation of `input`.
    public func callAsFunction(_ input: Tensor) -> Tensor { softplus(input, beta: beta, threshold: threshold) }
}

/// Probabilities along `axis`; PyTorch's `nn.Softmax(dim:)`.
public struct Softmax: Layer, Sendable {
    /// The axis whose entries sum to 1; negative counts from the end.
    public var axis: Int
    /// The layer, with PyTorch's default settings unless given.
    public init(axis: Int = -1) { self.axis = axis }
    /// The activation of `input`.
    public func callAsFunction(_ input: Tensor) -> Tensor { softmax(input, alongAxis: axis) }
}

/// Log-probabilities along `axis`; PyTorch's `nn.LogSoftmax(dim:)`.
public struct LogSoftmax: Layer, Sendable {
    /// The axis whose exponentials sum to 1; negative counts from the end.
    public var axis: Int
    /// The layer, with PyTorch's default settings unless given.
    public init(axis: Int = -1) { self.axis = axis }
    /// The activation of `input`.
    public func callAsFunction(_ input: Tensor) -> Tensor { logSoftmax(input, alongAxis: axis) }
}
