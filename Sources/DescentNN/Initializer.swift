/// How a layer's parameters get their starting values, with the formulas of PyTorch's
/// `torch.nn.init`.
///
/// The random schemes scale their spread by the tensor's *fans*, computed as PyTorch's
/// `_calculate_fan_in_and_fan_out` does: for a weight stored `[out, in]` (as ``Dense`` stores it),
/// fanIn = in and fanOut = out. A bias is initialized with the fans of its layer's weight.
///
/// | initializer | distribution | PyTorch |
/// | --- | --- | --- |
/// | ``glorotUniform`` | U(−a, a), a = √(6 / (fanIn + fanOut)) | `xavier_uniform_` |
/// | ``glorotNormal`` | N(0, σ²), σ = √(2 / (fanIn + fanOut)) | `xavier_normal_` |
/// | ``heUniform`` | U(−a, a), a = √(6 / fanIn) | `kaiming_uniform_(nonlinearity='relu')` |
/// | ``heNormal`` | N(0, σ²), σ = √(2 / fanIn) | `kaiming_normal_(nonlinearity='relu')` |
/// | ``lecunUniform`` | U(−a, a), a = √(3 / fanIn) | `kaiming_uniform_(nonlinearity='linear')` |
/// | ``lecunNormal`` | N(0, σ²), σ = √(1 / fanIn) | `kaiming_normal_(nonlinearity='linear')` |
/// | ``pytorchLinear`` | U(−a, a), a = 1/√fanIn | `nn.Linear`'s weight and bias |
///
/// The normal schemes are plain (not truncated) normals, as in PyTorch; Keras truncates its
/// `glorot_normal`/`he_normal`/`lecun_normal` at two standard deviations.
public enum Initializer: Sendable, Equatable, Codable {
    /// All zeros.
    case zeros
    /// All ones.
    case ones
    /// Every element equal to `value`.
    case constant(Double)
    /// U(`lowerBound`, `upperBound`).
    case uniform(lowerBound: Double, upperBound: Double)
    /// N(`mean`, `standardDeviation`²).
    case normal(mean: Double, standardDeviation: Double)
    /// Glorot/Xavier uniform: U(−a, a) with a = √(6 / (fanIn + fanOut)).
    case glorotUniform
    /// Glorot/Xavier normal: N(0, σ²) with σ = √(2 / (fanIn + fanOut)).
    case glorotNormal
    /// He/Kaiming uniform for ReLU (gain √2, fan-in mode): U(−a, a) with a = √(6 / fanIn).
    case heUniform
    /// He/Kaiming normal for ReLU (gain √2, fan-in mode): N(0, σ²) with σ = √(2 / fanIn).
    case heNormal
    /// LeCun uniform: U(−a, a) with a = √(3 / fanIn).
    case lecunUniform
    /// LeCun normal: N(0, σ²) with σ = √(1 / fanIn).
    case lecunNormal
    /// PyTorch's `nn.Linear` default, for its weight (`kaiming_uniform_` with a = √5, which works
    /// out to the same bound) and its bias: U(−a, a) with a = 1/√fanIn.
    case pytorchLinear

    /// A tensor of `shape` drawn from this initializer, for a layer with the given fans.
    public func tensor(_ shape: [Int], fanIn: Int, fanOut: Int, dtype: DType = .float32,
                       using generator: inout RandomGenerator) -> Tensor {
        func uniform(bound: Double) -> Tensor {
            .randomUniform(shape, lowerBound: -bound, upperBound: bound, dtype: dtype, using: &generator)
        }
        func normal(standardDeviation: Double) -> Tensor {
            .randomNormal(shape, standardDeviation: standardDeviation, dtype: dtype, using: &generator)
        }
        let fanIn = Double(fanIn), fanOut = Double(fanOut)
        switch self {
        case .zeros: return .zeros(shape, dtype: dtype)
        case .ones: return .ones(shape, dtype: dtype)
        case .constant(let value): return Tensor(repeating: value, shape: shape, dtype: dtype)
        case .uniform(let lowerBound, let upperBound):
            return .randomUniform(shape, lowerBound: lowerBound, upperBound: upperBound, dtype: dtype, using: &generator)
        case .normal(let mean, let standardDeviation):
            return .randomNormal(shape, mean: mean, standardDeviation: standardDeviation, dtype: dtype, using: &generator)
        case .glorotUniform: return uniform(bound: (6 / (fanIn + fanOut)).squareRoot())
        case .glorotNormal: return normal(standardDeviation: (2 / (fanIn + fanOut)).squareRoot())
        case .heUniform: return uniform(bound: (6 / fanIn).squareRoot())
        case .heNormal: return normal(standardDeviation: (2 / fanIn).squareRoot())
        case .lecunUniform: return uniform(bound: (3 / fanIn).squareRoot())
        case .lecunNormal: return normal(standardDeviation: (1 / fanIn).squareRoot())
        case .pytorchLinear: return uniform(bound: 1 / fanIn.squareRoot())
        }
    }

    /// A weight of `shape` drawn from this initializer, with fans computed from the shape as
    /// PyTorch does: fanIn = shape[1] · receptive field, fanOut = shape[0] · receptive field, where
    /// the receptive field is the product of the axes after the first two (1 for a matrix).
    public func tensor(_ shape: [Int], dtype: DType = .float32, using generator: inout RandomGenerator) -> Tensor {
        let (fanIn, fanOut) = Initializer.fans(ofWeightShape: shape)
        return tensor(shape, fanIn: fanIn, fanOut: fanOut, dtype: dtype, using: &generator)
    }

    /// The fans of a weight of `shape`, as PyTorch's `_calculate_fan_in_and_fan_out` computes
    /// them. A tensor of rank below 2 has no fans; it counts as fanIn = fanOut = its size.
    public static func fans(ofWeightShape shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        guard shape.count >= 2 else {
            let count = shape.reduce(1, *)
            return (count, count)
        }
        let receptiveField = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptiveField, shape[0] * receptiveField)
    }
}
