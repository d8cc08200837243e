/// A 2-D convolution over images, PyTorch's `nn.Conv2d`: inputs [batch, inChannels, H, W]
/// (NCHW), outputs [batch, outChannels, H′, W′].
///
/// Each output channel slides a kernel over the input channels of its group (all of them when
/// `groups` is 1; its own `inChannels/groups` otherwise, and one each for a depthwise
/// convolution, `groups == inChannels`), with the given stride, zero padding and dilation, and
/// adds its bias — see `conv2d(_:weight:bias:stride:padding:dilation:groups:activation:)` for
/// the formula.
///
/// The weight is [outChannels, inChannels/groups, kernelHeight, kernelWidth] and the bias
/// [outChannels], named "weight" and "bias" as in `nn.Conv2d`'s `state_dict()`, so weights move
/// between the two with no conversion. By default both start as PyTorch's do: its
/// `kaiming_uniform_` with a = √5 gives the weight U(±1/√fanIn), and the bias is drawn from the
/// same bound, fanIn = inChannels/groups·kernelHeight·kernelWidth. The weight is drawn before
/// the bias.
public struct Conv2d: Layer, Sendable {
    /// The filters, [outChannels, inChannels/groups, kernelHeight, kernelWidth].
    public var weight: Tensor
    /// One bias per output channel, [outChannels]; `nil` for a layer without bias.
    public var bias: Tensor?
    /// The step between windows, down and across.
    public let stride: Size2D
    /// The zero padding around the input.
    public let padding: Conv2dPadding
    /// The spacing between the kernel's taps (1: adjacent pixels).
    public let dilation: Size2D
    /// How many independent groups the channels are split into.
    public let groups: Int

    /// The channels each input has.
    public var inChannels: Int { weight.shape[1] * groups }
    /// The channels each output has.
    public var outChannels: Int { weight.shape[0] }
    /// The kernel's height and width.
    public var kernelSize: Size2D { Size2D(weight.shape[2], weight.shape[3]) }

    /// A layer with the given parameters: `weight` is [outChannels, inChannels/groups, kH, kW],
    /// `bias` is [outChannels].
    public init(weight: Tensor, bias: Tensor? = nil, stride: Size2D = 1, padding: Conv2dPadding = 0,
                dilation: Size2D = 1, groups: Int = 1) {
        precondition(weight.rank == 4 && weight.shape.allSatisfy { $0 >= 1 },
                     "Conv2d: weight must be [outChannels, inChannels/groups, kernelHeight, kernelWidth], got shape \(weight.shape)")
        precondition(groups >= 1 && weight.shape[0] % groups == 0,
                     "Conv2d: groups (\(groups)) must divide the \(weight.shape[0]) output channels")
        if let bias {
            precondition(bias.shape == [weight.shape[0]] && bias.dtype == weight.dtype,
                         "Conv2d: bias must be \(weight.dtype) [\(weight.shape[0])] to match weight \(weight.shape), got \(bias.dtype) \(bias.shape)")
        }
        Self.checkSettings(stride: stride, padding: padding, dilation: dilation)
        (self.weight, self.bias) = (weight, bias)
        (self.stride, self.padding, self.dilation, self.groups) = (stride, padding, dilation, groups)
    }

