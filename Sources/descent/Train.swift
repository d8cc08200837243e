import ArgumentParser
import Descent
import Foundation

/// `descent train`: fits a network to a dataset and optionally saves it.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a network (by default a 64-64 ReLU MLP on the built-in digits).")

    @Argument(help: "A built-in dataset (\(DatasetSource.builtinNames.joined(separator: ", "))) or a CSV file.")
    var dataset = "digits"

    @Option(help: "The CSV column to predict (default: the last).")
    var target: String?

    @Option(help: "Where MNIST's IDX files are (default: $DESCENT_DATA, then the per-user cache that `descent datasets fetch mnist` fills).")
    var dataDir: String?

    @Option(help: "What to predict: \(TaskKind.names.joined(separator: ", ")) (default: inferred from the target column).")
    var task: String?

    @Option(help: ArgumentHelp(
        "The network: small (the default: 64,relu,64,relu), mlp (512,relu,dropout=0.2,512,relu,dropout=0.2, "
            + "Keras' mnist_mlp), linear (no hidden layer), or a JSON model file listing every layer as a saved "
            + "model.json does.",
        valueName: "name|file.json"))
    var model: String?

    @Option(help: "Hidden layers, e.g. 512,relu,dropout=0.2 (input and output sizes come from the data; default: --model small).")
    var layers: String?

    @Option(help: "The cost function: \(Loss.names.joined(separator: ", ")) (default: from the task).")
    var loss: String?

    @Option(help: "The optimizer: \(OptimizerSettings.names.joined(separator: ", ")).")
    var optimizer = "adam"

    @Option(help: "The learning rate η (default: the optimizer's).")
    var learningRate: Double?
    @Option(help: "Momentum (sgd, rmsprop).")
    var momentum: Double?
    @Flag(help: "Nesterov momentum (sgd).")
    var nesterov = false
    @Option(help: "Weight decay (L2 penalty; decoupled for adamw).")
    var weightDecay: Double?
    @Option(help: "Smoothing constant (rmsprop).")
    var alpha: Double?
    @Option(help: "β1,β2 (adam, adamw, adamax, nadam).")
    var betas: String?
    @Option(help: "ε, added for numerical stability.")
    var eps: Double?

    @OptionGroup(title: "Learning-rate schedule")
    var schedule: ScheduleOptions

    @Option(help: "Examples per step: a number (1 = stochastic) or 'full' (batch gradient descent).")
    var batchSize = "32"
    @Option(help: "Passes over the training data.")
    var epochs = 60
    @Option(help: "Stop after this many optimizer steps in all.")
    var steps: Int?
    @Option(help: "Seed for weights, shuffling and the validation split.")
    var seed: UInt64 = 0
    @Flag(help: "Keep the examples in order instead of reshuffling every epoch.")
    var noShuffle = false
    @Option(help: "Fraction of the data held out for validation when the dataset has no test part (default 0.2; 0 for none).")
    var validationSplit: Double?
    @Option(help: "Validate on this CSV file (the training CSV's columns) instead of a split of the training data.")
    var validationFile: String?
    @Flag(help: "Scale every feature to mean 0 and standard deviation 1 (statistics from the training split, saved with the model).")
    var standardize = false
    @Option(help: "Start from these weights (a .safetensors file, e.g. exported from PyTorch).")
    var `init`: String?
    @Option(help: "Save the trained model, history.csv and history.svg in this folder.")
    var output: String?
    @Flag(help: "Print only the final result.")
    var quiet = false
    @Flag(help: "Print the final metrics as one JSON object.")
    var json = false
    @Option(help: "Number of CPU threads.")
    var threads: Int?
    @Option(help: ArgumentHelp(
        "Where to compute: cpu (the fast kernels, the default) or reference (every primitive as its plain textbook loop: "
            + "slow, for checking that a result does not depend on the CPU's kernels).",
        valueName: "cpu|reference"))
    var device: Device = .cpu

    func validate() throws {
        if let loss, Loss(name: loss) == nil {
            throw ValidationError("unknown loss \"\(loss)\"; expected one of \(Loss.names.joined(separator: ", "))")
        }
        if !OptimizerSettings.names.contains(optimizer) {
            throw ValidationError("unknown optimizer \"\(optimizer)\"; expected one of \(OptimizerSettings.names.joined(separator: ", "))")
        }
        if batchSize != "full", (Int(batchSize) ?? 0) < 1 {
            throw ValidationError("--batch-size must be a positive number or 'full', found \"\(batchSize)\"")
        }
        if epochs < 1 { throw ValidationError("--epochs must be at least 1, found \(epochs)") }
        if let steps, steps < 1 { throw ValidationError("--steps must be at least 1, found \(steps)") }
        if let validationSplit, !(0..<1 ~= validationSplit) {
            throw ValidationError("--validation-split must be at least 0 and below 1, found \(validationSplit)")
        }
        if validationFile != nil {
            if validationSplit != nil { throw ValidationError("use either --validation-split or --validation-file, not both") }
            if !dataset.lowercased().hasSuffix(".csv") {
                throw ValidationError("--validation-file needs training data from a CSV file with the same columns, found \"\(dataset)\"")
            }
        }
        if let task, TaskKind(rawValue: task) == nil {
            throw ValidationError("unknown task \"\(task)\"; expected one of \(TaskKind.names.joined(separator: ", "))")
        }
        if model != nil && layers != nil { throw ValidationError("use either --model or --layers, not both") }
        do {
            _ = try ModelArchitecture(model: model, layers: layers)
        } catch let error as TrainingError {
            throw ValidationError(error.description)
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, found \(threads)") }
        _ = try parsedBetas()
    }

    private func parsedBetas() throws -> (Double, Double)? {
        guard let betas else { return nil }
        let parts = betas.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2 else { throw ValidationError("--betas must be two numbers such as 0.9,0.999, found \"\(betas)\"") }
        return (parts[0], parts[1])
    }

    /// `--validation-split`, 0.2 unless given.
    private var validationFraction: Double { validationSplit ?? 0.2 }

    private var batching: Batching {
        switch batchSize {
        case "full": .fullBatch
        case "1": .stochastic
        default: .miniBatch(size: Int(batchSize) ?? 32)
        }
    }

    func run() throws {
        if let threads { ThreadCount.current = threads }
        try reported { try train() }
    }

    private func train() throws {
        var (training, test) = try DatasetSource.load(dataset, dataDirectory: dataDir, target: target,
                                                      task: task.flatMap(TaskKind.init(rawValue:)))
        var validation: Dataset?
        var validationName = "validation"
        if let validationFile {
            validation = try DatasetSource.loadValidation(validationFile, matching: training, target: target)
        } else if let test {
            validation = test
            validationName = "test"
        } else if validationFraction > 0 {
            let parts = try training.split(validationFraction: validationFraction, seed: seed)
            (training, validation) = (parts.train, parts.validation)
        }
        let standardizer = standardize ? FeatureStandardizer(fitting: training) : nil
        if let standardizer {
            training = try standardizer.apply(to: training)
            validation = try validation.map { try standardizer.apply(to: $0) }
        }
        let recipe = try TrainingRecipe(task: training.task, lossName: loss, labels: training.labels)
        training = recipe.prepare(training)
        validation = validation.map(recipe.prepare)

        let architecture = try ModelArchitecture(model: model, layers: layers)
        let configurations = try architecture.layers(inputCount: training.featureCount, outputCount: recipe.outputCount,
                                                     outputActivation: recipe.outputActivation)
        var model = try Sequential(layers: configurations, seed: seed)
        if let `init` {
            guard FileManager.default.fileExists(atPath: `init`) else {
                throw ValidationErrorMessage(text: "the weights file '\(`init`)' does not exist")
            }
            try model.loadParameters(contentsOf: URL(fileURLWithPath: `init`))
        }
        model = model.to(device)
        let optimizer = try OptimizerSettings(
            name: optimizer, learningRate: learningRate, momentum: momentum, nesterov: nesterov,
            weightDecay: weightDecay, alpha: alpha, betas: try parsedBetas(), epsilon: eps).makeOptimizer()
        let scheduleSettings = try schedule.settings()
        let (learningRateSchedule, plateau) = try scheduleSettings.makeSchedule(epochs: epochs)

        let progress = ProgressDisplay(live: !quiet && !json && isatty(1) != 0, plain: !quiet && !json)
        progress.announce("\(dataset): \(training.count) training, \(validation?.count ?? 0) \(validationName) examples, "
                          + "\(training.featureCount) features, \(training.task); \(recipe.loss.name), \(self.optimizer), \(batching)"
                          + (scheduleSettings.name.map { ", \($0) schedule" } ?? ""))
        let history = try model.fit(
            training, validation: validation, epochs: epochs, maximumSteps: steps, loss: recipe.loss,
            optimizer: optimizer, batching: batching, shuffled: !noShuffle, seed: seed, metrics: recipe.metrics,
            schedule: learningRateSchedule, plateau: plateau, callbacks: [ProgressReporter(progress.show)])

        if let output {
            let metadata = ModelMetadata(classNames: training.classNames ?? recipe.defaultClassNames,
                                         standardizer: standardizer, lossName: recipe.loss.name, target: target,
                                         task: TaskKind(of: training.task))
            try model.save(to: URL(fileURLWithPath: output), inputShape: [training.featureCount], metadata: metadata)
            let folder = URL(fileURLWithPath: output)
            try AtomicFile.write(Data(history.csv().utf8), to: folder.appendingPathComponent("history.csv"))
            try AtomicFile.write(Data(history.svg().utf8), to: folder.appendingPathComponent("history.svg"))
        }
        var final = history.last
        final["epochs"] = Double(history.epochCount)
        if json {
            print(try jsonLine(final))
        } else {
            let keys = recipe.metrics.map(\.name)
            let finalValues = validation == nil
                ? formatted(final, order: ["loss"] + keys)
                : formatted(Dictionary(uniqueKeysWithValues: (["loss"] + keys).compactMap { k in final["val_" + k].map { (k, $0) } }),
                            order: ["loss"] + keys)
            print("Final \(validation == nil ? "training" : validationName): \(finalValues)")
            if let output { print("Saved the model, history.csv and history.svg in \(output)") }
        }
    }
}

extension Device: ExpressibleByArgument {}
