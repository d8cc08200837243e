/// The state and arithmetic that ``BatchNorm1d`` and ``BatchNorm2d`` share: they differ only
/// in the ranks of input they take.
///
/// Training normalizes with the batch's statistics through `batchNormalization`, one operation
/// with its own backend primitive and derivative rule (what was twenty tensor operations, most
/// of them broadcasting a vector of channels over the whole input). Inference, with the running
/// statistics, is composed of tensor operations.
struct BatchNormalization: Sendable {
    var weight: Tensor?
    var bias: Tensor?
    var runningMean: Tensor?
    var runningVariance: Tensor?
    var batchesTracked: Tensor?
    let featureCount: Int
    let epsilon: Double
    let momentum: Double?
    var isTraining = true

    init(featureCount: Int, epsilon: Double, momentum: Double?, affine: Bool, tracksRunningStatistics: Bool,
         dtype: DType, name: String) {
        precondition(featureCount > 0, "\(name): numFeatures must be positive, got \(featureCount)")
        precondition(epsilon >= 0 && epsilon.isFinite, "\(name): epsilon must be finite and ≥ 0, got \(epsilon)")
        if let momentum { precondition((0...1).contains(momentum), "\(name): momentum must be in 0...1, got \(momentum)") }
        precondition(dtype.isFloatingPoint, "\(name): needs a floating-point dtype, got \(dtype)")
        self.featureCount = featureCount
        self.epsilon = epsilon
        self.momentum = momentum
        // PyTorch's initial values: the identity transform, and statistics of a standard normal.
        if affine {
            weight = .ones([featureCount], dtype: dtype)
            bias = .zeros([featureCount], dtype: dtype)
        }
        if tracksRunningStatistics {
            runningMean = .zeros([featureCount], dtype: dtype)
            runningVariance = .ones([featureCount], dtype: dtype)
            batchesTracked = .zeros([], dtype: .int64)
        }
    }

    var affine: Bool { weight != nil }
    var tracksRunningStatistics: Bool { runningMean != nil }

    /// Whether a forward pass normalizes with the statistics of its batch: in training, and
    /// always when there are no running statistics (as PyTorch does).
    private var usesBatchStatistics: Bool { isTraining || !tracksRunningStatistics }

    /// activation(the normalized input); with `update`, also the running statistics moved
    /// towards the batch's (only when training and tracking them).
    mutating func forward(_ input: Tensor, name: String, update: Bool, activation: LinearActivation) -> Tensor {
        precondition(input.rank >= 2 && input.shape[1] == featureCount,
                     "\(name): expected inputs [batch, \(featureCount), …], got shape \(input.shape)")
        // Per-channel vectors become [1, C, 1, …] so that they broadcast against the input.
        let channelShape = [1, featureCount] + [Int](repeating: 1, count: input.rank - 2)
        func perChannel(_ vector: Tensor) -> Tensor { vector.reshaped(to: channelShape) }

        if usesBatchStatistics {
            let count = input.scalarCount / featureCount
            // PyTorch refuses this too: one value per channel has no variance to normalize by.
            precondition(count > 1, "\(name): expected more than 1 value per channel when training, got input shape \(input.shape)")
            // Training normalizes with the batch's mean and biased variance (divided by n), in
            // one operation with its own derivative rule…
            let (normalized, batchMean, variance) = DescentCore.batchNormalization(input, weight: weight, bias: bias,
                                                                                   epsilon: epsilon, activation: activation)
            if update && isTraining, let runningMean, let runningVariance, let batchesTracked {
                let tracked = (batchesTracked.cast(to: .float64) + 1).cast(to: .int64)
                // …while the running variance takes the unbiased one (divided by n − 1).
                let unbiased = variance * (Double(count) / Double(count - 1))
                // `momentum` is the weight of the new statistic; without one, the running
                // statistics are the cumulative average of every batch (weight 1 / batches).
                let momentum = self.momentum
                func average(_ running: Tensor, _ batch: Tensor) -> Tensor {
                    let batch = batch.cast(to: running.dtype)
                    if let momentum { return ((1 - momentum) * running + momentum * batch).detached() }
                    let factor = tracked.cast(to: running.dtype).reciprocal()
                    return ((1 - factor) * running + factor * batch).detached()
                }
                self.runningMean = average(runningMean, batchMean)
                self.runningVariance = average(runningVariance, unbiased)
                self.batchesTracked = tracked
            }
            return normalized
        }
        var normalized = (input - perChannel(runningMean!)) / (perChannel(runningVariance!) + epsilon).squareRoot()
        if let weight, let bias { normalized = normalized * perChannel(weight) + perChannel(bias) }
        return activation == .relu ? relu(normalized) : normalized
    }

