// Convolutions with filters larger than 3×3 (5×5, 7×7, …) as 3×3 convolutions, so that they
// take Winograd's path. Padded with zeros to a multiple of 3 on each side, a k×k filter is a
// grid of 3×3 blocks; block (a, b) starts at tap (3a, 3b), so it sees the padded input shifted
// by 3a rows and 3b columns:
//
//     y[o, i, j] = Σ_(a,b) Σ_c Σ_(u,v < 3) w[o, c, 3a + u, 3b + v] · xₚ[c, i + 3a + u, j + 3b + v]
//
// with xₚ the input padded as the convolution pads it. Each shifted copy of the input, cut to
// the output's size plus 2, becomes a group of channels of one stacked input — block by block,
// the input's channels in order — and the blocks of the filter its matching input channels: a
// 3×3 convolution without padding of the stacked input with the stacked filters is the
// convolution. Its input's gradient, stacked, adds back onto the input at the same shifts; its
// filters' gradient, unstacked, is the filters' gradient (the taps past the filter dropped).
//
// A 5×5 filter becomes 2×2 blocks of 3×3 (36 taps for 25: the padded ones multiply zeros), and
// Winograd's F(4×4, 3×3) does 2.25 multiplications per tap block and output: 9 per output and
// pair of channels instead of im2col's 25. The stacked input costs 4 copies of the input (9
// for a 7×7 filter), written once forward and once more for the filters' gradient. Filters
// whose blocks are mostly padding do not pay for it: 4×4 ones (16 taps of 36) took 30 % longer
// than im2col.

extension Conv2dGeometry {
    /// The 3×3 blocks of the filter down and across: ⌈k / 3⌉ each way.
    var filterBlocks: (down: Int, across: Int) { ((kernelHeight + 2) / 3, (kernelWidth + 2) / 3) }

    /// The 3×3 convolution (no padding, stride 1) of the stacked shifted copies of the input
    /// with the filters' stacked 3×3 blocks, when this convolution is computed as that: float32
    /// callers only, filters at least 3×3 each way and larger than 3×3, at least half of the
    /// blocks' taps the filter's own, stride 1, no dilation, one group, an output of at least
    /// ``minimumBlockOutput`` on each side, a stacked convolution that takes the Winograd path
    /// (the reason for the detour; it needs 8 channels in, so a first layer of one or three
    /// channels keeps im2col). Larger batches go through in runs of examples (``blockChunks(limit:)``).
    var blockConvolution: Conv2dGeometry? {
        let (down, across) = filterBlocks
        guard kernelHeight >= 3, kernelWidth >= 3, kernelHeight * kernelWidth > 9,
              2 * kernelHeight * kernelWidth >= 9 * down * across, strideY == 1, strideX == 1, dilationY == 1,
              dilationX == 1, groups == 1, outHeight >= Self.minimumBlockOutput, outWidth >= Self.minimumBlockOutput,
              stackedGeometry.usesWinograd else { return nil }
        return stackedGeometry
    }

    /// The 3×3 convolution without padding of the stacked input, whether or not it is taken.
    fileprivate var stackedGeometry: Conv2dGeometry {
        let (down, across) = filterBlocks
        return Conv2dGeometry(batch: batch, inChannels: down * across * inChannels, height: outHeight + 2,
                              width: outWidth + 2, outChannels: outChannels, kernelHeight: 3, kernelWidth: 3,
                              strideY: 1, strideX: 1, padTop: 0, padLeft: 0, padBottom: 0, padRight: 0,
                              dilationY: 1, dilationX: 1, groups: 1)
    }

    /// The runs of examples, in order, whose stacked inputs hold at most `limit` values each
    /// (one example at least); a single empty run for an empty batch.
    func blockChunks(limit: Int = stackedInputLimit) -> [Range<Int>] {
        let perExample = stackedGeometry.inputShape.dropFirst().reduce(1, *)
        let size = max(1, limit / max(1, perExample))
        guard batch > 0 else { return [0..<0] }
        return stride(from: 0, to: batch, by: size).map { $0..<min(batch, $0 + size) }
    }

