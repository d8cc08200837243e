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
    /// Binary cross-entropy of probabilities a against targets y in [0, 1], the mean over the
    /// n outputs: C = −(1/n) Σₖ [yₖ ln aₖ + (1 − yₖ) ln(1 − aₖ)]
    /// (`binaryCrossEntropy(probabilities:labels:)`).
    case binaryCrossEntropy = "bce"
    /// Binary cross-entropy of scores (logits) a, σ(a) being the probability, the mean over the
    /// n outputs: C = (1/n) Σₖ [ln(1 + e^aₖ) − yₖ aₖ] (`binaryCrossEntropy(logits:labels:)`).
    case binaryCrossEntropyWithLogits = "bce-logits"

    /// Whether the target is one class index rather than one number per output.
    public var takesClassIndex: Bool { self == .crossEntropy || self == .nll }

    /// The formula, for the output.
    public var formula: String {
        switch self {
        case .mse: "C = (1/n) Σₖ (yₖ − aₖ)²  (Descent's mean squared error, the mean over the n outputs)"
        case .halfSquared: "C = ½ Σₖ (yₖ − aₖ)²  (the tutorials' half squared error)"
        case .crossEntropy: "C = ln Σⱼ e^aⱼ − a_y  (softmax cross-entropy of the output scores, class y)"
        case .nll: "C = −a_y  (negative log-likelihood of the log-probabilities, class y)"
        case .binaryCrossEntropy: "C = −(1/n) Σₖ [yₖ ln aₖ + (1 − yₖ) ln(1 − aₖ)]  (binary cross-entropy of probabilities)"
        case .binaryCrossEntropyWithLogits: "C = (1/n) Σₖ [ln(1 + e^aₖ) − yₖ aₖ]  (binary cross-entropy of scores, σ(a) the probability)"
        }
    }

    /// The cost's LaTeX formula.
    var latex: String {
        switch self {
        case .mse: #"C = \frac{1}{n}\sum_k (y_k - a_k)^2"#
        case .halfSquared: #"C = \tfrac{1}{2}\sum_k (y_k - a_k)^2"#
        case .crossEntropy: #"C = \ln \sum_j e^{a_j} - a_y"#
        case .nll: #"C = -a_y"#
        case .binaryCrossEntropy: #"C = -\frac{1}{n}\sum_k \big[y_k \ln a_k + (1 - y_k)\ln(1 - a_k)\big]"#
        case .binaryCrossEntropyWithLogits: #"C = \frac{1}{n}\sum_k \big[\ln(1 + e^{a_k}) - y_k a_k\big]"#
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
        case .binaryCrossEntropy:
            let losses = zip(a, y).map { a, y in -(y * Foundation.log(a) + (1 - y) * Foundation.log(1 - a)) }
            return (losses.reduce(0, +) / n, zip(a, y).map { a, y in (a - y) / (a * (1 - a)) / n })
        case .binaryCrossEntropyWithLogits:
            // ln(1 + eᵃ) written so that a large |a| does not overflow: max(a, 0) + ln(1 + e^−|a|).
            let losses = zip(a, y).map { a, y in Swift.max(a, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(a))) - y * a }
            return (losses.reduce(0, +) / n, zip(a, y).map { a, y in (1 / (1 + Foundation.exp(-a)) - y) / n })
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
        case .binaryCrossEntropy: DescentNN.binaryCrossEntropy(probabilities: output, labels: target)
        case .binaryCrossEntropyWithLogits: DescentNN.binaryCrossEntropy(logits: output, labels: target)
        }
    }

    /// The cost `descent explain` uses for a model trained with the cost named `lossName`
    /// (`Loss.name`); nil when the explainer has no such cost.
    public init?(trainedWith lossName: String) {
        switch lossName {
        case "mse": self = .mse
        case "cross-entropy": self = .crossEntropy
        case "nll": self = .nll
        case "bce": self = .binaryCrossEntropy
        case "bce-logits": self = .binaryCrossEntropyWithLogits
        default: return nil
        }
    }
}
