/// Batch normalization of images, PyTorch's `nn.BatchNorm2d`: each channel of an input
/// [batch, channels, height, width] is normalized to mean 0 and variance 1, then scaled by
/// `weight` and shifted by `bias` (one of each per channel).
///
/// In training mode a forward pass normalizes with the mean and (biased) variance of the batch,
/// over the batch and both spatial axes; in inference mode it uses the running statistics.
/// The running statistics move only in ``forwardUpdatingBuffers(_:)``, which training calls:
/// running = (1 − momentum) · running + momentum · batch, with the unbiased variance of the batch,
/// as PyTorch does. The plain forward pass never changes the layer.
///
/// Parameters "weight" and "bias" (absent with `affine: false`); buffers "running_mean",
/// "running_var" and the int64 scalar "num_batches_tracked" (absent with
/// `trackRunningStatistics: false`, when both modes normalize with the batch's statistics) —
/// PyTorch's `state_dict` names, so weights move between the two as they are.
public struct BatchNorm2d: Layer, Sendable, BatchNormalizationLayer {
    var state: BatchNormalization
    static let layerName = "BatchNorm2d"

    /// A layer for `featureCount` channels with PyTorch's initial values: weight 1, bias 0,
    /// running mean 0, running variance 1. A `momentum` of `nil` makes the running statistics
    /// the cumulative average of every batch seen.
    public init(featureCount: Int, epsilon: Double = 1e-5, momentum: Double? = 0.1, affine: Bool = true,
                trackRunningStatistics: Bool = true, dtype: DType = .float32) {
        state = BatchNormalization(featureCount: featureCount, epsilon: epsilon, momentum: momentum, affine: affine,
                                   tracksRunningStatistics: trackRunningStatistics, dtype: dtype, name: "BatchNorm2d")
    }

    /// The number of channels (PyTorch's `num_features`).
    public var featureCount: Int { state.featureCount }
    /// Added to the variance before its square root is taken.
    public var epsilon: Double { state.epsilon }
    /// The weight of a batch's statistics in the running ones; `nil` for a cumulative average.
    public var momentum: Double? { state.momentum }
    /// The per-channel scale, [featureCount]; `nil` without `affine`.
    public var weight: Tensor? {
        get { state.weight }
        set { state.weight = newValue }
    }
    /// The per-channel shift, [featureCount]; `nil` without `affine`.
    public var bias: Tensor? {
        get { state.bias }
        set { state.bias = newValue }
    }
    /// The running mean, [featureCount]; `nil` without running statistics.
    public var runningMean: Tensor? { state.runningMean }
    /// The running (unbiased) variance, [featureCount]; `nil` without running statistics.
    public var runningVariance: Tensor? { state.runningVariance }
    /// The number of training batches seen, an int64 scalar; `nil` without running statistics.
    public var batchesTracked: Tensor? { state.batchesTracked }
    /// Whether the layer normalizes with its batch's statistics (training) or the running ones.
    public var isTraining: Bool { state.isTraining }

    /// The input normalized per channel, without changing the layer.
    public func callAsFunction(_ input: Tensor) -> Tensor { output(for: input, activation: .identity) }

    /// The input normalized per channel; in training, the running statistics move towards the
    /// batch's and ``batchesTracked`` grows by one.
    public mutating func forwardUpdatingBuffers(_ input: Tensor) -> Tensor {
        outputUpdatingBuffers(for: input, activation: .identity)
    }

    /// Stops the program unless `input` has the ranks this layer takes.
    func checkRank(of input: Tensor) {
        precondition(input.rank == 4,
                     "\(self): expected inputs [batch, \(featureCount), height, width], got shape \(input.shape)")
    }

    /// Visits "weight", then "bias", when the layer is affine.
    public mutating func visitParameters(_ body: (_ name: String, _ parameter: inout Tensor) throws -> Void) rethrows {
        try state.visitParameters(body)
    }

    /// Visits "running_mean", "running_var", then "num_batches_tracked", when the layer tracks them.
    public mutating func visitBuffers(_ body: (_ name: String, _ buffer: inout Tensor) throws -> Void) rethrows {
        try state.visitBuffers(body)
    }

    /// Normalizes with the batch's statistics (training) or the running ones (inference).
    public mutating func setTraining(_ isTraining: Bool) { state.isTraining = isTraining }

    /// The input's shape, which must be [featureCount, height, width].
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard inputShape.count == 3, inputShape[0] == featureCount else {
            throw LayerShapeError(expected: "images of \(featureCount) channels, [\(featureCount), height, width]",
                                  found: inputShape, layer: description)
        }
        return inputShape
    }
}

extension BatchNorm2d: CustomStringConvertible {
    /// "BatchNorm2d(16)", with the settings that differ from the defaults.
    public var description: String { state.description("BatchNorm2d") }
}

extension BatchNorm2d: SavableLayer {
    /// PyTorch's `nn.BatchNorm2d`.
    public static let typeName = "batchnorm2d"

    public var configuration: LayerConfiguration { state.configuration(type: Self.typeName) }

    public init(configuration: LayerConfiguration, using generator: inout RandomGenerator) throws {
        state = try BatchNormalization(configuration: configuration, name: "BatchNorm2d")
    }
}
