/// The affine map of a dense layer, x·Wᵀ + b, as one operation — PyTorch's
/// `torch.nn.functional.linear`.
///
/// `input` is [n, inputCount], `weight` is [outputCount, inputCount] and `bias` (if any) is
/// [outputCount]; the result is [n, outputCount]. It equals `matmul(input, weight,
/// transposeB: true) + bias`, computed in one pass: the output starts as copies of the bias and
/// the matrix product accumulates into it. Its derivative rule gives all three gradients at once:
///
///     ∂C/∂x = ḡ·W      ∂C/∂W = ḡᵀ·x      ∂C/∂b = Σ over rows of ḡ
public func linear(_ input: Tensor, weight: Tensor, bias: Tensor? = nil) -> Tensor {
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
    let y = device.backend.linear(input, weight: weight, bias: bias)
    let inputs = bias.map { [input, weight, $0] } ?? [input, weight]
    guard inputs.contains(where: { $0.gradientNode != nil }) else { return y }
    return y.recorded("linear", inputs, pullback: DerivativeRules.linear(input, weight))
}
