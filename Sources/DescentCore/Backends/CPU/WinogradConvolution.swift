import CDescentKernels
import Foundation

// 3×3 convolutions with stride 1 by Winograd's minimal filtering F(4×4, 3×3) (winograd.c has the
// formulas): each 4×4 block of the output costs 36 multiplications per pair of channels instead
// of 144, so the three products of a training step — forward, the input's gradient and the
// filters' gradient — do up to 4 times fewer multiply-adds than im2col's. The multiplications
// are 36 GEMMs, one per position ξ of the 6×6 transformed blocks, over a chunk of examples'
// blocks at once; the transforms on either side are additions and small multiples. Rounding
// differs from the direct sum by a little more than im2col's (the cross-check's convolution
// tolerances hold it; WinogradTests holds it to 1e-5 of the largest output).
//
// F(2×2, 3×3) (16 multiplications per 2×2 block, 4 per output) was tried first: in W3's step it
// saved about half as much (the step 9–16 % shorter than im2col's, against about 25 %).
//
// The batch is split over the threads as im2col's path splits it (see ConvolutionKernels.swift):
// each thread takes a run of examples and its own scratch for their transformed inputs and
// products.
//
// `DESCENT_CONVOLUTION=im2col` in the environment turns it off (read once per process), to
// compare the two ways in one build.

extension Conv2dGeometry {
    /// Whether the CPU backend computes this float32 convolution (forward and filter gradient)
    /// by Winograd's F(4×4, 3×3): 3×3 filters, stride 1, no dilation, one group, padding at most 2
    /// on every side (so that the input's gradient is such a convolution too), and at least 8
    /// channels in and out (with fewer, the 36 products are too thin for GEMM to pay for the
    /// transforms: the first layer of an image network, one or three channels in, keeps im2col),
    /// and at most ``winogradFilterLimit`` transformed filter values.
    var usesWinograd: Bool {
        winogradIsEnabled && kernelHeight == 3 && kernelWidth == 3 && strideY == 1 && strideX == 1
            && dilationY == 1 && dilationX == 1 && groups == 1
            && [padTop, padLeft, padBottom, padRight].allSatisfy { (0...2).contains($0) }
            && inChannels >= 8 && outChannels >= 8 && outHeight >= 2 && outWidth >= 2
            && 36 * inChannels * outChannels <= Self.winogradFilterLimit
    }

    /// The most transformed filter values (36 per pair of channels, 4 times the filters
    /// themselves) the Winograd path builds per call: 64 MB of float32. Wider layers keep
    /// im2col rather than allocate that much beside their weights.
    static let winogradFilterLimit = 1 << 24

    /// Whether the input's gradient is computed by Winograd's F(4×4, 3×3), as the convolution
    /// ``inputGradientGeometry``.
    var usesWinogradForInputGradient: Bool { usesWinograd && height >= 2 && width >= 2 }

    /// The input's gradient of a 3×3 convolution with stride 1 as a convolution itself: the
    /// output's gradient (the output's channels in) convolved with the filters turned half a turn
    /// (the input's channels out), padded by 2 − p where the forward padded by p, which makes it
    /// the input's size.
    var inputGradientGeometry: Conv2dGeometry {
        Conv2dGeometry(batch: batch, inChannels: outChannels, height: outHeight, width: outWidth,
                       outChannels: inChannels, kernelHeight: 3, kernelWidth: 3, strideY: 1, strideX: 1,
                       padTop: 2 - padTop, padLeft: 2 - padLeft, padBottom: 2 - padBottom, padRight: 2 - padRight,
                       dilationY: 1, dilationX: 1, groups: 1)
    }

    /// The output's 4×4 blocks down and across (the last row or column of blocks is cut by the
    /// edge when the output's size is not a multiple of 4).
    fileprivate var winogradBlocks: (high: Int, wide: Int) { ((outHeight + 3) / 4, (outWidth + 3) / 4) }

