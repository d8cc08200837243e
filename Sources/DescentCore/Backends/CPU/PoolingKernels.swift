// Max and average pooling over NCHW planes, forward and backward. Each plane (one channel of
// one example) is independent, so large tensors are split across threads by planes: every
// thread writes only its own planes, and the result does not depend on the thread count.

import CDescentKernels

extension CPUBackend {
    /// How many planes make a chunk worth a thread: about 32k window reads.
    private static func planesPerChunk(_ pooling: Pooling2d) -> Int {
        let work = pooling.output.height * pooling.output.width
            * pooling.window.kernelSize.height * pooling.window.kernelSize.width
        return Swift.max(1, (1 << 15) / Swift.max(work, 1))
    }

    /// The first index `start + j·step` (j ≥ 0) that is not negative, and the end of the window
    /// `start + (kernel − 1)·step + 1` clipped to `length`: one axis of a max-pooling window.
    @inline(__always)
    static func maxWindow(_ o: Int, stride: Int, kernel: Int, padding: Int, dilation: Int, length: Int)
        -> (start: Int, end: Int) {
        var start = o * stride - padding
        let end = Swift.min(start + (kernel - 1) * dilation + 1, length)
        while start < 0 { start += dilation }
        return (start, end)
    }

    func maxPool2d(_ x: Tensor, _ pooling: Pooling2d) -> (values: Tensor, indices: Tensor) {
        func run<T: FloatingPointScalar>(_: T.Type) -> (Tensor, Tensor) {
            let planes = x.shape[0] * x.shape[1]
            let (height, width) = (pooling.input.height, pooling.input.width)
            let (outHeight, outWidth) = (pooling.output.height, pooling.output.width)
            let window = pooling.window
            let shape = [x.shape[0], x.shape[1], outHeight, outWidth]
            let values = TensorStorage(uninitializedCount: planes * outHeight * outWidth, dtype: T.dtype, device: .cpu)
            let indices = TensorStorage(uninitializedCount: planes * outHeight * outWidth, dtype: .int32, device: .cpu)
            let input = x.storage.typed(T.self), output = values.typed(T.self), index = indices.typed(Int32.self)
            // The windows' extents along each axis are the same for every plane.
            let rows = (0..<outHeight).map {
                Self.maxWindow($0, stride: window.stride.height, kernel: window.kernelSize.height,
                               padding: window.padding.height, dilation: window.dilation.height, length: height)
            }
            let columns = (0..<outWidth).map {
                Self.maxWindow($0, stride: window.stride.width, kernel: window.kernelSize.width,
                               padding: window.padding.width, dilation: window.dilation.width, length: width)
            }
            let (rowStep, columnStep) = (window.dilation.height, window.dilation.width)
            let isPlainTwoByTwo = window.kernelSize == Size2D(2, 2) && window.stride == Size2D(2, 2)
                && window.dilation == Size2D(1, 1) && window.padding == Size2D(0, 0)
                && 2 * outHeight <= height && 2 * outWidth <= width
            Parallel.forEachChunk(count: planes, minimumChunk: Self.planesPerChunk(pooling)) { range in
                // The most common window has a branch-free C kernel (float32 only).
                if isPlainTwoByTwo, T.self == Float.self {
                    let offset = range.lowerBound
                    return descent_max_pool_2x2(
                        UnsafeRawPointer(input).assumingMemoryBound(to: Float.self) + offset * height * width,
                        UnsafeMutableRawPointer(output).assumingMemoryBound(to: Float.self) + offset * outHeight * outWidth,
                        index + offset * outHeight * outWidth, range.count, height, width, outHeight, outWidth,
                        pooling.appliesReLU ? 1 : 0)
                }
                for plane in range {
                    let source = input + plane * height * width
                    var target = plane * outHeight * outWidth
                    for (rowStart, rowEnd) in rows {
                        for (columnStart, columnEnd) in columns {
                            var best = -T.infinity, bestIndex = rowStart * width + columnStart
                            var h = rowStart
                            while h < rowEnd {
                                var w = columnStart
                                while w < columnEnd {
                                    let read = source[h * width + w]
                                    let value = pooling.appliesReLU ? (read > 0 ? read : 0) : read
                                    // Strictly greater: the first maximum wins a tie (PyTorch).
                                    if value > best || value.isNaN { (best, bestIndex) = (value, h * width + w) }
                                    w += columnStep
                                }
                                h += rowStep
                            }
                            output[target] = best
                            index[target] = Int32(truncatingIfNeeded: bestIndex)
                            target += 1
                        }
                    }
                }
            }
            return (Tensor(shape: shape, storage: values), Tensor(shape: shape, storage: indices))
        }
        return x.dtype == .float32 ? run(Float.self) : run(Double.self)
    }

