import Foundation

/// A model folder saved by a ``TrainingJob``, with its ``ModelMetadata``: the model measured on
/// and applied to new data read and scaled exactly as its training data were (the same target
/// column, task, classes and standardization). What `descent evaluate` and `descent predict` do.
///
/// ```swift
/// let saved = try SavedModel(folder: "digits-model")
/// let evaluation = try saved.evaluate(on: "digits")
/// print(evaluation.count, evaluation.values["accuracy"] ?? 0)
/// ```
public struct SavedModel {
    /// The network, with its trained weights.
    public var model: Sequential
    /// What training saved beside the weights.
    public var metadata: ModelMetadata
    /// The shape of one input example, as the folder gives it.
    public var inputShape: [Int]?
    /// The folder it was loaded from, as given.
    public var folder: String

    /// Loads the model folder at `folder`.
    ///
    /// - Throws: ``TrainingError/invalidSetting(_:)`` when the folder does not exist;
    ///   ``ModelFileError`` when its files cannot be read or are not valid.
    public init(folder: String) throws {
        guard FileManager.default.fileExists(atPath: folder) else {
            throw TrainingError.invalidSetting("the model folder '\(folder)' does not exist")
        }
        let url = URL(fileURLWithPath: folder)
        let contents = try Sequential.loadFolder(from: url)
        model = contents.model
        inputShape = contents.inputShape
        metadata = try ModelMetadata(contents, path: url.appendingPathComponent(Sequential.architectureFileName).path)
        self.folder = folder
    }

    /// The number of values in one input example, when the folder gives it.
    public var inputCount: Int? { inputShape?.reduce(1, *) }

    /// `features` as the model takes them: flattened to one row per example, float32, and
    /// standardized with the training statistics when training standardized; then shaped as
    /// the model's ``inputShape`` when it has several axes (images).
    ///
    /// - Parameter source: the data's name, for messages.
    /// - Throws: ``TrainingError/incompatibleData(_:)`` when the number of features is not the
    ///   model's.
    public func prepare(_ features: Tensor, source: String) throws -> Tensor {
        let count = features.shape.dropFirst().reduce(1, *)
        if let inputCount, inputCount != count {
            throw TrainingError.incompatibleData("the model expects \(inputCount) input features, but '\(source)' has \(count)")
        }
        let flat = features.reshaped(to: [features.shape.first ?? 0, count]).cast(to: .float32)
        let prepared = try metadata.standardizer.map { try $0.apply(to: flat) } ?? flat
        // A model on images takes them as saved: [n, 1, 28, 28] for MNIST's.
        guard let inputShape, inputShape.count > 1 else { return prepared }
        return prepared.reshaped(to: [prepared.shape[0]] + inputShape)
    }

    /// The cost the model was trained with; nil when the folder does not say.
    ///
    /// - Throws: ``ModelFileError/invalidArchitecture(path:reason:)`` for a name that is not
    ///   one of `Loss.names`.
    private func trainedLoss() throws -> Loss? {
        guard let name = metadata.lossName else { return nil }
        guard let loss = Loss(name: name) else {
            throw ModelFileError.invalidArchitecture(
                path: folder, reason: "metadata \"loss\" is \"\(name)\", expected one of \(Loss.names.joined(separator: ", "))")
        }
        return loss
    }

    /// The model's cost and metrics on the data named `source` — a built-in dataset (for MNIST,
    /// its test part) or a CSV file — with the cost and metrics it was trained with.
    ///
    /// - Parameters:
    ///   - dataDirectory: where MNIST's files are (see ``DatasetSource``).
    ///   - target: the CSV column to predict; by default the one the model was trained on, else
    ///     the last.
    /// - Throws: what ``DatasetSource/load(_:dataDirectory:target:classNames:task:)`` throws;
    ///   ``TrainingError/incompatibleData(_:)`` when the data's features or classes do not fit
    ///   the model.
    public func evaluate(on source: String, dataDirectory: String? = nil, target: String? = nil) throws -> Evaluation {
        // The target is read as training read it (classes or numbers). A binary model's data are
        // read as classes of any number, so that the class check below names the mismatch.
        let task = metadata.task.map { $0 == .binary ? PredictionTask.classification : $0 }
        let (train, test) = try DatasetSource.load(source, dataDirectory: dataDirectory, target: target ?? metadata.target,
                                                  classNames: metadata.classNames, task: task)
        var data = test ?? train
        data.features = try prepare(data.features, source: source)
        let recipe = try TrainingRecipe(for: data, loss: try trainedLoss())
        data = recipe.prepare(data)
        let outputs = model.predict(data.features[0..<min(1, data.count)])
        if data.count > 0, outputs.shape.last != recipe.outputCount {
            throw TrainingError.incompatibleData(
                "the model has \(outputs.shape.last ?? 0) outputs, but '\(source)' needs \(recipe.outputCount) (\(data.task))")
        }
        let values = model.evaluate(on: data, loss: recipe.loss, metrics: recipe.metrics)
        return Evaluation(count: data.count, values: values, names: ["loss"] + recipe.metrics.map(\.name))
    }

    /// The model's predictions for the inputs in the file at `path`: a CSV file with a header
    /// row (the feature columns, with or without the target column, which is left out) or a
    /// `.npy` array.
    ///
    /// - Throws: ``TrainingError`` when the file does not exist or its number of features is
    ///   not the model's; ``DataError`` for a malformed file.
    public func predict(inputsAt path: String) throws -> PredictionOutputs {
        guard FileManager.default.fileExists(atPath: path) else {
            throw TrainingError.invalidSetting("the input file '\(path)' does not exist")
        }
        let features = try PredictionInputs.read(URL(fileURLWithPath: path), excluding: metadata.target,
                                                 expectedCount: inputCount)
        let outputs = model.predict(try prepare(features, source: path))
        return PredictionOutputs(outputs: outputs, classNames: metadata.classNames, lossName: metadata.lossName)
    }
}

/// A saved model's cost and metrics on a dataset (``SavedModel/evaluate(on:dataDirectory:target:)``).
public struct Evaluation: Sendable, Equatable {
    /// The number of examples measured.
    public var count: Int
    /// The cost as "loss", and each metric by its name.
    public var values: [String: Double]
    /// The names in ``values``, in order: "loss", then the metrics.
    public var names: [String]
}

extension PredictionOutputs {
    /// Writes the predictions to `path`: the predicted classes (or the outputs, for regression)
    /// as a `.npy` array when the path ends in `.npy`, else the table of ``csv()``. The file is
    /// replaced whole or not at all.
    ///
    /// - Throws: ``FileError`` when the file cannot be written.
    public func write(to path: String) throws {
        let url = URL(fileURLWithPath: path)
        if path.lowercased().hasSuffix(".npy") {
            try AtomicFile.write(Data(NPY.encode(tensor)), to: url)
        } else {
            try AtomicFile.write(Data(csv().utf8), to: url)
        }
    }
}
