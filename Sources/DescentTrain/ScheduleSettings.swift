/// A learning-rate schedule chosen by name with PyTorch's argument names, as the command line
/// spells it (`--schedule step --step-size 10 --gamma 0.5`). Settings left `nil` take PyTorch's
/// defaults; a schedule's required settings (PyTorch's positional arguments) must be given.
///
/// | name | PyTorch | settings (default) |
/// | --- | --- | --- |
/// | `step` | `StepLR` | `stepSize` (required), `gamma` (0.1) |
/// | `multistep` | `MultiStepLR` | `milestones` (required), `gamma` (0.1) |
/// | `exponential` | `ExponentialLR` | `gamma` (required) |
/// | `cosine` | `CosineAnnealingLR` | `tMax` (the number of epochs), `etaMin` (0) |
/// | `linear` | `LinearLR` | `startFactor` (1/3), `endFactor` (1), `totalIterations` (5) |
/// | `plateau` | `ReduceLROnPlateau` | `factor` (0.1), `patience` (10) |
public struct ScheduleSettings: Sendable, Equatable {
    /// The names ``makeSchedule(epochs:)`` accepts.
    public static let names = ["step", "multistep", "exponential", "cosine", "linear", "plateau"]

    /// The schedule's name, or nil for a constant learning rate.
    public var name: String?
    /// `step`: epochs between decays (`--step-size`).
    public var stepSize: Int?
    /// `step`, `multistep`, `exponential`: the decay factor γ (`--gamma`).
    public var gamma: Double?
    /// `multistep`: the epochs at which the rate decays (`--milestones`).
    public var milestones: [Int]?
    /// `cosine`: T_max, epochs from the initial rate down to η_min (`--t-max`).
    public var tMax: Int?
    /// `cosine`: η_min, the lowest rate (`--eta-min`).
    public var etaMin: Double?
    /// `linear`: the first epoch's fraction of the rate (`--start-factor`).
    public var startFactor: Double?
    /// `linear`: the fraction reached after ``totalIterations`` epochs (`--end-factor`).
    public var endFactor: Double?
    /// `linear`: epochs the change takes (`--total-iters`).
    public var totalIterations: Int?
    /// `plateau`: the factor the rate is multiplied by (`--factor`).
    public var factor: Double?
    /// `plateau`: epochs without improvement before the rate drops (`--patience`).
    public var patience: Int?

    /// Settings for the schedule `name` (nil: none); see the table above for which apply.
    public init(name: String? = nil, stepSize: Int? = nil, gamma: Double? = nil, milestones: [Int]? = nil,
                tMax: Int? = nil, etaMin: Double? = nil, startFactor: Double? = nil, endFactor: Double? = nil,
                totalIterations: Int? = nil, factor: Double? = nil, patience: Int? = nil) {
        self.name = name
        self.stepSize = stepSize
        self.gamma = gamma
        self.milestones = milestones
        self.tMax = tMax
        self.etaMin = etaMin
        self.startFactor = startFactor
        self.endFactor = endFactor
        self.totalIterations = totalIterations
        self.factor = factor
        self.patience = patience
    }

    /// The schedule to pass to `fit(schedule:plateau:)`: at most one of the two is set.
    ///
    /// - Parameter epochs: the length of training, cosine annealing's default T_max.
    /// - Throws: ``TrainingError/invalidSetting(_:)`` as ``check()`` does.
    public func makeSchedule(epochs: Int) throws -> (schedule: (any LearningRateSchedule)?, plateau: ReduceLROnPlateau?) {
        try check()
        switch name {
        case "step": return (StepLR(stepSize: stepSize ?? 1, gamma: gamma ?? 0.1), nil)
        case "multistep": return (MultiStepLR(milestones: milestones ?? [], gamma: gamma ?? 0.1), nil)
        case "exponential": return (ExponentialLR(gamma: gamma ?? 1), nil)
        case "cosine": return (CosineAnnealingLR(tMax: tMax ?? max(epochs, 1), etaMin: etaMin ?? 0), nil)
        case "linear":
            return (LinearLR(startFactor: startFactor ?? 1.0 / 3, endFactor: endFactor ?? 1,
                             totalIterations: totalIterations ?? 5), nil)
        case "plateau": return (nil, ReduceLROnPlateau(factor: factor ?? 0.1, patience: patience ?? 10))
        default: return (nil, nil)
        }
    }