    /// Examples whose blocks go through the 36 products together: up to 96 columns, enough for
    /// GEMM's panels, while a chunk's transformed inputs and products (36 × (in + out channels)
    /// values per column) stay in the L2 cache. W3's second convolution has 36 blocks an
    /// example: chunks of 2. (Chunks of 1, 2, 7, 14 and 32 examples took 35, 35, 40, 47 and 58 ms
    /// per W3 step on 2 threads: past the L2 cache, the two threads wait on memory.)
    fileprivate var winogradChunk: Int {
        let blocks = winogradBlocks.high * winogradBlocks.wide
        return max(1, min(batch, 96 / blocks))
    }
}

/// The positions ξ of F(4×4, 3×3)'s transformed 6×6 blocks: one GEMM each.
private let winogradPositions = 36

/// The distance between two positions' `channels`×`ld` matrices in a transformed array: one
/// cache line more than the matrix, so that the 36 values of a block, which the transforms
/// read or write together, fall in 36 different cache sets. (With `ld` a multiple of the
/// micro-kernel's 32 columns, the matrices' own size is a multiple of 4 KB for 32 or more
/// channels: every position in the same sets of the L1 cache, which made the transforms a
/// third slower.)
private func positionStride(_ channels: Int, _ ld: Int) -> Int { channels * ld + 16 }

/// Whether `DESCENT_CONVOLUTION` leaves Winograd's way on (anything but `im2col`).
private let winogradIsEnabled = ProcessInfo.processInfo.environment["DESCENT_CONVOLUTION"] != "im2col"

extension CPUBackend {
    func winogradConv2d(_ input: Tensor, weight: Tensor, bias: Tensor?, _ s: Conv2dGeometry,
                        activation: LinearActivation) -> Tensor {
        let output = TensorStorage(uninitializedCount: s.outputShape.reduce(1, *), dtype: .float32, device: .cpu)
        withPackedFilters(weight, s, flipped: false) { filters in
            winogradConvolve(UnsafePointer(input.storage.typed(Float.self)), filters: filters,
                             bias: bias.map { UnsafePointer($0.storage.typed(Float.self)) }, activation: activation,
                             into: output.typed(Float.self), s)
        }
        return Tensor(shape: s.outputShape, storage: output)
    }

    func winogradConv2dInputGradient(_ upstream: Tensor, weight: Tensor, _ s: Conv2dGeometry) -> Tensor {
        let output = TensorStorage(uninitializedCount: s.inputShape.reduce(1, *), dtype: .float32, device: .cpu)
        withPackedFilters(weight, s, flipped: true) { filters in
            winogradConvolve(UnsafePointer(upstream.storage.typed(Float.self)), filters: filters, bias: nil,
                             activation: .identity, into: output.typed(Float.self), s.inputGradientGeometry)
        }
        return Tensor(shape: s.inputShape, storage: output)
    }

