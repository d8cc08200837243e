import DescentCore
import DescentNN

/// A network as the explainer reads it: dense layers, each followed by at most one activation,
/// with the weights as plain Float64 numbers for the hand computation.
struct ExplainedNetwork {
    /// One dense layer l and the activation that follows it: z⁽ˡ⁾ = W⁽ˡ⁾a⁽ˡ⁻¹⁾ + b⁽ˡ⁾,
    /// a⁽ˡ⁾ = f(z⁽ˡ⁾).
    struct Layer {
        /// The parameters' names in the model (`0.weight`, `0.bias`).
        var weightName: String
        var biasName: String?
        /// W⁽ˡ⁾ [outputs][inputs], as PyTorch stores it.
        var weight: [[Double]]
        /// b⁽ˡ⁾ (zeros for a layer without bias).
        var bias: [Double]
        var activation: Activation

        var inputCount: Int { weight.first?.count ?? 0 }
        var outputCount: Int { weight.count }
    }

    var layers: [Layer]

    /// The most parameters a step can be explained for: every one is printed.
    static let maximumParameterCount = 100

    /// The layers as given (a network already read, with other weights).
    init(layers: [Layer]) {
        self.layers = layers
    }

    var parameterCount: Int { layers.reduce(0) { $0 + $1.outputCount * ($1.inputCount + ($1.biasName == nil ? 0 : 1)) } }

    /// Reads `model`: dense layers and the activations after them (as layers of their own or
    /// built into a `Dense`); identity and flatten layers pass through.
    ///
    /// - Throws: ``ExplainError`` naming the first layer the explainer cannot take, or the
    ///   parameter count when it is above ``maximumParameterCount``.
    init(_ model: Sequential) throws {
        var layers: [Layer] = []
        for (index, layer) in model.layers.enumerated() {
            if let dense = layer as? Dense {
                let weight = dense.weight.doubles()
                let columns = dense.inputCount
                layers.append(Layer(weightName: "\(index).weight", biasName: dense.bias == nil ? nil : "\(index).bias",
                                    weight: (0..<dense.outputCount).map { Array(weight[($0 * columns)..<(($0 + 1) * columns)]) },
                                    bias: dense.bias?.doubles() ?? Array(repeating: 0, count: dense.outputCount),
                                    activation: dense.activation))
                continue
            }
            if layer is Identity || layer is Flatten { continue }
            guard let activation = Self.activation(of: layer) else {
                throw ExplainError(location: "layer \(index) (\(type(of: layer)))",
                                   expected: "a dense layer or an activation (explain shows dense networks)",
                                   found: "\(type(of: layer))")
            }
            if activation == .identity { continue }
            guard let last = layers.indices.last, layers[last].activation == .identity else {
                throw ExplainError(location: "layer \(index) (\(activation))",
                                   expected: "an activation right after a dense layer that has none",
                                   found: layers.isEmpty ? "an activation before any dense layer" : "a second activation after layer \(layers[layers.count - 1].weightName.split(separator: ".")[0])")
            }
            layers[last].activation = activation
        }
        for (name, tensor) in model.parameters {
            if let bad = tensor.doubles().first(where: { !$0.isFinite }) {
                throw ExplainError(location: "the parameter \(name)", expected: "finite numbers", found: "\(bad)")
            }
        }
        guard !layers.isEmpty else {
            throw ExplainError(location: "the model", expected: "at least one dense layer", found: "none")
        }
        for (before, after) in zip(layers, layers.dropFirst()) where before.outputCount != after.inputCount {
            throw ExplainError(location: "layer \(after.weightName.split(separator: ".")[0])",
                               expected: "\(before.outputCount) inputs (the outputs of the layer before)",
                               found: "\(after.inputCount)")
        }
        self.layers = layers
        guard parameterCount <= Self.maximumParameterCount else {
            throw ExplainError(location: "the model",
                               expected: "at most \(Self.maximumParameterCount) parameters (explain prints every one)",
                               found: "\(parameterCount)")
        }
    }

    /// The activation an activation layer applies; nil for any other layer.
    private static func activation(of layer: any DescentNN.Layer) -> Activation? {
        switch layer {
        case let activation as Activation: activation
        case is ReLU: .relu
        case let layer as LeakyReLU: .leakyReLU(negativeSlope: layer.negativeSlope)
        case let layer as ELU: .elu(alpha: layer.alpha)
        case let layer as GELU: .gelu(approximation: layer.approximation)
        case is Sigmoid: .sigmoid
        case is Tanh: .tanh
        case let layer as Softplus: .softplus(beta: layer.beta, threshold: layer.threshold)
        case let layer as Softmax where layer.axis == -1 || layer.axis == 1: .softmax
        case let layer as LogSoftmax where layer.axis == -1 || layer.axis == 1: .logSoftmax
        default: nil
        }
    }

    /// Forward propagation: z⁽ˡ⁾ and a⁽ˡ⁾ of every layer, for input `x`.
    func forward(_ x: [Double]) -> [(z: [Double], a: [Double])] {
        var a = x
        return layers.map { layer in
            let z = zip(layer.weight, layer.bias).map { row, b in zip(row, a).reduce(b) { $0 + $1.0 * $1.1 } }
            a = layer.activation.explainedValues(z)
            return (z, a)
        }
    }
}
