import ArgumentParser
import Descent
import Foundation

/// `--image-size`, `--normalize` and `--augment`: how the images of an image folder are read.
struct ImageOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Resize every image to this size (bilinear, not antialiased); without it all images must share one size.",
                               valueName: "HxW"))
    var imageSize: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("Normalize each channel after scaling to [0, 1]: x ← (x − mean)/std; MEAN,STD for all channels, "
                                   + "or all the means then all the stds (one per channel).", valueName: "MEAN,STD"))
    var normalize: String?
    @Option(help: ArgumentHelp("Augment the training images, drawn from --seed per batch: crop=P (pad by P, crop back at random), "
                                   + "flip (mirror half of them), comma-separated.", valueName: "crop=P,flip"))
    var augment: String?

    /// Sets the job's image settings.
    ///
    /// - Throws: `ValidationError` for a value that does not parse.
    func apply(to job: inout TrainingJob) throws {
        do {
            job.imageSize = try imageSize.map(ImageShape.parseSize)
            job.normalization = try normalize.map(ImageInputs.parseNormalization)
            job.augmentation = try augment.map(ImageAugmentation.init(parsing:))
        } catch let error as DataError {
            let option = imageSize.map { (try? ImageShape.parseSize($0)) == nil } == true ? "--image-size"
                : normalize.map { (try? ImageInputs.parseNormalization($0)) == nil } == true ? "--normalize" : "--augment"
            throw ValidationError("\(option): \(error.message)")
        }
    }
}

/// `--categorical`, `--ignore`, `--missing` and `--no-target-scaling`: how a CSV file's columns
/// are read.
struct TableOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Columns read as categories (one-hot features) even when they hold numbers, comma-separated "
                                   + "(a text column is categorical without it).", valueName: "COLS"))
    var categorical: String?
    @Option(help: ArgumentHelp("Columns to leave out, comma-separated.", valueName: "COLS"))
    var ignore: String?
    @Option(help: ArgumentHelp("What to do with missing cells (empty, NA, NaN, ?): stop with an error (the default), fill with "
                                   + "the training split's mean, median or most frequent value (saved with the model), or drop the rows.",
                               valueName: "error|mean|median|most-frequent|drop-rows"))
    var missing: MissingValuePolicy = .error
    @Flag(help: "Train on a regression target as it is, not standardized (then reported in its own units either way).")
    var noTargetScaling = false

    func apply(to job: inout TrainingJob) {
        job.categorical = columnNames(categorical)
        job.ignored = columnNames(ignore)
        job.missing = missing
        job.scalesTarget = !noTargetScaling
    }
}