    func maxPool2dBackward(_ upstream: Tensor, indices: Tensor, inputShape: [Int], _ pooling: Pooling2d) -> Tensor {
        func run<T: FloatingPointScalar>(_: T.Type) -> Tensor {
            let planes = inputShape[0] * inputShape[1]
            let planeSize = inputShape[2] * inputShape[3]
            let outputPlane = upstream.shape[2] * upstream.shape[3]
            // Each chunk clears its own planes just before scattering into them: in parallel,
            // and while they are in cache (a whole-tensor clear first ran on one thread).
            let result = TensorStorage(uninitializedCount: planes * planeSize, dtype: T.dtype, device: .cpu)
            let g = upstream.storage.typed(T.self), index = indices.storage.typed(Int32.self)
            let target = result.typed(T.self)
            Parallel.forEachChunk(count: planes, minimumChunk: Swift.max(1, (1 << 15) / Swift.max(outputPlane, 1))) { range in
                (target + range.lowerBound * planeSize).initialize(repeating: 0, count: range.count * planeSize)
                for plane in range {
                    let t = target + plane * planeSize, offset = plane * outputPlane
                    for i in offset..<(offset + outputPlane) {
                        let position = Int(index[i])
                        // A window wholly in the padding has no input to send its gradient to.
                        if position >= 0 && position < planeSize { t[position] += g[i] }
                    }
                }
            }
            return Tensor(shape: inputShape, storage: result)
        }
        return upstream.dtype == .float32 ? run(Float.self) : run(Double.self)
    }

    func avgPool2d(_ x: Tensor, _ pooling: Pooling2d) -> Tensor {
        func run<T: FloatingPointScalar>(_: T.Type) -> Tensor {
            let planes = x.shape[0] * x.shape[1]
            let (height, width) = (pooling.input.height, pooling.input.width)
            let (outHeight, outWidth) = (pooling.output.height, pooling.output.width)
            let shape = [x.shape[0], x.shape[1], outHeight, outWidth]
            let values = TensorStorage(uninitializedCount: planes * outHeight * outWidth, dtype: T.dtype, device: .cpu)
            let input = x.storage.typed(T.self), output = values.typed(T.self)
            let windows = (0..<(outHeight * outWidth)).map { pooling.divisor($0 / outWidth, $0 % outWidth) }
            Parallel.forEachChunk(count: planes, minimumChunk: Self.planesPerChunk(pooling)) { range in
                for plane in range {
                    let source = input + plane * height * width, target = output + plane * outHeight * outWidth
                    for (i, window) in windows.enumerated() {
                        var sum: T = 0
                        for h in window.rows.0..<Swift.max(window.rows.0, window.rows.1) {
                            for w in window.columns.0..<Swift.max(window.columns.0, window.columns.1) {
                                sum += source[h * width + w]
                            }
                        }
                        // A window that covers no input gives 0, as in PyTorch (not 0/0).
                        target[i] = window.divisor > 0 ? sum / T(window.divisor) : 0
                    }
                }
            }
            return Tensor(shape: shape, storage: values)
        }
        return x.dtype == .float32 ? run(Float.self) : run(Double.self)
    }

    func avgPool2dBackward(_ upstream: Tensor, _ pooling: Pooling2d) -> Tensor {
        func run<T: FloatingPointScalar>(_: T.Type) -> Tensor {
            let planes = upstream.shape[0] * upstream.shape[1]
            let (height, width) = (pooling.input.height, pooling.input.width)
            let outputPlane = pooling.output.height * pooling.output.width
            let shape = [upstream.shape[0], upstream.shape[1], height, width]
            let result = TensorStorage(zeroedCount: planes * height * width, dtype: T.dtype, device: .cpu)
            let g = upstream.storage.typed(T.self), target = result.typed(T.self)
            let windows = (0..<outputPlane).map { pooling.divisor($0 / pooling.output.width, $0 % pooling.output.width) }
            Parallel.forEachChunk(count: planes, minimumChunk: Self.planesPerChunk(pooling)) { range in
                for plane in range {
                    let t = target + plane * height * width, source = g + plane * outputPlane
                    for (i, window) in windows.enumerated() where window.divisor > 0 {
                        let share = source[i] / T(window.divisor)
                        for h in window.rows.0..<Swift.max(window.rows.0, window.rows.1) {
                            for w in window.columns.0..<Swift.max(window.columns.0, window.columns.1) {
                                t[h * width + w] += share
                            }
                        }
                    }
                }
            }
            return Tensor(shape: shape, storage: result)
        }
        return upstream.dtype == .float32 ? run(Float.self) : run(Double.self)
    }
}
