import Foundation

/// A whole training run, from named data to a saved model folder: what `descent train` does,
/// as a value a Swift program can configure and run.
///
/// ``run(progress:callbacks:resumingFrom:)`` loads the data, holds out validation data, standardizes the
/// features if asked, chooses the cost and the metrics for the task (``TrainingRecipe``),
/// builds the network, trains it with `fit`, and saves the model with its history when
/// ``output`` is set.
///
/// Every setting has the command line's default, so a job needs only what differs:
///
/// ```swift
/// var job = TrainingJob(dataset: "digits")
/// job.epochs = 20
/// job.optimizer = OptimizerSettings(name: .sgd, learningRate: 0.1, momentum: 0.9)
/// job.output = "digits-model"      // model.json, model.safetensors, history.csv, history.svg
/// let outcome = try job.run()
/// print(outcome.finalMetrics["accuracy"] ?? 0)   // on the 20 % held out
/// ```
public struct TrainingJob: Sendable {
    /// Where the validation data come from.
    public enum Validation: Sendable, Equatable {
        /// The dataset's own test part when it has one (MNIST's test set); otherwise this
        /// fraction of the examples, held out at random (the same ones for the same ``seed``).
        /// A fraction of 0 trains on every example, with no validation data.
        case split(fraction: Double)
        /// The examples in this CSV file, which has the training file's columns; its target is
        /// read as the training data's was (the same column, task and class indices).
        case file(String)
    }

    /// What a job reports while it runs, in order: ``started(_:)`` once the data are ready and
    /// the network is built, then the training loop's events.
    public enum Event: Sendable {
        /// The data are loaded and prepared and the network is built; training starts next.
        case started(Plan)
        /// A step or an epoch of training ended.
        case training(TrainingEvent)
    }

    /// The data and the recipe a job trains with, once loaded and prepared.
    public struct Plan: Sendable {
        /// The training examples: standardized when asked, labels in the form the cost takes.
        public var training: Dataset
        /// The validation examples, prepared the same way; nil when there are none.
        public var validation: Dataset?
        /// "test" when the validation data are the dataset's own test part, else "validation":
        /// what to call them when reporting.
        public var validationName: String
        /// The feature scaling fitted on the training examples, when ``TrainingJob/standardize``
        /// is set.
        public var standardizer: FeatureStandardizer?
        /// The cost, the number of outputs and the metrics, chosen for the task.
        public var recipe: TrainingRecipe
        /// The regression targets' scaling, when ``TrainingJob/scalesTarget`` standardized them.
        public var targetScaling: TargetStandardizer?
        /// Things that will run but probably not as meant (a cost on log-probabilities after a
        /// network that does not output them), one sentence each; empty when all is well.
        public var warnings: [String] = []
    }

    // The data.

    /// A built-in dataset (one of ``DatasetSource/builtinNames``), the path of a CSV file, or
    /// an image folder (one subfolder per class).
    public var dataset: String
    /// The folder that holds MNIST's files; nil to look in `$DESCENT_DATA` and the per-user
    /// cache (see `MNISTLocator`).
    public var dataDirectory: String?
    /// The CSV column to predict; nil for the last.
    public var target: String?
    /// The built-in data sets whose files ``dataDirectory`` holds.
    static let dataSetsInADirectory = ["mnist", "cifar10"]
    /// Reads the target as this task instead of the one inferred from the data (see
    /// `PredictionTask/apply(to:source:)`).
    public var task: PredictionTask?
    /// Where the validation data come from: by default 20 % of the examples.
    public var validation: Validation = .split(fraction: 0.2)
    /// Scales features to mean 0 and standard deviation 1, with statistics from the training
    /// examples (saved with the model, so that new data are scaled the same way); nil (the
    /// default) does it for a CSV table and not for other data (see ``standardizesFeatures``).
    ///
    /// In a table only the numeric columns are scaled: a category's one-hot 0/1 features stay
    /// 0/1, so that they still read as "has it" or "has it not".
    public var standardize: Bool?

    /// Whether the features are standardized: ``standardize`` when set, otherwise whether the
    /// data are a CSV table — whose columns come in any units (a lot size in square feet beside
    /// a 0/1 column), which left as they are make the large ones swamp the rest.
    public var standardizesFeatures: Bool { standardize ?? isTable }

