import DescentCore
import DescentNN

extension StepExplainer {
    /// The step in full (see ``Explanation``).
    ///
    /// - Throws: ``ExplainError`` as ``init(model:input:target:cost:learningRate:)`` does.
    public func explain() throws -> Explanation {
        let network = try checkedNetwork()
        let layers = network.layers
        let forward = network.forward(input)
        let activations = [input] + forward.map(\.a)   // a⁽⁰⁾ … a⁽ᴸ⁾
        let (costValue, costGradient) = cost.explained(output: forward[forward.count - 1].a, target: target)

        // The δ recursion, from the last layer down.
        var backward: [Explanation.BackwardLayer] = []
        var upstream = costGradient                     // ∂C/∂a⁽ˡ⁾
        for index in layers.indices.reversed() {
            let layer = layers[index]
            let z = forward[index].z
            let delta = layer.activation.explainedPullback(upstream, z: z)
            backward.append(.init(
                layer: index + 1, outputGradient: upstream,
                activationDerivative: layer.activation.isElementwise ? z.map(layer.activation.explainedDerivative) : nil,
                delta: delta,
                // + 0 turns the −0 of a negative δ times an input 0 into 0, which reads better.
                weightGradient: delta.map { d in activations[index].map { d * $0 + 0 } },
                biasGradient: layer.biasName == nil ? nil : delta))
            // ∂C/∂a⁽ˡ⁻¹⁾ = W⁽ˡ⁾ᵀ δ⁽ˡ⁾
            upstream = (0..<layer.inputCount).map { k in zip(layer.weight, delta).reduce(0) { $0 + $1.0[k] * $1.1 } }
        }

        let autodiff = libraryGradients()
        let finiteDifferences = finiteDifferenceGradients()
        var steps: [Explanation.ParameterStep] = []
        var updatedLayers = layers
        for (name, values) in model.parameters.map({ ($0.name, $0.value.doubles()) }) {
            guard let (index, isBias) = Self.locate(name, in: layers) else { continue }
            let gradients = backward.first { $0.layer == index + 1 }!
            let columns = layers[index].inputCount
            for (element, value) in values.enumerated() {
                let (unit, input) = isBias ? (element, -1) : (element / columns, element % columns)
                let chainRule = isBias ? gradients.delta[unit] : gradients.weightGradient[unit][input]
                let exact = autodiff[name]![element]
                let updated = value - learningRate * exact
                if isBias { updatedLayers[index].bias[unit] = updated } else { updatedLayers[index].weight[unit][input] = updated }
                steps.append(.init(
                    parameter: isBias ? "\(name)[\(unit)]" : "\(name)[\(unit), \(input)]",
                    tensor: name, index: isBias ? [unit] : [unit, input],
                    symbol: isBias ? Symbols.symbol("b", layer: index + 1, units: [unit + 1])
                                   : Symbols.symbol("w", layer: index + 1, units: [unit + 1, input + 1]),
                    value: value, chainRule: chainRule, autodiff: exact,
                    finiteDifference: finiteDifferences[name]![element], updated: updated))
            }
        }
        let after = ExplainedNetwork(layers: updatedLayers).forward(input)
        let costAfter = cost.explained(output: after[after.count - 1].a, target: target).cost

        return Explanation(
            network: layers.enumerated().map { index, layer in
                .init(layer: index + 1, inputs: layer.inputCount, outputs: layer.outputCount,
                      activation: "\(layer.activation)", formula: layer.activation.explainedFormula,
                      weight: layer.weightName, bias: layer.biasName)
            },
            input: input, target: target,
            cost: .init(name: cost.rawValue, formula: cost.formula, value: costValue, valueAfterStep: costAfter),
            learningRate: learningRate,
            forward: forward.enumerated().map { .init(layer: $0 + 1, z: $1.z, a: $1.a) },
            backward: backward,
            chainRule: chainRuleProducts(network: network, forward: forward, activations: activations,
                                         costGradient: costGradient, steps: steps),
            parameters: steps,
            agreement: Self.agreement(steps),
            standardizedInput: standardizedInput)
    }

    /// The layer (0-based) a parameter belongs to, and whether it is the bias.
    static func locate(_ name: String, in layers: [ExplainedNetwork.Layer]) -> (Int, Bool)? {
        if let index = layers.firstIndex(where: { $0.weightName == name }) { return (index, false) }
        if let index = layers.firstIndex(where: { $0.biasName == name }) { return (index, true) }
        return nil
    }

    /// ∂C/∂θ for every parameter by the library's autodiff, the model in Float64.
    private func libraryGradients() -> [String: [Double]] {
        let (x, y) = exampleTensors()
        let gradients = valueWithGradient(at: modelInFloat64()) { model in
            cost.library(output: model(x), target: y)
        }.gradient
        return gradients.byName.mapValues { $0.doubles() }
    }

    /// The step of the central differences.
    static let finiteDifferenceStep = 1e-6

    /// (C(θ + h) − C(θ − h)) / 2h for every parameter, each nudged alone, the cost computed by
    /// the library's forward pass in Float64.
    private func finiteDifferenceGradients() -> [String: [Double]] {
        let (x, y) = exampleTensors()
        let base = modelInFloat64()
        let h = Self.finiteDifferenceStep
        func cost(nudging name: String, element: Int, by amount: Double) -> Double {
            var nudged = base
            nudged.visitParameters { parameterName, parameter in
                guard parameterName == name else { return }
                var values = parameter.doubles()
                values[element] += amount
                parameter = Tensor(doubles: values, shape: parameter.shape, dtype: .float64)
            }
            return withoutGradients { self.cost.library(output: nudged(x), target: y).doubleValue }
        }
        var result: [String: [Double]] = [:]
        for (name, value) in base.parameters {
            result[name] = (0..<value.scalarCount).map { element in
                (cost(nudging: name, element: element, by: h) - cost(nudging: name, element: element, by: -h)) / (2 * h)
            }
        }
        return result
    }

    /// The largest differences between the three gradients, and whether they are within
    /// rounding (chain rule and autodiff compute the same formulas in another order) and the
    /// finite differences' truncation error.
    static func agreement(_ steps: [Explanation.ParameterStep]) -> Explanation.Agreement {
        let exact = steps.map { Swift.abs($0.chainRule - $0.autodiff) }.max() ?? 0
        let estimate = steps.map { Swift.abs($0.finiteDifference - $0.autodiff) }.max() ?? 0
        let agrees = steps.allSatisfy { step in
            let scale = Swift.max(1, Swift.abs(step.autodiff))
            return Swift.abs(step.chainRule - step.autodiff) <= 1e-9 * scale
                && Swift.abs(step.finiteDifference - step.autodiff) <= 1e-6 * scale
        }
        return .init(chainRuleVersusAutodiff: exact, finiteDifferenceVersusAutodiff: estimate,
                     finiteDifferenceStep: finiteDifferenceStep, agrees: agrees)
    }
}