    /// This convolution on `examples` of its batch.
    func onExamples(_ examples: Range<Int>) -> Conv2dGeometry {
        var geometry = self
        geometry.batch = examples.count
        return geometry
    }

    /// The smallest height and width of an output worth the detour, measured on one layer's
    /// training step (`descent-bench --workloads convolutions`, two threads, Zen 4): 7×7 outputs
    /// took 20–30 % longer than through im2col, 14×14 ones 10–30 % less.
    static let minimumBlockOutput = 12

    /// The most values a stacked input may hold: 64 MB of float32. Larger batches go through in
    /// runs of examples, so that the copies stay within it.
    static let stackedInputLimit = 1 << 24
}

extension CPUBackend {
    /// The float32 convolution `s` (which has a ``Conv2dGeometry/blockConvolution``) as 3×3
    /// convolutions of the stacked input, in runs of examples whose stacked inputs hold at most
    /// `limit` values.
    func blockConv2d(_ input: Tensor, weight: Tensor, bias: Tensor?, _ s: Conv2dGeometry, activation: LinearActivation,
                     limit: Int = Conv2dGeometry.stackedInputLimit) -> Tensor {
        let filters = stackFilterBlocks(weight, s)
        return joiningExamples(s.blockChunks(limit: limit), shape: s.outputShape) { run in
            let chunk = s.onExamples(run)
            return conv2d(stackShiftedCopies(examples(of: input, run), chunk), weight: filters, bias: bias,
                          chunk.stackedGeometry, activation: activation)
        }
    }

    /// The input's gradient of ``blockConv2d(_:weight:bias:_:activation:limit:)``.
    func blockConv2dInputGradient(_ upstream: Tensor, weight: Tensor, _ s: Conv2dGeometry,
                                  limit: Int = Conv2dGeometry.stackedInputLimit) -> Tensor {
        let filters = stackFilterBlocks(weight, s)
        return joiningExamples(s.blockChunks(limit: limit), shape: s.inputShape) { run in
            let chunk = s.onExamples(run)
            return addShiftedCopies(conv2dInputGradient(examples(of: upstream, run), weight: filters, chunk.stackedGeometry),
                                    chunk)
        }
    }

    /// The filters' gradient of ``blockConv2d(_:weight:bias:_:activation:limit:)``: the runs'
    /// stacked gradients summed in order, then unstacked.
    func blockConv2dWeightGradient(_ upstream: Tensor, input: Tensor, _ s: Conv2dGeometry,
                                   limit: Int = Conv2dGeometry.stackedInputLimit) -> Tensor {
        var sum: Tensor?
        for run in s.blockChunks(limit: limit) {
            let chunk = s.onExamples(run)
            let part = conv2dWeightGradient(examples(of: upstream, run), input: stackShiftedCopies(examples(of: input, run), chunk),
                                            chunk.stackedGeometry)
            if let total = sum {
                let (values, added) = (total.storage.typed(Float.self), UnsafePointer(part.storage.typed(Float.self)))
                for i in 0..<part.scalarCount { values[i] += added[i] }
            } else {
                sum = part
            }
        }
        return unstackFilterBlocks(sum ?? filled(with: 0, shape: s.stackedGeometry.weightShape, dtype: .float32), s)
    }

    /// Examples `range` of the float32 batch `x` (the tensor itself when that is all of it).
    private func examples(of x: Tensor, _ range: Range<Int>) -> Tensor {
        guard range.count != x.shape[0] else { return x }
        let perExample = x.shape.dropFirst().reduce(1, *)
        let part = TensorStorage(uninitializedCount: range.count * perExample, dtype: .float32, device: .cpu)
        part.typed(Float.self).initialize(from: x.storage.typed(Float.self) + range.lowerBound * perExample,
                                          count: range.count * perExample)
        return Tensor(shape: [range.count] + x.shape.dropFirst(), storage: part)
    }

