import DescentCore
import DescentNN

/// One training step of a small network on one example, worked out in full: what
/// `descent explain` shows.
///
/// The explainer computes the forward pass, the cost and the chain rule itself, in Float64, from
/// the layer equations; the library's autodiff computes the gradients separately (the model cast
/// to Float64), and central finite differences a third time; ``Explanation/agreement`` says how
/// far apart they are.
///
/// ```swift
/// let explainer = try StepExplainer()          // the tutorials' 2-2-1 perceptron on XOR's (1, 0) → 1
/// let explanation = try explainer.explain()
/// print(explanation.text())
/// ```
public struct StepExplainer {
    /// The network: dense layers, each followed by at most one activation (elementwise,
    /// softmax or log-softmax), with at most 100 parameters.
    public var model: Sequential
    /// x, one example.
    public var input: [Double]
    /// y: one number per output, or one class index for the cross-entropy costs.
    public var target: [Double]
    /// The cost of the example.
    public var cost: ExplainedCost
    /// η.
    public var learningRate: Double
    /// Whether `input` was standardized (said in the output).
    public var standardizedInput = false

    /// The tutorials' perceptron and example: 2 inputs → 2 sigmoid hidden units → 1 sigmoid
    /// output with ``tutorialWeights``, XOR's example x = (1, 0), y = 1, cost ``ExplainedCost/mse``
    /// and η = 0.5 unless given.
    public init(input: [Double] = [1, 0], target: [Double] = [1], cost: ExplainedCost = .mse,
                learningRate: Double = 0.5) throws {
        try self.init(model: Self.tutorialPerceptron(), input: input, target: target, cost: cost,
                      learningRate: learningRate)
    }

    /// A step of `model` on one example.
    ///
    /// - Throws: ``ExplainError`` when the model has a layer the explainer does not take or more
    ///   than 100 parameters, when the input or the target does not fit it, or when the learning
    ///   rate is not a finite number ≥ 0.
    public init(model: Sequential, input: [Double], target: [Double], cost: ExplainedCost,
                learningRate: Double) throws {
        self.model = model
        self.input = input
        self.target = target
        self.cost = cost
        self.learningRate = learningRate
        _ = try checkedNetwork()
    }

    /// The default weights, fixed so that every run (and every tutorial) shows the same numbers:
    /// W⁽¹⁾ = [[0.15, 0.20], [0.25, 0.30]], b⁽¹⁾ = (0.35, 0.35), W⁽²⁾ = [[0.40, 0.45]],
    /// b⁽²⁾ = (0.60), named as PyTorch's `nn.Sequential(Linear, Sigmoid, Linear, Sigmoid)`
    /// names them.
    public static let tutorialWeights: [(name: String, shape: [Int], values: [Double])] = [
        ("0.weight", [2, 2], [0.15, 0.20, 0.25, 0.30]),
        ("0.bias", [2], [0.35, 0.35]),
        ("2.weight", [1, 2], [0.40, 0.45]),
        ("2.bias", [1], [0.60]),
    ]

    /// The 2-2-1 sigmoid perceptron with ``tutorialWeights``, as four layers (Dense, Sigmoid,
    /// Dense, Sigmoid) so that its parameters are `0.weight`, `0.bias`, `2.weight`, `2.bias`.
    public static func tutorialPerceptron() -> Sequential {
        func tensor(_ index: Int) -> Tensor {
            // Float64, so that 0.15 is 0.15 (a safetensors file of float32 loads into it converted).
            Tensor(doubles: tutorialWeights[index].values, shape: tutorialWeights[index].shape, dtype: .float64)
        }
        return Sequential {
            Dense(weight: tensor(0), bias: tensor(1))
            Sigmoid()
            Dense(weight: tensor(2), bias: tensor(3))
            Sigmoid()
        }
    }

    /// The network as the explainer reads it, with the example checked against it.
    func checkedNetwork() throws -> ExplainedNetwork {
        let network = try ExplainedNetwork(model)
        let inputs = network.layers[0].inputCount, outputs = network.layers[network.layers.count - 1].outputCount
        guard input.count == inputs else {
            throw ExplainError(location: "the input (--input)", expected: "\(inputs) values, one per input of the network",
                               found: "\(input.count)")
        }
        guard input.allSatisfy(\.isFinite) else {
            throw ExplainError(location: "the input (--input)", expected: "finite numbers", found: "\(input)")
        }
        if cost.takesClassIndex {
            guard target.count == 1, let label = Int(exactly: target[0]), (0..<outputs).contains(label) else {
                throw ExplainError(location: "the target (--target)",
                                   expected: "one class index in 0..<\(outputs) for the \(cost.rawValue) cost",
                                   found: target.map { "\($0)" }.joined(separator: ","))
            }
        } else {
            guard target.count == outputs, target.allSatisfy(\.isFinite) else {
                throw ExplainError(location: "the target (--target)",
                                   expected: "\(outputs) finite numbers, one per output of the network",
                                   found: "\(target.count) (\(target.map { "\($0)" }.joined(separator: ",")))")
            }
        }
        guard learningRate.isFinite, learningRate >= 0 else {
            throw ExplainError(location: "the learning rate (--learning-rate)", expected: "a finite number ≥ 0",
                               found: "\(learningRate)")
        }
        return network
    }

    /// The example as the library's tensors: x [1, n] and y [1, outputs] in Float64, or the
    /// class as int32 [1].
    func exampleTensors() -> (input: Tensor, target: Tensor) {
        let x = Tensor(doubles: input, shape: [1, input.count], dtype: .float64)
        let y = cost.takesClassIndex ? Tensor(doubles: target, shape: [1], dtype: .int32)
                                     : Tensor(doubles: target, shape: [1, target.count], dtype: .float64)
        return (x, y)
    }

    /// The model with its parameters in Float64, for autodiff and finite differences.
    func modelInFloat64() -> Sequential {
        var copy = model
        copy.visitParameters { _, parameter in parameter = parameter.cast(to: .float64) }
        return copy
    }
}