    /// Whether ``dataset`` names a CSV file.
    var isTable: Bool { dataset.lowercased().hasSuffix(".csv") }

    // Tables (when ``dataset`` is a CSV file; see ``TableReading``).

    /// Columns read as categories even when they hold numbers (a zip code).
    public var categorical: [String] = []
    /// Columns left out.
    public var ignored: [String] = []
    /// What to do with missing cells; the filling policies use the training split's statistics.
    public var missing: MissingValuePolicy = .error
    /// Standardizes a regression target (mean 0, standard deviation 1, with the training split's
    /// statistics) for training; outputs and metrics are reported in the target's own units and
    /// the scaling is saved with the model. The cost (and Huber's δ) is then in standardized units.
    public var scalesTarget = true
    /// Called with the fraction of a CSV file read so far, from any thread, while it loads.
    public var loadingProgress: (@Sendable (Double) -> Void)?

    // Images (when ``dataset`` is an image folder).

    /// Resizes every image to this size (bilinear); nil requires all images to share one size.
    public var imageSize: (height: Int, width: Int)?
    /// Per-channel normalization after scaling to [0, 1], x ← (x − mean) / std, with one value
    /// for all channels or one per channel; nil for none.
    public var normalization: (mean: [Double], standardDeviation: [Double])?
    /// Random changes to the training images, drawn from ``seed`` per batch; nil for none.
    public var augmentation: ImageAugmentation?

    // The network.

    /// The layers: by default two hidden layers of 64 ReLU units (``ModelPreset/small``); the
    /// input and output sizes come from the data and the recipe.
    public var architecture: ModelArchitecture = .default
    /// Starts from the weights in this safetensors file instead of random ones.
    public var initialWeights: String?
    /// Where to train.
    public var device: Device = .cpu
    /// On a GPU, whether each training step from the third replays a CUDA graph of the step
    /// (see `fit`'s `cudaGraphs`): the same numbers, far fewer launches.
    public var cudaGraphs = false

    // The training loop.

    /// The cost; nil for the task's textbook cost (see ``TrainingRecipe``).
    public var loss: Loss?
    /// The optimizer and its hyper-parameters: by default Adam with PyTorch's defaults.
    public var optimizer = OptimizerSettings(name: .adam)
    /// The learning-rate schedule: by default none, a constant rate.
    public var schedule = ScheduleSettings()
    /// Examples per step: by default mini-batches of 32.
    public var batching: Batching = .miniBatch(size: 32)
    /// Passes over the training data.
    public var epochs = 60
    /// Stops after this many optimizer steps in all; nil for no limit but ``epochs``.
    public var maximumSteps: Int?
    /// Seeds the weights, the shuffling and the validation split.
    public var seed: UInt64 = 0
    /// Reshuffles the examples every epoch; false keeps them in order.
    public var shuffled = true

    // The result.

    /// The folder to save the trained model in, with `history.csv` and `history.svg` (the cost
    /// and metrics per epoch), for a classifier of two features `decision-boundary.svg` (its
    /// decision regions with the examples), and a training checkpoint (`checkpoint/`), saved
    /// together after every epoch and when training is interrupted; nil to keep the model in
    /// memory only.
    public var output: String?
    /// The command line that started the job, saved in its checkpoints so that
    /// `descent train --resume` can rebuild the job; nil for a job built in code.
    public var commandLine: [String]?

    /// A job that trains on `dataset` (a built-in name or a CSV path) with every other setting
    /// at its default.
    public init(dataset: String = "digits") {
        self.dataset = dataset
    }

