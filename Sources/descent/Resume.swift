import ArgumentParser
import Descent
import Foundation

/// What `descent train --resume DIR` may be given besides the folder: the total number of
/// epochs, where the data are now, and how to present the run. Everything else is the saved
/// run's, so that the result is the uninterrupted run's.
struct ResumeArguments {
    /// The data, when given again (the files moved).
    var dataset: String?
    var givesEpochs = false
    var givesDataDirectory = false
    var givesValidationFile = false

    private static let optionsWithValues: Set<String> = ["--resume", "--epochs", "--data-dir", "--validation-file", "--threads"]
    private static let flags: Set<String> = ["--quiet", "--json"]

    /// Reads the arguments after `train`.
    ///
    /// - Throws: `ValidationError` naming an option that cannot change on a resumed run.
    init(_ arguments: [String]) throws {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            if Self.optionsWithValues.contains(name) {
                givesEpochs = givesEpochs || name == "--epochs"
                givesDataDirectory = givesDataDirectory || name == "--data-dir"
                givesValidationFile = givesValidationFile || name == "--validation-file"
                index += argument.contains("=") ? 1 : 2
            } else if Self.flags.contains(argument) {
                index += 1
            } else if argument.hasPrefix("-") {
                throw ValidationError("--resume continues the saved run with its own settings; \(name) cannot change. "
                    + "Only --epochs (the total), the data (DATASET, --data-dir, --validation-file), --quiet, --json and --threads can be given with it")
            } else {
                dataset = argument
                index += 1
            }
        }
    }

    /// The arguments of the running `descent train` command.
    static var current: [String] {
        let arguments = CommandLine.arguments
        guard let train = arguments.firstIndex(of: "train") else { return Array(arguments.dropFirst()) }
        return Array(arguments[(train + 1)...])
    }
}

extension Train {
    /// The job that continues the run saved in `folder`: the saved command line's job, with the
    /// data and the number of epochs given now (or, if not, the latest saved), saving into
    /// `folder`.
    ///
    /// - Throws: ``CheckpointError`` when `folder` holds no checkpoint or one that no
    ///   `descent train` saved; `ValidationError` as ``ResumeArguments`` says.
    func resumedJob(from folder: String) throws -> TrainingJob {
        let given = try ResumeArguments(ResumeArguments.current)
        let url = URL(fileURLWithPath: folder)
        let state = try TrainingCheckpoint.read(from: url)
        let statePath = url.appendingPathComponent(TrainingCheckpoint.folderName).appendingPathComponent(TrainingCheckpoint.stateFileName).path
        guard let arguments = state.commandLine else {
            throw CheckpointError(path: statePath, expected: "a checkpoint saved by `descent train` (with its command line)",
                                  found: "one saved by a program")
        }
        var job: TrainingJob
        do {
            job = try Train.parse(arguments).job()
        } catch {
            throw CheckpointError(path: statePath, expected: "a command line `descent train` reads",
                                  found: "\(arguments) (\(Train.message(for: error)))")
        }
        // The latest locations and epochs are the saved settings'; the ones given now win.
        job.dataset = given.dataset ?? state.settings["dataset"] ?? job.dataset
        job.dataDirectory = given.givesDataDirectory ? dataDir : state.settings["data_directory"] ?? job.dataDirectory
        if case .file = job.validation, let file = given.givesValidationFile ? validationFile : state.settings["validation_file"] {
            job.validation = .file(file)
        }
        job.epochs = given.givesEpochs ? epochs : state.settings["epochs"].flatMap(Int.init) ?? job.epochs
        // A network from a model file is the saved model's own model.json: the file may have
        // moved, and its layers are the same.
        if case .file = job.architecture {
            job.architecture = .file(path: url.appendingPathComponent(Sequential.architectureFileName).path)
        }
        job.output = folder
        job.commandLine = arguments
        return job
    }
}
