import DescentNN
import Foundation

// The activations as the explainer computes them: each function and its derivative written out
// in Float64 from its formula, independently of the tensor operations the library runs, so that
// the explainer's factors and the library's autodiff are two separate computations.

extension Activation {
    /// Whether aᵢ depends on zᵢ alone, so that ∂a/∂z is the diagonal σ′(z) and the chain rule
    /// multiplies elementwise (⊙). Softmax and log-softmax mix the units of a layer.
    var isElementwise: Bool {
        switch self {
        case .softmax, .logSoftmax: false
        default: true
        }
    }

    /// The activation of every unit of a layer.
    func explainedValues(_ z: [Double]) -> [Double] {
        switch self {
        case .softmax: return Self.softmax(z)
        case .logSoftmax:
            let top = z.max() ?? 0
            let logSum = top + Foundation.log(z.reduce(0) { $0 + Foundation.exp($1 - top) })
            return z.map { $0 - logSum }
        default: return z.map(explainedValue)
        }
    }

    /// f(z) for an elementwise activation.
    func explainedValue(_ z: Double) -> Double {
        switch self {
        case .identity, .softmax, .logSoftmax: z
        case .relu: Swift.max(z, 0)
        case .leakyReLU(let slope): z > 0 ? z : slope * z
        case .elu(let alpha): z > 0 ? z : alpha * (Foundation.exp(z) - 1)
        case .gelu(.exact): z * Self.normalCDF(z)
        case .gelu(.tanh): 0.5 * z * (1 + Foundation.tanh(Self.geluTanhArgument(z)))
        case .sigmoid: 1 / (1 + Foundation.exp(-z))
        case .tanh: Foundation.tanh(z)
        case .softplus(let beta, let threshold):
            beta * z > threshold ? z : Foundation.log1p(Foundation.exp(beta * z)) / beta
        }
    }

    /// f′(z) for an elementwise activation: ∂a/∂z.
    func explainedDerivative(_ z: Double) -> Double {
        switch self {
        case .identity, .softmax, .logSoftmax: return 1
        case .relu: return z > 0 ? 1 : 0
        case .leakyReLU(let slope): return z > 0 ? 1 : slope
        case .elu(let alpha): return z > 0 ? 1 : alpha * Foundation.exp(z)
        case .gelu(.exact): return Self.normalCDF(z) + z * Foundation.exp(-z * z / 2) / (2 * Double.pi).squareRoot()
        case .gelu(.tanh):
            let t = Foundation.tanh(Self.geluTanhArgument(z))
            return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * (2 / Double.pi).squareRoot() * (1 + 3 * 0.044715 * z * z)
        case .sigmoid:
            let s = 1 / (1 + Foundation.exp(-z))
            return s * (1 - s)
        case .tanh:
            let t = Foundation.tanh(z)
            return 1 - t * t
        case .softplus(let beta, let threshold): return beta * z > threshold ? 1 : 1 / (1 + Foundation.exp(-beta * z))
        }
    }

    /// (∂a/∂z)ᵀ · g: how the gradient `upstream` = ∂C/∂a passes back to z. For an elementwise
    /// activation g ⊙ f′(z); softmax gives a ⊙ (g − a·g), log-softmax g − softmax(z)·Σg.
    func explainedPullback(_ upstream: [Double], z: [Double]) -> [Double] {
        switch self {
        case .softmax:
            let a = Self.softmax(z)
            let dot = zip(a, upstream).reduce(0) { $0 + $1.0 * $1.1 }
            return zip(a, upstream).map { $0 * ($1 - dot) }
        case .logSoftmax:
            let total = upstream.reduce(0, +)
            return zip(Self.softmax(z), upstream).map { $1 - $0 * total }
        default:
            return zip(upstream, z).map { $0 * explainedDerivative($1) }
        }
    }

    /// The formula of a = f(z) in words for the output: "σ(z) = 1/(1 + e⁻ᶻ)".
    var explainedFormula: String {
        switch self {
        case .identity: "a = z"
        case .relu: "a = max(z, 0)"
        case .leakyReLU(let slope): "a = z if z > 0, else \(slope)·z"
        case .elu(let alpha): "a = z if z > 0, else \(alpha)·(eᶻ − 1)"
        case .gelu(.exact): "a = z·Φ(z)"
        case .gelu(.tanh): "a = ½z(1 + tanh(√(2/π)(z + 0.044715z³)))"
        case .sigmoid: "a = σ(z) = 1/(1 + e⁻ᶻ)"
        case .tanh: "a = tanh z"
        case .softplus(let beta, _): beta == 1 ? "a = ln(1 + eᶻ)" : "a = ln(1 + e^(\(beta)z))/\(beta)"
        case .softmax: "aᵢ = e^zᵢ / Σⱼ e^zⱼ"
        case .logSoftmax: "aᵢ = zᵢ − ln Σⱼ e^zⱼ"
        }
    }

    static func softmax(_ z: [Double]) -> [Double] {
        let top = z.max() ?? 0
        let exps = z.map { Foundation.exp($0 - top) }
        let total = exps.reduce(0, +)
        return exps.map { $0 / total }
    }

    /// Φ(z), the standard normal distribution function.
    private static func normalCDF(_ z: Double) -> Double { 0.5 * (1 + Foundation.erf(z / 2.0.squareRoot())) }

    private static func geluTanhArgument(_ z: Double) -> Double { (2 / Double.pi).squareRoot() * (z + 0.044715 * z * z * z) }
}
