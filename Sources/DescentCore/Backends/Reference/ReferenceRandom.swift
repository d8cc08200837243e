// Counter-based random numbers, one element at a time: each one is the stream's number at its
// position (see `CounterRandom`).

extension ReferenceBackend {
    func randomUniform(shape: [Int], dtype: DType, key: RandomKey) -> Tensor {
        func run<T: FloatingPointScalar>(_: T.Type) -> Tensor {
            make(shape, T.self) { i in
                CounterRandom.unit(CounterRandom.bits(seed: key.seed, position: key.offset &+ UInt64(i)), as: T.self)
            }
        }
        return floating(dtype) { run($0) }
    }

    func bernoulli(shape: [Int], dtype: DType, probability: Double, value: Double, key: RandomKey) -> Tensor {
        func run<T: FloatingPointScalar>(_: T.Type) -> Tensor {
            let threshold = CounterRandom.threshold16(probability: probability)
            return make(shape, T.self) { i in
                UInt32(CounterRandom.bits16(seed: key.seed, position: key.offset &+ UInt64(i))) < threshold ? T(value) : 0
            }
        }
        return floating(dtype) { run($0) }
    }
}