    /// Rejects an unknown name, a setting without a schedule or for another schedule, a
    /// missing required setting, and values the schedules cannot work with.
    ///
    /// - Throws: ``TrainingError/invalidSetting(_:)`` saying what was expected and what was found.
    public func check() throws {
        // Each setting: its option, whether it was given, and the schedules it belongs to.
        let settings: [(option: String, given: Bool, schedules: [String])] = [
            ("--step-size", stepSize != nil, ["step"]),
            ("--gamma", gamma != nil, ["step", "multistep", "exponential"]),
            ("--milestones", milestones != nil, ["multistep"]),
            ("--t-max", tMax != nil, ["cosine"]),
            ("--eta-min", etaMin != nil, ["cosine"]),
            ("--start-factor", startFactor != nil, ["linear"]),
            ("--end-factor", endFactor != nil, ["linear"]),
            ("--total-iters", totalIterations != nil, ["linear"]),
            ("--factor", factor != nil, ["plateau"]),
            ("--patience", patience != nil, ["plateau"]),
        ]
        guard let name else {
            if let setting = settings.first(where: \.given) {
                throw TrainingError.invalidSetting(
                    "\(setting.option) needs --schedule \(setting.schedules.joined(separator: " or ")), found no --schedule")
            }
            return
        }
        guard Self.names.contains(name) else {
            throw TrainingError.invalidSetting("unknown schedule \"\(name)\"; expected one of \(Self.names.joined(separator: ", "))")
        }
        if let setting = settings.first(where: { $0.given && !$0.schedules.contains(name) }) {
            throw TrainingError.invalidSetting(
                "\(setting.option) applies to --schedule \(setting.schedules.joined(separator: " or ")), not \(name)")
        }
        let required = ["step": ("--step-size N", stepSize != nil), "multistep": ("--milestones E1,E2,…", milestones != nil),
                        "exponential": ("--gamma G", gamma != nil)]
        if let (option, given) = required[name], !given {
            throw TrainingError.invalidSetting("--schedule \(name) needs \(option)")
        }
        try require(stepSize.map { $0 >= 1 }, "--step-size", "a whole number of at least 1", stepSize)
        try require(gamma.map { $0 > 0 && $0.isFinite }, "--gamma", "a finite number above 0", gamma)
        try require(tMax.map { $0 >= 1 }, "--t-max", "a whole number of at least 1", tMax)
        try require(etaMin.map { $0 >= 0 && $0.isFinite }, "--eta-min", "a finite number of at least 0", etaMin)
        try require(startFactor.map { $0 > 0 && $0 <= 1 }, "--start-factor", "a number above 0 and at most 1", startFactor)
        try require(endFactor.map { $0 >= 0 && $0 <= 1 }, "--end-factor", "a number from 0 to 1", endFactor)
        try require(totalIterations.map { $0 >= 1 }, "--total-iters", "a whole number of at least 1", totalIterations)
        try require(factor.map { $0 > 0 && $0 < 1 }, "--factor", "a number above 0 and below 1", factor)
        try require(patience.map { $0 >= 0 }, "--patience", "a whole number of at least 0", patience)
        if let milestones {
            guard !milestones.isEmpty, milestones.allSatisfy({ $0 >= 0 }),
                  zip(milestones, milestones.dropFirst()).allSatisfy({ $0 < $1 }) else {
                throw TrainingError.invalidSetting(
                    "--milestones must be epochs of at least 0 in increasing order such as 10,20, found \(milestones.map(String.init).joined(separator: ","))")
            }
        }
    }

    private func require<Value>(_ isValid: Bool?, _ option: String, _ expected: String, _ value: Value?) throws {
        if isValid == false, let value {
            throw TrainingError.invalidSetting("\(option) must be \(expected), found \(value)")
        }
    }
}
