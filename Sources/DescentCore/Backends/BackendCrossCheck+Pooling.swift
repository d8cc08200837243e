// The pooling cases of `BackendCrossCheck`: max and average pooling, forward and backward, on
// windows that reach their corners (odd sizes, stride other than the kernel, padding, dilation,
// ceil mode, both divisors, empty batches, enough planes to be split across threads).

extension CrossCheckRun {
    /// (input [N, C, H, W], window); dilation is used by max pooling only.
    static let poolingCases: [([Int], PoolingWindow2d)] = [
        ([2, 3, 7, 5], PoolingWindow2d(kernelSize: 3, stride: 2, padding: 1)),
        ([1, 2, 6, 6], PoolingWindow2d(kernelSize: 2)),
        ([2, 1, 9, 7], PoolingWindow2d(kernelSize: Size2D(3, 2), stride: Size2D(2, 1), padding: Size2D(1, 0),
                                       dilation: Size2D(2, 1))),
        ([1, 1, 5, 5], PoolingWindow2d(kernelSize: 2, stride: 2, ceilMode: true)),
        ([3, 2, 8, 9], PoolingWindow2d(kernelSize: 3, stride: 2, padding: 1, ceilMode: true)),
        ([2, 3, 1, 1], PoolingWindow2d(kernelSize: 1)),
        ([0, 3, 4, 4], PoolingWindow2d(kernelSize: 2)),
        // 256 planes: split across threads.
        ([16, 16, 16, 16], PoolingWindow2d(kernelSize: 2)),
    ]

    /// The geometry of `window` on `shape`, with dilation 1 unless `dilated`.
    static func pooling(_ shape: [Int], _ window: PoolingWindow2d, dilated: Bool, countIncludePad: Bool = true)
        -> Pooling2d {
        var window = window
        if !dilated { window.dilation = 1 }
        let input = Size2D(shape[2], shape[3])
        return Pooling2d(window: window, input: input, output: window.outputSize(for: input)!,
                         countIncludePad: countIncludePad)
    }

    /// "[2, 3, 7, 5] kernel 3 stride 2 padding 1 dilation 1 ceil".
    static func poolingDetails(_ dtype: DType, _ shape: [Int], _ pooling: Pooling2d) -> String {
        let window = pooling.window
        return "\(dtype) \(shape) kernel \(window.kernelSize) stride \(window.stride) padding \(window.padding) "
            + "dilation \(window.dilation)\(window.ceilMode ? " ceil" : "")"
    }

    mutating func maxPool2d() {
        for dtype in [DType.float32, .float64] {
            for (index, (shape, window)) in Self.poolingCases.enumerated() {
                let pooling = Self.pooling(shape, window, dilated: true)
                let seed = 9000 + UInt64(index)
                // Exact: a choice of elements and of their positions. Coarse values tie often
                // (the first maximum wins); NaN wins over everything, −∞ may fill a window.
                let x = Self.coarse(shape, dtype, seed: seed)
                let withNaN = Self.sprinkled(x, with: [.nan, .infinity, -.infinity], seed: seed)
                for (input, note) in [(x, ""), (withNaN, ", with NaN and ∞")] {
                    check(.maxPool2d, Self.poolingDetails(dtype, shape, pooling) + note, [.exact, .exact],
                          names: ["values", "indices"]) { device in
                        let (values, indices) = device.backend.maxPool2d(input.to(device), pooling)
                        return [values, indices]
                    }
                    // Read through a ReLU: NaN and −0 become +0, windows of negatives tie at 0.
                    var throughReLU = pooling
                    throughReLU.appliesReLU = true
                    check(.maxPool2d, Self.poolingDetails(dtype, shape, pooling) + note + ", of relu(x)", [.exact, .exact],
                          names: ["values", "indices"]) { device in
                        let (values, indices) = device.backend.maxPool2d(input.to(device), throughReLU)
                        return [values, indices]
                    }
                }
            }
        }
    }

