// Random numbers and the fused optimizer steps.

extension CUDABackend {
    func randomUniform(shape: [Int], dtype: DType, key: RandomKey) -> Tensor {
        let y = empty(shape, dtype)
        context.launch("random_uniform_\(Self.suffix(dtype))", in: .random, count: y.scalarCount,
                       [y.cudaArgument, .int64(Int64(y.scalarCount)), .uint64(key.seed), .uint64(key.offset)])
        return y
    }

    func bernoulli(shape: [Int], dtype: DType, probability: Double, value: Double, key: RandomKey) -> Tensor {
        let y = empty(shape, dtype)
        context.launch("bernoulli_\(Self.suffix(dtype))", in: .random, count: y.scalarCount,
                       [y.cudaArgument, .int64(Int64(y.scalarCount)), .uint64(key.seed), .uint64(key.offset),
                        .uint32(CounterRandom.threshold16(probability: probability)), .double(value)])
        return y
    }

    /// The settings as the kernels' `Scalars` (see ``CUDAKernelSource/optimizer`` for the order).
    static func scalars(_ step: OptimizerStep) -> (kernel: String, values: [Double]) {
        func flag(_ value: Bool) -> Double { value ? 1 : 0 }
        switch step {
        case .sgd(let s):
            return ("sgd", [s.learningRate, s.momentum, 1 - s.dampening, s.weightDecay, flag(s.nesterov), flag(s.isFirstStep)])
        case .rmsProp(let s):
            return ("rmsprop", [s.learningRate, s.alpha, 1 - s.alpha, s.epsilon, s.weightDecay, s.momentum, flag(s.centered)])
        case .adam(let s):
            return ("adam", [s.beta2, 1 - s.beta1, 1 - s.beta2, s.epsilon, s.weightDecay, flag(s.amsgrad),
                             flag(s.decoupledWeightDecay), 1 - s.learningRate * s.weightDecay, s.stepSize,
                             s.biasCorrection2SquareRoot])
        case .adadelta(let s):
            return ("adadelta", [s.learningRate, s.rho, 1 - s.rho, s.epsilon, s.weightDecay])
        }
    }

    func optimizerStep(_ step: OptimizerStep, parameter: Tensor, gradient: Tensor, buffers: [Tensor]) {
        let (kernel, values) = Self.scalars(step)
        // An empty buffer (an option that is off) is passed as is: the kernel never reads it.
        context.launch("\(kernel)_\(Self.suffix(parameter.dtype))", in: .optimizer, count: parameter.scalarCount,
                       [parameter.cudaArgument, gradient.cudaArgument] + buffers.map(\.cudaArgument)
                        + [.int64(Int64(parameter.scalarCount)), .scalars(values)])
    }
}
