// Counter-based random numbers: each element is a function of its position, so the work
// splits across threads and the result never depends on how.

extension CPUBackend {
    func randomUniform(shape: [Int], dtype: DType, key: RandomKey) -> Tensor {
        func run<T: FloatingPointScalar>(_: T.Type) -> Tensor {
            let count = shape.reduce(1, *)
            let output = TensorStorage(uninitializedCount: count, dtype: T.dtype, device: .cpu)
            let y = output.typed(T.self)
            Parallel.forEachChunk(count: count, minimumChunk: 1 << 14) { range in
                // One Philox block gives four numbers: walk whole blocks, keeping those in range.
                var position = key.offset &+ UInt64(range.lowerBound)
                var index = range.lowerBound
                while index < range.upperBound {
                    let words = CounterRandom.block(seed: key.seed, position / 4)
                    let first = Int(position % 4)
                    for word in first..<4 where index < range.upperBound {
                        let bits = switch word {
                        case 0: words.0
                        case 1: words.1
                        case 2: words.2
                        default: words.3
                        }
                        y[index] = CounterRandom.unit(bits, as: T.self)
                        index += 1
                        position &+= 1
                    }
                }
            }
            return Tensor(shape: shape, storage: output)
        }
        return dtype == .float32 ? run(Float.self) : run(Double.self)
    }
}
