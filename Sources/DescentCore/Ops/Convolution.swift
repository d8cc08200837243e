/// A height and a width: a 2-D kernel size, stride, padding or dilation of a convolution or a
/// pooling window, or the size of an image, given as one number for both (`3`) or as a pair
/// (`Size2D(3, 1)`), as PyTorch takes an int or a tuple.
public struct Size2D: Sendable, Hashable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    /// The size along the rows (the second-to-last axis).
    public var height: Int
    /// The size along the columns (the last axis).
    public var width: Int

    /// A size of `height` rows and `width` columns.
    public init(_ height: Int, _ width: Int) { (self.height, self.width) = (height, width) }
    /// The same size along both axes.
    public init(_ both: Int) { self.init(both, both) }
    public init(integerLiteral value: Int) { self.init(value) }

    /// "3" when both sizes are equal, "(3, 1)" otherwise: PyTorch's way of printing them.
    public var description: String { height == width ? "\(height)" : "(\(height), \(width))" }
}

/// The zero padding of a convolution: explicit sizes, or `same`, PyTorch's `padding="same"`.
public enum Conv2dPadding: Sendable, Hashable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    /// `height` zero rows above and below the input, `width` zero columns left and right.
    case explicit(Size2D)
    /// As much padding as keeps the output the input's size, dilation·(kernel − 1) in all; where
    /// that is odd, the extra row goes below and the extra column to the right (as PyTorch).
    /// Only with stride 1.
    case same

    public init(integerLiteral value: Int) { self = .explicit(Size2D(value)) }

    public var description: String {
        switch self {
        case .explicit(let size): size.description
        case .same: "same"
        }
    }
}

/// The 2-D convolution of a batch of images, PyTorch's `torch.nn.functional.conv2d`: NCHW, and
/// like PyTorch a cross-correlation (the kernel is not flipped).
///
/// `input` is [N, C, H, W] and `weight` [O, C/groups, kH, kW], PyTorch's layout; `bias`, if
/// any, is [O]. The result is [N, O, H′, W′] with H′ = ⌊(H + padding − dilation·(kH − 1) − 1) /
/// stride⌋ + 1 (and W′ alike), and
///
///     y[n, o, i, j] = b[o] + Σ_{c, p, q} x[n, g·C/G + c, i·s − pad + p·d, j·s − pad + q·d] · w[o, c, p, q]
///
/// where g = o / (O/groups) is the output channel's group: each group of C/groups input channels
/// is convolved with its own O/groups filters. Positions outside the input read 0. Its
/// derivative rule gives all three gradients at once (see `DerivativeRules.conv2d`).
///
/// With `activation` `.relu`, the result is `relu` of that, the same values and gradients, in one
/// recorded step (`conv2d+relu`): the CPU applies it to each part of the output while it is still
/// in cache, instead of in a pass of its own over the whole output, and backpropagation keeps ḡ
/// where the output is positive and sums the bias's gradient in one pass (the bias's gradient
/// is then a sum in another order than `sum`'s, so its last bits may differ). Inside
/// ``recordComputationalGraph(at:of:)`` it is recorded as two steps, `conv2d` then `relu`, so
/// that the graph shows the value before the activation, as ``linear(_:weight:bias:activation:)``
/// does.
public func conv2d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Size2D = 1,
                   padding: Conv2dPadding = 0, dilation: Size2D = 1, groups: Int = 1,
                   activation: LinearActivation = .identity) -> Tensor {
    precondition(input.rank == 4, "conv2d: input must be [batch, channels, height, width], got shape \(input.shape)")
    precondition(weight.rank == 4,
                 "conv2d: weight must be [outChannels, inChannels/groups, kernelHeight, kernelWidth], got shape \(weight.shape)")
    precondition(input.dtype == weight.dtype, "conv2d: dtypes differ: input \(input.dtype), weight \(weight.dtype)")
    precondition(input.dtype.isFloatingPoint, "conv2d: needs floating-point tensors, got \(input.dtype)")
    precondition(groups >= 1, "conv2d: groups must be at least 1, got \(groups)")
    let (outChannels, groupInChannels) = (weight.shape[0], weight.shape[1])
    precondition(outChannels >= 1 && outChannels % groups == 0,
                 "conv2d: weight \(weight.shape) has \(outChannels) output channels, which \(groups) groups do not divide")
    precondition(input.shape[1] == groupInChannels * groups,
                 "conv2d: input \(input.shape) has \(input.shape[1]) channels; weight \(weight.shape) with \(groups) groups takes \(groupInChannels * groups)")
    precondition(weight.shape[2] >= 1 && weight.shape[3] >= 1, "conv2d: the kernel must be at least 1×1, got weight \(weight.shape)")
    precondition(stride.height >= 1 && stride.width >= 1, "conv2d: stride must be at least 1, got \(stride)")
    precondition(dilation.height >= 1 && dilation.width >= 1, "conv2d: dilation must be at least 1, got \(dilation)")
    if let bias {
        precondition(bias.shape == [outChannels] && bias.dtype == weight.dtype,
                     "conv2d: bias must be \(weight.dtype) [\(outChannels)] to match weight \(weight.shape), got \(bias.dtype) \(bias.shape)")
    }
    let device = commonDevice("conv2d", input, weight)
    if let bias { _ = commonDevice("conv2d", weight, bias) }

    let kernel = Size2D(weight.shape[2], weight.shape[3])
    let (top, left, bottom, right): (Int, Int, Int, Int)
    switch padding {
    case .explicit(let size):
        precondition(size.height >= 0 && size.width >= 0, "conv2d: padding must not be negative, got \(size)")
        (top, left, bottom, right) = (size.height, size.width, size.height, size.width)
    case .same:
        precondition(stride == 1, "conv2d: padding \"same\" needs stride 1, got stride \(stride)")
        let total = Size2D(dilation.height * (kernel.height - 1), dilation.width * (kernel.width - 1))
        // PyTorch puts the odd row and column after the input.
        (top, left) = (total.height / 2, total.width / 2)
        (bottom, right) = (total.height - top, total.width - left)
    }
    let geometry = Conv2dGeometry(batch: input.shape[0], inChannels: input.shape[1], height: input.shape[2],
                                  width: input.shape[3], outChannels: outChannels, kernelHeight: kernel.height,
                                  kernelWidth: kernel.width, strideY: stride.height, strideX: stride.width,
                                  padTop: top, padLeft: left, padBottom: bottom, padRight: right,
                                  dilationY: dilation.height, dilationX: dilation.width, groups: groups)
    let spanY = dilation.height * (kernel.height - 1) + 1, spanX = dilation.width * (kernel.width - 1) + 1
    precondition(input.shape[2] + top + bottom >= spanY && input.shape[3] + left + right >= spanX,
                 "conv2d: input \(input.shape) padded by \(padding) is smaller than the kernel \(kernel) dilated by \(dilation)")
    let inputs = bias.map { [input, weight, $0] } ?? [input, weight]
    let recording = GradientRecording.mode != .off && inputs.contains(where: { $0.gradientNode != nil })
    if activation != .identity && recording && GradientRecording.mode == .keepingValues {
        return relu(conv2d(input, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation,
                           groups: groups))
    }
    let y = device.backend.conv2d(input, weight: weight, bias: bias, geometry, activation: activation)
    guard recording else { return y }
    let name = switch activation {
    case .identity: "conv2d"
    case .relu: "conv2d+relu"
    }
    return y.recorded(name, inputs, pullback: DerivativeRules.conv2d(
        input, weight, geometry, activation: activation, output: activation == .identity ? nil : y))
}
