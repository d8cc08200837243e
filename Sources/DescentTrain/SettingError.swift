/// One setting of a training run (``TrainingJob``, ``OptimizerSettings``, ``ScheduleSettings``),
/// named so that an error can say which setting it is about.
///
/// The library names a setting in words (``description``: "the learning rate"); a front end
/// that spells settings its own way — the `descent` command line with its options — maps each
/// case to its own name and words ``SettingError`` itself.
public enum TrainingSetting: String, CaseIterable, Sendable, CustomStringConvertible {
    // The data.
    case dataset, target, dataDirectory, task, validationFraction, validationFile
    // The training loop, and where it runs.
    case epochs, maximumSteps, batchSize, device, cudaGraphs
    // The optimizer and its hyper-parameters (PyTorch's names).
    case optimizer, learningRate, momentum, nesterov, weightDecay, alpha, betas, epsilon
    // The learning-rate schedule and its arguments (PyTorch's names).
    case schedule, stepSize, gamma, milestones, tMax, etaMin, startFactor, endFactor, totalIterations, factor, patience

    /// The setting in words, as it reads in the middle of a sentence.
    public var description: String {
        switch self {
        case .dataset: "the dataset"
        case .target: "the target column"
        case .dataDirectory: "the data directory"
        case .task: "the task"
        case .validationFraction: "the validation fraction"
        case .validationFile: "the validation file"
        case .epochs: "the number of epochs"
        case .maximumSteps: "the maximum number of steps"
        case .batchSize: "the batch size"
        case .device: "the device"
        case .cudaGraphs: "CUDA graphs"
        case .optimizer: "the optimizer"
        case .learningRate: "the learning rate"
        case .momentum: "the momentum"
        case .nesterov: "Nesterov momentum"
        case .weightDecay: "the weight decay"
        case .alpha: "the smoothing constant alpha"
        case .betas: "the betas"
        case .epsilon: "epsilon"
        case .schedule: "the schedule"
        case .stepSize: "the step size"
        case .gamma: "the decay factor gamma"
        case .milestones: "the milestones"
        case .tMax: "T_max"
        case .etaMin: "eta_min"
        case .startFactor: "the start factor"
        case .endFactor: "the end factor"
        case .totalIterations: "the total iterations"
        case .factor: "the plateau factor"
        case .patience: "the patience"
        }
    }
}

/// A training setting whose value cannot work, as data: which setting, and what is wrong with it.
///
/// ``description`` says it in words ("the learning rate must be a finite number of at least 0,
/// found -1.0"); a front end reads ``setting`` and ``problem`` to say it in its own terms (the
/// command line names its options instead).
public struct SettingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong with a setting.
    public enum Problem: Equatable, Sendable {
        /// The value cannot work: `expected` says what would, `found` is the value given.
        case invalid(expected: String, found: String)
        /// The setting was given, but `choice` (the optimizer or the schedule) is `chosen` — nil
        /// when nothing was chosen — and only the choices `applicableTo` have the setting.
        case notApplicable(choice: TrainingSetting, chosen: String?, applicableTo: [String])
        /// `choice` is `chosen`, which needs the setting, and it was not given.
        case missing(choice: TrainingSetting, chosen: String)
        /// The setting needs `other` to be `expected`, but it is `found`.
        case needs(other: TrainingSetting, expected: String, found: String)
    }

    /// The setting the error is about.
    public var setting: TrainingSetting
    /// What is wrong with it.
    public var problem: Problem

    public init(_ setting: TrainingSetting, _ problem: Problem) {
        self.setting = setting
        self.problem = problem
    }

    public var description: String {
        switch problem {
        case let .invalid(expected, found):
            "\(setting) must be \(expected), found \(found)"
        case let .notApplicable(choice, chosen?, applicableTo):
            "\(setting) applies to \(choice) \(Self.list(applicableTo)), not \(chosen)"
        case let .notApplicable(choice, nil, applicableTo):
            "\(setting) needs \(choice) \(Self.list(applicableTo)), but none was chosen"
        case let .missing(choice, chosen):
            "\(choice) \(chosen) needs \(setting)"
        case let .needs(other, expected, found):
            "\(setting) needs \(other) to be \(expected), found \(found)"
        }
    }

    /// "a", "a or b", "a, b or c".
    private static func list(_ choices: [String]) -> String {
        choices.count <= 2 ? choices.joined(separator: " or ")
            : choices.dropLast().joined(separator: ", ") + " or " + (choices.last ?? "")
    }
}
