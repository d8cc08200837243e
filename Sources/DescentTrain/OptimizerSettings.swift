/// An optimizer chosen by name with PyTorch's hyper-parameter names, as the command line
/// spells it (`--optimizer adam --learning-rate 1e-3 --betas 0.9,0.999`). Settings left `nil`
/// take the optimizer's own (PyTorch's) defaults.
public struct OptimizerSettings: Sendable, Equatable {
    /// The names ``makeOptimizer()`` accepts.
    public static let names = ["sgd", "rmsprop", "adam", "adamw", "adagrad", "adadelta", "adamax", "nadam"]

    public var name: String
    public var learningRate: Double?
    public var momentum: Double?
    public var nesterov: Bool
    public var weightDecay: Double?
    public var alpha: Double?
    public var betas: (Double, Double)?
    public var epsilon: Double?

    public init(name: String, learningRate: Double? = nil, momentum: Double? = nil, nesterov: Bool = false,
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
    /// - Throws: ``TrainingError/invalidSetting(_:)`` for an unknown name, a negative value, or
    ///   a setting the optimizer does not have (e.g. `--momentum` with Adam).
    public func makeOptimizer() throws -> any Optimizer {
        try check()
        let wd = weightDecay ?? 0
        switch name {
        case "sgd":
            return SGD(learningRate: learningRate ?? 1e-2, momentum: momentum ?? 0, weightDecay: wd, nesterov: nesterov)
        case "rmsprop":
            return RMSProp(learningRate: learningRate ?? 1e-2, alpha: alpha ?? 0.99, epsilon: epsilon ?? 1e-8,
                           weightDecay: wd, momentum: momentum ?? 0)
        case "adam":
            return Adam(learningRate: learningRate ?? 1e-3, betas: betas ?? (0.9, 0.999), epsilon: epsilon ?? 1e-8,
                        weightDecay: wd)
        case "adamw":
            return AdamW(learningRate: learningRate ?? 1e-3, betas: betas ?? (0.9, 0.999), epsilon: epsilon ?? 1e-8,
                         weightDecay: weightDecay ?? 1e-2)
        case "adagrad":
            return Adagrad(learningRate: learningRate ?? 1e-2, weightDecay: wd, epsilon: epsilon ?? 1e-10)
        case "adadelta":
            return Adadelta(learningRate: learningRate ?? 1, epsilon: epsilon ?? 1e-6, weightDecay: wd)
        case "adamax":
            return Adamax(learningRate: learningRate ?? 2e-3, betas: betas ?? (0.9, 0.999), epsilon: epsilon ?? 1e-8,
                          weightDecay: wd)
        default:
            return NAdam(learningRate: learningRate ?? 2e-3, betas: betas ?? (0.9, 0.999), epsilon: epsilon ?? 1e-8,
                         weightDecay: wd)
        }
    }

    /// Rejects what the optimizers' preconditions would otherwise trap on.
    private func check() throws {
        guard Self.names.contains(name) else {
            throw TrainingError.invalidSetting("unknown optimizer \"\(name)\"; expected one of \(Self.names.joined(separator: ", "))")
        }
        let values: [(String, Double?)] = [("--learning-rate", learningRate), ("--momentum", momentum),
                                           ("--weight-decay", weightDecay), ("--alpha", alpha), ("--eps", epsilon)]
        for (option, value) in values {
            if let value, !(value >= 0 && value.isFinite) {
                throw TrainingError.invalidSetting("\(option) must be a finite number of at least 0, found \(value)")
            }
        }
        if let (b1, b2) = betas, !(0..<1 ~= b1 && 0..<1 ~= b2) {
            throw TrainingError.invalidSetting("--betas must be two numbers at least 0 and below 1, found \(b1),\(b2)")
        }
        if momentum != nil, !["sgd", "rmsprop"].contains(name) {
            throw TrainingError.invalidSetting("--momentum applies to sgd and rmsprop, not \(name)")
        }
        if nesterov, name != "sgd" || (momentum ?? 0) <= 0 {
            throw TrainingError.invalidSetting("--nesterov needs --optimizer sgd and a --momentum above 0")
        }
        if alpha != nil, name != "rmsprop" {
            throw TrainingError.invalidSetting("--alpha applies to rmsprop, not \(name)")
        }
        if betas != nil, !["adam", "adamw", "adamax", "nadam"].contains(name) {
            throw TrainingError.invalidSetting("--betas applies to adam, adamw, adamax and nadam, not \(name)")
        }
    }
}
