import Foundation

/// What the command line stores beside a model's weights (as JSON strings in `model.json`'s
/// metadata), so that `evaluate` and `predict` treat new data exactly as training did.
public struct ModelMetadata: Sendable, Equatable {
    /// The class of each output index, for classifiers.
    public var classNames: [String]?
    /// The feature scaling fitted on the training data, applied to every input.
    public var standardizer: FeatureStandardizer?
    /// The cost function's command-line name.
    public var lossName: String?
    /// The CSV target column the model predicts.
    public var target: String?
    /// The kind of task the model was trained for, so that new data's targets are read the same
    /// way (it may have been overridden with `--task`).
    public var task: PredictionTask?

    public init(classNames: [String]? = nil, standardizer: FeatureStandardizer? = nil,
                lossName: String? = nil, target: String? = nil, task: PredictionTask? = nil) {
        self.classNames = classNames
        self.standardizer = standardizer
        self.lossName = lossName
        self.target = target
        self.task = task
    }

    /// The strings to pass to `Sequential.save(to:metadata:)`.
    public func dictionary() throws -> [String: String] {
        var result: [String: String] = [:]
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        if let classNames { result["class_names"] = String(decoding: try encoder.encode(classNames), as: UTF8.self) }
        if let standardizer { result["standardizer"] = String(decoding: try encoder.encode(standardizer), as: UTF8.self) }
        if let lossName { result["loss"] = lossName }
        if let target { result["target"] = target }
        if let task { result["task"] = task.rawValue }
        return result
    }

    /// The metadata read back from a saved model's strings.
    ///
    /// - Throws: ``ModelFileError/invalidArchitecture(path:reason:)`` when a stored value is not
    ///   the JSON it should be, or the task is not one of ``PredictionTask``'s names.
    public init(dictionary: [String: String], path: String) throws {
        let decoder = JSONDecoder()
        func decode<T: Decodable>(_ type: T.Type, _ key: String) throws -> T? {
            guard let text = dictionary[key] else { return nil }
            do {
                return try decoder.decode(type, from: Data(text.utf8))
            } catch {
                throw ModelFileError.invalidArchitecture(path: path, reason: "metadata \"\(key)\" is not valid: \(error)")
            }
        }
        var task: PredictionTask?
        if let name = dictionary["task"] {
            guard let kind = PredictionTask(rawValue: name) else {
                throw ModelFileError.invalidArchitecture(
                    path: path, reason: "metadata \"task\" is \"\(name)\", expected one of \(PredictionTask.names.joined(separator: ", "))")
            }
            task = kind
        }
        self.init(classNames: try decode([String].self, "class_names"),
                  standardizer: try decode(FeatureStandardizer.self, "standardizer"),
                  lossName: dictionary["loss"], target: dictionary["target"], task: task)
    }
}