    /// Rejects settings that cannot work, before any data are read.
    ///
    /// - Throws: ``SettingError`` naming the setting: a count below 1, a validation fraction
    ///   outside [0, 1), a validation file that is not a CSV file or that comes with training
    ///   data that are not one, CUDA graphs off a GPU, and what ``OptimizerSettings/check()``
    ///   and ``ScheduleSettings/check()`` reject; `CUDAError` when ``device`` is a GPU that
    ///   cannot be used.
    public func check() throws {
        if epochs < 1 { throw SettingError(.epochs, .invalid(expected: "at least 1", found: "\(epochs)")) }
        if let maximumSteps, maximumSteps < 1 {
            throw SettingError(.maximumSteps, .invalid(expected: "at least 1", found: "\(maximumSteps)"))
        }
        if case .miniBatch(let size) = batching, size < 1 {
            throw SettingError(.batchSize, .invalid(expected: "at least 1", found: "\(size)"))
        }
        switch validation {
        case .split(let fraction):
            if !(0..<1 ~= fraction) {
                throw SettingError(.validationFraction, .invalid(expected: "at least 0 and below 1", found: "\(fraction)"))
            }
        case .file(let path):
            if !path.lowercased().hasSuffix(".csv") {
                throw SettingError(.validationFile, .invalid(expected: "a .csv file", found: "'\(path)'"))
            }
            // Its columns are matched to the training file's by name.
            if !isTable {
                throw SettingError(.validationFile, .needs(other: .dataset, expected: "a CSV file with the same columns",
                                                           found: "'\(dataset)'"))
            }
        }
        // Settings the data would leave unread, silently.
        if target != nil, !isTable {
            throw SettingError(.target, .needs(other: .dataset, expected: "a CSV file", found: "'\(dataset)'"))
        }
        if dataDirectory != nil, !Self.dataSetsInADirectory.contains(dataset.lowercased()) {
            throw SettingError(.dataDirectory, .needs(other: .dataset, expected: "'mnist' or 'cifar10'", found: "'\(dataset)'"))
        }
        try optimizer.check()
        try schedule.check()
        if cudaGraphs {
            guard case .cuda = device else {
                throw SettingError(.cudaGraphs, .needs(other: .device, expected: "cuda", found: "\(device)"))
            }
        }
        // A GPU that is not there (no driver, no libraries, no such ordinal) is found here, before
        // any data are loaded, with what was looked for and where.
        try device.checkAvailable()
    }