    /// The float32 batch of `shape` made of `body(run)` for each run of examples, in order (the
    /// one result itself when there is one run).
    private func joiningExamples(_ runs: [Range<Int>], shape: [Int], _ body: (Range<Int>) -> Tensor) -> Tensor {
        if runs.count == 1 { return body(runs[0]) }
        let perExample = shape.dropFirst().reduce(1, *)
        let output = TensorStorage(uninitializedCount: shape.reduce(1, *), dtype: .float32, device: .cpu)
        for run in runs {
            let part = body(run)
            (output.typed(Float.self) + run.lowerBound * perExample).initialize(from: part.storage.typed(Float.self),
                                                                               count: run.count * perExample)
        }
        return Tensor(shape: shape, storage: output)
    }

    /// The input of the float32 convolution `s` as the stacked input of
    /// ``Conv2dGeometry/blockConvolution``: [N, blocks·C, outHeight + 2, outWidth + 2], channel
    /// block·C + c of example n the padded input's channel c shifted up by 3a rows and left by
    /// 3b columns, block = a·(blocks across) + b, zero where the shift reads padding.
    func stackShiftedCopies(_ x: Tensor, _ s: Conv2dGeometry) -> Tensor {
        let (down, across) = s.filterBlocks
        let (height, width) = (s.outHeight + 2, s.outWidth + 2)
        let shape = [s.batch, down * across * s.inChannels, height, width]
        let output = TensorStorage(uninitializedCount: shape.reduce(1, *), dtype: .float32, device: .cpu)
        let pointers = UncheckedSendable((UnsafePointer(x.storage.typed(Float.self)), output.typed(Float.self)))
        forEachShift(s) { imageOffset, copyOffset, rows, columns, shift in
            let (image, copy) = (pointers.value.0 + imageOffset, pointers.value.1 + copyOffset)
            for row in 0..<height {
                let line = copy + row * width
                guard let sourceRow = rows(row) else {
                    line.initialize(repeating: 0, count: width)
                    continue
                }
                line.initialize(repeating: 0, count: columns.lowerBound)
                (line + columns.lowerBound).initialize(from: image + sourceRow * s.width + columns.lowerBound + shift,
                                                       count: columns.count)
                (line + columns.upperBound).initialize(repeating: 0, count: width - columns.upperBound)
            }
        }
        return Tensor(shape: shape, storage: output)
    }

    /// The gradient of ``stackShiftedCopies(_:_:)``: each copy's gradient added back onto the
    /// input at its shift, blocks in order, [N, C, H, W].
    func addShiftedCopies(_ stacked: Tensor, _ s: Conv2dGeometry) -> Tensor {
        let (height, width) = (s.outHeight + 2, s.outWidth + 2)
        let output = TensorStorage(zeroedCount: s.inputShape.reduce(1, *), dtype: .float32, device: .cpu)
        let pointers = UncheckedSendable((UnsafePointer(stacked.storage.typed(Float.self)), output.typed(Float.self)))
        forEachShift(s) { imageOffset, copyOffset, rows, columns, shift in
            let (copy, image) = (pointers.value.0 + copyOffset, pointers.value.1 + imageOffset)
            for row in 0..<height {
                guard let sourceRow = rows(row) else { continue }
                let line = copy + row * width, imageRow = image + sourceRow * s.width + shift
                for column in columns { imageRow[column] += line[column] }
            }
        }
        return Tensor(shape: s.inputShape, storage: output)
    }

