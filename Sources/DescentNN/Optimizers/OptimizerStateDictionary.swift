/// An optimizer whose per-parameter state can be written to a file and read back, under the
/// names PyTorch's `optimizer.state_dict()` gives it — so that training can stop and continue
/// exactly where it was.
///
/// The tensors of ``stateDictionary()`` are named `<parameter>.<state>`: `0.weight.exp_avg`,
/// `0.weight.step`, `2.bias.momentum_buffer` …; `step` is an int64 scalar, the buffers have
/// their parameter's shape and dtype, and a buffer that an option leaves out (SGD's momentum
/// buffer without momentum, RMSprop's `grad_avg` unless centered) is not there.
public protocol SavableOptimizer: Optimizer {
    /// PyTorch's name of the class ("Adam", "SGD"), saved beside the state so that it is not
    /// read into another optimizer.
    static var typeName: String { get }

    /// One parameter's state as named tensors (PyTorch's names).
    func namedTensors(of state: State) -> [String: Tensor]

    /// One parameter's state from named tensors, checked against the parameter.
    ///
    /// - Throws: ``OptimizerStateError`` for a tensor that is missing or does not fit.
    func state(from tensors: OptimizerStateTensors) throws -> State
}

/// The state tensors of one parameter, as read from a file, with the checks a rule needs.
public struct OptimizerStateTensors {
    /// The parameter's name ("0.weight").
    public let parameterName: String
    /// The parameter, whose shape and dtype every buffer must have.
    public let parameter: Tensor
    /// The state tensors by state name ("exp_avg").
    public let tensors: [String: Tensor]

    /// The step count.
    public func step() throws -> Int {
        let tensor = try present("step")
        // Written as int64 (read back as int32, as safetensors integers are); PyTorch writes a
        // float32 scalar.
        let value = tensor.shape == [] ? tensor.doubleValue : -1
        guard value >= 0, value == value.rounded(), value < 0x1p53 else {
            throw OptimizerStateError(tensor: "\(parameterName).step", expected: "a scalar whole number of at least 0",
                                      found: tensor.shape == [] ? "\(tensor.dtype) \(value)" : "\(tensor.dtype) \(tensor.shape)")
        }
        return Int(value)
    }

    /// A float64 scalar.
    public func scalar(_ name: String) throws -> Double {
        let tensor = try present(name)
        guard tensor.shape == [], tensor.dtype == .float64 else {
            throw OptimizerStateError(tensor: "\(parameterName).\(name)", expected: "a float64 scalar",
                                      found: "\(tensor.dtype) \(tensor.shape)")
        }
        return tensor.doubleValue
    }

    /// A buffer of the parameter's shape and dtype, on its device; when `isNeeded` is false the
    /// empty buffer that stands for an option that is off (and the file must not have one).
    public func buffer(_ name: String, if isNeeded: Bool = true) throws -> Tensor {
        guard isNeeded else {
            if tensors[name] != nil {
                throw OptimizerStateError(tensor: "\(parameterName).\(name)",
                                          expected: "no such buffer (the optimizer's settings do not use one)", found: "one")
            }
            return Tensor.stateBuffer(like: parameter, if: false)
        }
        let tensor = try present(name)
        guard tensor.shape == parameter.shape, tensor.dtype == parameter.dtype else {
            throw OptimizerStateError(tensor: "\(parameterName).\(name)", expected: "\(parameter.dtype) \(parameter.shape), as the parameter",
                                      found: "\(tensor.dtype) \(tensor.shape)")
        }
        return tensor.to(parameter.device)
    }

    private func present(_ name: String) throws -> Tensor {
        guard let tensor = tensors[name] else {
            throw OptimizerStateError(tensor: "\(parameterName).\(name)", expected: "a tensor", found: "none")
        }
        return tensor
    }
}

/// An optimizer's saved state that does not fit the optimizer or the model.
public struct OptimizerStateError: Error, CustomStringConvertible, Equatable {
    /// The state tensor ("0.weight.exp_avg"), or what else was checked.
    public var tensor: String
    public var expected: String
    public var found: String

    public init(tensor: String, expected: String, found: String) {
        (self.tensor, self.expected, self.found) = (tensor, expected, found)
    }

    public var description: String { "optimizer state '\(tensor)': expected \(expected), found \(found)" }
}

extension SavableOptimizer {
    /// Every parameter's state, named `<parameter>.<state>` (see ``SavableOptimizer``).
    public func stateDictionary() -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for (parameter, state) in states {
            for (name, tensor) in namedTensors(of: state) { result["\(parameter).\(name)"] = tensor }
        }
        return result
    }

    /// Replaces every parameter's state with the one in `dictionary` (as
    /// ``stateDictionary()`` names it), checked against `parameters`.
    ///
    /// - Throws: ``OptimizerStateError`` for state of a parameter the model does not have, and
    ///   for a tensor that is missing or does not fit; the optimizer is then unchanged.
    public func loadStateDictionary(_ dictionary: [String: Tensor], parameters: [(name: String, value: Tensor)]) throws {
        let byName = Dictionary(parameters.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        var grouped: [String: [String: Tensor]] = [:]
        for (key, tensor) in dictionary {
            // Parameter names have dots ("0.weight"); state names do not.
            guard let dot = key.lastIndex(of: "."), byName[String(key[..<dot])] != nil else {
                throw OptimizerStateError(tensor: key, expected: "the state of one of the model's parameters (\(byName.keys.sorted().joined(separator: ", ")))",
                                          found: "a name that is not")
            }
            grouped[String(key[..<dot]), default: [:]][String(key[key.index(after: dot)...])] = tensor
        }
        var restored: [String: State] = [:]
        for (parameter, tensors) in grouped {
            restored[parameter] = try state(from: OptimizerStateTensors(parameterName: parameter, parameter: byName[parameter]!,
                                                                        tensors: tensors))
        }
        states = restored
    }
}

