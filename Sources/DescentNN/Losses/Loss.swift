/// A cost function chosen by name — for training code and the command line, which pick the cost
/// as a value (`loss: .crossEntropy()`, or by its ``name``, `cross-entropy`) rather than as a function.
///
/// Calling a loss applies the matching free function, with `predicted` and `expected` in the
/// roles that function names:
///
/// | case | `predicted` | `expected` |
/// | --- | --- | --- |
/// | ``meanSquaredError``, ``meanAbsoluteError``, ``huber(delta:)``, ``smoothL1(beta:)`` | predictions | true values, same shape |
/// | ``binaryCrossEntropy`` | probabilities | labels in [0, 1], same shape |
/// | ``binaryCrossEntropyWithLogits`` | logits | labels in [0, 1], same shape |
/// | ``crossEntropy(labelSmoothing:)`` | logits [n, C] | int32 class labels [n], or probabilities [n, C] |
/// | ``negativeLogLikelihood`` | log-probabilities [n, C] | int32 class labels [n] |
/// | ``klDivergence`` | log-probabilities | target probabilities, same shape |
public enum Loss: Hashable, Sendable {
    /// ``meanSquaredError(predicted:expected:reduction:)``; named `mse`.
    case meanSquaredError
    /// ``meanAbsoluteError(predicted:expected:reduction:)`` (L1); named `mae`.
    case meanAbsoluteError
    /// ``huberLoss(predicted:expected:delta:reduction:)``; named `huber`.
    case huber(delta: Double = 1)
    /// ``smoothL1Loss(predicted:expected:beta:reduction:)``; named `smooth-l1`.
    case smoothL1(beta: Double = 1)
    /// ``binaryCrossEntropy(probabilities:labels:reduction:)``; named `bce`.
    case binaryCrossEntropy
    /// ``binaryCrossEntropy(logits:labels:positiveWeight:reduction:)``; named `bce-logits`.
    case binaryCrossEntropyWithLogits
    /// ``crossEntropy(logits:labels:reduction:labelSmoothing:)``, or with probability targets
    /// when `expected` is floating-point; named `cross-entropy`.
    case crossEntropy(labelSmoothing: Double = 0)
    /// ``negativeLogLikelihood(logProbabilities:labels:reduction:)``; named `nll`.
    case negativeLogLikelihood
    /// ``klDivergence(logProbabilities:targets:reduction:)``; named `kl-div`.
    case klDivergence

    /// The cost of `predicted` against `expected` (see the table above for their roles).
    public func callAsFunction(predicted: Tensor, expected: Tensor, reduction: Reduction = .mean) -> Tensor {
        switch self {
        case .meanSquaredError:
            DescentNN.meanSquaredError(predicted: predicted, expected: expected, reduction: reduction)
        case .meanAbsoluteError:
            DescentNN.meanAbsoluteError(predicted: predicted, expected: expected, reduction: reduction)
        case .huber(let delta):
            huberLoss(predicted: predicted, expected: expected, delta: delta, reduction: reduction)
        case .smoothL1(let beta):
            smoothL1Loss(predicted: predicted, expected: expected, beta: beta, reduction: reduction)
        case .binaryCrossEntropy:
            DescentNN.binaryCrossEntropy(probabilities: predicted, labels: expected, reduction: reduction)
        case .binaryCrossEntropyWithLogits:
            DescentNN.binaryCrossEntropy(logits: predicted, labels: expected, reduction: reduction)
        case .crossEntropy(let labelSmoothing) where expected.dtype == .int32:
            DescentNN.crossEntropy(logits: predicted, labels: expected, reduction: reduction,
                                   labelSmoothing: labelSmoothing)
        case .crossEntropy(let labelSmoothing):
            DescentNN.crossEntropy(logits: predicted, probabilities: expected, reduction: reduction,
                                   labelSmoothing: labelSmoothing)
        case .negativeLogLikelihood:
            DescentNN.negativeLogLikelihood(logProbabilities: predicted, labels: expected, reduction: reduction)
        case .klDivergence:
            DescentNN.klDivergence(logProbabilities: predicted, targets: expected, reduction: reduction)
        }
    }

    /// The command-line spelling: `mse`, `mae`, `huber`, `smooth-l1`, `bce`, `bce-logits`,
    /// `cross-entropy`, `nll` or `kl-div` (parameters such as δ are not part of the name).
    public var name: String {
        switch self {
        case .meanSquaredError: "mse"
        case .meanAbsoluteError: "mae"
        case .huber: "huber"
        case .smoothL1: "smooth-l1"
        case .binaryCrossEntropy: "bce"
        case .binaryCrossEntropyWithLogits: "bce-logits"
        case .crossEntropy: "cross-entropy"
        case .negativeLogLikelihood: "nll"
        case .klDivergence: "kl-div"
        }
    }

    /// The loss with the command-line spelling `name` (see ``name``), with default parameters
    /// (δ = 1, β = 1, no label smoothing); nil for an unknown name.
    public init?(name: String) {
        guard let loss = Loss.allWithDefaults.first(where: { $0.name == name }) else { return nil }
        self = loss
    }

    /// Every command-line spelling, in a fixed order (for help texts and error messages).
    public static var names: [String] { allWithDefaults.map(\.name) }

    /// One loss of each kind, with default parameters.
    private static let allWithDefaults: [Loss] = [
        .meanSquaredError, .meanAbsoluteError, .huber(), .smoothL1(), .binaryCrossEntropy,
        .binaryCrossEntropyWithLogits, .crossEntropy(), .negativeLogLikelihood, .klDivergence,
    ]
}

extension Loss: CustomStringConvertible {
    /// The name, with any parameter that differs from its default: `huber(delta: 0.5)`.
    public var description: String {
        switch self {
        case .huber(let delta) where delta != 1: "\(name)(delta: \(delta))"
        case .smoothL1(let beta) where beta != 1: "\(name)(beta: \(beta))"
        case .crossEntropy(let labelSmoothing) where labelSmoothing != 0: "\(name)(labelSmoothing: \(labelSmoothing))"
        default: name
        }
    }
}