    /// Trains the network as the settings say, and saves it when ``output`` is set.
    ///
    /// - Parameters:
    ///   - progress: called with ``Event/started(_:)`` once the data are ready, then with every
    ///     step and epoch of training.
    ///   - callbacks: more code to run during training (early stopping, checkpoints, Ctrl-C),
    ///     after the one that reports `progress`.
    ///   - checkpoint: A model folder with a checkpoint (saved by a job with ``output``) to
    ///     continue from: its weights replace the initial ones and training goes on from the
    ///     saved epoch and step to ``epochs`` in all; the result is bit for bit the uninterrupted
    ///     run's. The job's settings must be the saved run's, but for ``movableSettings``.
    /// - Returns: the trained model, its history and final metrics, and what it was trained on.
    /// - Throws: ``SettingError`` as ``check()`` does; ``TrainingError`` when the data cannot be
    ///   found or do not fit the task, the cost or the network, or when the cost stops being
    ///   finite; `DataError` for malformed data files; `ModelFileError` and `FileError`
    ///   when a file cannot be read or the model cannot be saved; ``CheckpointError`` for a
    ///   checkpoint that is missing, damaged or from other settings; ``TrainingInterrupted``
    ///   when a callback interrupted training (the checkpoint is saved first, with ``output``).
    public func run(progress: @escaping (Event) -> Void = { _ in },
                    callbacks: [any TrainingCallback] = [], resumingFrom checkpoint: URL? = nil) throws -> TrainingOutcome {
        try check()
        let resumed = try checkpoint.map { try TrainingCheckpoint.read(from: $0) }
        if let resumed, let checkpoint {
            try checkSettings(against: resumed, checkpoint: checkpoint)
            if resumed.completedEpochs > epochs {
                throw CheckpointError(path: checkpoint.path, expected: "at most \(epochs) epochs trained, the number to train in all",
                                      found: "\(resumed.completedEpochs) already trained")
            }
        }
        let isImageFolder = DatasetSource.isImageFolder(dataset)
        if !isImageFolder && (imageSize != nil || normalization != nil || augmentation != nil) {
            throw TrainingError.invalidSetting("an image size, normalization or augmentation needs an image folder as the data, not '\(dataset)'")
        }
        if isImageFolder && standardize == true {
            throw TrainingError.invalidSetting("standardizing is for tables; for an image folder give a normalization (--normalize MEAN,STD)")
        }
        if !isTable && (!categorical.isEmpty || !ignored.isEmpty || missing != .error) {
            throw TrainingError.invalidSetting("categorical, ignored columns and a missing-value policy need a CSV file as the data, not '\(dataset)'")
        }
        var reading = TableReading(target: target)
        reading.categorical = categorical
        reading.ignored = ignored
        reading.missing = missing
        reading.progress = loadingProgress
        var (training, test) = try DatasetSource.load(dataset, dataDirectory: dataDirectory, target: target, task: task,
                                                      imageSize: imageSize, reading: reading)
        // One class leaves nothing to learn: the cost is 0 from the start and accuracy reads 0 %.
        if training.task.isClassification, let count = training.classCount, count < 2 {
            let classes = (training.classNames ?? []).map { "'\($0)'" }.joined(separator: ", ")
            throw TrainingError.incompatibleData(
                "'\(dataset)': the target\(target.map { " column '\($0)'" } ?? "") has \(count) class\(count == 1 ? "" : "es")"
                    + (classes.isEmpty ? "" : " (\(classes))") + "; a classifier needs at least two")
        }
        var validationData: Dataset?
        var validationName = "validation"
        switch validation {
        case .file:
            break  // read once the training data's missing values are filled, with their statistics
        case .split(let fraction):
            if let test {
                validationData = test
                validationName = "test"
            } else if fraction > 0 {
                let parts = try training.split(validationFraction: fraction, seed: seed)
                (training, validationData) = (parts.train, parts.validation)
            }
        }
        if var encoding = training.tableEncoding, encoding.missing.fills {
            encoding = encoding.fittingFills(to: training.features)
            training.features = try encoding.fillingMissingValues(in: training.features, file: dataset)
            training.tableEncoding = encoding
            if var validation = validationData {
                validation.features = try encoding.fillingMissingValues(in: validation.features, file: dataset)
                validationData = validation
            }
        }
        if case .file(let path) = validation {
            validationData = try DatasetSource.loadValidation(path, matching: training, target: target ?? training.tableEncoding?.target)
        }
        // A network built for the training examples would fail on validation examples of another
        // shape only after a whole epoch of training.
        if let validation = validationData,
           validation.features.shape.dropFirst() != training.features.shape.dropFirst() {
            throw TrainingError.incompatibleData(
                "the \(validationName) examples of '\(dataset)' have shape \(Array(validation.features.shape.dropFirst())), "
                    + "but the training examples have shape \(Array(training.features.shape.dropFirst()))")
        }
        var imageInputs: ImageInputs?
        if training.features.dtype == .uint8, training.features.rank == 4 {
            let dimensions = training.features.shape
            do {
                imageInputs = try ImageInputs(shape: ImageShape(channels: dimensions[1], height: dimensions[2], width: dimensions[3]),
                                              mean: normalization?.mean ?? [0], standardDeviation: normalization?.standardDeviation ?? [1])
            } catch let error as DataError {
                throw TrainingError.invalidSetting("'\(dataset)': \(error.message)")
            }
            training.imageInputs = imageInputs
            training.imageInputs?.augmentation = augmentation
            validationData?.imageInputs = imageInputs
        }
        let standardizer = standardizesFeatures ? FeatureStandardizer(fitting: training) : nil
        if let standardizer {
            training = try standardizer.apply(to: training)
            validationData = try validationData.map { try standardizer.apply(to: $0) }
        }
        var targetScaling: TargetStandardizer?
        if scalesTarget, training.task == .regression, training.labels.rank == 2, training.labels.shape[1] == 1 {
            let scaling = TargetStandardizer(fitting: training.labels)
            training = scaling.standardize(training)
            validationData = validationData.map(scaling.standardize)
            targetScaling = scaling
        }
        var recipe = try TrainingRecipe(for: training, loss: loss)
        if let targetScaling { recipe.reportInTargetUnits(scale: targetScaling.scale[0]) }
        training = recipe.prepare(training)
        validationData = validationData.map(recipe.prepare)

        // Images for a network that starts with a layer on images (see
        // `ModelArchitecture.exampleShape`); a model file whose first layer takes flat rows gets
        // the examples flattened.
        let exampleShape = try architecture.exampleShape(of: training, source: dataset)
        let (configurations, inputShape) = try layers(for: exampleShape, recipe: recipe)
        if inputShape != Array(training.features.shape.dropFirst()) {
            training.features = training.features.reshaped(to: [training.count] + inputShape)
            if var validation = validationData {
                validation.features = validation.features.reshaped(to: [validation.count] + inputShape)
                validationData = validation
            }
        }
        var model = try Sequential(layers: configurations, seed: seed)
        try LayerMemory.checkActivations(of: model, inputShape: inputShape,
                                         batchSize: min(batching.batchSize(forCount: training.count), max(training.count, 1)))
        if let checkpoint {
            // The weights and buffers of the moment the checkpoint was saved.
            try model.loadParameters(contentsOf: checkpoint.appendingPathComponent(Sequential.weightsFileName))
        } else if let initialWeights {
            guard FileManager.default.fileExists(atPath: initialWeights) else {
                throw TrainingError.invalidSetting("the weights file '\(initialWeights)' does not exist")
            }
            try model.loadParameters(contentsOf: URL(fileURLWithPath: initialWeights))
        }
        model = model.to(device)
        let optimizer = try self.optimizer.makeOptimizer()
        // A schedule whose length defaults to the number of epochs keeps the saved run's length.
        let scheduleLength = resumed?.settings["schedule_epochs"].flatMap(Int.init) ?? epochs
        let (learningRateSchedule, plateau) = try schedule.makeSchedule(epochs: scheduleLength)

        var plan = Plan(training: training, validation: validationData, validationName: validationName,
                        standardizer: standardizer, recipe: recipe, targetScaling: targetScaling)
        if let warning = Self.logProbabilityWarning(loss: recipe.loss, layers: configurations) { plan.warnings.append(warning) }
        let metadata = ModelMetadata(classNames: training.classNames ?? recipe.defaultClassNames,
                                     standardizer: standardizer, lossName: recipe.loss.name,
                                     target: target ?? training.tableEncoding?.target,
                                     task: training.task, image: imageInputs, table: training.tableEncoding,
                                     targetScaling: targetScaling)
        // The model folder is saved after every epoch (and on an interruption), with the history
        // and the checkpoint in the same save; the last epoch's save is the final model.
        let savedFolder = output.map { URL(fileURLWithPath: $0) }
        var settings = settingsRecord
        settings["schedule_epochs"] = "\(scheduleLength)"
        let commandLine = self.commandLine
        let (finalPlan, datasetName) = (plan, dataset)
        let saver = savedFolder.map { folder in
            CheckpointSaver { state, model in
                var state = state
                (state.settings, state.commandLine) = (settings, commandLine)
                // The decision regions of the model as it is at this save, beside its history.
                let pictures = Self.pictureFiles(of: TrainingOutcome(model: model, history: state.history, plan: finalPlan,
                                                                     metadata: metadata, savedFolder: folder),
                                                 dataset: datasetName)
                try model.save(to: folder, inputShape: inputShape, metadata: metadata,
                               additionalFiles: Self.additionalFiles(history: state.history, state: state) + pictures)
            }
        }

        progress(.started(plan))
        let history: History
        do {
            history = try model.fit(
                training, validation: validationData, epochs: epochs, maximumSteps: maximumSteps, loss: recipe.loss,
                optimizer: optimizer, batching: batching, shuffled: shuffled, seed: seed, metrics: recipe.metrics,
                schedule: learningRateSchedule, plateau: plateau,
                callbacks: [ProgressReporter { progress(.training($0)) }] + callbacks + (saver.map { [$0] } ?? []),
                resumingFrom: resumed, cudaGraphs: cudaGraphs)
        } catch let error as OptimizerStateError {
            // Only a resumed state's tensors are checked; name the file they came from.
            let file = checkpoint?.appendingPathComponent(TrainingCheckpoint.folderName)
                .appendingPathComponent(TrainingCheckpoint.optimizerFileName).path ?? "the optimizer's state"
            throw CheckpointError(path: file, expected: "for '\(error.tensor)' \(error.expected)", found: error.found)
        }
        return TrainingOutcome(model: model, history: history, plan: plan, metadata: metadata, savedFolder: savedFolder)
    }

