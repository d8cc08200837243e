import Foundation

/// A ``TrainingState`` as files inside a model folder: `checkpoint/state.json` (the position,
/// the rates, the random streams, the history, the settings) and
/// `checkpoint/optimizer.safetensors` (the optimizer's state under PyTorch's names), laid out
/// as `Documentation/ModelFormat.md` describes. They are saved with the model's own files, in
/// one step, so that the weights and the checkpoint always belong to the same moment.
public enum TrainingCheckpoint {
    /// The subfolder of the model folder that holds the checkpoint.
    public static let folderName = "checkpoint"
    /// The state's file, inside ``folderName``.
    public static let stateFileName = "state.json"
    /// The optimizer's tensors, inside ``folderName``.
    public static let optimizerFileName = "optimizer.safetensors"
    /// What `state.json`'s "format" says.
    public static let formatName = "descent-checkpoint"
    /// The version of the layout this release writes.
    public static let version = 1

    /// The checkpoint's files, by path inside the model folder, for
    /// `AtomicFile/writeFolder(at:files:using:)` or `Sequential.save(…, additionalFiles:)`.
    ///
    /// - Throws: `FileError` when the optimizer's tensors cannot be serialized.
    public static func files(for state: TrainingState) throws -> [(path: String, contents: Data)] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Reduce-on-plateau's best value starts at infinity, which JSON has no number for.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity",
                                                                      nan: "NaN")
        let json = try encoder.encode(StateFile(state))
        let optimizer = try SafeTensorsFile(tensors: state.optimizerState, metadata: ["optimizer": state.optimizerType]).serialized()
        return [("\(folderName)/\(stateFileName)", json + Data("\n".utf8)), ("\(folderName)/\(optimizerFileName)", optimizer)]
    }

    /// Whether `modelFolder` holds a checkpoint.
    public static func exists(in modelFolder: URL) -> Bool {
        FileManager.default.fileExists(atPath: stateURL(in: modelFolder).path)
    }

    /// Reads the checkpoint in a model folder.
    ///
    /// - Throws: ``CheckpointError`` naming the file, what was expected and what was found: no
    ///   checkpoint, a state that does not parse, another format or version, an optimizer file
    ///   for another optimizer; the errors of `SafeTensorsFile` for a damaged optimizer file.
    public static func read(from modelFolder: URL) throws -> TrainingState {
        let stateURL = stateURL(in: modelFolder)
        guard FileManager.default.fileExists(atPath: stateURL.path) else {
            throw CheckpointError(path: stateURL.path, expected: "a training checkpoint (written by `descent train --output` after every epoch)",
                                  found: FileManager.default.fileExists(atPath: modelFolder.path) ? "no such file" : "no such folder")
        }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity",
                                                                        nan: "NaN")
        let file: StateFile
        do {
            let data = try Data(contentsOf: stateURL)
            if let format = (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["format"] as? String,
               format != formatName {
                throw CheckpointError(path: stateURL.path, expected: "format \"\(formatName)\"", found: "\"\(format)\"")
            }
            file = try decoder.decode(StateFile.self, from: data)
        } catch let error as CheckpointError {
            throw error
        } catch let error as DecodingError {
            throw CheckpointError(path: stateURL.path, expected: "a checkpoint's state (version \(version))", found: error.summary)
        } catch {
            throw CheckpointError(path: stateURL.path, expected: "a readable file", found: (error as NSError).localizedDescription)
        }
        guard file.format == formatName, file.version == version else {
            throw CheckpointError(path: stateURL.path, expected: "format \"\(formatName)\" version \(version)",
                                  found: "\"\(file.format)\" version \(file.version)")
        }
        let optimizerURL = modelFolder.appendingPathComponent(folderName).appendingPathComponent(optimizerFileName)
        let optimizer = try SafeTensorsFile(contentsOf: optimizerURL)
        if let type = optimizer.metadata["optimizer"], type != file.optimizer {
            throw CheckpointError(path: optimizerURL.path, expected: "the state of \(file.optimizer), as \(stateFileName) says",
                                  found: "the state of \(type)")
        }
        return try file.state(optimizerState: optimizer.tensors, path: stateURL.path)
    }

    private static func stateURL(in modelFolder: URL) -> URL {
        modelFolder.appendingPathComponent(folderName).appendingPathComponent(stateFileName)
    }
}

/// A checkpoint that cannot be used: what was expected, what was found, and where.
public struct CheckpointError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file (or folder) at fault.
    public var path: String
    public var expected: String
    public var found: String

    public init(path: String, expected: String, found: String) {
        (self.path, self.expected, self.found) = (path, expected, found)
    }

    public var description: String { "'\(path)': expected \(expected), found \(found)" }
}

