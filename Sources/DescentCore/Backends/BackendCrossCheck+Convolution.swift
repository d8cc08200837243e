// The convolution's cases of `BackendCrossCheck`: the forward primitive and its two gradient
// primitives on geometries that reach every corner of the index arithmetic.

extension CrossCheckRun {
    /// (batch, channels in, height, width, channels out, kernel, stride, padding top/left/bottom/
    /// right, dilation, groups): odd sizes, a 1×1 kernel, stride 2 with padding 1, padding
    /// "same" with an even kernel (the odd extra row and column after the input), dilation 2,
    /// two groups with a stride that differs by axis, depthwise with two filters per channel, a
    /// (3, 1) kernel, an empty batch, and three large enough that the batch splits across threads
    /// (one even batch; an odd one with stride 2 and padding; a 1×1 one, which reads its input
    /// as the GEMM's matrix). The 3×3 ones with stride 1 and at least 8 channels take the CPU's
    /// Winograd path (WinogradConvolution.swift): the last three give it odd output sizes with
    /// padding that differs by side, padding 2 with batch 1, and a batch of several chunks. The
    /// next, a 5×5 kernel with strides 2 and 3 and padding that differs by side, takes im2col's
    /// loop for a stride other than 1 and 2. The last four take the CPU's path for stride 2
    /// through the input's phases (even sizes, the output half the input): two groups, a 4×4
    /// kernel (shifts of −1 to 1), padding only after, and a 1×1 kernel. The next seven are
    /// depthwise, which the CPU computes directly (depthwise.c): odd sizes, two filters per
    /// channel with dilation 2 and padding that differs by side, strides 3 and 2 with a 2×4
    /// kernel and dilation 2 across, padding wider than the kernel reaches, a 1×3 kernel with
    /// stride 2 (one row phase read), and two large enough that the planes split across threads
    /// (a 5×5 kernel with stride 2, and 3×3 with stride 1); then six filters per channel, a
    /// convolution of a single input channel (which the CPU leaves to im2col), and strides 4
    /// and 40 with dilation 2 down, where the rows' taps read two of four phases and the
    /// columns' three of forty. The next three have dilations that divide their sizes and
    /// paddings, and phases large enough, which the CPU computes as a convolution of the input's
    /// phases on the Winograd path (DilatedConvolution.swift): dilation 2 with padding "same",
    /// dilation 2 with paddings of 0 and 2 that differ by side, and dilation 3 with padding "same".
    /// The next three have filters larger than 3×3 and stride 1, which the CPU computes as 3×3
    /// blocks over the input's shifted copies on the Winograd path (BlockedFilterConvolution.swift):
    /// 5×5 with padding "same", 7×7 without padding, and 5×4 with padding that differs by side.
    /// The last, a 7×7 kernel with stride 2 and padding 3 over an image two columns wide (one
    /// column out), has kernel columns that read padding only (the CPU's im2col once wrote past
    /// its row there and stopped).
    static var convolutionGeometries: [Conv2dGeometry] {
        typealias Case = (n: Int, c: Int, h: Int, w: Int, o: Int, kernel: (Int, Int), stride: (Int, Int),
                          padding: (Int, Int, Int, Int), dilation: (Int, Int), groups: Int)
        let cases: [Case] = [
            (2, 3, 7, 5, 4, (3, 3), (1, 1), (0, 0, 0, 0), (1, 1), 1),
            (1, 5, 4, 3, 2, (1, 1), (1, 1), (0, 0, 0, 0), (1, 1), 1),
            (2, 2, 9, 8, 3, (3, 2), (2, 2), (1, 1, 1, 1), (1, 1), 1),
            (1, 2, 6, 5, 3, (4, 2), (1, 1), (1, 0, 2, 1), (1, 1), 1),
            (1, 2, 9, 9, 2, (3, 3), (1, 1), (2, 2, 2, 2), (2, 2), 1),
            (2, 4, 5, 6, 6, (3, 3), (1, 2), (1, 1, 1, 1), (1, 1), 2),
            (1, 3, 6, 6, 6, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 3),
            (2, 3, 5, 4, 2, (3, 1), (2, 1), (0, 0, 0, 0), (1, 1), 1),
            (0, 3, 5, 5, 2, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 1),
            (2, 8, 12, 12, 16, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 1),
            (3, 16, 15, 14, 16, (3, 3), (2, 2), (1, 1, 1, 1), (1, 1), 1),
            (5, 16, 12, 12, 32, (1, 1), (1, 1), (0, 0, 0, 0), (1, 1), 1),
            (3, 8, 11, 9, 10, (3, 3), (1, 1), (0, 2, 1, 0), (1, 1), 1),
            (1, 9, 5, 4, 8, (3, 3), (1, 1), (2, 2, 2, 2), (1, 1), 1),
            (9, 8, 20, 19, 12, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 1),
            (2, 3, 11, 13, 4, (5, 5), (2, 3), (2, 1, 0, 2), (1, 1), 1),
            (2, 4, 8, 10, 6, (3, 3), (2, 2), (1, 1, 1, 1), (1, 1), 2),
            (1, 3, 6, 8, 2, (4, 4), (2, 2), (1, 1, 1, 1), (1, 1), 1),
            (1, 2, 6, 6, 2, (3, 3), (2, 2), (0, 0, 1, 1), (1, 1), 1),
            (2, 3, 6, 4, 2, (1, 1), (2, 2), (0, 0, 0, 0), (1, 1), 1),
            (2, 4, 7, 9, 4, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 4),
            (2, 3, 9, 8, 6, (3, 3), (1, 1), (2, 0, 1, 2), (2, 2), 3),
            (1, 4, 11, 10, 4, (2, 4), (3, 2), (1, 2, 0, 3), (1, 2), 4),
            (1, 2, 5, 6, 2, (3, 3), (2, 2), (4, 4, 4, 4), (1, 1), 2),
            (2, 2, 7, 7, 2, (1, 3), (2, 2), (0, 1, 0, 1), (1, 1), 2),
            (9, 16, 14, 13, 16, (5, 5), (2, 2), (2, 2, 2, 2), (1, 1), 16),
            (5, 8, 12, 12, 8, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 8),
            (3, 2, 9, 10, 12, (3, 3), (1, 1), (0, 0, 0, 0), (1, 1), 2),
            (2, 1, 12, 11, 5, (5, 5), (2, 2), (2, 1, 2, 1), (1, 1), 1),
            (2, 2, 13, 12, 2, (5, 3), (4, 40), (2, 1, 2, 1), (2, 1), 2),
            (2, 8, 24, 24, 12, (3, 3), (1, 1), (2, 2, 2, 2), (2, 2), 1),
            (1, 8, 26, 28, 8, (3, 3), (1, 1), (0, 2, 2, 0), (2, 2), 1),
            (2, 8, 36, 36, 8, (3, 3), (1, 1), (3, 3, 3, 3), (3, 3), 1),
            (2, 8, 14, 14, 16, (5, 5), (1, 1), (2, 2, 2, 2), (1, 1), 1),
            (1, 4, 18, 19, 8, (7, 7), (1, 1), (0, 0, 0, 0), (1, 1), 1),
            (3, 3, 13, 13, 8, (5, 4), (1, 1), (1, 3, 2, 0), (1, 1), 1),
            (2, 3, 5, 2, 4, (7, 7), (2, 2), (3, 3, 3, 3), (1, 1), 1),
        ]
        return cases.map { s in
            Conv2dGeometry(batch: s.n, inChannels: s.c, height: s.h, width: s.w, outChannels: s.o,
                           kernelHeight: s.kernel.0, kernelWidth: s.kernel.1, strideY: s.stride.0, strideX: s.stride.1,
                           padTop: s.padding.0, padLeft: s.padding.1, padBottom: s.padding.2, padRight: s.padding.3,
                           dilationY: s.dilation.0, dilationX: s.dilation.1, groups: s.groups)
        }
    }

