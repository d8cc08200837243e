import Foundation

/// What a training run stores beside a model's weights, so that `evaluate` and `predict` treat
/// new data exactly as training did: the feature scaling (as `model.json`'s `preprocessing`),
/// and the class names, cost, target column and task (as its `metadata`, real JSON values).
public struct ModelMetadata: Sendable, Equatable {
    /// The class of each output index, for classifiers.
    public var classNames: [String]?
    /// The feature scaling fitted on the training data, applied to every input.
    public var standardizer: FeatureStandardizer?
    /// The cost function's name (as `Loss.name` spells it).
    public var lossName: String?
    /// The CSV target column the model predicts.
    public var target: String?
    /// The kind of task the model was trained for, so that new data's targets are read the same
    /// way (it may have been chosen by hand rather than inferred).
    public var task: PredictionTask?
    /// For a model trained on images: their shape and normalization (no augmentation), so that
    /// new images are converted, resized and normalized as training's were.
    public var image: ImageInputs?
    /// For a model trained on a CSV file: how its columns became features (categories, missing
    /// values), so that new files are encoded the same way, matching columns by name.
    public var table: TableEncoding?
    /// For regression with standardized targets: the targets' mean and standard deviation, so
    /// that outputs are turned back into the targets' units.
    public var targetScaling: TargetStandardizer?

    public init(classNames: [String]? = nil, standardizer: FeatureStandardizer? = nil,
                lossName: String? = nil, target: String? = nil, task: PredictionTask? = nil, image: ImageInputs? = nil,
                table: TableEncoding? = nil, targetScaling: TargetStandardizer? = nil) {
        self.table = table
        self.targetScaling = targetScaling
        self.image = image.map { var inputs = $0; inputs.augmentation = nil; return inputs }
        self.classNames = classNames
        self.standardizer = standardizer
        self.lossName = lossName
        self.target = target
        self.task = task
    }

    /// The `metadata` section of `model.json`.
    public var json: [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        if let classNames { result["class_names"] = .array(classNames.map(JSONValue.string)) }
        if let lossName { result["loss"] = .string(lossName) }
        if let target { result["target"] = .string(target) }
        if let task { result["task"] = .string(task.rawValue) }
        if let targetScaling { result["target_scaling"] = targetScaling.json }
        return result
    }

    /// The `preprocessing` section of `model.json`: the table's encoding or the image
    /// conversion, then the standardization, if any.
    public var preprocessing: [Preprocessing] {
        let image = image.map { inputs -> Preprocessing in
            .image(height: inputs.shape.height, width: inputs.shape.width, channels: inputs.shape.channels,
                   mean: inputs.mean, standardDeviation: inputs.standardDeviation)
        }
        let table = self.table.map { Preprocessing.table($0.json) }
        return (table.map { [$0] } ?? []) + (image.map { [$0] } ?? []) + (standardizer.map { [.standardize(mean: $0.mean, standardDeviation: $0.scale)] } ?? [])
    }

    /// The metadata read back from a saved model's sections.
    ///
    /// - Throws: `ModelFileError/invalidValue(path:location:expected:found:)` naming `path`
    ///   and the value that is not what it should be.
    public init(json: [String: JSONValue], preprocessing: [Preprocessing], path: String) throws {
        func string(_ key: String) throws -> String? {
            guard let value = json[key] else { return nil }
            guard case let .string(text) = value else {
                throw ModelFileError.invalidValue(path: path, location: "metadata.\(key)", expected: "a string", found: value.summary)
            }
            return text
        }
        var classNames: [String]?
        if let value = json["class_names"] {
            guard case let .array(names) = value else {
                throw ModelFileError.invalidValue(path: path, location: "metadata.class_names", expected: "an array of strings",
                                                  found: value.summary)
            }
            classNames = try names.enumerated().map { index, name in
                guard case let .string(text) = name else {
                    throw ModelFileError.invalidValue(path: path, location: "metadata.class_names[\(index)]", expected: "a string",
                                                      found: name.summary)
                }
                return text
            }
        }
        var task: PredictionTask?
        if let name = try string("task") {
            guard let kind = PredictionTask(rawValue: name) else {
                throw ModelFileError.invalidValue(path: path, location: "metadata.task",
                                                  expected: "one of " + PredictionTask.allCases.map(\.rawValue).joined(separator: ", "), found: "\"\(name)\"")
            }
            task = kind
        }
        let standardizer = preprocessing.compactMap { step -> FeatureStandardizer? in
            guard case let .standardize(mean, deviation) = step else { return nil }
            return FeatureStandardizer(mean: mean, scale: deviation)
        }.first
        let image = try preprocessing.compactMap { step -> ImageInputs? in
            guard case let .image(height, width, channels, mean, deviation) = step else { return nil }
            do {
                return try ImageInputs(shape: ImageShape(channels: channels, height: height, width: width),
                                       mean: mean, standardDeviation: deviation)
            } catch let error as DataError {
                throw ModelFileError.invalidValue(path: path, location: "preprocessing", expected: "an image step", found: error.message)
            }
        }.first
        var table = try preprocessing.enumerated().compactMap { index, step -> TableEncoding? in
            guard case let .table(json) = step else { return nil }
            return try TableEncoding(json: json, path: path, location: "preprocessing[\(index)]")
        }.first
        table?.target = try string("target")
        let targetScaling = try json["target_scaling"].map { try TargetStandardizer(json: $0, path: path) }
        self.init(classNames: classNames, standardizer: standardizer, lossName: try string("loss"),
                  target: try string("target"), task: task, image: image, table: table, targetScaling: targetScaling)
    }

    /// The metadata of a loaded model folder.
    public init(_ saved: ModelFolder, path: String) throws {
        try self.init(json: saved.metadata, preprocessing: saved.preprocessing, path: path)
    }
}

extension Sequential {
    /// Saves the model folder with what a training run keeps beside it (see
    /// `save(to:inputShape:preprocessing:metadata:additionalFiles:using:)`), and `additionalFiles`
    /// (a history, a checkpoint) in the same save.
    public func save(to url: URL, inputShape: [Int]? = nil, metadata: ModelMetadata,
                     additionalFiles: [(path: String, contents: Data)] = [],
                     using operations: any FileOperations = SystemFileOperations()) throws {
        try save(to: url, inputShape: inputShape, preprocessing: metadata.preprocessing, metadata: metadata.json,
                 additionalFiles: additionalFiles, using: operations)
    }
}
