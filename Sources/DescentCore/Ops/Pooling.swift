// Pooling over the last two axes of NCHW tensors, with PyTorch's semantics: its output-size
// formula (floor or ceil), its windows clipped at the padding, its divisors, and its choice of the
// first maximum on ties.

extension Size2D {
    /// Both values, height first.
    var pair: [Int] { [height, width] }
}

/// The settings of a 2-D pooling window — PyTorch's `kernel_size`, `stride`, `padding`,
/// `dilation` and `ceil_mode` — and the output size they give.
public struct PoolingWindow2d: Sendable, Hashable {
    /// The window's size (before dilation).
    public var kernelSize: Size2D
    /// The distance between the starts of consecutive windows.
    public var stride: Size2D
    /// Implicit padding on each side (−∞ for max pooling, 0 for average pooling).
    public var padding: Size2D
    /// The spacing between the elements of a window (max pooling only; 1 for average pooling).
    public var dilation: Size2D
    /// Whether the output size rounds up (a last, partial window) rather than down.
    public var ceilMode: Bool

    /// A window; `stride` defaults to the kernel size, as in PyTorch.
    public init(kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0, dilation: Size2D = 1,
                ceilMode: Bool = false) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.dilation = dilation
        self.ceilMode = ceilMode
    }

    /// Why the settings cannot describe a window (the rules PyTorch enforces), or nil when they can.
    public var problem: String? {
        if kernelSize.height < 1 || kernelSize.width < 1 { return "kernel size must be at least 1, got \(kernelSize)" }
        if stride.height < 1 || stride.width < 1 { return "stride must be at least 1, got \(stride)" }
        if dilation.height < 1 || dilation.width < 1 { return "dilation must be at least 1, got \(dilation)" }
        if padding.height < 0 || padding.width < 0 { return "padding must be at least 0, got \(padding)" }
        // PyTorch's rule: a window must overlap the input, so padding is at most half the kernel.
        if padding.height > kernelSize.height / 2 || padding.width > kernelSize.width / 2 {
            return "padding must be at most half the kernel size (\(kernelSize)), got \(padding)"
        }
        return nil
    }

    /// The output size for an input of `size` (PyTorch's formula), or nil when no window fits
    /// (an output size below 1) or the settings have a ``problem``.
    public func outputSize(for size: Size2D) -> Size2D? {
        guard problem == nil else { return nil }
        let height = Self.length(size.height, kernelSize.height, stride.height, padding.height, dilation.height, ceilMode)
        let width = Self.length(size.width, kernelSize.width, stride.width, padding.width, dilation.width, ceilMode)
        guard height >= 1 && width >= 1 else { return nil }
        return Size2D(height, width)
    }

    /// ⌊ or ⌈(n + 2p − d(k − 1) − 1) / s⌉ + 1, less the last window in ceil mode when it would
    /// start in the right padding (PyTorch's `pooling_output_shape`).
    static func length(_ n: Int, _ k: Int, _ s: Int, _ p: Int, _ d: Int, _ ceil: Bool) -> Int {
        let span = n + 2 * p - d * (k - 1) - 1
        guard span >= 0 else { return 0 }
        var length = (ceil ? (span + s - 1) / s : span / s) + 1
        if ceil && (length - 1) * s >= n + p { length -= 1 }
        return length
    }
}

/// Everything a pooling kernel needs: the window, the input's and output's spatial sizes, and
/// average pooling's divisor rule. Operations build it once, after validating.
struct Pooling2d: Sendable, Hashable {
    var window: PoolingWindow2d
    var input: Size2D
    var output: Size2D
    /// Average pooling: whether padded positions count in the divisor (PyTorch's
    /// `count_include_pad`).
    var countIncludePad = true
    /// Max pooling: whether each input is read as relu(x), so that a ReLU then max pooling
    /// reads the ReLU's input once and writes nothing in between.
    var appliesReLU = false

    /// The rows `start..<end` (in input coordinates, clipped to the input) of output row `o`
    /// along one axis for average pooling, and the length of the window clipped to the padded
    /// input only (PyTorch's `pool_size` factor, which counts padding but not what lies beyond it).
    static func averageRange(_ o: Int, stride: Int, kernel: Int, padding: Int, length: Int)
        -> (start: Int, end: Int, paddedCount: Int) {
        let start = o * stride - padding
        let paddedEnd = Swift.min(start + kernel, length + padding)
        return (Swift.max(start, 0), Swift.min(paddedEnd, length), paddedEnd - start)
    }

