// `--workloads convolutions`: one convolution layer's training step — forward, then the input's
// and the filters' gradients — on a batch of 64, microseconds per step (median of 30 after 3
// uncounted), on the shapes where the CPU's ways of convolving compete: filters larger than
// 3×3 (BlockedFilterConvolution.swift) against im2col, which `DESCENT_CONVOLUTION=im2col` in the
// environment forces, to compare both in one build; and im2col on small outputs, whose products
// take several examples side by side (ConvolutionKernels.swift).
import Descent

/// (name, input [N, C, H, W], filters [O, C, kh, kw], padding, stride).
let convolutionSteps: [(String, [Int], [Int], Int, Int)] = [
    ("conv_step_6to16_5x5_12", [64, 6, 12, 12], [16, 6, 5, 5], 0, 1),
    ("conv_step_8to16_5x5_14", [64, 8, 14, 14], [16, 8, 5, 5], 2, 1),
    ("conv_step_16to32_5x5_14", [64, 16, 14, 14], [32, 16, 5, 5], 2, 1),
    ("conv_step_32to64_5x5_14", [64, 32, 14, 14], [64, 32, 5, 5], 2, 1),
    ("conv_step_32to32_5x5_28", [64, 32, 28, 28], [32, 32, 5, 5], 2, 1),
    ("conv_step_32to64_5x5_7", [64, 32, 7, 7], [64, 32, 5, 5], 2, 1),
    ("conv_step_64to64_5x5_7", [64, 64, 7, 7], [64, 64, 5, 5], 2, 1),
    ("conv_step_16to32_7x7_28", [64, 16, 28, 28], [32, 16, 7, 7], 3, 1),
    ("conv_step_32to64_7x7_14", [64, 32, 14, 14], [64, 32, 7, 7], 3, 1),
    ("conv_step_32to64_4x4_14", [64, 32, 14, 14], [64, 32, 4, 4], 0, 1),
    ("conv_step_64to64_3x3s2_14", [64, 64, 14, 14], [64, 64, 3, 3], 1, 2),
    ("conv_step_32to64_3x3s2_28", [64, 32, 28, 28], [64, 32, 3, 3], 1, 2),
]

@MainActor func convolutionSteps(json: Bool) {
    for (name, input, filters, padding, stride) in convolutionSteps {
        let parameters = [Tensor.randomNormal(input, seed: 1), Tensor.randomNormal(filters, seed: 2),
                          Tensor.randomNormal([filters[0]], seed: 3)]
        let padding = Conv2dPadding.explicit(Size2D(padding, padding))
        let step = {
            _ = valueWithGradient(at: parameters) { p in conv2d(p[0], weight: p[1], bias: p[2], stride: Size2D(stride, stride), padding: padding).sum() }
        }
        for _ in 0..<3 { step() }
        var times: [Double] = []
        for _ in 0..<30 { times.append(seconds(step)) }
        record(name + "_us", median(of: times) * 1e6, json: json)
    }
}