    /// A layer with parameters drawn from `generator`, which advances, so that layers built
    /// from one generator get different weights and the same seed rebuilds the same model.
    public init(inChannels: Int, outChannels: Int, kernelSize: Size2D, stride: Size2D = 1, padding: Conv2dPadding = 0,
                dilation: Size2D = 1, groups: Int = 1, bias: Bool = true, dtype: DType = .float32,
                using generator: inout RandomGenerator) {
        precondition(inChannels >= 1 && outChannels >= 1,
                     "Conv2d: inChannels and outChannels must be positive, got \(inChannels) and \(outChannels)")
        precondition(groups >= 1 && inChannels % groups == 0 && outChannels % groups == 0,
                     "Conv2d: groups (\(groups)) must divide inChannels (\(inChannels)) and outChannels (\(outChannels))")
        precondition(kernelSize.height >= 1 && kernelSize.width >= 1, "Conv2d: kernelSize must be at least 1, got \(kernelSize)")
        let shape = [outChannels, inChannels / groups, kernelSize.height, kernelSize.width]
        let fanIn = shape.dropFirst().reduce(1, *), fanOut = outChannels * kernelSize.height * kernelSize.width
        // PyTorch's kaiming_uniform_(a=√5): gain √(2/(1 + 5)), bound gain·√(3/fanIn) = 1/√fanIn,
        // which is the bound of `pytorchLinear`; the bias is U(±1/√fanIn) too.
        let weight = Initializer.pytorchLinear.tensor(shape, fanIn: fanIn, fanOut: fanOut, dtype: dtype, using: &generator)
        let biasTensor = bias ? Initializer.pytorchLinear.tensor([outChannels], fanIn: fanIn, fanOut: fanOut, dtype: dtype,
                                                                 using: &generator) : nil
        self.init(weight: weight, bias: biasTensor, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }

    /// A layer with parameters drawn from a generator seeded with `seed`, or, without a seed,
    /// from the next seed of ``DefaultInitialization``.
    public init(inChannels: Int, outChannels: Int, kernelSize: Size2D, stride: Size2D = 1, padding: Conv2dPadding = 0,
                dilation: Size2D = 1, groups: Int = 1, bias: Bool = true, dtype: DType = .float32, seed: UInt64? = nil) {
        var generator = seed.map(RandomGenerator.init(seed:)) ?? DefaultInitialization.nextGenerator()
        self.init(inChannels: inChannels, outChannels: outChannels, kernelSize: kernelSize, stride: stride, padding: padding,
                  dilation: dilation, groups: groups, bias: bias, dtype: dtype, using: &generator)
    }

    private static func checkSettings(stride: Size2D, padding: Conv2dPadding, dilation: Size2D) {
        precondition(stride.height >= 1 && stride.width >= 1, "Conv2d: stride must be at least 1, got \(stride)")
        precondition(dilation.height >= 1 && dilation.width >= 1, "Conv2d: dilation must be at least 1, got \(dilation)")
        switch padding {
        case .explicit(let size):
            precondition(size.height >= 0 && size.width >= 0, "Conv2d: padding must not be negative, got \(size)")
        case .same:
            // As PyTorch: with a stride, no padding keeps the size.
            precondition(stride == 1, "Conv2d: padding \"same\" needs stride 1, got stride \(stride)")
        }
    }

    /// The convolution of a batch [n, inChannels, H, W].
    public func callAsFunction(_ input: Tensor) -> Tensor {
        output(for: input, activation: .identity)
    }

    /// activation(the convolution of `input`), as one recorded step.
    func output(for input: Tensor, activation: LinearActivation) -> Tensor {
        precondition(input.rank == 4 && input.shape[1] == inChannels,
                     "\(self): expected inputs [batch, \(inChannels), height, width], got shape \(input.shape)")
        return conv2d(input, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups,
                      activation: activation)
    }

    /// Visits "weight", then "bias" if the layer has one.
    public mutating func visitParameters(_ body: (_ name: String, _ parameter: inout Tensor) throws -> Void) rethrows {
        try body("weight", &weight)
        if bias != nil { try body("bias", &bias!) }
    }
}

extension Conv2d: CustomStringConvertible {
    /// "Conv2d(1, 32, kernel_size=3, stride=2)", PyTorch's form: the settings that are not
    /// defaults.
    public var description: String {
        var settings = ["\(inChannels)", "\(outChannels)", "kernel_size=\(kernelSize)"]
        if stride != 1 { settings.append("stride=\(stride)") }
        if padding != 0 { settings.append("padding=\(padding)") }
        if dilation != 1 { settings.append("dilation=\(dilation)") }
        if groups != 1 { settings.append("groups=\(groups)") }
        if bias == nil { settings.append("bias=False") }
        return "Conv2d(\(settings.joined(separator: ", ")))"
    }
}

extension Conv2d: SavableLayer {
    /// PyTorch's `nn.Conv2d`.
    public static let typeName = "conv2d"

    /// The largest kernel size, stride, padding or dilation a file may give: far beyond any real
    /// image, and small enough that no arithmetic on them can overflow.
    static let largestSpatialSetting = 1 << 20

    /// `in_channels`, `out_channels`, `kernel_size`, then `stride`, `padding`, `dilation`,
    /// `groups` and `bias` where they are not PyTorch's defaults; a size is one integer when
    /// equal along both axes, else `[height, width]`.
    public var configuration: LayerConfiguration {
        func field(_ size: Size2D) -> JSONValue {
            size.height == size.width ? .integer(Int64(size.height))
                                      : .array([.integer(Int64(size.height)), .integer(Int64(size.width))])
        }
        var fields: [(key: String, value: JSONValue)] = [
            (key: "in_channels", value: .integer(Int64(inChannels))),
            (key: "out_channels", value: .integer(Int64(outChannels))),
            (key: "kernel_size", value: field(kernelSize)),
        ]
        if stride != 1 { fields.append((key: "stride", value: field(stride))) }
        switch padding {
        case .same: fields.append((key: "padding", value: .string("same")))
        case .explicit(let size): if size != 0 { fields.append((key: "padding", value: field(size))) }
        }
        if dilation != 1 { fields.append((key: "dilation", value: field(dilation))) }
        if groups != 1 { fields.append((key: "groups", value: .integer(Int64(groups)))) }
        if bias == nil { fields.append((key: "bias", value: false)) }
        return LayerConfiguration(type: Self.typeName, fields: fields)
    }

