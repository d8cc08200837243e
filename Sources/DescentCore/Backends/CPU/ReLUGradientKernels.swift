// ReLU's backward pass with a bias's gradient, for a layer whose ReLU was fused into it: one
// pass over the upstream gradient and the output (relu_gradient.c) that writes the kept gradient
// and each row's sum, split across threads by rows; then the rows' sums added up per channel,
// example by example. The order of every addition is fixed, so the bits do not depend on the
// thread count.

import CDescentKernels

extension CPUBackend {
    func keepWherePositiveWithChannelSums(_ upstream: Tensor, output: Tensor) -> (kept: Tensor, channelSums: Tensor) {
        func run<T: FloatingPointScalar>(
            _: T.Type,
            _ kernel: (UnsafePointer<T>, UnsafePointer<T>, UnsafeMutablePointer<T>, Int, Int, UnsafeMutablePointer<T>) -> Void
        ) -> (Tensor, Tensor) {
            let (examples, channels) = (upstream.shape[0], upstream.shape[1])
            let rows = examples * channels, length = upstream.shape.dropFirst(2).reduce(1, *)
            let kept = TensorStorage(uninitializedCount: upstream.scalarCount, dtype: T.dtype, device: .cpu)
            let sums = TensorStorage(zeroedCount: channels, dtype: T.dtype, device: .cpu)
            let byteCount = Swift.max(rows, 1) * MemoryLayout<T>.stride
            let rowSums = BufferPool.allocate(byteCount: byteCount).bindMemory(to: T.self, capacity: Swift.max(rows, 1))
            defer { BufferPool.deallocate(rowSums, byteCount: byteCount) }
            let pointers = UncheckedSendable((upstream.storage.typed(T.self), output.storage.typed(T.self),
                                              kept.typed(T.self), rowSums))
            Parallel.forEachChunk(count: rows, minimumChunk: Swift.max(1, (1 << 15) / Swift.max(length, 1))) { range in
                let (u, y, g, rowSums) = pointers.value
                let start = range.lowerBound * length
                kernel(u + start, y + start, g + start, range.count, length, rowSums + range.lowerBound)
            }
            let channelSums = sums.typed(T.self)
            for n in 0..<examples {
                let row = rowSums + n * channels
                for c in 0..<channels { channelSums[c] += row[c] }
            }
            return (Tensor(shape: upstream.shape, storage: kept), Tensor(shape: [channels], storage: sums))
        }
        return upstream.dtype == .float32 ? run(Float.self, descent_relu_gradient_rows_f32)
            : run(Double.self, descent_relu_gradient_rows_f64)
    }
}
