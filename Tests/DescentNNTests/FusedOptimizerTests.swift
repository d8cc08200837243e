// The fused optimizer steps (one backend kernel per parameter) against the same rules written in
// tensor operations, on every device, for every option.
import Descent
import Testing
import _DescentTestSupport

/// One optimizer with one choice of options, made fused or not.
struct FusedOptimizerSetting: Sendable, CustomTestStringConvertible {
    let name: String
    let make: @Sendable (_ fused: Bool) -> any Optimizer

    var testDescription: String { name }

    static let all: [FusedOptimizerSetting] = sgd() + rmsProp() + adam() + adamW() + adadelta() + adagrad() + adamax()
        + nadam()

    static func adagrad() -> [FusedOptimizerSetting] {
        [(0.0, 0.0, 0.0), (0.01, 0.1, 0.5)].map { weightDecay, decay, initial in
            FusedOptimizerSetting(name: "Adagrad weight decay \(weightDecay) rate decay \(decay) initial \(initial)") {
                fused -> any Optimizer in
                let optimizer = Adagrad(learningRate: 0.05, learningRateDecay: decay, weightDecay: weightDecay,
                                        initialAccumulatorValue: initial)
                optimizer.usesFusedStep = fused
                return optimizer
            }
        }
    }

    static func adamax() -> [FusedOptimizerSetting] {
        [0, 0.01].map { weightDecay in
            FusedOptimizerSetting(name: "Adamax weight decay \(weightDecay)") { fused -> any Optimizer in
                let optimizer = Adamax(learningRate: 0.01, weightDecay: weightDecay)
                optimizer.usesFusedStep = fused
                return optimizer
            }
        }
    }

    static func nadam() -> [FusedOptimizerSetting] {
        [(0.0, false), (0.01, false), (0.01, true)].map { weightDecay, decoupled in
            FusedOptimizerSetting(name: "NAdam weight decay \(weightDecay)\(decoupled ? " decoupled" : "")") {
                fused -> any Optimizer in
                let optimizer = NAdam(learningRate: 0.01, weightDecay: weightDecay, decoupledWeightDecay: decoupled)
                optimizer.usesFusedStep = fused
                return optimizer
            }
        }
    }

    static func adadelta() -> [FusedOptimizerSetting] {
        [0, 0.01].map { weightDecay in
            FusedOptimizerSetting(name: "Adadelta weight decay \(weightDecay)") { fused -> any Optimizer in
                let optimizer = Adadelta(learningRate: 1.0, weightDecay: weightDecay)
                optimizer.usesFusedStep = fused
                return optimizer
            }
        }
    }

    static func sgd() -> [FusedOptimizerSetting] {
        var settings: [FusedOptimizerSetting] = []
        for momentum in [0, 0.9] {
            for dampening in [0, 0.3] {
                for weightDecay in [0, 0.01] {
                    // PyTorch's rule: Nesterov momentum needs momentum and no dampening.
                    for nesterov in [false, true] where !nesterov || (momentum > 0 && dampening == 0) {
                        let name = "SGD momentum \(momentum) dampening \(dampening) weight decay \(weightDecay)"
                            + (nesterov ? " nesterov" : "")
                        settings.append(FusedOptimizerSetting(name: name) { fused -> any Optimizer in
                            let optimizer = SGD(learningRate: 0.1, momentum: momentum, dampening: dampening,
                                                weightDecay: weightDecay, nesterov: nesterov)
                            optimizer.usesFusedStep = fused
                            return optimizer
                        })
                    }
                }
            }
        }
        return settings
    }

    static func rmsProp() -> [FusedOptimizerSetting] {
        var settings: [FusedOptimizerSetting] = []
        for centered in [false, true] {
            for momentum in [0, 0.9] {
                for weightDecay in [0, 0.01] {
                    let name = "RMSProp\(centered ? " centered" : "") momentum \(momentum) weight decay \(weightDecay)"
                    settings.append(FusedOptimizerSetting(name: name) { fused -> any Optimizer in
                        let optimizer = RMSProp(learningRate: 0.01, weightDecay: weightDecay, momentum: momentum,
                                                centered: centered)
                        optimizer.usesFusedStep = fused
                        return optimizer
                    })
                }
            }
        }
        return settings
    }

    static func adam() -> [FusedOptimizerSetting] {
        var settings: [FusedOptimizerSetting] = []
        for amsgrad in [false, true] {
            for weightDecay in [0, 0.01] {
                settings.append(FusedOptimizerSetting(name: "Adam\(amsgrad ? " amsgrad" : "") weight decay \(weightDecay)") {
                    fused -> any Optimizer in
                    let optimizer = Adam(learningRate: 0.01, weightDecay: weightDecay, amsgrad: amsgrad)
                    optimizer.usesFusedStep = fused
                    return optimizer
                })
            }
        }
        return settings
    }

    static func adamW() -> [FusedOptimizerSetting] {
        var settings: [FusedOptimizerSetting] = []
        for amsgrad in [false, true] {
            for weightDecay in [0, 0.01, 0.1] {
                settings.append(FusedOptimizerSetting(name: "AdamW\(amsgrad ? " amsgrad" : "") weight decay \(weightDecay)") {
                    fused -> any Optimizer in
                    let optimizer = AdamW(learningRate: 0.01, weightDecay: weightDecay, amsgrad: amsgrad)
                    optimizer.usesFusedStep = fused
                    return optimizer
                })
            }
        }
        return settings
    }
}

@Suite struct FusedOptimizerTests {
    /// Five steps of `optimizer` on one parameter, each along a different gradient, on `device`.
    /// The same seeds every time, so every run starts from the same parameter and sees the
    /// same gradients.
    private func fiveSteps(_ optimizer: any Optimizer, _ dtype: DType, on device: Device) -> Tensor {
        var parameter = Tensor.randomNormal([7, 5], dtype: dtype, seed: 1).to(device)
        for step in 0..<5 {
            let gradient = Tensor.randomNormal([7, 5], standardDeviation: 0.5, dtype: dtype, seed: 10 + UInt64(step)).to(device)
            optimizer.update(&parameter, named: "w", along: gradient)
        }
        return parameter
    }

    @Test(arguments: FusedOptimizerSetting.all, [DType.float32, .float64])
    func fusedStepsMatchTensorOperations(setting: FusedOptimizerSetting, dtype: DType) throws {
        // The same formulas in the same order, so only the last bits may differ.
        let tolerance = dtype == .float32 ? 1e-6 : 1e-12
        var fusedResults: [Device: Tensor] = [:]
        for device in try testDevices() {
            let fused = fiveSteps(setting.make(true), dtype, on: device)
            let plain = fiveSteps(setting.make(false), dtype, on: device)
            #expect(fused.dtype == dtype && plain.dtype == dtype)
            expectClose(fused, plain.to(.cpu), on: device, relative: tolerance, absolute: tolerance,
                        "fused against tensor operations")
            #expect(plain.device == device)
            fusedResults[device] = fused
        }
        for (device, fused) in fusedResults where device != .cpu {
            expectClose(fused, fusedResults[.cpu]!, on: device, relative: tolerance, absolute: tolerance,
                        "fused against fused on the CPU")
        }
        // The steps moved the parameter: the comparison is not of two untouched tensors.
        let start = Tensor.randomNormal([7, 5], dtype: dtype, seed: 1)
        #expect(fusedResults[.cpu]!.doubles() != start.doubles())
    }
}
