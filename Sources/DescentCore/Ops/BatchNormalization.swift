/// Batch normalization in training mode: each channel of `input` [N, C, …] standardized with
/// the mean and variance of its values over the batch and every axis after the channels, then
/// scaled by `weight` and shifted by `bias` ([C] each, where given):
///
///     y = (x − μ) / √(σ² + ε) · γ + β,   μ the channel's mean, σ² its biased variance
///
/// PyTorch's `F.batch_norm(input, None, None, weight, bias, training=True, eps=epsilon)`. The
/// layers `BatchNorm1d` and `BatchNorm2d` call it in training. It is one operation of its own,
/// computed in a few passes over the input forward and backward, where the same formula written
/// with tensor operations takes about twenty, most of them broadcasting a vector of channels.
/// Its derivative is the textbook's: because μ and σ² depend on every value of the channel,
///
///     x̄ = γ/√(σ² + ε) · (ḡ − mean(ḡ) − x̂·mean(ḡ·x̂)),   γ̄ = Σ ḡ·x̂,   β̄ = Σ ḡ
///
/// with x̂ = (x − μ)/√(σ² + ε), the means and sums taken per channel.
///
/// With `activation` `.relu`, the result is `relu` of that, the same values and gradients, in
/// one recorded step (`batchNormalization+relu`): the CPU applies ReLU as it writes the output,
/// and backpropagation keeps ḡ where the output was positive within batch normalization's own
/// passes, recomputing that output from x instead of reading it. Inside
/// ``recordComputationalGraph(at:of:)`` it is recorded as two steps, `batchNormalization` then
/// `relu`, so that the graph shows the value before the activation.
///
/// - Returns: the normalized tensor, and each channel's mean and biased variance ([C] each, as
///   constants: no gradient flows back through them), from which a layer updates its running
///   statistics.
/// - Precondition: `input` is floating-point with at least 2 axes; `weight` and `bias` are [C],
///   of its dtype and on its device.
public func batchNormalization(_ input: Tensor, weight: Tensor? = nil, bias: Tensor? = nil, epsilon: Double = 1e-5,
                               activation: LinearActivation = .identity)
    -> (output: Tensor, mean: Tensor, variance: Tensor) {
    precondition(input.rank >= 2, "batchNormalization: input must be [batch, channels, …], got shape \(input.shape)")
    precondition(input.dtype.isFloatingPoint, "batchNormalization: needs a floating-point input, got \(input.dtype)")
    let channels = input.shape[1]
    for (name, parameter) in [("weight", weight), ("bias", bias)] {
        guard let parameter else { continue }
        precondition(parameter.shape == [channels] && parameter.dtype == input.dtype,
                     "batchNormalization: \(name) must be \(input.dtype) [\(channels)] for input \(input.shape), got \(parameter.dtype) \(parameter.shape)")
        _ = commonDevice("batchNormalization", input, parameter)
    }
    let inputs = [input] + [weight, bias].compactMap { $0 }
    let recording = GradientRecording.mode != .off && inputs.contains(where: { $0.gradientNode != nil })
    if activation != .identity && recording && GradientRecording.mode == .keepingValues {
        let (y, mean, variance) = batchNormalization(input, weight: weight, bias: bias, epsilon: epsilon)
        return (relu(y), mean, variance)
    }
    let (y, mean, variance) = input.device.backend.batchNormalization(input, weight: weight, bias: bias, epsilon: epsilon,
                                                                      activation: activation)
    guard recording else { return (y, mean, variance) }
    let name = switch activation {
    case .identity: "batchNormalization"
    case .relu: "batchNormalization+relu"
    }
    let output = y.recorded(name, inputs,
                            pullback: DerivativeRules.batchNormalization(input, mean: mean, variance: variance,
                                                                         weight: weight, bias: bias, epsilon: epsilon,
                                                                         activation: activation))
    return (output, mean, variance)
}
