/// The layer-list spelling of a network (the command line's `layers` option): a comma-separated
/// list such as
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
        // The units of each layer that is a dense one (nil for the others).
        var units: [Int?] = []
        var width = inputCount
        let items = specification.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        for (position, item) in items.enumerated() where !(item.isEmpty && items.count == 1) {
            if let count = Int(item) {
                guard count > 0 else { throw invalid(item, position, "a layer needs at least one unit") }
                layers.append(.dense(inputCount: width, outputCount: count))
                units.append(count)
                width = count
            } else if item.hasPrefix("dropout=") {
                guard let rate = Double(item.dropFirst("dropout=".count)), rate >= 0, rate < 1 else {
                    throw invalid(item, position, "the dropout rate must be a number at least 0 and below 1")
                }
                layers.append(.dropout(rate: rate))
                units.append(nil)
            } else if let activation = activation(named: item) {
                layers.append(.activation(activation))
                units.append(nil)
            } else {
                throw invalid(item, position, "expected a number of units, dropout=RATE, or one of "
                              + activationNames.joined(separator: ", "))
            }
        }
        if let outputActivation, layers.last == .activation(outputActivation), units.dropLast().last == outputCount {
            return layers
        }
        if units.last != outputCount {
            layers.append(.dense(inputCount: width, outputCount: outputCount))
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
        .invalidSetting("the layer list: item \(position + 1) \"\(item)\" is not understood: \(reason)")
    }
}
