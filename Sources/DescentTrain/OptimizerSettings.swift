/// An optimizer chosen by name with PyTorch's hyper-parameter names, for code and front ends
/// that pick the optimizer as data rather than as a type. Settings left `nil` take the
/// optimizer's own (PyTorch's) defaults.
public struct OptimizerSettings: Sendable, Equatable {
    /// The optimizers, by their lower-case names.
    public enum Name: String, CaseIterable, Sendable {
        /// `SGD`: plain gradient descent, with optional momentum and Nesterov momentum.
        case sgd
        /// `RMSProp`.
        case rmsprop
        /// `Adam`.
        case adam
        /// `AdamW`: Adam with decoupled weight decay.
        case adamw
        /// `Adagrad`.
        case adagrad
        /// `Adadelta`.
        case adadelta
        /// `Adamax`.
        case adamax
        /// `NAdam`: Adam with Nesterov momentum.
        case nadam
    }

    /// The names, in a fixed order (for help texts and error messages).
    public static var names: [String] { Name.allCases.map(\.rawValue) }

    /// Which optimizer.
    public var name: Name
    /// η (default: the optimizer's).
    public var learningRate: Double?
    /// Momentum (sgd, rmsprop).
    public var momentum: Double?
    /// Nesterov momentum (sgd, with a momentum above 0).
    public var nesterov: Bool
    /// The L2 penalty (decoupled for adamw).
    public var weightDecay: Double?
    /// The smoothing constant (rmsprop).
    public var alpha: Double?
    /// β1 and β2 (adam, adamw, adamax, nadam).
    public var betas: (Double, Double)?
    /// ε, added for numerical stability.
    public var epsilon: Double?

    public init(name: Name, learningRate: Double? = nil, momentum: Double? = nil, nesterov: Bool = false,
                weightDecay: Double? = nil, alpha: Double? = nil, betas: (Double, Double)? = nil, epsilon: Double? = nil) {
        self.name = name
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        self.alpha = alpha
        self.betas = betas
        self.epsilon = epsilon
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.name == b.name && a.learningRate == b.learningRate && a.momentum == b.momentum && a.nesterov == b.nesterov
            && a.weightDecay == b.weightDecay && a.alpha == b.alpha && a.betas?.0 == b.betas?.0
            && a.betas?.1 == b.betas?.1 && a.epsilon == b.epsilon
    }

    /// A new optimizer with these settings.
    ///
    /// - Throws: ``SettingError`` as ``check()`` does.
    public func makeOptimizer() throws -> any Optimizer {
        try check()
        let wd = weightDecay ?? 0
        switch name {
        case .sgd:
            return SGD(learningRate: learningRate ?? 1e-2, momentum: momentum ?? 0, weightDecay: wd, nesterov: nesterov)
        case .rmsprop:
            return RMSProp(learningRate: learningRate ?? 1e-2, alpha: alpha ?? 0.99, epsilon: epsilon ?? 1e-8,
                           weightDecay: wd, momentum: momentum ?? 0)
        case .adam:
            return Adam(learningRate: learningRate ?? 1e-3, betas: betas ?? (0.9, 0.999), epsilon: epsilon ?? 1e-8,
                        weightDecay: wd)
        case .adamw:
            return AdamW(learningRate: learningRate ?? 1e-3, betas: betas ?? (0.9, 0.999), epsilon: epsilon ?? 1e-8,
                         weightDecay: weightDecay ?? 1e-2)
        case .adagrad:
            return Adagrad(learningRate: learningRate ?? 1e-2, weightDecay: wd, epsilon: epsilon ?? 1e-10)
        case .adadelta:
            return Adadelta(learningRate: learningRate ?? 1, epsilon: epsilon ?? 1e-6, weightDecay: wd)
        case .adamax:
            return Adamax(learningRate: learningRate ?? 2e-3, betas: betas ?? (0.9, 0.999), epsilon: epsilon ?? 1e-8,
                          weightDecay: wd)
        case .nadam:
            return NAdam(learningRate: learningRate ?? 2e-3, betas: betas ?? (0.9, 0.999), epsilon: epsilon ?? 1e-8,
                         weightDecay: wd)
        }
    }

    /// Rejects what the optimizers' preconditions would otherwise trap on: a negative or
    /// non-finite value, betas outside [0, 1), and a setting the optimizer does not have (e.g.
    /// momentum with Adam).
    ///
    /// - Throws: ``SettingError`` naming the setting.
    public func check() throws {
        let values: [(TrainingSetting, Double?)] = [(.learningRate, learningRate), (.momentum, momentum),
                                                    (.weightDecay, weightDecay), (.alpha, alpha), (.epsilon, epsilon)]
        for (setting, value) in values {
            if let value, !(value >= 0 && value.isFinite) {
                throw SettingError(setting, .invalid(expected: "a finite number of at least 0", found: "\(value)"))
            }
        }
        if let (b1, b2) = betas, !(0..<1 ~= b1 && 0..<1 ~= b2) {
            throw SettingError(.betas, .invalid(expected: "two numbers at least 0 and below 1", found: "\(b1),\(b2)"))
        }
        try requireOptimizer(among: [.sgd, .rmsprop], for: .momentum, given: momentum != nil)
        try requireOptimizer(among: [.sgd], for: .nesterov, given: nesterov)
        if nesterov, (momentum ?? 0) <= 0 {
            throw SettingError(.nesterov, .needs(other: .momentum, expected: "above 0", found: "\(momentum ?? 0)"))
        }
        try requireOptimizer(among: [.rmsprop], for: .alpha, given: alpha != nil)
        try requireOptimizer(among: [.adam, .adamw, .adamax, .nadam], for: .betas, given: betas != nil)
    }

    /// Rejects `setting` when it was given to an optimizer other than `optimizers`.
    private func requireOptimizer(among optimizers: [Name], for setting: TrainingSetting, given: Bool) throws {
        if given, !optimizers.contains(name) {
            throw SettingError(setting, .notApplicable(choice: .optimizer, chosen: name.rawValue,
                                                       applicableTo: optimizers.map(\.rawValue)))
        }
    }
}