    public init(configuration: LayerConfiguration, using generator: inout RandomGenerator) throws {
        try configuration.requireOnly(["in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation",
                                       "groups", "bias", "padding_mode"])
        let inChannels = try configuration.integer("in_channels", in: 1...Int.max)
        let outChannels = try configuration.integer("out_channels", in: 1...Int.max)
        let largest = Self.largestSpatialSetting
        let kernelSize = try configuration.size2D("kernel_size", in: 1...largest)
        let stride = try configuration.size2D("stride", default: 1, in: 1...largest)
        let dilation = try configuration.size2D("dilation", default: 1, in: 1...largest)
        let padding: Conv2dPadding
        if case .string = configuration["padding"] {
            // "valid" is PyTorch's name for no padding, which Descent writes as no field at all.
            if try configuration.string("padding", oneOf: ["same", "valid"]) == "valid" {
                padding = 0
            } else {
                guard stride == 1 else {
                    throw configuration.invalid("padding", expected: "\"same\" only with stride 1 (as PyTorch)",
                                                found: "\"same\" with stride \(stride)")
                }
                padding = .same
            }
        } else {
            padding = .explicit(try configuration.size2D("padding", default: 0, in: 0...largest))
        }
        let groups = try configuration.integer("groups", default: 1, in: 1...Int.max)
        guard inChannels % groups == 0 && outChannels % groups == 0 else {
            throw configuration.invalid("groups", expected: "a number of groups that divides in_channels (\(inChannels)) "
                                        + "and out_channels (\(outChannels))", found: "\(groups)")
        }
        let useBias = try configuration.boolean("bias", default: true)
        _ = try configuration.string("padding_mode", default: "zeros", oneOf: ["zeros"])
        // In Double, so that absurd sizes are refused instead of overflowing.
        let weights = Double(outChannels) * Double(inChannels / groups) * Double(kernelSize.height) * Double(kernelSize.width)
        try configuration.requireMemory(forElements: weights + Double(outChannels),
                                        what: "\(outChannels) × \(inChannels / groups) × \(kernelSize.height) × \(kernelSize.width) weights")
        self.init(inChannels: inChannels, outChannels: outChannels, kernelSize: kernelSize, stride: stride, padding: padding,
                  dilation: dilation, groups: groups, bias: useBias, using: &generator)
    }

    /// [outChannels, H′, W′] for an input [inChannels, H, W], H′ = ⌊(H + padding −
    /// dilation·(kernel − 1) − 1) / stride⌋ + 1 (and W′ alike); the padded input must be at least
    /// as large as the dilated kernel.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard inputShape.count == 3, inputShape[0] == inChannels else {
            throw LayerShapeError(expected: "images [\(inChannels), height, width]", found: inputShape, layer: description)
        }
        let spans = [dilation.height * (kernelSize.height - 1) + 1, dilation.width * (kernelSize.width - 1) + 1]
        let strides = [stride.height, stride.width]
        var sizes = [outChannels]
        for axis in 0..<2 {
            let padded: Int
            switch padding {
            case .same: padded = inputShape[axis + 1] + spans[axis] - 1
            case .explicit(let size): padded = inputShape[axis + 1] + 2 * (axis == 0 ? size.height : size.width)
            }
            guard inputShape[axis + 1] >= 1, padded >= spans[axis] else {
                throw LayerShapeError(expected: "images [\(inChannels), height, width] at least as large as the "
                                      + "kernel \(kernelSize) dilated by \(dilation), with padding \(padding)",
                                      found: inputShape, layer: description)
            }
            sizes.append((padded - spans[axis]) / strides[axis] + 1)
        }
        return sizes
    }
}

extension LayerConfiguration {
    /// The size at `key` (`defaultValue` when absent): one integer for both axes or a pair
    /// `[height, width]`, as PyTorch takes an int or a tuple, each in `range`.
    func size2D(_ key: String, default defaultValue: Size2D? = nil, in range: ClosedRange<Int>) throws -> Size2D {
        let expected = "an integer in \(range.lowerBound)…\(range.upperBound), or a pair of them [height, width]"
        guard let value = self[key] else {
            if let defaultValue { return defaultValue }
            throw invalid(key, expected: expected, found: "nothing")
        }
        func integer(_ value: JSONValue) -> Int? {
            let number: Int? = switch value {
            case let .integer(number): Int(exactly: number)
            case let .number(number): Int(exactly: number)
            default: nil
            }
            return number.flatMap { range.contains($0) ? $0 : nil }
        }
        if let both = integer(value) { return Size2D(both) }
        if case let .array(pair) = value, pair.count == 2, let height = integer(pair[0]), let width = integer(pair[1]) {
            return Size2D(height, width)
        }
        throw invalid(key, expected: expected, found: value.summary)
    }
}