    mutating func visitParameters(_ body: (_ name: String, _ parameter: inout Tensor) throws -> Void) rethrows {
        if weight != nil { try body("weight", &weight!) }
        if bias != nil { try body("bias", &bias!) }
    }

    /// PyTorch's buffer names, in `state_dict` order.
    mutating func visitBuffers(_ body: (_ name: String, _ buffer: inout Tensor) throws -> Void) rethrows {
        if runningMean != nil { try body("running_mean", &runningMean!) }
        if runningVariance != nil { try body("running_var", &runningVariance!) }
        if batchesTracked != nil { try body("num_batches_tracked", &batchesTracked!) }
    }

    /// "BatchNorm2d(16)", with the settings that differ from PyTorch's defaults.
    func description(_ name: String) -> String {
        var settings = ["\(featureCount)"]
        if epsilon != 1e-5 { settings.append("eps: \(epsilon)") }
        if momentum != 0.1 { settings.append("momentum: \(momentum.map { "\($0)" } ?? "cumulative")") }
        if !affine { settings.append("affine: false") }
        if !tracksRunningStatistics { settings.append("trackRunningStats: false") }
        return "\(name)(\(settings.joined(separator: ", ")))"
    }

    // MARK: model.json

    /// PyTorch's argument names, defaults left out; a cumulative average is `momentum: null`.
    func configuration(type: String) -> LayerConfiguration {
        var fields: [(key: String, value: JSONValue)] = [(key: "num_features", value: .integer(Int64(featureCount)))]
        if epsilon != 1e-5 { fields.append((key: "eps", value: .number(epsilon))) }
        if momentum != 0.1 { fields.append((key: "momentum", value: momentum.map { .number($0) } ?? .null)) }
        if !affine { fields.append((key: "affine", value: false)) }
        if !tracksRunningStatistics { fields.append((key: "track_running_stats", value: false)) }
        return LayerConfiguration(type: type, fields: fields)
    }

    init(configuration: LayerConfiguration, name: String) throws {
        try configuration.requireOnly(["num_features", "eps", "momentum", "affine", "track_running_stats"])
        let features = try configuration.integer("num_features", in: 1...Int.max)
        let epsilon = try configuration.number("eps", default: 1e-5, in: 0...1)
        let momentum: Double? = configuration["momentum"] == .null
            ? nil : try configuration.number("momentum", default: 0.1, in: 0...1)
        let affine = try configuration.boolean("affine", default: true)
        let tracks = try configuration.boolean("track_running_stats", default: true)
        // weight, bias, running mean and variance: four values per feature at most.
        try configuration.requireMemory(forElements: 4 * Double(features), what: "\(features) features")
        self.init(featureCount: features, epsilon: epsilon, momentum: momentum, affine: affine,
                  tracksRunningStatistics: tracks, dtype: .float32, name: name)
    }
}

/// ``BatchNorm1d`` and ``BatchNorm2d``: the same state and forward passes, with or without the
/// ReLU after them (which ``Sequential`` fuses), for the input ranks each takes.
protocol BatchNormalizationLayer: ReLUFusing {
    var state: BatchNormalization { get set }
    /// "BatchNorm1d" or "BatchNorm2d", for messages.
    static var layerName: String { get }
    /// Stops the program unless `input` has the ranks the layer takes.
    func checkRank(of input: Tensor)
}

extension BatchNormalizationLayer {
    /// activation(the input normalized per channel), without changing the layer.
    func output(for input: Tensor, activation: LinearActivation) -> Tensor {
        checkRank(of: input)
        var state = state
        return state.forward(input, name: Self.layerName, update: false, activation: activation)
    }

    /// activation(the input normalized per channel), the running statistics updated as
    /// `forwardUpdatingBuffers` updates them.
    mutating func outputUpdatingBuffers(for input: Tensor, activation: LinearActivation) -> Tensor {
        checkRank(of: input)
        return state.forward(input, name: Self.layerName, update: true, activation: activation)
    }

    var fusesReLU: Bool { true }

    func callAsFunction(reluOf input: Tensor) -> Tensor { output(for: input, activation: .relu) }

    mutating func forwardUpdatingBuffers(reluOf input: Tensor) -> Tensor {
        outputUpdatingBuffers(for: input, activation: .relu)
    }
}
