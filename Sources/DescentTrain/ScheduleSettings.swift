/// A learning-rate schedule chosen by name with PyTorch's argument names, for code and front
/// ends that pick the schedule as data rather than as a type. Settings left `nil` take PyTorch's
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
    /// The schedules, by their lower-case names (see the table above).
    public enum Name: String, CaseIterable, Sendable {
        /// `StepLR`: the rate times γ every `stepSize` epochs.
        case step
        /// `MultiStepLR`: the rate times γ at each milestone.
        case multistep
        /// `ExponentialLR`: the rate times γ every epoch.
        case exponential
        /// `CosineAnnealingLR`: half a cosine from the rate down to η_min over T_max epochs.
        case cosine
        /// `LinearLR`: a linear change of the rate's factor over the first epochs (a warm-up).
        case linear
        /// `ReduceLROnPlateau`: the rate times a factor when the cost stops improving.
        case plateau
    }

    /// The names, in a fixed order (for help texts and error messages).
    public static var names: [String] { Name.allCases.map(\.rawValue) }

    /// The schedule, or nil for a constant learning rate.
    public var name: Name?
    /// `step`: epochs between decays.
    public var stepSize: Int?
    /// `step`, `multistep`, `exponential`: the decay factor γ.
    public var gamma: Double?
    /// `multistep`: the epochs at which the rate decays.
    public var milestones: [Int]?
    /// `cosine`: T_max, epochs from the initial rate down to η_min.
    public var tMax: Int?
    /// `cosine`: η_min, the lowest rate.
    public var etaMin: Double?
    /// `linear`: the first epoch's fraction of the rate.
    public var startFactor: Double?
    /// `linear`: the fraction reached after ``totalIterations`` epochs.
    public var endFactor: Double?
    /// `linear`: epochs the change takes.
    public var totalIterations: Int?
    /// `plateau`: the factor the rate is multiplied by.
    public var factor: Double?
    /// `plateau`: epochs without improvement before the rate drops.
    public var patience: Int?

    /// Settings for the schedule `name` (nil: none); see the table above for which apply.
    public init(name: Name? = nil, stepSize: Int? = nil, gamma: Double? = nil, milestones: [Int]? = nil,
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
    /// - Throws: ``SettingError`` as ``check()`` does.
    public func makeSchedule(epochs: Int) throws -> (schedule: (any LearningRateSchedule)?, plateau: ReduceLROnPlateau?) {
        try check()
        switch name {
        case .step: return (StepLR(stepSize: stepSize ?? 1, gamma: gamma ?? 0.1), nil)
        case .multistep: return (MultiStepLR(milestones: milestones ?? [], gamma: gamma ?? 0.1), nil)
        case .exponential: return (ExponentialLR(gamma: gamma ?? 1), nil)
        case .cosine: return (CosineAnnealingLR(tMax: tMax ?? max(epochs, 1), etaMin: etaMin ?? 0), nil)
        case .linear:
            return (LinearLR(startFactor: startFactor ?? 1.0 / 3, endFactor: endFactor ?? 1,
                             totalIterations: totalIterations ?? 5), nil)
        case .plateau: return (nil, ReduceLROnPlateau(factor: factor ?? 0.1, patience: patience ?? 10))
        case nil: return (nil, nil)
        }
    }

    /// Rejects a setting without a schedule or for another schedule, a missing required
    /// setting, and values the schedules cannot work with.
    ///
    /// - Throws: ``SettingError`` naming the setting, saying what was expected and what was found.
    public func check() throws {
        // Each setting: whether it was given, and the schedules it belongs to.
        let settings: [(setting: TrainingSetting, given: Bool, schedules: [Name])] = [
            (.stepSize, stepSize != nil, [.step]),
            (.gamma, gamma != nil, [.step, .multistep, .exponential]),
            (.milestones, milestones != nil, [.multistep]),
            (.tMax, tMax != nil, [.cosine]),
            (.etaMin, etaMin != nil, [.cosine]),
            (.startFactor, startFactor != nil, [.linear]),
            (.endFactor, endFactor != nil, [.linear]),
            (.totalIterations, totalIterations != nil, [.linear]),
            (.factor, factor != nil, [.plateau]),
            (.patience, patience != nil, [.plateau]),
        ]
        if let wrong = settings.first(where: { $0.given && !$0.schedules.contains { $0 == name } }) {
            throw SettingError(wrong.setting, .notApplicable(choice: .schedule, chosen: name?.rawValue,
                                                             applicableTo: wrong.schedules.map(\.rawValue)))
        }
        // PyTorch's positional arguments.
        let required: [Name: (TrainingSetting, Bool)] = [.step: (.stepSize, stepSize != nil),
                                                         .multistep: (.milestones, milestones != nil),
                                                         .exponential: (.gamma, gamma != nil)]
        if let name, let (setting, given) = required[name], !given {
            throw SettingError(setting, .missing(choice: .schedule, chosen: name.rawValue))
        }
        try require(stepSize.map { $0 >= 1 }, .stepSize, "a whole number of at least 1", stepSize)
        try require(gamma.map { $0 > 0 && $0.isFinite }, .gamma, "a finite number above 0", gamma)
        try require(tMax.map { $0 >= 1 }, .tMax, "a whole number of at least 1", tMax)
        try require(etaMin.map { $0 >= 0 && $0.isFinite }, .etaMin, "a finite number of at least 0", etaMin)
        try require(startFactor.map { $0 > 0 && $0 <= 1 }, .startFactor, "a number above 0 and at most 1", startFactor)
        try require(endFactor.map { $0 >= 0 && $0 <= 1 }, .endFactor, "a number from 0 to 1", endFactor)
        try require(totalIterations.map { $0 >= 1 }, .totalIterations, "a whole number of at least 1", totalIterations)
        try require(factor.map { $0 > 0 && $0 < 1 }, .factor, "a number above 0 and below 1", factor)
        try require(patience.map { $0 >= 0 }, .patience, "a whole number of at least 0", patience)
        if let milestones {
            guard !milestones.isEmpty, milestones.allSatisfy({ $0 >= 0 }),
                  zip(milestones, milestones.dropFirst()).allSatisfy({ $0 < $1 }) else {
                throw SettingError(.milestones, .invalid(expected: "epochs of at least 0 in increasing order such as 10,20",
                                                         found: milestones.map(String.init).joined(separator: ",")))
            }
        }
    }

    private func require<Value>(_ isValid: Bool?, _ setting: TrainingSetting, _ expected: String, _ value: Value?) throws {
        if isValid == false, let value {
            throw SettingError(setting, .invalid(expected: expected, found: "\(value)"))
        }
    }
}
