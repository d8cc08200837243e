// A Keras-like summary table of a model: each layer with its output shape and parameter count,
// then the totals.

/// Layers whose output has the shape of their input, so that a model's input shape can be read
/// through them from the first ``Dense`` layer.
protocol ShapePreservingLayer {}
extension Activation: ShapePreservingLayer {}
extension Identity: ShapePreservingLayer {}
extension ReLU: ShapePreservingLayer {}
extension LeakyReLU: ShapePreservingLayer {}
extension ELU: ShapePreservingLayer {}
extension GELU: ShapePreservingLayer {}
extension Sigmoid: ShapePreservingLayer {}
extension Tanh: ShapePreservingLayer {}
extension Softplus: ShapePreservingLayer {}
extension Softmax: ShapePreservingLayer {}
extension LogSoftmax: ShapePreservingLayer {}
extension Dropout: ShapePreservingLayer {}

extension Layer {
    /// A table of this model's layers (one row, unless it is a ``Sequential``): each layer's
    /// index and kind, output shape and parameter count, then the total and trainable
    /// parameter counts, like Keras' `model.summary()`.
    ///
    /// `inputShape` is the shape of one example, without the batch axis (e.g. `[784]` or
    /// `[28, 28]`). Output shapes are found by running one forward pass, in inference mode and
    /// without recording gradients, on a batch of one example of zeros; they are printed with
    /// the batch axis as `batch`. Without `inputShape`, it is taken from the first ``Dense``
    /// layer when only activations and dropout come before it; otherwise output shapes show `?`.
    public func summary(inputShape: [Int]? = nil) -> String {
        let layers = (self as? Sequential)?.layers ?? [self]
        let outputShapes = SummaryTable.outputShapes(of: layers, inputShape: inputShape ?? SummaryTable.inputShape(of: layers))
        let rows = layers.indices.map { index in
            [String(index), SummaryTable.name(of: layers[index]), outputShapes[index],
             SummaryTable.grouped(layers[index].parameterCount)]
        }
        let total = SummaryTable.grouped(parameterCount)
        return SummaryTable.render(header: ["#", "Layer", "Output shape", "Parameters"], rows: rows,
                                   footer: ["Total parameters: \(total)",
                                            "Trainable parameters: \(total)",
                                            "Non-trainable parameters: 0"])
    }
}

extension Sequential: CustomStringConvertible {
    /// The summary table (see ``Layer/summary(inputShape:)``), with the input shape taken from
    /// the first ``Dense`` layer where possible.
    public var description: String { summary() }
}

/// The pieces of ``Layer/summary(inputShape:)``.
enum SummaryTable {
    /// The input shape of one example, read from the first ``Dense`` layer if only
    /// shape-preserving layers come before it.
    static func inputShape(of layers: [any Layer]) -> [Int]? {
        for layer in layers {
            if let dense = layer as? Dense { return [dense.inputCount] }
            if let sequential = layer as? Sequential { return inputShape(of: sequential.layers) }
            if !(layer is ShapePreservingLayer) { return nil }
        }
        return nil
    }

    /// Each layer's output shape ("[batch, 512]"), or "?" where it cannot be found: without an
    /// input shape, or from a layer whose input does not fit (a ``Dense`` layer is checked
    /// before it runs, so that printing a wrongly assembled model never traps).
    static func outputShapes(of layers: [any Layer], inputShape: [Int]?) -> [String] {
        guard let inputShape else { return layers.map { _ in "?" } }
        var activation: Tensor? = Tensor.zeros([1] + inputShape)
        return layers.map { layer in
            guard let input = activation, fits(input, layer) else {
                activation = nil
                return "?"
            }
            let output = withoutGradients { layer.training(false)(input) }
            activation = output
            return "[" + (["batch"] + output.shape.dropFirst().map(String.init)).joined(separator: ", ") + "]"
        }
    }

    /// Whether `layer` accepts `input`, as far as can be told without running it.
    private static func fits(_ input: Tensor, _ layer: any Layer) -> Bool {
        if let dense = layer as? Dense { return input.shape.last == dense.inputCount }
        if let sequential = layer as? Sequential {
            guard let first = sequential.layers.first else { return true }
            return fits(input, first)
        }
        return true
    }

    /// How a layer appears in the table: its description where it has a short one.
    static func name(of layer: any Layer) -> String {
        switch layer {
        case let sequential as Sequential: "Sequential(\(sequential.layers.count) layers)"
        case let activation as Activation: "Activation(\(activation))"
        case let described as CustomStringConvertible: described.description
        default: String(describing: type(of: layer))
        }
    }

    /// 669706 → "669,706".
    static func grouped(_ number: Int) -> String {
        let digits = String(number.magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return number < 0 ? "-" + result : result
    }

    /// Columns padded to their widest entry (numbers right-aligned), with rules above and below
    /// the rows.
    static func render(header: [String], rows: [[String]], footer: [String]) -> String {
        let widths = header.indices.map { column in
            ([header] + rows).map { $0[column].count }.max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            cells.indices.map { column in
                let padding = String(repeating: " ", count: widths[column] - cells[column].count)
                let isNumeric = column == 0 || column == cells.count - 1
                return isNumeric ? padding + cells[column] : cells[column] + padding
            }.joined(separator: "   ")
        }
        let rule = String(repeating: "─", count: widths.reduce(0, +) + 3 * (widths.count - 1))
        return ([line(header), rule] + rows.map(line) + [rule] + footer).joined(separator: "\n")
    }
}