extension Tensor {
    /// A step count as the scalar a state dictionary holds.
    fileprivate static func stepCount(_ step: Int) -> Tensor { Tensor(Int64(step)) }
}

/// The named tensors without the empty buffers of options that are off.
private func present(_ named: [String: Tensor]) -> [String: Tensor] {
    named.filter { $0.value.shape != [0] || $0.key == "step" }
}

extension SGD: SavableOptimizer {
    public static var typeName: String { "SGD" }

    public func namedTensors(of state: State) -> [String: Tensor] {
        present(["step": .stepCount(state.step), "momentum_buffer": state.buffers[0]])
    }

    public func state(from tensors: OptimizerStateTensors) throws -> State {
        State(step: try tensors.step(), buffers: [try tensors.buffer("momentum_buffer", if: momentum != 0)])
    }
}

extension RMSProp: SavableOptimizer {
    public static var typeName: String { "RMSprop" }

    public func namedTensors(of state: State) -> [String: Tensor] {
        present(["step": .stepCount(state.step), "square_avg": state.buffers[0], "grad_avg": state.buffers[1],
                 "momentum_buffer": state.buffers[2]])
    }

    public func state(from tensors: OptimizerStateTensors) throws -> State {
        State(step: try tensors.step(), buffers: [try tensors.buffer("square_avg"), try tensors.buffer("grad_avg", if: centered),
                                                  try tensors.buffer("momentum_buffer", if: momentum > 0)])
    }
}

extension AdamState {
    fileprivate var namedTensors: [String: Tensor] {
        present(["step": .stepCount(step), "exp_avg": buffers[0], "exp_avg_sq": buffers[1], "max_exp_avg_sq": buffers[2]])
    }

    fileprivate init(from tensors: OptimizerStateTensors, amsgrad: Bool) throws {
        buffers = [try tensors.buffer("exp_avg"), try tensors.buffer("exp_avg_sq"), try tensors.buffer("max_exp_avg_sq", if: amsgrad)]
        step = try tensors.step()
    }
}

extension Adam: SavableOptimizer {
    public static var typeName: String { "Adam" }
    public func namedTensors(of state: State) -> [String: Tensor] { state.namedTensors }
    public func state(from tensors: OptimizerStateTensors) throws -> State { try AdamState(from: tensors, amsgrad: amsgrad) }
}

extension AdamW: SavableOptimizer {
    public static var typeName: String { "AdamW" }
    public func namedTensors(of state: State) -> [String: Tensor] { state.namedTensors }
    public func state(from tensors: OptimizerStateTensors) throws -> State { try AdamState(from: tensors, amsgrad: amsgrad) }
}

extension Adamax: SavableOptimizer {
    public static var typeName: String { "Adamax" }

    public func namedTensors(of state: State) -> [String: Tensor] {
        ["step": .stepCount(state.step), "exp_avg": state.exponentialAverage, "exp_inf": state.exponentialInfinityNorm]
    }

    public func state(from tensors: OptimizerStateTensors) throws -> State {
        State(step: try tensors.step(), exponentialAverage: try tensors.buffer("exp_avg"),
              exponentialInfinityNorm: try tensors.buffer("exp_inf"))
    }
}

extension NAdam: SavableOptimizer {
    public static var typeName: String { "NAdam" }

    public func namedTensors(of state: State) -> [String: Tensor] {
        ["step": .stepCount(state.step), "mu_product": Tensor(state.momentumProduct), "exp_avg": state.exponentialAverage,
         "exp_avg_sq": state.exponentialAverageOfSquares]
    }

    public func state(from tensors: OptimizerStateTensors) throws -> State {
        State(step: try tensors.step(), momentumProduct: try tensors.scalar("mu_product"),
              exponentialAverage: try tensors.buffer("exp_avg"), exponentialAverageOfSquares: try tensors.buffer("exp_avg_sq"))
    }
}

extension Adadelta: SavableOptimizer {
    public static var typeName: String { "Adadelta" }

    public func namedTensors(of state: State) -> [String: Tensor] {
        ["step": .stepCount(state.step), "square_avg": state.squareAverage, "acc_delta": state.accumulatedDelta]
    }

    public func state(from tensors: OptimizerStateTensors) throws -> State {
        State(step: try tensors.step(), squareAverage: try tensors.buffer("square_avg"),
              accumulatedDelta: try tensors.buffer("acc_delta"))
    }
}

extension Adagrad: SavableOptimizer {
    public static var typeName: String { "Adagrad" }

    public func namedTensors(of state: State) -> [String: Tensor] {
        ["step": .stepCount(state.step), "sum": state.sum]
    }

    public func state(from tensors: OptimizerStateTensors) throws -> State {
        State(step: try tensors.step(), sum: try tensors.buffer("sum"))
    }
}
