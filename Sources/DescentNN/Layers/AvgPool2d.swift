/// Average pooling over the last two axes of NCHW images, PyTorch's `nn.AvgPool2d`: each
/// output element is the mean of its window (padding counts as 0).
///
/// With `countIncludePad` (the default) a window's sum is divided by its size, padding
/// included; without, by the number of input elements it covers. `ceilMode` rounds the output
/// size up, as PyTorch does. See `avgPool2d(_:kernelSize:stride:padding:ceilMode:countIncludePad:)`.
public struct AvgPool2d: Layer, Sendable {
    /// The window: kernel size, stride (the kernel size unless given), padding and ceil mode
    /// (dilation is always 1).
    public let window: PoolingWindow2d
    /// Whether padded positions count in a window's divisor.
    public let countIncludePad: Bool

    /// An average-pooling layer with PyTorch's arguments and defaults.
    ///
    /// - Precondition: kernel size and stride at least 1; padding at least 0 and at most half
    ///   the kernel size.
    public init(kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0, ceilMode: Bool = false,
                countIncludePad: Bool = true) {
        window = PoolingWindow2d(kernelSize: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode)
        self.countIncludePad = countIncludePad
        if let problem = window.problem { preconditionFailure("AvgPool2d: \(problem)") }
    }

    /// The mean of each window of `input` [N, C, H, W].
    public func callAsFunction(_ input: Tensor) -> Tensor {
        avgPool2d(input, kernelSize: window.kernelSize, stride: window.stride, padding: window.padding,
                  ceilMode: window.ceilMode, countIncludePad: countIncludePad)
    }
}

extension AvgPool2d: CustomStringConvertible {
    /// "AvgPool2d(kernel 2, stride 2)", with the other settings when they are not the defaults.
    public var description: String {
        var settings = ["kernel \(window.kernelSize)", "stride \(window.stride)"]
        if window.padding != 0 { settings.append("padding \(window.padding)") }
        if window.ceilMode { settings.append("ceil mode") }
        if !countIncludePad { settings.append("padding not counted") }
        return "AvgPool2d(\(settings.joined(separator: ", ")))"
    }
}

extension AvgPool2d: SavableLayer {
    /// PyTorch's `nn.AvgPool2d`.
    public static let typeName = "avgpool2d"

    /// `kernel_size`, then `stride`, `padding`, `ceil_mode` and `count_include_pad` where they
    /// differ from PyTorch's defaults.
    public var configuration: LayerConfiguration {
        var fields = window.fields(dilation: false)
        if !countIncludePad { fields.append((key: "count_include_pad", value: .bool(false))) }
        return LayerConfiguration(type: Self.typeName, fields: fields)
    }

    /// PyTorch's `divisor_override` is not supported: a file that sets it is refused as an
    /// unknown key.
    public init(configuration: LayerConfiguration, using generator: inout RandomGenerator) throws {
        try configuration.requireOnly(["kernel_size", "stride", "padding", "ceil_mode", "count_include_pad"])
        let largest = LayerConfiguration.largestPoolingSize
        let kernel = try configuration.extent("kernel_size", in: 1...largest)
        let window = PoolingWindow2d(
            kernelSize: kernel, stride: try configuration.extent("stride", default: kernel, in: 1...largest),
            padding: try configuration.extent("padding", default: 0, in: 0...largest),
            ceilMode: try configuration.boolean("ceil_mode", default: false))
        try configuration.requireValid(window)
        self.init(kernelSize: window.kernelSize, stride: window.stride, padding: window.padding,
                  ceilMode: window.ceilMode,
                  countIncludePad: try configuration.boolean("count_include_pad", default: true))
    }

    /// [C, H', W'] for an image [C, H, W], with PyTorch's output size.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        try window.outputShape(for: inputShape, layer: description)
    }
}
