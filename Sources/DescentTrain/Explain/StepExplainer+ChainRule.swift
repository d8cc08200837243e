extension StepExplainer {
    /// The chain rule written out for every parameter that reaches the cost along one path:
    /// ∂C/∂θ = ∂C/∂a⁽ᴸ⁾ · ∂a⁽ᴸ⁾/∂z⁽ᴸ⁾ · ∂z⁽ᴸ⁾/∂a⁽ᴸ⁻¹⁾ · … · ∂z⁽ˡ⁾/∂θ.
    ///
    /// A parameter of layer l has one path when every activation from layer l up is elementwise
    /// and every layer above l has one unit (in a network with one output, all of them); with
    /// several, ∂C/∂θ is a sum over paths, which the δ recursion adds up.
    func chainRuleProducts(network: ExplainedNetwork, forward: [(z: [Double], a: [Double])], activations: [[Double]],
                           costGradient: [Double], steps: [Explanation.ParameterStep]) -> [Explanation.ChainRule] {
        let layers = network.layers
        let last = layers.count - 1
        var products: [Explanation.ChainRule] = []
        for step in steps {
            guard let (index, isBias) = Self.locate(step.tensor, in: layers) else { continue }
            let onePath = layers[index...].allSatisfy(\.activation.isElementwise)
                && layers[(index + 1)...].allSatisfy { $0.outputCount == 1 }
            guard onePath else { continue }
            let unit = step.index[0]
            // The unit the path passes through in each layer: `unit` in layer `index`, the only
            // one above it.
            func pathUnit(_ layer: Int) -> Int { layer == index ? unit : 0 }
            var factors: [Explanation.Factor] = [
                .init(symbol: "∂C/∂" + Symbols.symbol("a", layer: last + 1, units: [pathUnit(last) + 1]),
                      value: costGradient[pathUnit(last)]),
            ]
            for layer in stride(from: last, through: index, by: -1) {
                let u = pathUnit(layer)
                let a = Symbols.symbol("a", layer: layer + 1, units: [u + 1])
                let z = Symbols.symbol("z", layer: layer + 1, units: [u + 1])
                factors.append(.init(symbol: "∂\(a)/∂\(z)",
                                     value: layers[layer].activation.explainedDerivative(forward[layer].z[u])))
                if layer > index {
                    let below = pathUnit(layer - 1)
                    factors.append(.init(symbol: "∂\(z)/∂" + Symbols.symbol("a", layer: layer, units: [below + 1]),
                                         value: layers[layer].weight[u][below]))
                } else {
                    factors.append(isBias
                        ? .init(symbol: "∂\(z)/∂\(step.symbol)", value: 1)
                        : .init(symbol: "∂\(z)/∂\(step.symbol)", value: activations[index][step.index[1]]))
                }
            }
            products.append(.init(parameter: step.parameter, symbol: step.symbol, factors: factors,
                                  product: factors.reduce(1) { $0 * $1.value } + 0))   // + 0: no −0 from a zero input
        }
        return products
    }
}