    static func describe(_ s: Conv2dGeometry) -> String {
        "\(s.inputShape) ⊛ \(s.weightShape) stride (\(s.strideY), \(s.strideX)) padding (\(s.padTop), \(s.padLeft), "
            + "\(s.padBottom), \(s.padRight)) dilation (\(s.dilationY), \(s.dilationX)) groups \(s.groups)"
    }

    mutating func conv2d() {
        for dtype in [DType.float32, .float64] {
            for (index, geometry) in Self.convolutionGeometries.enumerated() {
                // ReLU (fused into the convolution's output) changes no error bound: it moves no
                // two values further apart.
                for (hasBias, activation) in [(true, LinearActivation.identity), (false, .identity), (true, .relu)] {
                    let seed = 1600 + 3 * UInt64(index)
                    let x = Self.normal(geometry.inputShape, dtype, seed: seed)
                    let weight = Self.normal(geometry.weightShape, dtype, seed: seed + 1)
                    let bias = hasBias ? Self.normal([geometry.outChannels], dtype, seed: seed + 2) : nil
                    // Each output is a sum over one group's channels and the kernel, plus the bias.
                    let magnitude = referenceMagnitude { device in
                        device.backend.conv2d(absolute(x).to(device), weight: absolute(weight).to(device),
                                              bias: bias.map { absolute($0).to(device) }, geometry)
                    }
                    let fused = activation == .relu ? ", relu fused" : ""
                    check(.conv2d, "\(dtype) \(Self.describe(geometry)) \(hasBias ? "+ bias" : "without bias")\(fused)",
                          .accumulation(length: geometry.im2colRows + 1, magnitude: magnitude, dtype)) { device in
                        device.backend.conv2d(x.to(device), weight: weight.to(device), bias: bias.map { $0.to(device) }, geometry,
                                              activation: activation)
                    }
                }
            }
        }
    }