    /// A warning when the cost takes log-probabilities (NLL, KL divergence) but the network's
    /// last layer is not a log-softmax: on raw scores those costs have no floor (the network
    /// lowers them by making its outputs large, and the cost runs away below 0). Networks built
    /// from a layer list get the log-softmax appended (``TrainingRecipe/outputActivation``); a
    /// model file is taken as written, so it gets this warning rather than an error: the user
    /// chose both, and a custom layer may compute log-probabilities its own way.
    static func logProbabilityWarning(loss: Loss, layers: [LayerConfiguration]) -> String? {
        guard loss == .negativeLogLikelihood || loss == .klDivergence else { return nil }
        let last = layers.last { !["dropout", "identity"].contains($0.type) }
        let logSoftmax = JSONValue.string("logsoftmax")
        if let last, last.type == "logsoftmax" || last["activation"] == logSoftmax || last["activation"]?["type"] == logSoftmax {
            return nil
        }
        return "the cost \(loss.name) takes log-probabilities, but the model's outputs are not log-probabilities "
            + "(its last layer is \(last.map { "'\($0.type)'" } ?? "none"), not 'logsoftmax'); the cost can fall below 0 without end. "
            + "End the model file with a logsoftmax layer, or use cross-entropy, which takes raw scores"
    }

