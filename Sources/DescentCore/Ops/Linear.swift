/// The affine map of a dense layer, x·Wᵀ + b, as one operation — PyTorch's
/// `torch.nn.functional.linear` — with an optional activation applied in the same pass.
///
/// `input` is [n, inputCount], `weight` is [outputCount, inputCount] and `bias` (if any) is
/// [outputCount]; the result is [n, outputCount]. It equals `activation(matmul(input, weight,
/// transposeB: true) + bias)`, bit for bit on the CPU, computed in one pass: the bias and the
/// activation are applied to each block of the product as it is finished. Its derivative rule
/// gives all three gradients at once, from ḡ_z, the upstream gradient ḡ passed back through
/// the activation (for ReLU, ḡ where the output is positive, else 0):
///
///     ∂C/∂x = ḡ_z·W      ∂C/∂W = ḡ_zᵀ·x      ∂C/∂b = Σ over rows of ḡ_z
///
/// Inside ``recordComputationalGraph(at:of:)`` an activation other than `.identity` is recorded
/// as two steps, `linear` then the activation, so that the graph shows the value before the
/// activation, as the textbook's z = Wx + b, a = f(z) does.
public func linear(_ input: Tensor, weight: Tensor, bias: Tensor? = nil,
                   activation: LinearActivation = .identity) -> Tensor {
    precondition(input.rank == 2 && weight.rank == 2 && input.shape[1] == weight.shape[1],
                 "linear: input must be [n, \(weight.shape.last ?? 0)] to match weight \(weight.shape), got \(input.shape)")
    precondition(input.dtype == weight.dtype, "linear: dtypes differ: input \(input.dtype), weight \(weight.dtype)")
    if let bias {
        precondition(bias.shape == [weight.shape[0]] && bias.dtype == weight.dtype,
                     "linear: bias must be \(weight.dtype) [\(weight.shape[0])] to match weight \(weight.shape), got \(bias.dtype) \(bias.shape)")
    }
    let device = commonDevice("linear", input, weight)
    if let bias { _ = commonDevice("linear", weight, bias) }
    precondition(input.dtype.isFloatingPoint, "linear: needs floating-point tensors, got \(input.dtype)")
    let inputs = bias.map { [input, weight, $0] } ?? [input, weight]
    let recording = GradientRecording.mode != .off && inputs.contains(where: { $0.gradientNode != nil })
    if activation != .identity && recording && GradientRecording.mode == .keepingValues {
        return relu(linear(input, weight: weight, bias: bias))
    }
    let y = device.backend.linear(input, weight: weight, bias: bias, activation: activation)
    guard recording else { return y }
    let name = switch activation {
    case .identity: "linear"
    case .relu: "linear+relu"
    }
    return y.recorded(name, inputs, pullback: DerivativeRules.linear(input, weight, activation: activation,
                                                                     output: activation == .identity ? nil : y))
}