    mutating func keepWherePositiveWithChannelSums() {
        // Convolution outputs, one split across threads; a dense layer's [N, C]; one channel;
        // 1×1 planes; an empty batch; and outputs with NaN, −0 and +0 (none positive).
        let shapes: [[Int]] = [[2, 3, 5, 4], [64, 32, 14, 14], [5, 7], [3, 1, 9, 11], [4, 6, 1, 1], [0, 3, 2, 2]]
        for dtype in [DType.float32, .float64] {
            for (index, shape) in shapes.enumerated() {
                let seed = 1750 + 2 * UInt64(index)
                let upstream = Self.normal(shape, dtype, seed: seed)
                var outputValues = Self.normal(shape, dtype, seed: seed + 1).doubles()
                for (position, special) in [Double.nan, -0.0, 0.0].enumerated() where position < outputValues.count {
                    outputValues[position * 3] = special
                }
                let output = Tensor(doubles: outputValues, shape: shape, dtype: dtype)
                // Each sum has N·(H·W) terms of at most the largest |ḡ|.
                let length = shape.isEmpty ? 0 : shape.reduce(1, *) / Swift.max(shape[1], 1)
                let sums = CrossCheckTolerance.accumulation(
                    length: length, magnitude: Double(length) * largestMagnitude(upstream), dtype)
                check(.keepWherePositiveWithChannelSums, "\(dtype) \(shape)", [.exact, sums], names: ["kept", "sums"]) {
                    let (kept, sums) = $0.backend.keepWherePositiveWithChannelSums(upstream.to($0), output: output.to($0))
                    return [kept, sums]
                }
            }
        }
    }

    mutating func conv2dInputGradient() {
        for dtype in [DType.float32, .float64] {
            for (index, geometry) in Self.convolutionGeometries.enumerated() {
                let seed = 1700 + 2 * UInt64(index)
                let upstream = Self.normal(geometry.outputShape, dtype, seed: seed)
                let weight = Self.normal(geometry.weightShape, dtype, seed: seed + 1)
                // An input element receives at most one term per output channel of its group and
                // kernel position.
                let magnitude = referenceMagnitude { device in
                    device.backend.conv2dInputGradient(absolute(upstream).to(device), weight: absolute(weight).to(device), geometry)
                }
                let length = geometry.groupOutChannels * geometry.kernelHeight * geometry.kernelWidth
                check(.conv2dInputGradient, "\(dtype) \(Self.describe(geometry))",
                      .accumulation(length: length, magnitude: magnitude, dtype)) { device in
                    device.backend.conv2dInputGradient(upstream.to(device), weight: weight.to(device), geometry)
                }
            }
        }
    }

    mutating func conv2dWeightGradient() {
        for dtype in [DType.float32, .float64] {
            for (index, geometry) in Self.convolutionGeometries.enumerated() {
                let seed = 1800 + 2 * UInt64(index)
                let upstream = Self.normal(geometry.outputShape, dtype, seed: seed)
                let x = Self.normal(geometry.inputShape, dtype, seed: seed + 1)
                // A weight meets one input per example and output position.
                let magnitude = referenceMagnitude { device in
                    device.backend.conv2dWeightGradient(absolute(upstream).to(device), input: absolute(x).to(device), geometry)
                }
                let length = geometry.batch * geometry.outHeight * geometry.outWidth
                check(.conv2dWeightGradient, "\(dtype) \(Self.describe(geometry))",
                      .accumulation(length: length, magnitude: magnitude, dtype)) { device in
                    device.backend.conv2dWeightGradient(upstream.to(device), input: x.to(device), geometry)
                }
            }
        }
    }
}
