import Foundation

extension TrainingJob {
    /// The settings a checkpoint records, by name, as text. A resumed job must have the same
    /// values, except for the ones in ``movableSettings``.
    public var settingsRecord: [String: String] {
        var record: [String: String] = [
            "dataset": dataset, "standardize": "\(standardizesFeatures)", "device": "\(device)", "optimizer": settingsText(optimizer),
            "schedule": settingsText(schedule), "batching": "\(batching)", "epochs": "\(epochs)", "seed": "\(seed)",
            "shuffled": "\(shuffled)",
        ]
        record["data_directory"] = dataDirectory
        record["target"] = target
        record["task"] = task.map { "\($0)" }
        switch validation {
        case .split(let fraction): record["validation"] = "split \(fraction)"
        case .file(let path): (record["validation"], record["validation_file"]) = ("file", path)
        }
        record["image_size"] = imageSize.map { "\($0.height)x\($0.width)" }
        record["normalization"] = normalization.map { "\($0.mean) \($0.standardDeviation)" }
        record["augmentation"] = augmentation.map { "\($0)" }
        switch architecture {
        case .file(let path): (record["architecture"], record["architecture_file"]) = ("file", path)
        default: record["architecture"] = "\(architecture)"
        }
        record["initial_weights"] = initialWeights
        record["loss"] = loss.map { $0.name }
        record["maximum_steps"] = maximumSteps.map { "\($0)" }
        // The table settings, only where they differ from the defaults (as older runs had them).
        if !categorical.isEmpty { record["categorical"] = categorical.joined(separator: ",") }
        if !ignored.isEmpty { record["ignored"] = ignored.joined(separator: ",") }
        if missing != .error { record["missing"] = missing.rawValue }
        if !scalesTarget { record["target_scaling"] = "false" }
        return record
    }

    /// The settings that may differ when a run is resumed: where the data and files are (they
    /// may have moved) and the number of epochs (which may grow; a schedule whose length
    /// defaults to it keeps the saved "schedule_epochs").
    public static let movableSettings: Set<String> = [
        "dataset", "data_directory", "validation_file", "architecture_file", "initial_weights", "epochs", "schedule_epochs",
    ]

    /// Checks that this job continues the run a checkpoint was saved from.
    ///
    /// - Throws: ``CheckpointError`` naming the first setting that differs, the saved value and
    ///   this job's.
    func checkSettings(against state: TrainingState, checkpoint: URL) throws {
        let current = settingsRecord
        for key in Set(state.settings.keys).union(current.keys).sorted() where !Self.movableSettings.contains(key) {
            guard state.settings[key] != current[key] else { continue }
            throw CheckpointError(path: checkpoint.path, expected: "a run with the saved \(key) \(state.settings[key].map { "'\($0)'" } ?? "(none)")",
                                  found: "\(current[key].map { "'\($0)'" } ?? "none") in the resumed run")
        }
    }

    /// The model folder's files besides the model: the history and the checkpoint.
    static func additionalFiles(history: History, state: TrainingState) throws -> [(path: String, contents: Data)] {
        [("history.csv", Data(history.csv().utf8)), ("history.svg", Data(history.svg().utf8))]
            + (try TrainingCheckpoint.files(for: state))
    }
}

/// A settings value as text a reader can check by eye: "name: sgd, learningRate: 0.1,
/// momentum: 0.9, nesterov: false" — the fields that are set, unwrapped, enums by their case.
private func settingsText(_ value: Any) -> String {
    let mirror = Mirror(reflecting: value)
    if mirror.displayStyle == .optional { return mirror.children.first.map { settingsText($0.value) } ?? "nil" }
    guard mirror.displayStyle == .struct else { return "\(value)" }
    return mirror.children.compactMap { child in
        guard let label = child.label else { return nil }
        if Mirror(reflecting: child.value).displayStyle == .optional, Mirror(reflecting: child.value).children.isEmpty { return nil }
        return "\(label): \(settingsText(child.value))"
    }.joined(separator: ", ")
}

/// Saves the model folder — model, history and checkpoint, in one step — whenever `fit` reaches
/// a state to save: after every epoch, and when training is interrupted.
final class CheckpointSaver: TrainingCallback {
    private let save: (TrainingState, Sequential) throws -> Void

    init(save: @escaping (TrainingState, Sequential) throws -> Void) {
        self.save = save
    }

    func trainingStateReached(_ state: TrainingState, model: any Layer) throws {
        guard let model = model as? Sequential else { return }
        try save(state, model)
    }
}
