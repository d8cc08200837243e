/// A layer's architecture without its weights: what `model.json` stores for each layer, and
/// what the CLI's `--layers` list and JSON model files describe.
public enum LayerConfiguration: Sendable, Equatable, Codable {
    case dense(inputCount: Int, outputCount: Int, activation: Activation, useBias: Bool)
    case dropout(rate: Double)
    case flatten
    case activation(Activation)
    case softmax(axis: Int)
    case logSoftmax(axis: Int)

    /// A new layer with this architecture (weights freshly initialised from `generator`).
    public func makeLayer(using generator: inout RandomGenerator) -> any Layer {
        switch self {
        case let .dense(inputCount, outputCount, activation, useBias):
            Dense(inputCount: inputCount, outputCount: outputCount, activation: activation, useBias: useBias,
                  using: &generator)
        case let .dropout(rate): Dropout(rate: rate, using: &generator)
        case .flatten: Flatten()
        case let .activation(activation): activation
        case let .softmax(axis): Softmax(axis: axis)
        case let .logSoftmax(axis): LogSoftmax(axis: axis)
        }
    }

    /// The configuration of a built-in layer, or `nil` for a layer Descent cannot describe.
    public init?(of layer: any Layer) {
        switch layer {
        case let dense as Dense:
            self = .dense(inputCount: dense.inputCount, outputCount: dense.outputCount,
                          activation: dense.activation, useBias: dense.bias != nil)
        case let dropout as Dropout: self = .dropout(rate: dropout.rate)
        case is Flatten: self = .flatten
        case let activation as Activation: self = .activation(activation)
        case is Identity: self = .activation(.identity)
        case is ReLU: self = .activation(.relu)
        case let layer as LeakyReLU: self = .activation(.leakyReLU(negativeSlope: layer.negativeSlope))
        case let layer as ELU: self = .activation(.elu(alpha: layer.alpha))
        case let layer as GELU: self = .activation(.gelu(approximation: layer.approximation))
        case is Sigmoid: self = .activation(.sigmoid)
        case is Tanh: self = .activation(.tanh)
        case let layer as Softplus: self = .activation(.softplus(beta: layer.beta, threshold: layer.threshold))
        case let layer as Softmax: self = .softmax(axis: layer.axis)
        case let layer as LogSoftmax: self = .logSoftmax(axis: layer.axis)
        default: return nil
        }
    }
}
