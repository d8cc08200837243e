/// The nonlinearity a layer applies to its output, by name: usable as ``Dense``'s built-in
/// activation, as a layer of its own in a ``Sequential``, or called on a tensor.
///
/// ```swift
/// Dense(inputCount: 784, outputCount: 512, activation: .relu)
/// Sequential { Dense(inputCount: 4, outputCount: 3); Activation.gelu }
/// let y = Activation.leakyReLU(negativeSlope: 0.2)(x)
/// ```
///
/// Defaults are PyTorch's. ``softmax`` and ``logSoftmax`` act along the last axis.
public enum Activation: Sendable, Equatable, Codable {
    /// f(x) = x.
    case identity
    /// max(x, 0).
    case relu
    /// x where x > 0, otherwise `negativeSlope` · x. See `leakyReLU(_:negativeSlope:)`.
    case leakyReLU(negativeSlope: Double = 0.01)
    /// x where x > 0, otherwise α(eˣ − 1). See `elu(_:alpha:)`.
    case elu(alpha: Double = 1)
    /// x · Φ(x). See `gelu(_:approximation:)`.
    case gelu(approximation: GELUApproximation = .exact)
    /// 1 / (1 + e⁻ˣ).
    case sigmoid
    /// The hyperbolic tangent.
    case tanh
    /// (1/β) ln(1 + e^(βx)), linear above `threshold`. See `softplus(_:beta:threshold:)`.
    case softplus(beta: Double = 1, threshold: Double = 20)
    /// Probabilities along the last axis: eˣⁱ / Σⱼ eˣʲ.
    case softmax
    /// Log-probabilities along the last axis: x − log Σ eˣ.
    case logSoftmax

    /// Leaky ReLU with PyTorch's default slope, 0.01.
    public static var leakyReLU: Activation { .leakyReLU(negativeSlope: 0.01) }
    /// ELU with α = 1.
    public static var elu: Activation { .elu(alpha: 1) }
    /// GELU in its exact (erf) form, PyTorch's default.
    public static var gelu: Activation { .gelu(approximation: .exact) }
    /// Softplus with β = 1 and threshold 20.
    public static var softplus: Activation { .softplus(beta: 1, threshold: 20) }

    /// The activation applied elementwise (along the last axis for softmax and log-softmax).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch self {
        case .identity: x
        case .relu: DescentCore.relu(x)
        case .leakyReLU(let negativeSlope): DescentCore.leakyReLU(x, negativeSlope: negativeSlope)
        case .elu(let alpha): DescentCore.elu(x, alpha: alpha)
        case .gelu(let approximation): DescentCore.gelu(x, approximation: approximation)
        case .sigmoid: DescentCore.sigmoid(x)
        case .tanh: DescentCore.tanh(x)
        case .softplus(let beta, let threshold): DescentCore.softplus(x, beta: beta, threshold: threshold)
        case .softmax: DescentCore.softmax(x, alongAxis: -1)
        case .logSoftmax: DescentCore.logSoftmax(x, alongAxis: -1)
        }
    }
}

extension Activation {
    /// The same function as one that ``linear(_:weight:bias:activation:)`` applies in its own
    /// pass, or nil for an activation it cannot (those whose derivative needs more than the
    /// output, and softmax, which is not elementwise).
    var linearActivation: LinearActivation? {
        switch self {
        case .identity: .identity
        case .relu: .relu
        default: nil
        }
    }
}

/// An activation is a layer without parameters.
extension Activation: Layer {}

extension Activation: CustomStringConvertible {
    /// The name, with any setting that differs from PyTorch's default: "relu",
    /// "leakyReLU(negativeSlope: 0.2)".
    public var description: String {
        switch self {
        case .identity: "identity"
        case .relu: "relu"
        case .leakyReLU(let slope): slope == 0.01 ? "leakyReLU" : "leakyReLU(negativeSlope: \(slope))"
        case .elu(let alpha): alpha == 1 ? "elu" : "elu(alpha: \(alpha))"
        case .gelu(let approximation): approximation == .exact ? "gelu" : "gelu(approximation: .\(approximation))"
        case .sigmoid: "sigmoid"
        case .tanh: "tanh"
        case .softplus(let beta, let threshold):
            beta == 1 && threshold == 20 ? "softplus" : "softplus(beta: \(beta), threshold: \(threshold))"
        case .softmax: "softmax"
        case .logSoftmax: "logSoftmax"
        }
    }
}
