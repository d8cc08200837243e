import ArgumentParser
import Descent
import Foundation

// The library's choices as option values. ArgumentParser reads a CaseIterable enum by its raw
// values, and a value that is not one of them is refused with the list of those that are.
extension OptimizerSettings.Name: ExpressibleByArgument {}
extension ScheduleSettings.Name: ExpressibleByArgument {}
extension PredictionTask: ExpressibleByArgument {}

/// `cpu`, `reference`, `cuda` or `cuda:N` (see `Device(rawValue:)`): the GPUs are listed by the
/// spellings users type, since which exist is only known by asking the driver.
extension Device: ExpressibleByArgument {
    public static var allValueStrings: [String] { allCases.map(\.rawValue) + ["cuda", "cuda:N"] }
}
extension MissingValuePolicy: ExpressibleByArgument {}
extension UnknownCategoryPolicy: ExpressibleByArgument {}

/// `--categorical a,b` and `--ignore a,b`: column names, comma-separated (spaces around a name
/// are part of the name only inside it).
func columnNames(_ list: String?) -> [String] {
    list.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } } ?? []
}

/// A cost by its name (`cross-entropy`, `bce-logits` …). `Loss` carries parameters (Huber's δ,
/// label smoothing), so it is not CaseIterable; its names are `Loss.names`, which ArgumentParser
/// lists when a value is not one of them.
extension Loss: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(name: argument)
    }

    public static var allValueStrings: [String] { names }
}

extension TrainingSetting {
    /// How `descent train` spells the setting: its option, or for the dataset its argument.
    var commandLineName: String {
        switch self {
        case .dataset: "<dataset>"
        case .target: "--target"
        case .dataDirectory: "--data-dir"
        case .task: "--task"
        case .validationFraction: "--validation-split"
        case .validationFile: "--validation-file"
        case .epochs: "--epochs"
        case .maximumSteps: "--steps"
        case .batchSize: "--batch-size"
        case .device: "--device"
        case .cudaGraphs: "--cuda-graphs"
        case .optimizer: "--optimizer"
        case .learningRate: "--learning-rate"
        case .momentum: "--momentum"
        case .nesterov: "--nesterov"
        case .weightDecay: "--weight-decay"
        case .alpha: "--alpha"
        case .betas: "--betas"
        case .epsilon: "--eps"
        case .schedule: "--schedule"
        case .stepSize: "--step-size"
        case .gamma: "--gamma"
        case .milestones: "--milestones"
        case .tMax: "--t-max"
        case .etaMin: "--eta-min"
        case .startFactor: "--start-factor"
        case .endFactor: "--end-factor"
        case .totalIterations: "--total-iters"
        case .factor: "--factor"
        case .patience: "--patience"
        }
    }

    /// What the value looks like, for a message that shows how to give it.
    var valuePlaceholder: String {
        switch self {
        case .milestones: "E1,E2,…"
        case .gamma: "G"
        default: "N"
        }
    }
}

extension SettingError {
    /// The error in the command line's words: options where the library names settings.
    var commandLineMessage: String {
        let option = setting.commandLineName
        switch problem {
        case let .invalid(expected, found):
            return "\(option) must be \(expected), found \(found)"
        case let .notApplicable(choice, chosen?, applicableTo):
            return "\(option) applies to \(choice.commandLineName) \(applicableTo.joined(separator: " or ")), not \(chosen)"
        case let .notApplicable(choice, nil, applicableTo):
            return "\(option) needs \(choice.commandLineName) \(applicableTo.joined(separator: " or ")), "
                + "found no \(choice.commandLineName)"
        case let .missing(choice, chosen):
            return "\(choice.commandLineName) \(chosen) needs \(option) \(setting.valuePlaceholder)"
        case let .needs(other, expected, found):
            return "\(option) needs \(other.commandLineName) to be \(expected), found \(found)"
        }
    }
}
