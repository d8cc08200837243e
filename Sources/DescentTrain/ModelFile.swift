import Foundation

/// A JSON model file for training (the command line's `model` option): every layer, input to
/// output, as a saved model folder's `model.json` lists them (format 2, or the first release's
/// format 1) — so a `model.json` written by a training run can be passed as it is (its weights,
/// preprocessing and metadata are not used). The format is documented in
/// `Documentation/ModelFormat.md`:
///
/// ```json
/// {"layers": [{"type": "linear", "in_features": 4, "out_features": 16, "activation": "relu"},
///             {"type": "dropout", "p": 0.2},
///             {"type": "linear", "in_features": 16, "out_features": 3}]}
/// ```
///
/// Unlike a ``LayerList``, nothing is added: the first linear layer's `in_features` must be the
/// data's feature count and the last layer's width the number of outputs the task needs.
public enum ModelFile {
    /// The layers listed in the JSON file at `url`.
    ///
    /// - Throws: `ModelFileError` when the file is missing, unreadable, not JSON, or has a
    ///   value that does not fit (naming the place in the file).
    public static func layers(contentsOf url: URL) throws -> [LayerConfiguration] {
        try Sequential.architecture(contentsOf: url).layers
    }

    /// Checks the layers against examples of `inputCount` features:
    /// ``check(_:inputShape:outputCount:path:)`` with the input shape `[inputCount]`.
    public static func check(_ layers: [LayerConfiguration], inputCount: Int, outputCount: Int, path: String) throws {
        try check(layers, inputShape: [inputCount], outputCount: outputCount, path: path)
    }

    /// Checks that the layers fit together and fit the data: each layer takes the shape the
    /// layers before it give (`inputShape`, one example without the batch axis, for the first),
    /// settings are in range, and the last layer gives `outputCount` values.
    ///
    /// - Throws: ``TrainingError/incompatibleData(_:)`` naming `path`, the layer, and the sizes
    ///   expected and found.
    public static func check(_ layers: [LayerConfiguration], inputShape: [Int], outputCount: Int, path: String) throws {
        let model: Sequential
        do {
            model = try Sequential(layers: layers)
        } catch let error as ModelFileError {
            throw TrainingError.incompatibleData("'\(path)': \(error)")
        }
        let shapes: [[Int]]
        do {
            shapes = try model.outputShapes(for: inputShape)
        } catch let error as LayerShapeError {
            let index = error.index ?? 0
            guard let dense = model.layers[index] as? Dense, inputShape.count == 1 || index > 0 else {
                throw TrainingError.incompatibleData("'\(path)': \(error)")
            }
            let inputCount = inputShape.reduce(1, *)
            let isFirstDense = !model.layers[..<index].contains { $0 is Dense } && error.found == [inputCount]
            throw TrainingError.incompatibleData(isFirstDense
                ? "'\(path)': the model expects \(counted(dense.inputCount, "input feature")) (layer \(index)), but the data have \(inputCount)"
                : "'\(path)': layer \(index) (dense) expects \(counted(dense.inputCount, "input")), but the layer before it gives \(error.found.last ?? 0)")
        }
        let outputs = shapes.last ?? inputShape
        guard outputs == [outputCount] else {
            throw TrainingError.incompatibleData(
                "'\(path)': the model has \(outputs.map(String.init).joined(separator: " × ")) outputs, but the data and cost function need \(outputCount)")
        }
    }
}