/// `descent train`: fits a network to a dataset and optionally saves it.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a network (by default a 64-64 ReLU MLP on the built-in digits).")

    @Argument(help: "A built-in dataset (\(DatasetSource.builtinNames.joined(separator: ", "))), a CSV file, or an image folder (one subfolder per class).")
    var dataset = "digits"

    @Option(help: "The CSV column to predict (default: the last).")
    var target: String?

    @Option(help: "Where MNIST's IDX files are (default: $DESCENT_DATA, then the per-user cache that `descent datasets fetch mnist` fills).")
    var dataDir: String?

    @Option(help: "What to predict (default: inferred from the target column).")
    var task: PredictionTask?

    @Option(help: ArgumentHelp(
        "The network: small (the default: 64,relu,64,relu), mlp (512,relu,dropout=0.2,512,relu,dropout=0.2, "
            + "Keras' mnist_mlp), linear (no hidden layer), cnn (PyTorch's MNIST example: two convolutions, max pooling, "
            + "128 units; on mnist or digits), or a JSON model file listing every layer as a saved "
            + "model.json does.",
        valueName: "name|file.json"))
    var model: String?

    @Option(help: ArgumentHelp(
        "Hidden layers, e.g. 512,relu,dropout=0.2 or conv=32x3,relu,maxpool=2,flatten,128,relu; items: a number "
            + "(dense units), an activation, dropout=P, conv=OUTxK[sS][pP|psame][dD][gG], maxpool=K[sS], avgpool=K[sS], "
            + "globalavgpool, batchnorm, dropout2d=P, flatten (input and output sizes come from the data; default: --model small)."))
    var layers: String?

    @Option(help: "The cost function (default: cross-entropy for classes, bce-logits for two, mse for numbers).")
    var loss: Loss?

    @Option(help: "The optimizer.")
    var optimizer: OptimizerSettings.Name = .adam

    // Numeric options parse their value unconditionally: otherwise ArgumentParser reads "-1" as
    // an option's name and says "Missing value"; a negative value is then refused (or taken) by
    // the job's check, in words.
    @Option(parsing: .unconditional, help: "The learning rate η (default: the optimizer's).")
    var learningRate: Double?
    @Option(parsing: .unconditional, help: "Momentum (sgd, rmsprop).")
    var momentum: Double?
    @Flag(help: "Nesterov momentum (sgd).")
    var nesterov = false
    @Option(parsing: .unconditional, help: "Weight decay (L2 penalty; decoupled for adamw).")
    var weightDecay: Double?
    @Option(parsing: .unconditional, help: "Smoothing constant (rmsprop).")
    var alpha: Double?
    @Option(parsing: .unconditional, help: "β1,β2 (adam, adamw, adamax, nadam).")
    var betas: String?
    @Option(parsing: .unconditional, help: "ε, added for numerical stability.")
    var eps: Double?

    @OptionGroup(title: "Learning-rate schedule")
    var schedule: ScheduleOptions

    @Option(help: "Examples per step: a number (1 = stochastic) or 'full' (batch gradient descent).")
    var batchSize = "32"
    @Option(parsing: .unconditional, help: "Passes over the training data.")
    var epochs = 60
    @Option(parsing: .unconditional, help: "Stop after this many optimizer steps in all.")
    var steps: Int?
    @Option(parsing: .unconditional, help: "Seed for weights, shuffling and the validation split.")
    var seed: UInt64 = 0
    @Flag(help: "Keep the examples in order instead of reshuffling every epoch.")
    var noShuffle = false
    @Option(parsing: .unconditional, help: "Fraction of the data held out for validation when the dataset has no test part (default 0.2; 0 for none).")
    var validationSplit: Double?
    @Option(help: "Validate on this CSV file (the training CSV's columns) instead of a split of the training data.")
    var validationFile: String?
    @Flag(inversion: .prefixedNo, help: ArgumentHelp(
        "Scale features to mean 0 and standard deviation 1 (statistics from the training split, saved with the model). "
            + "The default for a CSV file, where only numeric columns are scaled; off for other data."))
    var standardize: Bool?
    @OptionGroup(title: "Tables (CSV files)")
    var tables: TableOptions
    @OptionGroup(title: "Image folders")
    var images: ImageOptions
    @Option(help: "Start from these weights (a .safetensors file, e.g. exported from PyTorch).")
    var `init`: String?
    @Option(help: "Save the trained model, history.csv, history.svg and a checkpoint in this folder (after every epoch, and on Ctrl-C).")
    var output: String?
    @Option(help: ArgumentHelp("Continue the run whose checkpoint is in this folder (saved by --output), to --epochs in all; "
                                   + "the data may be given again where the files moved.", valueName: "folder"))
    var resume: String?
    @Flag(help: "Print only the final result.")
    var quiet = false
    @Flag(help: "Print the final metrics as one JSON object.")
    var json = false
    @Option(parsing: .unconditional, help: "Number of CPU threads.")
    var threads: Int?
    @Option(help: ArgumentHelp(
        "Where to compute: cpu (the fast kernels, the default), reference (every primitive as its plain textbook loop: "
            + "slow, for checking that a result does not depend on the CPU's kernels), or cuda (the first NVIDIA GPU; "
            + "cuda:N for another), which needs the CUDA driver, cuBLAS and NVRTC (see README, 'CUDA').",
        valueName: "cpu|reference|cuda[:N]"))
    var device: Device = .cpu
    @Flag(help: ArgumentHelp("With --device cuda: capture the training step as a CUDA graph at the second step and replay it "
                             + "for every later batch of the same shape (the same numbers, far fewer launches; see README, 'CUDA')."))
    var cudaGraphs = false

    func validate() throws {
        // What only the command line can get wrong: text that is not a value, and options that
        // exclude each other. The job checks the values themselves.
        if model != nil, layers != nil { throw ValidationError("use either --model or --layers, not both") }
        if batchSize != "full", (Int(batchSize) ?? 0) < 1 {
            throw ValidationError("--batch-size must be a positive number or 'full', found \"\(batchSize)\"")
        }
        if validationFile != nil {
            if validationSplit != nil { throw ValidationError("use either --validation-split or --validation-file, not both") }
            if !dataset.lowercased().hasSuffix(".csv") {
                throw ValidationError("--validation-file needs training data from a CSV file with the same columns, found \"\(dataset)\"")
            }
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, found \(threads)") }
        do {
            try job().check()
        } catch let error as SettingError {
            throw ValidationError(error.commandLineMessage)
        } catch let error as TrainingError {
            throw ValidationError(error.description)
        }
    }

    private func parsedBetas() throws -> (Double, Double)? {
        guard let betas else { return nil }
        let parts = betas.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2 else { throw ValidationError("--betas must be two numbers such as 0.9,0.999, found \"\(betas)\"") }
        return (parts[0], parts[1])
    }

    private var batching: Batching {
        switch batchSize {
        case "full": .fullBatch
        case "1": .stochastic
        default: .miniBatch(size: Int(batchSize) ?? 32)
        }
    }

    /// The options as a training job.
    ///
    /// - Throws: `ValidationError` for a value that does not parse; `TrainingError` for
    ///   `--model` and `--layers` together or an unknown model name.
    func job() throws -> TrainingJob {
        var job = TrainingJob(dataset: dataset)
        job.dataDirectory = dataDir
        job.target = target
        job.task = task
        job.validation = validationFile.map(TrainingJob.Validation.file) ?? .split(fraction: validationSplit ?? 0.2)
        job.standardize = standardize
        job.architecture = try ModelArchitecture(model: model, layers: layers)
        job.initialWeights = `init`
        job.device = device
        job.cudaGraphs = cudaGraphs
        job.loss = loss
        job.optimizer = OptimizerSettings(name: optimizer, learningRate: learningRate, momentum: momentum, nesterov: nesterov,
                                          weightDecay: weightDecay, alpha: alpha, betas: try parsedBetas(), epsilon: eps)
        job.schedule = try schedule.settings()
        job.batching = batching
        job.epochs = epochs
        job.maximumSteps = steps
        job.seed = seed
        job.shuffled = !noShuffle
        job.output = output
        tables.apply(to: &job)
        job.commandLine = ResumeArguments.current
        try images.apply(to: &job)
        return job
    }

    func run() throws {
        if let threads { ThreadCount.current = threads }
        try reported {
            var job = try resume.map(resumedJob(from:)) ?? job()
            if !quiet && !json && job.dataset.lowercased().hasSuffix(".csv") {
                job.loadingProgress = LoadingProgress(file: job.dataset).report
            }
            let progress = ProgressDisplay(live: !quiet && !json && isatty(1) != 0, plain: !quiet && !json)
            let outcome: TrainingOutcome
            let ctrlC = CtrlC()
            do {
                outcome = try job.run(progress: { event in
                    switch event {
                    case .started(let plan):
                        for warning in plan.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
                        progress.announce(announcement(of: plan, job: job))
                        ctrlC.install()
                    case .training(let event): progress.show(event)
                    }
                }, callbacks: [ctrlC], resumingFrom: resume.map { URL(fileURLWithPath: $0) })
            } catch let interruption as TrainingInterrupted {
                throw reportInterruption(interruption, output: job.output)
            } catch let error as DataError where error.kind == .fileNotFound && ["mnist", "cifar10"].contains(dataset) {
                // The library asks for the folder that holds MNIST; here it is named with an option.
                throw ValidationErrorMessage(text: "\(error)\nThe option --data-dir FOLDER names a folder that holds it.")
            }
            if json {
                print(JSONValue(metrics: outcome.finalValues).text)
            } else {
                let part = outcome.plan.validation == nil ? "training" : outcome.plan.validationName
                print("Final \(part): \(formatted(outcome.finalMetrics, order: outcome.metricNames))")
                if let output = job.output {
                    let pictures = outcome.hasDecisionRegions ? "history.svg, \(TrainingJob.decisionRegionsFileName)" : "history.svg"
                    print("Saved the model, history.csv, \(pictures) and a checkpoint in \(output)")
                }
            }
        }
    }

    /// Says where training stopped and how to continue, and gives the exit status for Ctrl-C.
    private func reportInterruption(_ interruption: TrainingInterrupted, output: String?) -> ExitCode {
        var message = "\nInterrupted in epoch \(interruption.completedEpochs + 1) of \(interruption.epochCount), "
            + "after step \(interruption.completedSteps) of \(interruption.stepCount)."
        if let output {
            message += " Saved the model and a checkpoint in \(output).\nTo continue: descent train --resume \(shellQuoted(output))\n"
        } else {
            message += " Nothing was saved (no --output).\n"
        }
        FileHandle.standardError.write(Data(message.utf8))
        return ExitCode(130)
    }

    /// The line printed before training: the data, the task, the cost, the optimizer and the batches.
    private func announcement(of plan: TrainingJob.Plan, job: TrainingJob) -> String {
        let training = plan.training
        let task = training.task == .classification
            ? "\(training.task) (\(counted(training.classCount ?? 0, "class", plural: "classes")))" : "\(training.task)"
        let validation = plan.validation?.count ?? 0
        return "\(job.dataset): \(training.count) training, \(counted(validation, "\(plan.validationName) example")), "
            + "\(counted(training.featureCount, "feature")), \(task); \(plan.recipe.loss.name), \(job.optimizer.name.rawValue), \(job.batching)"
            + (job.schedule.name.map { ", \($0.rawValue) schedule" } ?? "")
    }
}
