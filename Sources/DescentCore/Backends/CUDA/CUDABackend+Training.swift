// Random numbers and the fused optimizer steps.

extension CUDABackend {
    func randomUniform(shape: [Int], dtype: DType, key: RandomKey) -> Tensor {
        let y = empty(shape, dtype)
        let head: [CUDAKernelArgument] = [y.cudaArgument, .int64(Int64(y.scalarCount))]
        launchRandom("random_uniform", dtype: dtype, count: y.scalarCount, key: key, head: head, tail: [])
        return y
    }

    func bernoulli(shape: [Int], dtype: DType, probability: Double, value: Double, key: RandomKey) -> Tensor {
        let y = empty(shape, dtype)
        launchRandom("bernoulli", dtype: dtype, count: y.scalarCount, key: key,
                     head: [y.cudaArgument, .int64(Int64(y.scalarCount))],
                     tail: [.uint32(CounterRandom.threshold16(probability: probability)), .double(value)])
        return y
    }

    /// Launches a random kernel with its key as two arguments between `head` and `tail`, or —
    /// while a training step is captured — its `_live` form, which reads the key from its slot.
    private func launchRandom(_ stem: String, dtype: DType, count: Int, key: RandomKey, head: [CUDAKernelArgument],
                              tail: [CUDAKernelArgument]) {
        let suffix = Self.suffix(dtype)
        switch CUDALiveValues.current?.use(for: .random(key)) ?? .byValue {
        case .byValue:
            context.launch("\(stem)_\(suffix)", in: .random, count: count, head + [.uint64(key.seed), .uint64(key.offset)] + tail)
        case .slot(let address):
            context.launch("\(stem)_live_\(suffix)", in: .random, count: count, head + [.pointer(address)] + tail)
        case .recorded:
            break
        }
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
        case .adagrad(let s):
            return ("adagrad", [s.learningRate, s.epsilon, s.weightDecay])
        case .adamax(let s):
            return ("adamax", [s.stepSize, 1 - s.beta1, s.beta2, s.epsilon, s.weightDecay])
        case .nadam(let s):
            return ("nadam", [s.gradientStep, s.averageStep, 1 - s.beta1, s.beta2, 1 - s.beta2, s.biasCorrection2,
                              s.epsilon, s.weightDecay, flag(s.decoupledWeightDecay), 1 - s.learningRate * s.weightDecay])
        }
    }

    func optimizerStep(_ step: OptimizerStep, parameter: Tensor, gradient: Tensor, buffers: [Tensor]) {
        let (kernel, values) = Self.scalars(step)
        let suffix = Self.suffix(parameter.dtype)
        // An empty buffer (an option that is off) is passed as is: the kernel never reads it.
        let tensors = [parameter.cudaArgument, gradient.cudaArgument] + buffers.map(\.cudaArgument)
            + [.int64(Int64(parameter.scalarCount))]
        switch CUDALiveValues.current?.use(for: .optimizer(kernel: "\(kernel)_\(suffix)", scalars: values)) ?? .byValue {
        case .byValue:
            context.launch("\(kernel)_\(suffix)", in: .optimizer, count: parameter.scalarCount, tensors + [.scalars(values)])
        case .slot(let address):
            // A captured training step: the settings are read from the slot, rewritten before each replay.
            context.launch("\(kernel)_live_\(suffix)", in: .optimizer, count: parameter.scalarCount, tensors + [.pointer(address)])
        case .recorded:
            break
        }
    }
}
