// Counter-based random numbers: each element is a function of its position, so the work splits
// across threads and the result never depends on how. Philox runs eight blocks at a time in SIMD
// lanes (`CounterRandom.blocks`): a block of 32-bit words makes 32 uniform numbers or 64 mask
// elements per call.

extension CPUBackend {
    func randomUniform(shape: [Int], dtype: DType, key: RandomKey) -> Tensor {
        func run<T: FloatingPointScalar>(_: T.Type) -> Tensor {
            let count = shape.reduce(1, *)
            let output = TensorStorage(uninitializedCount: count, dtype: T.dtype, device: .cpu)
            let y = output.typed(T.self)
            Self.forEachGroup(count: count, key: key, elementsPerWord: 1) { words, first, range in
                for i in range { y[i] = CounterRandom.unit(words[i - first], as: T.self) }
            }
            return Tensor(shape: shape, storage: output)
        }
        return dtype == .float32 ? run(Float.self) : run(Double.self)
    }

    func bernoulli(shape: [Int], dtype: DType, probability: Double, value: Double, key: RandomKey) -> Tensor {
        func run<T: FloatingPointScalar>(_: T.Type) -> Tensor {
            let count = shape.reduce(1, *)
            let output = TensorStorage(uninitializedCount: count, dtype: T.dtype, device: .cpu)
            let y = output.typed(T.self)
            let threshold = CounterRandom.threshold16(probability: probability), kept = T(value)
            Self.forEachGroup(count: count, key: key, elementsPerWord: 2) { words, first, range in
                for i in range {
                    let position = i - first
                    let half = words[position / 2] >> (16 * UInt32(position % 2)) & 0xFFFF
                    // A select, not a branch: whether an element is kept is a coin flip the CPU
                    // cannot predict.
                    y[i] = half < threshold ? kept : 0
                }
            }
            return Tensor(shape: shape, storage: output)
        }
        return dtype == .float32 ? run(Float.self) : run(Double.self)
    }

    /// The 32-bit words of a Philox stream in groups of 32 (eight blocks): calls `body` with a
    /// group's words, the element index that the group's first word starts at (negative when
    /// the group begins before element 0), and the elements of `0..<count` that the group covers.
    /// Element `i` reads word ⌊(`key.offset` + `i`) / `elementsPerWord`⌋ of the stream. Groups
    /// are split across threads.
    private static func forEachGroup(count: Int, key: RandomKey, elementsPerWord: Int,
                                     _ body: (UnsafePointer<UInt32>, Int, Range<Int>) -> Void) {
        guard count > 0 else { return }
        let elementsPerGroup = 32 * elementsPerWord
        let offset = Int(key.offset % UInt64(elementsPerGroup))  // into the first group
        let firstGroup = key.offset / UInt64(elementsPerGroup)
        let groupCount = (offset + count + elementsPerGroup - 1) / elementsPerGroup
        Parallel.forEachChunk(count: groupCount, minimumChunk: (1 << 14) / elementsPerGroup) { groups in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 32) { words in
                let words = words.baseAddress!
                for group in groups {
                    let (c0, c1, c2, c3) = CounterRandom.blocks(seed: key.seed, first: (firstGroup + UInt64(group)) * 8)
                    for lane in 0..<8 {
                        (words[4 * lane], words[4 * lane + 1], words[4 * lane + 2], words[4 * lane + 3])
                            = (c0[lane], c1[lane], c2[lane], c3[lane])
                    }
                    let first = group * elementsPerGroup - offset
                    body(words, first, Swift.max(first, 0)..<Swift.min(first + elementsPerGroup, count))
                }
            }
        }
    }
}
