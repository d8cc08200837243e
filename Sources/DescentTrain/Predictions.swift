import Foundation

/// Reading the inputs of `descent predict`.
public enum PredictionInputs {
    /// The feature rows of a CSV file with a header row, of a .npy array, or of a .npz archive's
    /// one array (or its array `x`) (float32 result).
    ///
    /// - Parameters:
    ///   - url: the file: `.csv`, `.npy` or `.npz`.
    ///   - target: a column to leave out when present (the target the model was trained on).
    ///   - expectedCount: the model's input count; when the CSV has exactly one column more, the
    ///     last column is taken for a target and left out.
    public static func read(_ url: URL, excluding target: String? = nil, expectedCount: Int? = nil) throws -> Tensor {
        let fileExtension = url.pathExtension.lowercased()
        if fileExtension == "npy" || fileExtension == "npz" {
            let tensor = fileExtension == "npy" ? try NPY.read(contentsOf: url) : try npzInputs(url)
            let rows = tensor.rank == 0 ? 1 : tensor.shape[0]
            guard rows > 0 else {
                throw DataError(.emptyFile, file: url.path, "the array has no rows (shape \(tensor.shape)); expected at least one example to predict")
            }
            let inputs = tensor.reshaped(to: [rows, tensor.scalarCount / rows]).cast(to: .float32)
            try checkFinite(inputs, file: url.path)
            return inputs
        }
        let table = try CSVTable(contentsOf: url)
        guard !table.rows.isEmpty else {
            throw DataError(.emptyFile, file: url.path, line: 2, "the CSV file has a header but no data rows; expected at least one example to predict")
        }
        var columns = Array(table.columnNames.indices)
        if let target, let index = table.columnNames.firstIndex(of: target) {
            columns.remove(at: index)
        } else if let expectedCount, columns.count == expectedCount + 1 {
            columns.removeLast()
        }
        return try table.numbers(inColumns: columns).cast(to: .float32)
    }

    /// Refuses NaN and infinite inputs (a CSV cell is checked as it is read; an array is not):
    /// the model would turn them into NaN outputs, and those into a confident-looking class.
    ///
    /// - Throws: ``DataError`` (`.invalidArgument`) naming the first such value and its place.
    static func checkFinite(_ inputs: Tensor, file: String) throws {
        let columns = inputs.shape.dropFirst().reduce(1, *)
        for (index, value) in inputs.scalars(as: Float.self).enumerated() where !value.isFinite {
            throw DataError(.invalidArgument, file: file,
                            "row \(index / columns), column \(index % columns) (from 0): expected a finite number, found \(value)")
        }
    }
}

/// The array of a `.npz` file to predict on: the one it holds, or the one named `x`.
private func npzInputs(_ url: URL) throws -> Tensor {
    let arrays = try NPZ.read(contentsOf: url)
    if arrays.count == 1, let only = arrays.values.first { return only }
    guard let inputs = arrays["x"] else {
        throw DataError(.invalidArgument, file: url.path,
                        "expected one array, or one named 'x', found \(arrays.keys.sorted().map { "'\($0)'" }.joined(separator: ", "))")
    }
    return inputs
}

/// The outputs of `descent predict`, as a table: the predicted class (by name) and the
/// probability of each class for classifiers, the predicted values for regression.
public struct PredictionOutputs: Sendable {
    /// The model's raw outputs, [n, outputs].
    public var outputs: Tensor
    /// The classes of a classifier, or nil for regression.
    public var classNames: [String]?
    /// The cost the model was trained with (decides how outputs become probabilities).
    public var lossName: String?
    /// The file each row was predicted for, when the inputs were image files; nil otherwise.
    public var files: [String]?

    public init(outputs: Tensor, classNames: [String]?, lossName: String?, files: [String]? = nil) {
        self.outputs = outputs.reshaped(to: [outputs.shape.first ?? 0, outputs.shape.dropFirst().reduce(1, *)])
        self.files = files
        self.classNames = classNames
        self.lossName = lossName
    }

    /// Class probabilities [n, classes] for a classifier, nil for regression.
    public var probabilities: Tensor? {
        guard classNames != nil else { return nil }
        if outputs.shape[1] == 1 {
            let positive = lossName == "bce" ? outputs : sigmoid(outputs)
            return Tensor(concatenating: [1 - positive, positive], alongAxis: 1)
        }
        // Cross-entropy models output logits; NLL and KL-divergence models log-probabilities
        // (softmax recovers the probabilities from either); models trained with a regression
        // cost on one-hot targets output scores, shown as they are.
        return ["cross-entropy", "nll", "kl-div"].contains(lossName) ? softmax(outputs, alongAxis: -1) : outputs
    }

    /// The predicted class index of each row (classifiers), else the outputs: what `.npy`
    /// output holds.
    public var tensor: Tensor {
        guard let probabilities else { return outputs }
        return probabilities.argmax(alongAxis: 1)
    }

    /// A CSV table with a header: `prediction,p(name)…` for classifiers, `output_1…` otherwise;
    /// for image files, `file,prediction,probability` (the predicted class's) before the classes'
    /// probabilities.
    public func csv() -> String {
        let rows = outputs.shape[0]
        guard let classNames, let probabilities else {
            let columns = outputs.shape[1]
            let values = outputs.doubles()
            var text = (1...columns).map { "output_\($0)" }.joined(separator: ",") + "\n"
            for row in 0..<rows {
                text += values[row * columns..<(row + 1) * columns].map { "\(Float($0))" }.joined(separator: ",") + "\n"
            }
            return text
        }
        let classes = probabilities.shape[1]
        let p = probabilities.doubles()
        let predicted = tensor.scalars(as: Int32.self)
        let fileColumns = files == nil ? [] : ["file"]
        let probabilityColumn = files == nil ? [] : ["probability"]
        var text = (fileColumns + ["prediction"] + probabilityColumn + classNames.prefix(classes).map { escaped("p_" + $0) })
            .joined(separator: ",") + "\n"
        for row in 0..<rows {
            let name = Int(predicted[row]) < classNames.count ? classNames[Int(predicted[row])] : String(predicted[row])
            let file = files.map { [escaped($0[row])] } ?? []
            let probability = files == nil ? [] : [String(format: "%.6f", p[row * classes + Int(predicted[row])])]
            text += (file + [escaped(name)] + probability + p[row * classes..<(row + 1) * classes].map { String(format: "%.6f", $0) })
                .joined(separator: ",") + "\n"
        }
        return text
    }

    /// One line per image file: the file, the predicted class and its probability; nil when
    /// the inputs were not image files or the model is not a classifier.
    public func imageLines() -> String? {
        guard let files, let classNames, let probabilities else { return nil }
        let classes = probabilities.shape[1]
        let p = probabilities.doubles()
        let predicted = tensor.scalars(as: Int32.self)
        return files.indices.map { row in
            let index = Int(predicted[row])
            let name = index < classNames.count ? classNames[index] : String(index)
            return "\(files[row]): \(name) (\(String(format: "%.1f", 100 * p[row * classes + index])) %)"
        }.joined(separator: "\n") + "\n"
    }

    /// `cell` as one RFC 4180 field: in double quotes, with its quotes doubled, when it holds a
    /// comma, a quote or a line break (the quotes must enclose the whole field, prefix and all).
    private func escaped(_ cell: String) -> String {
        cell.unicodeScalars.contains(where: { ",\"\n\r".unicodeScalars.contains($0) })
            ? "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : cell
    }
}
