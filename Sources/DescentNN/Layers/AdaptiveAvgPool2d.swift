/// Average pooling to a fixed output size, PyTorch's `nn.AdaptiveAvgPool2d`: with an output
/// size of 1, the mean of each channel (global average pooling), [N, C, H, W] → [N, C, 1, 1].
///
/// Other output sizes must divide the input's height and width (equal windows that do not
/// overlap); PyTorch's uneven windows for other sizes are not supported, and such an input is
/// refused by ``outputShape(for:)``. See `adaptiveAvgPool2d(_:outputSize:)`.
public struct AdaptiveAvgPool2d: Layer, Sendable {
    /// The output's height and width.
    public let outputSize: Size2D

    /// A layer that pools every image to `outputSize`.
    ///
    /// - Precondition: `outputSize` at least 1.
    public init(outputSize: Size2D) {
        precondition(outputSize.height >= 1 && outputSize.width >= 1,
                     "AdaptiveAvgPool2d: output size must be at least 1, got \(outputSize)")
        self.outputSize = outputSize
    }

    /// The mean of each of the `outputSize` windows of `input` [N, C, H, W].
    public func callAsFunction(_ input: Tensor) -> Tensor {
        adaptiveAvgPool2d(input, outputSize: outputSize)
    }
}

extension AdaptiveAvgPool2d: CustomStringConvertible {
    /// "AdaptiveAvgPool2d(output 1)".
    public var description: String { "AdaptiveAvgPool2d(output \(outputSize))" }
}

extension AdaptiveAvgPool2d: SavableLayer {
    /// PyTorch's `nn.AdaptiveAvgPool2d`.
    public static let typeName = "adaptiveavgpool2d"

    /// `output_size`, which has no default.
    public var configuration: LayerConfiguration {
        LayerConfiguration(type: Self.typeName, fields: [(key: "output_size", value: outputSize.jsonValue)])
    }

    public init(configuration: LayerConfiguration, using generator: inout RandomGenerator) throws {
        try configuration.requireOnly(["output_size"])
        self.init(outputSize: try configuration.extent("output_size", in: 1...LayerConfiguration.largestPoolingSize))
    }

    /// [C, outputSize] for an image [C, H, W] whose height and width `outputSize` divides.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard inputShape.count == 3, inputShape[1] > 0, inputShape[2] > 0,
              inputShape[1] % outputSize.height == 0, inputShape[2] % outputSize.width == 0 else {
            throw LayerShapeError(expected: "inputs [channels, height, width] whose height and width are multiples "
                                  + "of the output size \(outputSize)", found: inputShape, layer: description)
        }
        return [inputShape[0], outputSize.height, outputSize.width]
    }
}
