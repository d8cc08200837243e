/// The `--layers` spelling of a network: a comma-separated list such as
/// `512,relu,dropout=0.2,10`, where a number is a dense layer of that many units and a name is
/// an activation (`relu`, `tanh`, `sigmoid`, `gelu`, `elu`, `leaky-relu`, `softplus`,
/// `identity`) or `dropout=RATE`.
///
/// The input size comes from the data, so the list only names what follows the input; when it
/// does not end with a dense layer of the data's output size, one is appended, so that
/// `64,relu,64,relu` is a complete classifier. When the cost needs an activation on the
/// outputs (a sigmoid for `bce`, which takes probabilities), it follows the output layer.
public enum LayerList {
    /// The activation names `parse` accepts.
    public static let activationNames = ["relu", "tanh", "sigmoid", "gelu", "elu", "leaky-relu", "softplus", "identity"]

    /// The layers described by `specification`, between `inputCount` inputs and `outputCount`
    /// outputs.
    ///
    /// - Parameter outputActivation: the activation the cost needs after the output layer;
    ///   appended unless the list already ends with it (`…,1,sigmoid`).
    /// - Throws: ``TrainingError/invalidSetting(_:)`` naming the item that is not understood.
    public static func parse(_ specification: String, inputCount: Int, outputCount: Int,
                             outputActivation: Activation? = nil) throws -> [LayerConfiguration] {
        var layers: [LayerConfiguration] = []
        var width = inputCount
        let items = specification.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        for (position, item) in items.enumerated() where !(item.isEmpty && items.count == 1) {
            if let units = Int(item) {
                guard units > 0 else { throw invalid(item, position, "a layer needs at least one unit") }
                layers.append(.dense(inputCount: width, outputCount: units, activation: .identity, useBias: true))
                width = units
            } else if item.hasPrefix("dropout=") {
                guard let rate = Double(item.dropFirst("dropout=".count)), rate >= 0, rate < 1 else {
                    throw invalid(item, position, "the dropout rate must be a number at least 0 and below 1")
                }
                layers.append(.dropout(rate: rate))
            } else if let activation = activation(named: item) {
                layers.append(.activation(activation))
            } else {
                throw invalid(item, position, "expected a number of units, dropout=RATE, or one of "
                              + activationNames.joined(separator: ", "))
            }
        }
        if let outputActivation, layers.last == .activation(outputActivation),
           case let .dense(_, units, _, _)? = layers.dropLast().last, units == outputCount {
            return layers
        }
        let endsWithOutput = if case let .dense(_, units, _, _)? = layers.last { units == outputCount } else { false }
        if !endsWithOutput {
            layers.append(.dense(inputCount: width, outputCount: outputCount, activation: .identity, useBias: true))
        }
        if let outputActivation { layers.append(.activation(outputActivation)) }
        return layers
    }

    private static func activation(named name: String) -> Activation? {
        switch name {
        case "relu": .relu
        case "tanh": .tanh
        case "sigmoid": .sigmoid
        case "gelu": .gelu
        case "elu": .elu
        case "leaky-relu", "leakyrelu": .leakyReLU
        case "softplus": .softplus
        case "identity", "linear": .identity
        default: nil
        }
    }

    private static func invalid(_ item: String, _ position: Int, _ reason: String) -> TrainingError {
        .invalidSetting("--layers: item \(position + 1) \"\(item)\" is not understood: \(reason)")
    }
}
