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
    ///   `ModelFileError` when its files cannot be read or are not valid.
    public init(folder: String) throws {
        guard FileManager.default.fileExists(atPath: folder) else {
            throw TrainingError.invalidSetting("the model folder '\(folder)' does not exist")
        }
        let url = URL(fileURLWithPath: folder)
        let contents = try Sequential.loadFolder(from: url)
        model = contents.model
        inputShape = contents.inputShape
        let architecturePath = url.appendingPathComponent(Sequential.architectureFileName).path
        metadata = try ModelMetadata(contents, path: architecturePath)
        self.folder = folder
        try Self.checkFinite(model, path: url.appendingPathComponent(Sequential.weightsFileName).path)
        try checkClassNames(path: architecturePath)
    }

    /// Refuses weights that are NaN or infinite: such a model computes NaN for everything, and a
    /// NaN output would be scored as a confident prediction (accuracy 100 %).
    ///
    /// - Throws: ``ModelFileError/invalidValue(path:location:expected:found:)`` naming the tensor,
    ///   the position of its first such value, and the value.
    private static func checkFinite(_ model: Sequential, path: String) throws {
        for (name, tensor) in model.parameters + model.buffers where tensor.dtype.isFloatingPoint {
            let values = tensor.doubles()
            guard let index = values.firstIndex(where: { !$0.isFinite }) else { continue }
            throw ModelFileError.invalidValue(path: path, location: "tensor '\(name)' at \(position(of: index, in: tensor.shape))",
                                              expected: "finite numbers", found: "\(values[index])")
        }
    }

    /// The index along each axis of the element at `flatIndex` of a row-major `shape`.
    private static func position(of flatIndex: Int, in shape: [Int]) -> [Int] {
        var rest = flatIndex
        return shape.reversed().map { size -> Int in
            defer { rest /= Swift.max(size, 1) }
            return rest % Swift.max(size, 1)
        }.reversed()
    }

    /// Refuses class names that do not name every output: one per output, or two for a binary
    /// classifier's single output. With fewer, a predicted index would have no name and the
    /// predictions table would have fewer header cells than values.
    ///
    /// - Throws: ``ModelFileError/invalidValue(path:location:expected:found:)`` naming
    ///   `metadata.class_names`.
    private func checkClassNames(path: String) throws {
        guard let classNames = metadata.classNames, let inputShape, let outputs = (try? model.outputShape(for: inputShape))?.last else { return }
        guard classNames.count != outputs, !(outputs == 1 && classNames.count == 2) else { return }
        let expected = outputs == 1 ? "2 class names (the model has 1 output: a binary classifier)" : "\(outputs) class names, one per output"
        throw ModelFileError.invalidValue(path: path, location: "metadata.class_names", expected: expected,
                                          found: "\(classNames.count) (\(classNames.map { "\"\($0)\"" }.joined(separator: ", ")))")
    }

    /// The number of values in one input example, when the folder gives it.
    public var inputCount: Int? { inputShape?.reduce(1, *) }

    /// `features` as the model takes them: float32, in the model's input shape (one flattened
    /// row per example unless the folder gives a shape such as `[C, H, W]`), standardized with
    /// the training statistics when training standardized; uint8 images are scaled and
    /// normalized as the model's ``ModelMetadata/image`` says.
    ///
    /// - Parameters:
    ///   - features: the data's features, as read.
    ///   - source: the data's name, for messages.
    /// - Throws: ``TrainingError/incompatibleData(_:)`` when the number of features is not the
    ///   model's.
    public func prepare(_ features: Tensor, source: String) throws -> Tensor {
        let count = features.shape.dropFirst().reduce(1, *)
        if let inputCount, inputCount != count {
            let modelShape = inputShape.map { "\($0)" } ?? "[\(inputCount)]"
            throw TrainingError.incompatibleData(
                "the model expects \(counted(inputCount, "input feature")) (examples of shape \(modelShape)), "
                    + "but '\(source)' has \(count) (examples of shape \(Array(features.shape.dropFirst())))")
        }
        let rows = features.shape.first ?? 0
        if features.dtype == .uint8 {
            let shaped = features.reshaped(to: [rows] + exampleShape(count: count))
            return metadata.image.map { $0.floats(shaped) } ?? shaped.cast(to: .float32) * (1.0 / 255)
        }
        // Standardized as training did, feature by feature on flat rows; then shaped as the
        // model takes its examples ([n, 1, 28, 28] for a network on MNIST's images).
        let flat = features.reshaped(to: [rows, count]).cast(to: .float32)
        let prepared = try metadata.standardizer.map { try $0.apply(to: flat) } ?? flat
        return prepared.reshaped(to: [rows] + exampleShape(count: count))
    }

    /// The shape of one example as the model takes it: the folder's input shape when it has
    /// several axes (images), else `count` values in a row.
    private func exampleShape(count: Int) -> [Int] {
        if let inputShape, inputShape.count > 1 { return inputShape }
        return [count]
    }

    /// The images of an image folder or file at `path`, read as the model's training images
    /// were: `(files, uint8 [n, C, H, W])`, resized to the model's size.
    private func images(at path: String, image: ImageInputs) throws -> ([String], Tensor) {
        var files: [URL] = []
        if DatasetSource.isImageFolder(path) {
            // The folder's own images and those one level down (class folders), in sorted order.
            let folder = URL(fileURLWithPath: path)
            let manager = FileManager.default
            func listed(_ url: URL) -> [URL] {
                ((try? manager.contentsOfDirectory(at: url, includingPropertiesForKeys: nil)) ?? [])
                    .filter { !$0.lastPathComponent.hasPrefix(".") }.sorted { $0.lastPathComponent < $1.lastPathComponent }
            }
            for entry in listed(folder) {
                if Image.fileExtensions.contains(entry.pathExtension.lowercased()) {
                    files.append(entry)
                } else if DatasetSource.isImageFolder(entry.path) {
                    files += listed(entry).filter { Image.fileExtensions.contains($0.pathExtension.lowercased()) }
                }
            }
            guard !files.isEmpty else { throw TrainingError.invalidSetting("the folder '\(path)' holds no .png, .jpg or .jpeg files") }
        } else {
            files = [URL(fileURLWithPath: path)]
        }
        let (pixels, _) = try Dataset.imageTensor(files, size: (image.shape.height, image.shape.width), channels: image.shape.channels)
        return (files.map(\.path), pixels)
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
    ///   - source: a built-in dataset's name (for MNIST, its test part is used) or a file's or folder's path.
    ///   - dataDirectory: where MNIST's files are (see ``DatasetSource``).
    ///   - target: the CSV column to predict; by default the one the model was trained on, else
    ///     the last.
    ///   - unknownCategory: for a model trained on a CSV file with categorical columns, what to
    ///     do with a category training did not see.
    /// - Throws: what ``DatasetSource/load(_:dataDirectory:target:classNames:task:imageSize:imageChannels:reading:encoding:)`` throws;
    ///   ``TrainingError/incompatibleData(_:)`` when the data's features or classes do not fit
    ///   the model.
    public func evaluate(on source: String, dataDirectory: String? = nil, target: String? = nil,
                         unknownCategory: UnknownCategoryPolicy = .error) throws -> Evaluation {
        // The target is read as training read it (classes or numbers). A binary model's data are
        // read as classes of any number, so that the class check below names the mismatch.
        let task = metadata.task.map { $0 == .binary ? PredictionTask.classification : $0 }
        let image = metadata.image
        let (train, test) = try DatasetSource.load(source, dataDirectory: dataDirectory, target: target ?? metadata.target,
                                                  classNames: metadata.classNames, task: task,
                                                  imageSize: image.map { ($0.shape.height, $0.shape.width) },
                                                  imageChannels: image?.shape.channels,
                                                  reading: reading(unknownCategory), encoding: metadata.table)
        var data = test ?? train
        if data.features.dtype == .uint8, let image {
            // Images stay uint8 and are converted batch by batch, as in training.
            let count = data.features.shape.dropFirst().reduce(1, *)
            data.features = data.features.reshaped(to: [data.count] + exampleShape(count: count))
            data.imageInputs = image
        } else {
            data.features = try prepare(data.features, source: source)
        }
        var recipe = try TrainingRecipe(for: data, loss: try trainedLoss())
        if let scaling = metadata.targetScaling, data.task == .regression {
            // The cost as in training (standardized units), the metrics in the target's units.
            data = scaling.standardize(data)
            recipe.reportInTargetUnits(scale: scaling.scale[0])
        }
        data = recipe.prepare(data)
        try checkBatchStatistics(count: data.count, exampleShape: Array(data.features.shape.dropFirst()), source: source)
        // Two examples, not one: a batch norm without running statistics needs two.
        let first = data.features[0..<min(2, data.count)]
        let outputs = model.predict(first.dtype == .uint8 ? try prepare(first, source: source) : first)
        if data.count > 0, outputs.shape.last != recipe.outputCount {
            throw TrainingError.incompatibleData(
                "the model has \(counted(outputs.shape.last ?? 0, "output")), but '\(source)' needs \(recipe.outputCount) (\(data.task))")
        }
        let values = model.evaluate(on: data, loss: recipe.loss, metrics: recipe.metrics)
        return Evaluation(count: data.count, values: values, names: ["loss"] + recipe.metrics.map(\.name))
    }

    /// The model's predictions for the inputs in the file at `path`: a CSV file with a header
    /// row (the feature columns, with or without the target column, which is left out) or a
    /// `.npy` array; for a model trained on images, also a PNG or JPEG file or a folder of them
    /// (its images and those in its subfolders), each read, converted, resized and normalized
    /// as the training images were, with the files named in the outputs.
    ///
    /// - Throws: ``TrainingError`` when the file does not exist or its number of features is
    ///   not the model's; `DataError` for a malformed file or image (naming it).
    ///
    /// A CSV file for a model trained on one is read with the saved ``ModelMetadata/table``:
    /// columns matched by name, in any order; a missing cell filled with the saved value (or an
    /// error, when training did not fill), never a dropped row; a category training did not see
    /// an error, or no category with `unknownCategory` `.ignore`. A regression model's outputs
    /// are in the target's own units.
    public func predict(inputsAt path: String, unknownCategory: UnknownCategoryPolicy = .error) throws -> PredictionOutputs {
        guard FileManager.default.fileExists(atPath: path) else {
            throw TrainingError.invalidSetting("the input file '\(path)' does not exist")
        }
        let isImage = DatasetSource.isImageFolder(path)
            || Image.fileExtensions.contains(URL(fileURLWithPath: path).pathExtension.lowercased())
        if isImage {
            guard let image = metadata.image else {
                throw TrainingError.incompatibleData("'\(path)' holds images, but the model was not trained on images")
            }
            let (files, pixels) = try images(at: path, image: image)
            let prepared = try prepare(pixels, source: path)
            try checkBatchStatistics(count: prepared.shape[0], exampleShape: Array(prepared.shape.dropFirst()), source: path)
            let outputs = model.predict(prepared)
            return PredictionOutputs(outputs: outputs, classNames: metadata.classNames, lossName: metadata.lossName, files: files)
        }
        let url = URL(fileURLWithPath: path)
        let features = if let table = metadata.table, url.pathExtension.lowercased() == "csv" {
            try table.features(contentsOf: url, unknownCategory: unknownCategory)
        } else {
            try PredictionInputs.read(url, excluding: metadata.target, expectedCount: inputCount)
        }
        let prepared = try prepare(features, source: path)
        try checkBatchStatistics(count: prepared.shape[0], exampleShape: Array(prepared.shape.dropFirst()), source: path)
        var outputs = model.predict(prepared)
        if let scaling = metadata.targetScaling { outputs = scaling.restore(outputs) }
        return PredictionOutputs(outputs: outputs, classNames: metadata.classNames, lossName: metadata.lossName)
    }
}