    /// The network's layers and the shape of one example as they take it: the data's own shape
    /// (`[C, H, W]` for images) when the first layers accept it, else the features flattened —
    /// a layer list (dense layers) or a model file that starts with a dense layer takes images
    /// as rows of C×H×W values.
    /// The network's layers for examples of `shape`, and the shape its first layer takes: the
    /// examples' own, or one flat row for a model file whose first layer is dense.
    private func layers(for shape: [Int], recipe: TrainingRecipe) throws -> ([LayerConfiguration], [Int]) {
        guard case let .file(path) = architecture, shape.count > 1 else {
            return (try architecture.layers(inputShape: shape, outputCount: recipe.outputCount,
                                            outputActivation: recipe.outputActivation), shape)
        }
        let layers = try ModelFile.layers(contentsOf: URL(fileURLWithPath: path))
        let flat = [shape.reduce(1, *)]
        let model = try? Sequential(layers: layers)
        let takesFlatRows = (try? model?.outputShapes(for: shape)) == nil && (try? model?.outputShapes(for: flat)) != nil
        let inputShape = takesFlatRows ? flat : shape
        try ModelFile.check(layers, inputShape: inputShape, outputCount: recipe.outputCount, path: path)
        return (layers, inputShape)
    }
}

/// What a ``TrainingJob`` produced.
public struct TrainingOutcome {
    /// The trained network, on the job's device.
    public var model: Sequential
    /// The cost, the metrics and the learning rate of every epoch.
    public var history: History
    /// The data and the recipe it was trained with.
    public var plan: TrainingJob.Plan
    /// What is saved beside the weights, so that new data are read and scaled as training's were.
    public var metadata: ModelMetadata
    /// The folder the model was saved in, when the job had an ``TrainingJob/output``.
    public var savedFolder: URL?

    /// The last epoch's values, as ``History/last`` has them ("loss", "val_accuracy",
    /// "learning_rate" …), and the number of epochs trained as "epochs".
    public var finalValues: [String: Double] {
        var values = history.last
        values["epochs"] = Double(history.epochCount)
        return values
    }

    /// The names of the cost and the metrics, in order: "loss", then the recipe's metrics.
    public var metricNames: [String] { ["loss"] + plan.recipe.metrics.map(\.name) }

    /// The last epoch's cost and metrics on the validation data — or on the training data when
    /// there were none — under their plain names ("loss", "accuracy", "mae" …).
    public var finalMetrics: [String: Double] {
        let last = history.last
        let prefix = plan.validation == nil ? "" : "val_"
        return Dictionary(uniqueKeysWithValues: metricNames.compactMap { name in last[prefix + name].map { (name, $0) } })
    }
}
