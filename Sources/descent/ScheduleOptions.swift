import ArgumentParser
import Descent

/// `descent train`'s learning-rate schedule options, named after PyTorch's arguments.
struct ScheduleOptions: ParsableArguments {
    @Option(help: "A learning-rate schedule, named after PyTorch's (default: none, a constant rate).")
    var schedule: ScheduleSettings.Name?
    @Option(parsing: .unconditional, help: "step: epochs between decays (required).")
    var stepSize: Int?
    @Option(parsing: .unconditional, help: "step, multistep: the decay factor γ (default 0.1); exponential: γ per epoch (required).")
    var gamma: Double?
    @Option(help: "multistep: the epochs at which the rate decays, e.g. 10,20 (required).")
    var milestones: String?
    @Option(parsing: .unconditional, help: "cosine: epochs from the initial rate down to --eta-min (default: --epochs).")
    var tMax: Int?
    @Option(parsing: .unconditional, help: "cosine: the lowest rate (default 0).")
    var etaMin: Double?
    @Option(parsing: .unconditional, help: "linear: the first epoch's fraction of the rate (default 1/3).")
    var startFactor: Double?
    @Option(parsing: .unconditional, help: "linear: the fraction reached after --total-iters epochs (default 1).")
    var endFactor: Double?
    @Option(parsing: .unconditional, help: "linear: epochs the change takes (default 5).")
    var totalIters: Int?
    @Option(parsing: .unconditional, help: "plateau: the factor the rate is multiplied by (default 0.1).")
    var factor: Double?
    @Option(parsing: .unconditional, help: "plateau: epochs without improvement of the validation cost before the rate drops (default 10).")
    var patience: Int?

    /// The options as library settings, checked by `descent train`'s job.
    ///
    /// - Throws: `ValidationError` when `--milestones` is not a list of whole numbers.
    func settings() throws -> ScheduleSettings {
        ScheduleSettings(name: schedule, stepSize: stepSize, gamma: gamma, milestones: try parsedMilestones(),
                         tMax: tMax, etaMin: etaMin, startFactor: startFactor, endFactor: endFactor,
                         totalIterations: totalIters, factor: factor, patience: patience)
    }

    private func parsedMilestones() throws -> [Int]? {
        guard let milestones else { return nil }
        let parts = milestones.split(separator: ",", omittingEmptySubsequences: false)
        let numbers = parts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard numbers.count == parts.count else {
            throw ValidationError("--milestones must be whole numbers separated by commas such as 10,20, found \"\(milestones)\"")
        }
        return numbers
    }
}