extension SavedModel {
    /// Throws when inference over `count` examples, in `Layer.predict`'s and `evaluate`'s batches
    /// of `inferenceBatchSize`, would give a batch norm without running statistics (which
    /// normalizes each batch by its own) a batch of one example, a single value per channel: it
    /// cannot normalize that.
    fileprivate func checkBatchStatistics(count: Int, exampleShape: [Int], source: String) throws {
        guard count % inferenceBatchSize == 1,
              let layer = model.batchNormalizationNeedingTwoExamples(exampleShape: exampleShape, inference: true) else { return }
        throw TrainingError.incompatibleData(
            "\(layer) normalizes each batch by its own statistics (it keeps no running statistics), and '\(source)' "
                + "leaves a batch of 1 example (\(count) in batches of \(inferenceBatchSize)): it cannot normalize a single value per feature")
    }

    /// How a CSV file is read for this model: as training read it, with `unknownCategory`.
    fileprivate func reading(_ unknownCategory: UnknownCategoryPolicy) -> TableReading {
        var reading = TableReading(target: metadata.target)
        reading.unknownCategory = unknownCategory
        return reading
    }
}

/// A saved model's cost and metrics on a dataset (``SavedModel/evaluate(on:dataDirectory:target:unknownCategory:)``).
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
    /// - Throws: `FileError` when the file cannot be written.
    public func write(to path: String) throws {
        let url = URL(fileURLWithPath: path)
        if path.lowercased().hasSuffix(".npy") {
            try AtomicFile.write(Data(NPY.encode(tensor)), to: url)
        } else {
            try AtomicFile.write(Data(csv().utf8), to: url)
        }
    }
}