    mutating func maxPool2dBackward() {
        for dtype in [DType.float32, .float64] {
            for (index, (shape, window)) in Self.poolingCases.enumerated() {
                let pooling = Self.pooling(shape, window, dilated: true)
                let seed = 9100 + UInt64(index)
                let x = Self.coarse(shape, dtype, seed: seed)
                // The reference's positions, so that both scatter to the same places.
                let indices = reference.backend.maxPool2d(x.to(reference), pooling).indices
                let upstream = Self.normal([shape[0], shape[1], pooling.output.height, pooling.output.width], dtype,
                                           seed: seed + 50)
                // Exact: overlapping windows add their gradients in output order on both.
                check(.maxPool2dBackward, Self.poolingDetails(dtype, shape, pooling), .exact) { device in
                    device.backend.maxPool2dBackward(upstream.to(device), indices: indices.to(device), inputShape: shape, pooling)
                }
            }
        }
    }

    mutating func avgPool2d() {
        for dtype in [DType.float32, .float64] {
            for (index, (shape, window)) in Self.poolingCases.enumerated() {
                for countIncludePad in [true, false] {
                    let pooling = Self.pooling(shape, window, dilated: false, countIncludePad: countIncludePad)
                    let x = Self.normal(shape, dtype, seed: 9200 + UInt64(index))
                    // A sum of the window's elements, then one division.
                    let magnitude = referenceMagnitude { $0.backend.avgPool2d(absolute(x).to($0), pooling) }
                    let length = window.kernelSize.height * window.kernelSize.width + 1
                    check(.avgPool2d, Self.poolingDetails(dtype, shape, pooling) + " count_include_pad \(countIncludePad)",
                          .accumulation(length: length, magnitude: magnitude, dtype)) { device in
                        device.backend.avgPool2d(x.to(device), pooling)
                    }
                }
            }
        }
    }

    mutating func avgPool2dBackward() {
        for dtype in [DType.float32, .float64] {
            for (index, (shape, window)) in Self.poolingCases.enumerated() {
                for countIncludePad in [true, false] {
                    let pooling = Self.pooling(shape, window, dilated: false, countIncludePad: countIncludePad)
                    let upstream = Self.normal([shape[0], shape[1], pooling.output.height, pooling.output.width], dtype,
                                               seed: 9300 + UInt64(index))
                    // Each input sums the shares of the windows that cover it, in an order of the
                    // backend's choosing (the reference gathers, the CPU scatters).
                    let overlaps = ((window.kernelSize.height + window.stride.height - 1) / window.stride.height)
                        * ((window.kernelSize.width + window.stride.width - 1) / window.stride.width)
                    let magnitude = referenceMagnitude { $0.backend.avgPool2dBackward(absolute(upstream).to($0), pooling) }
                    check(.avgPool2dBackward, Self.poolingDetails(dtype, shape, pooling) + " count_include_pad \(countIncludePad)",
                          .accumulation(length: overlaps + 1, magnitude: magnitude, dtype)) { device in
                        device.backend.avgPool2dBackward(upstream.to(device), pooling)
                    }
                }
            }
        }
    }

    /// The rules of max and average pooling, through the public operations.
    mutating func poolingRule(_ rule: DerivativeRule, _ dtype: DType, seed: UInt64) {
        let shape = [2, 3, 7, 5]
        switch rule {
        case .maxPool2d:
            // Ties: the gradient goes to the first maximum on both devices.
            let x = Self.coarse(shape, dtype, seed: seed)
            checkRule(rule, "\(dtype) \(shape) kernel 3 stride 2 padding 1", at: [x], .exact) { xs in
                DescentCore.maxPool2d(xs[0], kernelSize: 3, stride: 2, padding: 1)
            }
        case .reluMaxPool2d:
            // Coarse values: ties, and windows with no positive input, whose gradient the rule masks.
            let x = Self.coarse(shape, dtype, seed: seed)
            checkRule(rule, "\(dtype) \(shape) kernel 3 stride 2 padding 1", at: [x], .exact) { xs in
                DescentCore.maxPool2d(reluOf: xs[0], kernelSize: 3, stride: 2, padding: 1)
            }
        case .avgPool2d:
            let x = Self.normal(shape, dtype, seed: seed)
            checkRule(rule, "\(dtype) \(shape) kernel 3 stride 2 padding 1 ceil", at: [x], .normwise(ulps: 2, length: 5)) { xs in
                DescentCore.avgPool2d(xs[0], kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false)
            }
        default:
            break
        }
    }
}
