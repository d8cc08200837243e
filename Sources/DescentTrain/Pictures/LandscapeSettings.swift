/// How the runs of gradient descent on a ``CostLandscape`` are made, and how finely the surface
/// is drawn. Every run starts from ``start`` and takes ``steps`` updates with ``learningRate``.
public struct LandscapeSettings: Sendable, Equatable {
    /// η, the learning rate of every run (Adam's too: its steps are about η long whatever the
    /// gradient's size, where plain gradient descent's are η times the gradient).
    public var learningRate = 0.05
    /// The number of updates each run makes. Stochastic and mini-batch runs make them from one
    /// and ``miniBatchSize`` points, the others from all of them.
    public var steps = 60
    /// The points per update of the mini-batch run.
    public var miniBatchSize = 8
    /// μ, the momentum of the momentum run (heavy ball, as `SGD` has it).
    public var momentum = 0.9
    /// The parameters (w, b) every run starts from.
    public var start = PlanePoint(x: 0, y: 0)
    /// Seeds the order in which the stochastic and mini-batch runs visit the points.
    public var seed: UInt64 = 0
    /// Grid points per side on which the contour lines are traced: more is smoother and larger.
    public var gridSize = 121
    /// The number of contour lines.
    public var levelCount = 12

    /// The defaults: η = 0.05, 60 steps, mini-batches of 8, μ = 0.9, start (0, 0), seed 0.
    public init() {}

    /// Rejects settings that cannot work, before anything is computed.
    ///
    /// - Throws: ``SettingError`` naming the setting (the learning rate, the number of steps as
    ///   ``TrainingSetting/maximumSteps``, the mini-batch size as ``TrainingSetting/batchSize``,
    ///   the momentum), or ``TrainingError/invalidSetting(_:)`` for a start that is not finite
    ///   or a grid too coarse to trace.
    public func check() throws {
        guard learningRate.isFinite, learningRate > 0 else {
            throw SettingError(.learningRate, .invalid(expected: "a finite number above 0", found: "\(learningRate)"))
        }
        guard steps >= 1 else { throw SettingError(.maximumSteps, .invalid(expected: "at least 1", found: "\(steps)")) }
        guard miniBatchSize >= 1 else {
            throw SettingError(.batchSize, .invalid(expected: "at least 1", found: "\(miniBatchSize)"))
        }
        guard momentum.isFinite, (0..<1).contains(momentum) else {
            throw SettingError(.momentum, .invalid(expected: "at least 0 and below 1", found: "\(momentum)"))
        }
        guard start.isFinite else {
            throw TrainingError.invalidSetting("the start (w, b) must be finite numbers, found \(start)")
        }
        guard gridSize >= 2, levelCount >= 1 else {
            throw TrainingError.invalidSetting(
                "the contour grid needs at least 2 points a side and 1 level, found \(gridSize) points and \(levelCount) levels")
        }
    }
}

/// The five ways down a cost surface that a ``CostLandscape`` compares.
public enum DescentMethod: String, CaseIterable, Sendable {
    /// Batch gradient descent: every step from the gradient over all the points.
    case fullBatch = "full-batch"
    /// Stochastic gradient descent: every step from one point's gradient.
    case stochastic
    /// Mini-batch gradient descent: every step from a few points' gradient.
    case miniBatch = "mini-batch"
    /// Gradient descent with momentum over all the points: the steps keep a fraction μ of the
    /// previous step's velocity, like a heavy ball rolling.
    case momentum
    /// Adam over all the points: each parameter's step scaled by running averages of its
    /// gradient and squared gradient.
    case adam

    /// How the picture's legend names the method with its settings.
    func label(_ settings: LandscapeSettings) -> String {
        switch self {
        case .fullBatch: "full-batch gradient descent"
        case .stochastic: "stochastic (batch of 1)"
        case .miniBatch: "mini-batch (batch of \(settings.miniBatchSize))"
        case .momentum: "momentum (μ = \(SVGDocument.label(settings.momentum)))"
        case .adam: "Adam"
        }
    }
}