/// `state.json`, field by field (see `Documentation/ModelFormat.md`).
private struct StateFile: Codable {
    var format: String
    var version: Int
    var epoch: Int
    var step: Int
    var stepsTaken: Int
    var epochs: Int
    var stoppedByCallback: Bool
    var learningRate: Double
    var initialLearningRate: Double
    var optimizer: String
    var reduceOnPlateau: ReduceLROnPlateau.State?
    var callbacks: [String: [String: Double]]
    var randomStreams: [String: RandomKey]
    var unfinishedEpoch: TrainingState.UnfinishedEpoch?
    var history: SavedHistory
    var settings: [String: String]
    var commandLine: [String]?

    enum CodingKeys: String, CodingKey {
        case format, version, epoch, step, epochs, optimizer, callbacks, history, settings
        case stepsTaken = "steps_taken"
        case stoppedByCallback = "stopped_by_callback"
        case learningRate = "learning_rate"
        case initialLearningRate = "initial_learning_rate"
        case reduceOnPlateau = "reduce_on_plateau"
        case randomStreams = "random_streams"
        case unfinishedEpoch = "unfinished_epoch"
        case commandLine = "command_line"
    }

    /// The history as its names and one row of values per epoch.
    struct SavedHistory: Codable {
        var names: [String]
        var epochs: [[Double]]
    }

    init(_ state: TrainingState) {
        (format, version) = (TrainingCheckpoint.formatName, TrainingCheckpoint.version)
        (epoch, step, stepsTaken, epochs) = (state.completedEpochs, state.completedSteps, state.stepsTaken, state.epochCount)
        stoppedByCallback = state.stoppedByCallback
        (learningRate, initialLearningRate) = (state.learningRate, state.initialLearningRate)
        optimizer = state.optimizerType
        reduceOnPlateau = state.plateau
        callbacks = state.callbackStates
        randomStreams = state.randomStreams
        unfinishedEpoch = state.unfinishedEpoch
        let names = state.history.names
        history = SavedHistory(names: names, epochs: (0..<state.history.epochCount).map { epoch in
            names.map { state.history[$0]?[epoch] ?? .nan }
        })
        settings = state.settings
        commandLine = state.commandLine
    }

    func state(optimizerState: [String: Tensor], path: String) throws -> TrainingState {
        var restored = History()
        for (row, values) in history.epochs.enumerated() {
            guard values.count == history.names.count else {
                throw CheckpointError(path: path, expected: "\(history.names.count) values in every epoch of the history",
                                      found: "\(values.count) in epoch \(row + 1)")
            }
            restored.record(Array(zip(history.names, values)))
        }
        guard epoch >= 0, step >= 0, stepsTaken >= 0, restored.epochCount == epoch || (history.epochs.isEmpty && epoch == 0) else {
            throw CheckpointError(path: path, expected: "as many epochs in the history as \"epoch\" (\(epoch)), and no negative counts",
                                  found: "\(restored.epochCount) epochs, step \(step), steps_taken \(stepsTaken)")
        }
        guard (step == 0) == (unfinishedEpoch == nil) else {
            throw CheckpointError(path: path, expected: "\"unfinished_epoch\" exactly when \"step\" is above 0",
                                  found: "step \(step) \(unfinishedEpoch == nil ? "without" : "with") it")
        }
        var state = TrainingState(
            completedEpochs: epoch, completedSteps: step, stepsTaken: stepsTaken, epochCount: epochs,
            stoppedByCallback: stoppedByCallback, history: restored, unfinishedEpoch: unfinishedEpoch, learningRate: learningRate,
            initialLearningRate: initialLearningRate, plateau: reduceOnPlateau, callbackStates: callbacks,
            randomStreams: randomStreams, optimizerType: optimizer, optimizerState: optimizerState)
        state.settings = settings
        state.commandLine = commandLine
        return state
    }
}

extension DecodingError {
    /// What was wrong, and where in the file: "no value for "epoch"", "expected a number at history.epochs[2]".
    var summary: String {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." }.description
        }
        switch self {
        case let .keyNotFound(key, context): return "no \"\(key.stringValue)\"\(context.codingPath.isEmpty ? "" : " in \(path(context.codingPath))")"
        case let .typeMismatch(type, context): return "something other than \(type) at \(path(context.codingPath))"
        case let .valueNotFound(type, context): return "null where \(type) belongs, at \(path(context.codingPath))"
        case let .dataCorrupted(context):
            return context.codingPath.isEmpty ? "text that is not JSON" : "a bad value at \(path(context.codingPath))"
        @unknown default: return "\(self)"
        }
    }
}
