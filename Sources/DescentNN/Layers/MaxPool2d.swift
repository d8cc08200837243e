/// Max pooling over the last two axes of NCHW images, PyTorch's `nn.MaxPool2d`: each output
/// element is the largest input of its window (padding counts as −∞).
///
/// The gradient of each output goes to its window's maximum, the first one in row-major order
/// when several are equal — as in PyTorch, which matters after a ReLU, where windows of zeros
/// are common. See `maxPool2d(_:kernelSize:stride:padding:dilation:ceilMode:)`.
///
/// ```swift
/// let pool = MaxPool2d(kernelSize: 2)          // [N, C, 28, 28] → [N, C, 14, 14]
/// ```
public struct MaxPool2d: Layer, Sendable {
    /// The window: kernel size, stride (the kernel size unless given), padding, dilation and
    /// ceil mode.
    public let window: PoolingWindow2d

    /// A max-pooling layer with PyTorch's arguments and defaults.
    ///
    /// - Precondition: kernel size, stride and dilation at least 1; padding at least 0 and at
    ///   most half the kernel size.
    public init(kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0, dilation: Size2D = 1,
                ceilMode: Bool = false) {
        window = PoolingWindow2d(kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation,
                                 ceilMode: ceilMode)
        if let problem = window.problem { preconditionFailure("MaxPool2d: \(problem)") }
    }

    /// The maximum of each window of `input` [N, C, H, W].
    public func callAsFunction(_ input: Tensor) -> Tensor {
        maxPool2d(input, kernelSize: window.kernelSize, stride: window.stride, padding: window.padding,
                  dilation: window.dilation, ceilMode: window.ceilMode)
    }

    /// The maximum of each window of `relu(input)`, recorded as one step: what ``Sequential``
    /// runs for a ``ReLU`` followed by this layer (see `maxPool2d(reluOf:kernelSize:stride:padding:dilation:ceilMode:)`).
    public func callAsFunction(reluOf input: Tensor) -> Tensor {
        maxPool2d(reluOf: input, kernelSize: window.kernelSize, stride: window.stride, padding: window.padding,
                  dilation: window.dilation, ceilMode: window.ceilMode)
    }
}

extension MaxPool2d: CustomStringConvertible {
    /// "MaxPool2d(kernel 2, stride 2)", with the other settings when they are not the defaults.
    public var description: String {
        var settings = ["kernel \(window.kernelSize)", "stride \(window.stride)"]
        if window.padding != 0 { settings.append("padding \(window.padding)") }
        if window.dilation != 1 { settings.append("dilation \(window.dilation)") }
        if window.ceilMode { settings.append("ceil mode") }
        return "MaxPool2d(\(settings.joined(separator: ", ")))"
    }
}

extension MaxPool2d: SavableLayer {
    /// PyTorch's `nn.MaxPool2d`.
    public static let typeName = "maxpool2d"

    /// `kernel_size`, then `stride`, `padding`, `dilation` and `ceil_mode` where they differ
    /// from PyTorch's defaults.
    public var configuration: LayerConfiguration {
        LayerConfiguration(type: Self.typeName, fields: window.fields(dilation: true))
    }

    public init(configuration: LayerConfiguration, using generator: inout RandomGenerator) throws {
        try configuration.requireOnly(["kernel_size", "stride", "padding", "dilation", "ceil_mode"])
        let largest = LayerConfiguration.largestPoolingSize
        let kernel = try configuration.extent("kernel_size", in: 1...largest)
        let window = PoolingWindow2d(
            kernelSize: kernel, stride: try configuration.extent("stride", default: kernel, in: 1...largest),
            padding: try configuration.extent("padding", default: 0, in: 0...largest),
            dilation: try configuration.extent("dilation", default: 1, in: 1...largest),
            ceilMode: try configuration.boolean("ceil_mode", default: false))
        try configuration.requireValid(window)
        self.init(kernelSize: window.kernelSize, stride: window.stride, padding: window.padding,
                  dilation: window.dilation, ceilMode: window.ceilMode)
    }

    /// [C, H', W'] for an image [C, H, W], with PyTorch's output size.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        try window.outputShape(for: inputShape, layer: description)
    }
}