    /// The divisor of average-pooling output (`oh`, `ow`).
    func divisor(_ oh: Int, _ ow: Int) -> (rows: (Int, Int), columns: (Int, Int), divisor: Int) {
        let r = Self.averageRange(oh, stride: window.stride.height, kernel: window.kernelSize.height,
                                  padding: window.padding.height, length: input.height)
        let c = Self.averageRange(ow, stride: window.stride.width, kernel: window.kernelSize.width,
                                  padding: window.padding.width, length: input.width)
        let count = countIncludePad ? r.paddedCount * c.paddedCount
                                    : Swift.max(r.end - r.start, 0) * Swift.max(c.end - c.start, 0)
        return ((r.start, r.end), (c.start, c.end), count)
    }
}

extension Tensor {
    /// Validates `self` as the input of a pooling operation and returns it as [N, C, H, W]
    /// with the pooling's geometry; `op` names the operation in the messages.
    fileprivate func pooling(_ op: String, _ window: PoolingWindow2d, countIncludePad: Bool = true)
        -> (input: Tensor, pooling: Pooling2d) {
        precondition(rank == 3 || rank == 4, "\(op): needs an input [C, H, W] or [N, C, H, W], got \(shape)")
        precondition(dtype.isFloatingPoint, "\(op): needs a floating-point input, got \(dtype)")
        if let problem = window.problem { preconditionFailure("\(op): \(problem)") }
        let batched = rank == 4 ? self : reshaped(to: [1] + shape)
        let size = Size2D(batched.shape[2], batched.shape[3])
        guard let output = window.outputSize(for: size) else {
            preconditionFailure("\(op): an input of \(size.height)×\(size.width) is too small for kernel \(window.kernelSize), "
                                + "stride \(window.stride), padding \(window.padding), dilation \(window.dilation): "
                                + "the output would be empty")
        }
        return (batched, Pooling2d(window: window, input: size, output: output, countIncludePad: countIncludePad))
    }

    /// The result in the input's rank: a [C, H, W] input gives [C, H', W'].
    fileprivate func unbatched(like input: Tensor) -> Tensor {
        input.rank == 4 ? self : reshaped(to: Array(shape.dropFirst()))
    }
}

/// The largest element of each window over the last two axes — PyTorch's
/// `torch.nn.functional.max_pool2d`.
///
/// `input` is [N, C, H, W] (or [C, H, W]); the result is [N, C, H', W'] with PyTorch's output
/// size ⌊(H + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1 (⌈…⌉ in `ceilMode`, without a
/// window that would start in the right padding). Padding counts as −∞. The gradient of each
/// output goes to the position of its maximum, the first one in row-major order on ties (as in
/// PyTorch, where ties are common after a ReLU); a NaN counts as the maximum.
///
/// - Precondition: kernel size, stride and dilation at least 1, padding at most half the
///   kernel size, and an input large enough for one window.
public func maxPool2d(_ input: Tensor, kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0,
                      dilation: Size2D = 1, ceilMode: Bool = false) -> Tensor {
    let window = PoolingWindow2d(kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation,
                                 ceilMode: ceilMode)
    let (x, pooling) = input.pooling("maxPool2d", window)
    let (values, indices) = x.device.backend.maxPool2d(x, pooling)
    let y = x.gradientNode == nil ? values
        : values.recorded("maxPool2d", x, pullback: DerivativeRules.maxPool2d(x, indices: indices, pooling))
    return y.unbatched(like: input)
}

