import CDescentKernels

// Counter-based random numbers: each element is a function of its position in the stream
// (`CounterRandom`), so the work splits across threads and the result never depends on how.
// The C kernels (`random_streams.c`) run Philox on eight blocks at a time with AVX2.

extension CPUBackend {
    func randomUniform(shape: [Int], dtype: DType, key: RandomKey) -> Tensor {
        Self.filling(shape, dtype) { start, count, output in
            let offset = key.offset &+ UInt64(start)
            if dtype == .float32 {
                descent_random_uniform_f32(key.seed, offset, count, output.assumingMemoryBound(to: Float.self) + start)
            } else {
                descent_random_uniform_f64(key.seed, offset, count, output.assumingMemoryBound(to: Double.self) + start)
            }
        }
    }

    func bernoulli(shape: [Int], dtype: DType, probability: Double, value: Double, key: RandomKey) -> Tensor {
        let threshold = CounterRandom.threshold16(probability: probability)
        return Self.filling(shape, dtype) { start, count, output in
            let offset = key.offset &+ UInt64(start)
            if dtype == .float32 {
                descent_bernoulli_f32(key.seed, offset, count, threshold, Float(value),
                                      output.assumingMemoryBound(to: Float.self) + start)
            } else {
                descent_bernoulli_f64(key.seed, offset, count, threshold, value,
                                      output.assumingMemoryBound(to: Double.self) + start)
            }
        }
    }

    /// A new tensor whose elements `fill(start, count, output)` writes, in chunks on several
    /// threads.
    private static func filling(_ shape: [Int], _ dtype: DType,
                                _ fill: (Int, Int, UnsafeMutableRawPointer) -> Void) -> Tensor {
        let count = shape.reduce(1, *)
        let output = TensorStorage(uninitializedCount: count, dtype: dtype, device: .cpu)
        let pointer = UncheckedSendable(output.pointer)
        Parallel.forEachChunk(count: count, minimumChunk: 1 << 14) { range in
            fill(range.lowerBound, range.count, pointer.value)
        }
        return Tensor(shape: shape, storage: output)
    }
}
