// A Keras-like summary table of a model: each layer with its output shape and parameter count,
// then the totals.

extension Layer {
    /// A table of this model's layers (one row, unless it is a ``Sequential``): each layer's
    /// index and kind, output shape and parameter count, then the total, trainable and buffer
    /// counts, like Keras' `model.summary()`.
    ///
    /// `inputShape` is the shape of one example, without the batch axis (e.g. `[784]` or
    /// `[1, 28, 28]`). Output shapes are worked out by each layer's
    /// ``Layer/outputShape(for:)``, without running the model, and printed with the batch axis as
    /// `batch`. Without `inputShape`, it is taken from the first ``Dense`` layer when only
    /// layers that keep their input's shape come before it; otherwise, and from a layer that
    /// cannot take its input, output shapes show `?`.
    public func summary(inputShape: [Int]? = nil) -> String {
        let sequential = self as? Sequential
        let layers = sequential?.layers ?? [self]
        let inferred = (sequential ?? Sequential(layers)).inferredInputShape
        let outputShapes = SummaryTable.outputShapes(of: layers, inputShape: inputShape ?? inferred)
        let rows = layers.indices.map { index in
            [String(index), SummaryTable.name(of: layers[index]), outputShapes[index],
             SummaryTable.grouped(layers[index].parameterCount)]
        }
        let total = SummaryTable.grouped(parameterCount)
        let bufferCount = buffers.reduce(0) { $0 + $1.value.scalarCount }
        return SummaryTable.render(header: ["#", "Layer", "Output shape", "Parameters"], rows: rows,
                                   footer: ["Total parameters: \(total)",
                                            "Trainable parameters: \(total)",
                                            "Non-trainable parameters: 0"]
                                       + (bufferCount > 0 ? ["Buffer values: \(SummaryTable.grouped(bufferCount))"] : []))
    }
}

extension Sequential: CustomStringConvertible {
    /// The summary table (see ``Layer/summary(inputShape:)``), with the input shape taken from
    /// the first ``Dense`` layer where possible. Nothing runs: shapes are worked out.
    public var description: String { summary() }
}

/// The pieces of ``Layer/summary(inputShape:)``.
enum SummaryTable {
    /// Each layer's output shape ("[batch, 512]"), or "?" from the first layer that cannot take
    /// its input (and everywhere without an input shape).
    static func outputShapes(of layers: [any Layer], inputShape: [Int]?) -> [String] {
        var shape = inputShape
        return layers.map { layer in
            shape = shape.flatMap { try? layer.outputShape(for: $0) }
            return shape.map { "[" + (["batch"] + $0.map(String.init)).joined(separator: ", ") + "]" } ?? "?"
        }
    }

    /// How a layer appears in the table: its description where it has a short one.
    static func name(of layer: any Layer) -> String {
        switch layer {
        case let sequential as Sequential: "Sequential(\(counted(sequential.layers.count, "layer")))"
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