/// `maxPool2d(relu(input), …)` — a ReLU then max pooling, as convolutional networks stack them —
/// recorded as one step with one derivative rule, which masks the pooled gradient (a quarter of
/// the elements, for 2×2 windows) instead of the ReLU's full-size one.
///
/// The values are ``maxPool2d(_:kernelSize:stride:padding:dilation:ceilMode:)``'s of
/// ``relu(_:)``'s, and so are the gradients, bit for bit: a window's maximum y sits where the
/// ReLU's input is positive when y > 0, so the ReLU passes its gradient unchanged, and when
/// y = 0 (every input ≤ 0, or NaN, which the ReLU makes 0) the ReLU would zero whatever max
/// pooling sent back:
///
///     ∂C/∂x = maxPoolBackward(ḡ where y > 0, else 0)
///
/// Inside ``recordComputationalGraph(at:of:)`` it is recorded as the two steps, so that the graph
/// shows the ReLU's output.
public func maxPool2d(reluOf input: Tensor, kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0,
                      dilation: Size2D = 1, ceilMode: Bool = false) -> Tensor {
    let recording = GradientRecording.mode != .off && input.gradientNode != nil
    if recording && GradientRecording.mode == .keepingValues {
        return maxPool2d(relu(input), kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation,
                         ceilMode: ceilMode)
    }
    let window = PoolingWindow2d(kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation,
                                 ceilMode: ceilMode)
    // The ReLU runs inside the pooling's reads: its output is neither written nor recorded.
    var (x, pooling) = input.detached().pooling("maxPool2d", window)
    pooling.appliesReLU = true
    let (values, indices) = x.device.backend.maxPool2d(x, pooling)
    guard recording else { return values.unbatched(like: input) }
    let y = values.recorded("relu+maxPool2d", input,
                            pullback: DerivativeRules.reluMaxPool2d(input, values: values, indices: indices, pooling))
    return y.unbatched(like: input)
}

/// The mean of each window over the last two axes — PyTorch's
/// `torch.nn.functional.avg_pool2d`.
///
/// The output size is ``maxPool2d(_:kernelSize:stride:padding:dilation:ceilMode:)``'s without
/// dilation. Padding counts as 0; each window's sum is divided by the window's size clipped to
/// the padded input (`countIncludePad`, PyTorch's default) or by the number of input elements
/// it covers.
///
/// - Precondition: kernel size and stride at least 1, padding at most half the kernel size,
///   and an input large enough for one window.
public func avgPool2d(_ input: Tensor, kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0,
                      ceilMode: Bool = false, countIncludePad: Bool = true) -> Tensor {
    let window = PoolingWindow2d(kernelSize: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode)
    let (x, pooling) = input.pooling("avgPool2d", window, countIncludePad: countIncludePad)
    let values = x.device.backend.avgPool2d(x, pooling)
    let y = x.gradientNode == nil ? values
        : values.recorded("avgPool2d", x, pullback: DerivativeRules.avgPool2d(pooling))
    return y.unbatched(like: input)
}

/// The mean over windows that divide the last two axes into `outputSize` parts — PyTorch's
/// `torch.nn.functional.adaptive_avg_pool2d` where its windows do not overlap.
///
/// An output size of 1 is the global average of each channel, [N, C, H, W] → [N, C, 1, 1]. Other
/// sizes must divide the input's height and width, so that every window has the same size:
/// PyTorch's overlapping windows of uneven sizes, for sizes that do not divide, are not
/// supported.
///
/// - Precondition: `outputSize` at least 1 and dividing the input's height and width.
public func adaptiveAvgPool2d(_ input: Tensor, outputSize: Size2D) -> Tensor {
    precondition(input.rank == 3 || input.rank == 4,
                 "adaptiveAvgPool2d: needs an input [C, H, W] or [N, C, H, W], got \(input.shape)")
    precondition(input.dtype.isFloatingPoint, "adaptiveAvgPool2d: needs a floating-point input, got \(input.dtype)")
    let (height, width) = (input.shape[input.rank - 2], input.shape[input.rank - 1])
    precondition(outputSize.height >= 1 && outputSize.width >= 1,
                 "adaptiveAvgPool2d: output size must be at least 1, got \(outputSize)")
    precondition(height % outputSize.height == 0 && width % outputSize.width == 0,
                 "adaptiveAvgPool2d: output size \(outputSize) must divide the input's \(height)×\(width) "
                 + "(windows of uneven sizes are not supported)")
    // The global form is a mean: one reduction, no window bookkeeping.
    if outputSize == 1 { return input.mean(alongAxes: [input.rank - 2, input.rank - 1]) }
    let kernel = Size2D(height / outputSize.height, width / outputSize.width)
    return avgPool2d(input, kernelSize: kernel)
}