    func winogradConv2dWeightGradient(_ upstream: Tensor, input: Tensor, _ s: Conv2dGeometry) -> Tensor {
        let (channelsIn, channelsOut) = (s.inChannels, s.outChannels)
        let (blocksHigh, blocksWide) = s.winogradBlocks
        let blocks = blocksHigh * blocksWide
        let chunk = s.winogradChunk, ld = chunk * blocks
        let x = UnsafePointer(input.storage.typed(Float.self)), g = UnsafePointer(upstream.storage.typed(Float.self))
        // Each run of examples sums the transformed filters' gradient ∂U into its own part,
        // added up in part order at the end (as im2col's path does), so that the result does not
        // depend on which thread finishes first; then one transform gives the filters' gradient.
        let transformedCount = winogradPositions * channelsOut * channelsIn
        // At least one part, which an empty batch leaves zero: its filters' gradient is zero.
        let parts = max(1, exampleRunCount(s))
        let sums = UnsafeMutablePointer<Float>.allocate(capacity: parts * transformedCount)
        sums.initialize(repeating: 0, count: parts * transformedCount)
        defer { sums.deallocate() }
        let (inputStride, productStride) = (positionStride(channelsIn, ld), positionStride(channelsOut, ld))
        forEachExampleRun(s, scratchCount: winogradPositions * (inputStride + productStride), Float.self) { examples, part, scratch, gemmThreads in
            let inputs = scratch, products = scratch + winogradPositions * inputStride
            let sum = sums + part * transformedCount
            for start in stride(from: examples.lowerBound, to: examples.upperBound, by: chunk) {
                let count = min(chunk, examples.upperBound - start)
                for e in 0..<count {
                    descent_winograd_f43_inputs(x + (start + e) * channelsIn * s.height * s.width, channelsIn, s.height, s.width,
                                                s.padTop, s.padLeft, blocksHigh, blocksWide, inputs, inputStride, e * blocks, ld)
                    descent_winograd_f43_output_gradients(g + (start + e) * channelsOut * s.outHeight * s.outWidth, channelsOut,
                                                          s.outHeight, s.outWidth, blocksHigh, blocksWide, products, productStride,
                                                          e * blocks, ld)
                }
                // ∂U[ξ] += ∂M[ξ]·V[ξ]ᵀ: [out, blocks]·[blocks, in].
                for position in 0..<winogradPositions {
                    GEMM.multiply(transposeA: false, transposeB: true, m: channelsOut, n: channelsIn, k: count * blocks,
                                  a: products + position * productStride, lda: ld,
                                  b: inputs + position * inputStride, ldb: ld,
                                  c: sum + position * channelsOut * channelsIn, ldc: channelsIn, beta: 1, threads: gemmThreads)
                }
            }
        }
        for part in 1..<parts {
            let partial = sums + part * transformedCount
            for i in 0..<transformedCount { sums[i] += partial[i] }
        }
        let output = TensorStorage(uninitializedCount: s.weightShape.reduce(1, *), dtype: .float32, device: .cpu)
        descent_winograd_f43_filter_gradients(sums, channelsOut, channelsIn, output.typed(Float.self))
        return Tensor(shape: s.weightShape, storage: output)
    }

    /// Calls `body` with the filters transformed for ``winogradConvolve(_:filters:bias:into:_:)``
    /// of `s` — or with `flipped`, for its input's gradient — and packed for
    /// `descent_sgemm_panel_multiply`: 36 matrices of ⌈rows / tile⌉·tile × columns, the output's
    /// channels by the input's of the convolution they serve.
    private func withPackedFilters(_ weight: Tensor, _ s: Conv2dGeometry, flipped: Bool,
                                   _ body: (UnsafePointer<Float>) -> Void) {
        let (rows, columns) = flipped ? (s.inChannels, s.outChannels) : (s.outChannels, s.inChannels)
        let count = winogradPositions * rows * columns
        let packedCount = winogradPositions * GEMMPanels.paddedRows(rows) * columns
        BufferPool.withFloats(count) { transformed in
            let pointers = UncheckedSendable((UnsafePointer(weight.storage.typed(Float.self)), transformed))
            Parallel.forEachChunk(count: s.outChannels, minimumChunk: 8) { outputs in
                let (weights, transformed) = pointers.value
                descent_winograd_f43_filter_range(weights, s.outChannels, s.inChannels, flipped ? 1 : 0,
                                                  outputs.lowerBound, outputs.upperBound, transformed)
            }
            BufferPool.withFloats(packedCount) { packed in
                let pointers = UncheckedSendable((UnsafePointer(transformed), packed))
                Parallel.forEachChunk(count: winogradPositions, minimumChunk: 4) { positions in
                    let (transformed, packed) = pointers.value
                    for position in positions {
                        descent_sgemm_pack_a_panels(rows, columns, transformed + position * rows * columns, columns,
                                                    packed + position * GEMMPanels.paddedRows(rows) * columns)
                    }
                }
                body(packed)
            }
        }
    }