    /// Calls `body(imageOffset, copyOffset, rows, columns, shift)` for every (example, channel)
    /// plane of the input and every block of the filter, blocks in order within a plane (so that
    /// sums over blocks are always made in the same order), planes split over the threads: the
    /// plane starts `imageOffset` values into the input, its shifted copy `copyOffset` values
    /// into the stacked input. Row r of the copy is input row `rows(r)` (nil: padding); its
    /// columns in `columns` are input columns `shift` further on, the others padding.
    private func forEachShift(
        _ s: Conv2dGeometry,
        _ body: (_ imageOffset: Int, _ copyOffset: Int, _ rows: (Int) -> Int?, _ columns: Range<Int>, _ shift: Int) -> Void
    ) {
        let (down, across) = s.filterBlocks
        let (height, width) = (s.outHeight + 2, s.outWidth + 2)
        let planeCount = s.batch * s.inChannels
        Parallel.forEachChunk(count: planeCount, minimumChunk: max(1, (1 << 14) / max(1, down * across * height * width))) { planes in
            for plane in planes {
                for a in 0..<down {
                    // Row r of the copy is padded row r + 3a: input row r + 3a − padTop.
                    let rowShift = 3 * a - s.padTop
                    let rows = { (row: Int) -> Int? in
                        let sourceRow = row + rowShift
                        return sourceRow >= 0 && sourceRow < s.height ? sourceRow : nil
                    }
                    for b in 0..<across {
                        let shift = 3 * b - s.padLeft
                        let lower = min(width, max(0, -shift)), upper = max(lower, min(width, s.width - shift))
                        let (example, channel) = plane.quotientAndRemainder(dividingBy: s.inChannels)
                        let copy = (example * down * across + a * across + b) * s.inChannels + channel
                        body(plane * s.height * s.width, copy * height * width, rows, lower..<upper, shift)
                    }
                }
            }
        }
    }

    /// The filters [O, C, kh, kw] of `s` as the stacked filters of
    /// ``Conv2dGeometry/blockConvolution``, [O, blocks·C, 3, 3]: channel block·C + c holds taps
    /// (3a + u, 3b + v) of channel c, zero past the filter's edge.
    func stackFilterBlocks(_ weight: Tensor, _ s: Conv2dGeometry) -> Tensor {
        let (down, across) = s.filterBlocks
        let shape = [s.outChannels, down * across * s.inChannels, 3, 3]
        let output = TensorStorage(zeroedCount: shape.reduce(1, *), dtype: .float32, device: .cpu)
        let (w, stacked) = (weight.storage.typed(Float.self), output.typed(Float.self))
        forEachFilterTap(s) { filterIndex, stackedIndex in stacked[stackedIndex] = w[filterIndex] }
        return Tensor(shape: shape, storage: output)
    }

    /// The gradient of ``stackFilterBlocks(_:_:)``: the stacked filters' gradient [O, blocks·C,
    /// 3, 3] as the filters' gradient [O, C, kh, kw] (the padded taps' gradients dropped).
    func unstackFilterBlocks(_ stacked: Tensor, _ s: Conv2dGeometry) -> Tensor {
        let output = TensorStorage(uninitializedCount: s.weightShape.reduce(1, *), dtype: .float32, device: .cpu)
        let (blocks, w) = (stacked.storage.typed(Float.self), output.typed(Float.self))
        forEachFilterTap(s) { filterIndex, stackedIndex in w[filterIndex] = blocks[stackedIndex] }
        return Tensor(shape: s.weightShape, storage: output)
    }

    /// Calls `body(filterIndex, stackedIndex)` for every tap of the filters [O, C, kh, kw] of
    /// `s` with its place in the stacked filters.
    private func forEachFilterTap(_ s: Conv2dGeometry, _ body: (_ filterIndex: Int, _ stackedIndex: Int) -> Void) {
        let across = s.filterBlocks.across
        let stackedChannels = s.filterBlocks.down * across * s.inChannels
        for o in 0..<s.outChannels {
            for c in 0..<s.inChannels {
                for u in 0..<s.kernelHeight {
                    for v in 0..<s.kernelWidth {
                        let block = (u / 3) * across + v / 3
                        let stackedIndex = ((o * stackedChannels + block * s.inChannels + c) * 3 + u % 3) * 3 + v % 3
                        body(((o * s.inChannels + c) * s.kernelHeight + u) * s.kernelWidth + v, stackedIndex)
                    }
                }
            }
        }
    }
}
