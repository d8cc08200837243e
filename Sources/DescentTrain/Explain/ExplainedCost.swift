import DescentCore
import DescentNN
import Foundation

/// The cost of one example, as `descent explain --cost` names it.
public enum ExplainedCost: String, Sendable, Codable, CaseIterable {
    /// Descent's mean squared error: C = (1/n) Σₖ (yₖ − aₖ)² over the n outputs
    /// (`meanSquaredError(predicted:expected:)`, PyTorch's `MSELoss`).
    case mse
    /// The tutorials' C = ½ Σₖ (yₖ − aₖ)², whose ∂C/∂a is a − y.
    case halfSquared = "half-squared"
    /// Softmax cross-entropy of the output scores (logits) against a class index y:
    /// C = ln Σⱼ e^aⱼ − a_y (`crossEntropy(logits:labels:)`).
    case crossEntropy = "cross-entropy"
    /// The negative log-likelihood of log-probabilities against a class index y: C = −a_y
    /// (`negativeLogLikelihood(logProbabilities:labels:)`).
    case nll

    /// Whether the target is one class index rather than one number per output.
    public var takesClassIndex: Bool { self == .crossEntropy || self == .nll }

    /// The formula, for the output.
    public var formula: String {
        switch self {
        case .mse: "C = (1/n) Σₖ (yₖ − aₖ)²  (Descent's mean squared error, the mean over the n outputs)"
        case .halfSquared: "C = ½ Σₖ (yₖ − aₖ)²  (the tutorials' half squared error)"
        case .crossEntropy: "C = ln Σⱼ e^aⱼ − a_y  (softmax cross-entropy of the output scores, class y)"
        case .nll: "C = −a_y  (negative log-likelihood of the log-probabilities, class y)"
        }
    }

    /// The cost's LaTeX formula.
    var latex: String {
        switch self {
        case .mse: #"C = \frac{1}{n}\sum_k (y_k - a_k)^2"#
        case .halfSquared: #"C = \tfrac{1}{2}\sum_k (y_k - a_k)^2"#
        case .crossEntropy: #"C = \ln \sum_j e^{a_j} - a_y"#
        case .nll: #"C = -a_y"#
        }
    }

    /// C and ∂C/∂a for output `a` and target `y` (one number per output, or `[class]`),
    /// computed from the formula in Float64.
    func explained(output a: [Double], target y: [Double]) -> (cost: Double, gradient: [Double]) {
        let n = Double(a.count)
        switch self {
        case .mse:
            return (zip(a, y).reduce(0) { $0 + ($1.1 - $1.0) * ($1.1 - $1.0) } / n, zip(a, y).map { 2 * ($0 - $1) / n })
        case .halfSquared:
            return (zip(a, y).reduce(0) { $0 + ($1.1 - $1.0) * ($1.1 - $1.0) } / 2, zip(a, y).map { $0 - $1 })
        case .crossEntropy:
            let label = Int(y[0])
            let top = a.max() ?? 0
            let logSum = top + Foundation.log(a.reduce(0) { $0 + Foundation.exp($1 - top) })
            let p = Activation.softmax(a)
            return (logSum - a[label], p.indices.map { p[$0] - ($0 == label ? 1 : 0) })
        case .nll:
            let label = Int(y[0])
            return (-a[label], a.indices.map { $0 == label ? -1 : 0 })
        }
    }

    /// The same cost computed by the library's tensor operations (so that autodiff
    /// differentiates it): `output` is [1, n], `target` [1, n] or one int32 class [1].
    func library(output: Tensor, target: Tensor) -> Tensor {
        switch self {
        case .mse: meanSquaredError(predicted: output, expected: target)
        case .halfSquared: 0.5 * (output - target).squared().sum()
        case .crossEntropy: DescentNN.crossEntropy(logits: output, labels: target)
        case .nll: negativeLogLikelihood(logProbabilities: output, labels: target)
        }
    }

    /// The cost `descent explain` uses for a model trained with the cost named `lossName`
    /// (`Loss.name`); nil when the explainer has no such cost.
    public init?(trainedWith lossName: String) {
        switch lossName {
        case "mse": self = .mse
        case "cross-entropy": self = .crossEntropy
        case "nll": self = .nll
        default: return nil
        }
    }
}