    /// The convolution `s` (3×3, stride 1) of `x` with `filters` transformed and packed by
    /// ``withPackedFilters(_:_:flipped:_:)``, plus `bias`, then `activation`, written into `y`:
    /// per chunk of examples, the inputs' transform (straight into the micro-kernel's panel
    /// order), 36 products of micro-kernel calls, and the output transform.
    private func winogradConvolve(_ x: UnsafePointer<Float>, filters: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                                  activation: LinearActivation, into y: UnsafeMutablePointer<Float>, _ s: Conv2dGeometry) {
        let (channelsIn, channelsOut) = (s.inChannels, s.outChannels)
        let (blocksHigh, blocksWide) = s.winogradBlocks
        let blocks = blocksHigh * blocksWide
        let panel = GEMMPanels.columns
        let chunk = s.winogradChunk, ld = GEMMPanels.roundedUp(chunk * blocks, to: panel)
        let packedRows = GEMMPanels.paddedRows(channelsOut)
        let filters = UncheckedSendable(filters)
        let (inputStride, productStride) = (positionStride(channelsIn, ld), positionStride(channelsOut, ld))
        forEachExampleRun(s, scratchCount: winogradPositions * (inputStride + productStride), Float.self) { examples, _, scratch, gemmThreads in
            let inputs = scratch, products = scratch + winogradPositions * inputStride
            for start in stride(from: examples.lowerBound, to: examples.upperBound, by: chunk) {
                let count = min(chunk, examples.upperBound - start)
                for e in 0..<count {
                    descent_winograd_f43_inputs(x + (start + e) * channelsIn * s.height * s.width, channelsIn, s.height, s.width,
                                                s.padTop, s.padLeft, blocksHigh, blocksWide, inputs, inputStride, e * blocks, panel)
                }
                // M[ξ] = U[ξ]·V[ξ]: [out, in]·[in, blocks], a panel of blocks at a time. Only a
                // single example (batch 1) leaves threads to the products, split by position.
                let used = count * blocks
                let pointers = UncheckedSendable((inputs, products))
                let multiply = { (positions: Range<Int>) in
                    let (inputs, products) = pointers.value
                    for position in positions {
                        for first in stride(from: 0, to: used, by: panel) {
                            descent_sgemm_panel_multiply(channelsOut, channelsIn, filters.value + position * packedRows * channelsIn,
                                                         inputs + position * inputStride + first * channelsIn,
                                                         Int32(min(panel, used - first)),
                                                         products + position * productStride + first * channelsOut, panel)
                        }
                    }
                }
                if gemmThreads > 1 {
                    let share = (winogradPositions + gemmThreads - 1) / gemmThreads
                    WorkerPool.shared.run(gemmThreads) { part in
                        multiply((part * share)..<min(winogradPositions, (part + 1) * share))
                    }
                } else {
                    multiply(0..<winogradPositions)
                }
                for e in 0..<count {
                    descent_winograd_f43_outputs(products, channelsOut, productStride, e * blocks, panel, blocksHigh, blocksWide, bias,
                                                 activation == .relu ? 1 : 0,
                                                 y + (start + e) * channelsOut * s.outHeight * s.outWidth, s.outHeight, s.outWidth)
                }
            }
        }
    }
}

/// The float32 micro-kernel's tile (`descent_sgemm_panel_shape`), which the Winograd path's
/// packed filters and transformed arrays follow.
private enum GEMMPanels {
    static let shape: (rows: Int, columns: Int) = {
        var rows: Int32 = 0, columns: Int32 = 0
        descent_sgemm_panel_shape(&rows, &columns)
        return (Int(rows), Int(columns))
    }()

    static var columns: Int { shape.columns }

    /// `count` rows rounded up to whole panels of the tile's rows.
    static func paddedRows(_ count: Int) -> Int { roundedUp(count, to: shape.rows) }

    static func roundedUp(_ count: Int, to unit: Int) -> Int { (count + unit - 1) / unit * unit }
}
