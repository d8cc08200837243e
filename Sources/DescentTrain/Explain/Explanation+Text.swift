extension Explanation {
    /// The explanation as aligned plain-text tables: `descent explain`'s default output.
    public func text() -> String {
        var lines: [String] = []
        let parameterCount = parameters.count
        lines.append("One step of gradient descent on one example, in Float64")
        lines.append("")
        lines.append("Network        \(architecture)  (\(parameterCount) parameters)")
        lines.append("Input          x = a⁽⁰⁾ = (" + input.map(Self.short).joined(separator: ", ") + ")"
                     + (standardizedInput ? "  (standardized as in training)" : ""))
        lines.append("Target         \(targetDescription)")
        lines.append("Cost           \(cost.name): \(cost.formula)")
        lines.append("Learning rate  η = \(Self.short(learningRate))")
        lines.append("")

        lines.append("Forward pass: z⁽ˡ⁾ = W⁽ˡ⁾a⁽ˡ⁻¹⁾ + b⁽ˡ⁾, a⁽ˡ⁾ = f(z⁽ˡ⁾)")
        for (layer, pass) in zip(network, forward) {
            lines.append("  layer \(layer.layer) (\(layer.activation): \(layer.formula))")
            let rows = pass.z.indices.map { unit in
                [Symbols.symbol("z", layer: layer.layer, units: [unit + 1]), Self.number(pass.z[unit]),
                 Symbols.symbol("a", layer: layer.layer, units: [unit + 1]), Self.number(pass.a[unit])]
            }
            lines += Self.table(header: ["", "z", "", "a"], rows: rows, indent: 4)
        }
        lines.append("Cost C = \(Self.number(cost.value))")
        lines.append("")

        if !chainRule.isEmpty {
            lines.append("Backward pass, the chain rule along each parameter's one path to the cost")
            for product in chainRule {
                let lead = "  ∂C/∂\(product.symbol) = "
                let pad = String(repeating: " ", count: lead.count)
                lines.append(lead + product.factors.map(\.symbol).joined(separator: " · "))
                lines.append(pad + product.factors.map { "(\(Self.number($0.value)))" }.joined(separator: " · "))
                lines.append(pad + Self.number(product.product))
            }
            lines.append("")
        }

        lines.append("Backward pass, the δ recursion")
        lines.append("  δ⁽ᴸ⁾ = ∂C/∂a⁽ᴸ⁾ ⊙ f′(z⁽ᴸ⁾),  δ⁽ˡ⁾ = (W⁽ˡ⁺¹⁾ᵀ δ⁽ˡ⁺¹⁾) ⊙ f′(z⁽ˡ⁾),  ∂C/∂W⁽ˡ⁾ = δ⁽ˡ⁾ a⁽ˡ⁻¹⁾ᵀ,  ∂C/∂b⁽ˡ⁾ = δ⁽ˡ⁾")
        let lastLayer = network.count
        for pass in backward {
            let l = pass.layer
            let source = l == lastLayer ? "from the cost" : "= W⁽\(Symbols.superscript(l + 1))⁾ᵀ δ⁽\(Symbols.superscript(l + 1))⁾"
            let rule = pass.activationDerivative == nil
                ? "δ = (∂a/∂z)ᵀ ∂C/∂a, ∂a/∂z the full Jacobian of \(network[l - 1].activation)"
                : "δ = ∂C/∂a ⊙ f′(z)"
            lines.append("  layer \(l): ∂C/∂a⁽\(Symbols.superscript(l))⁾ \(source); \(rule)")
            let rows = pass.delta.indices.map { unit in
                [String(unit + 1), Self.number(pass.outputGradient[unit]),
                 pass.activationDerivative.map { Self.number($0[unit]) } ?? "—", Self.number(pass.delta[unit])]
            }
            lines += Self.table(header: ["unit", "∂C/∂a", "f′(z)", "δ"], rows: rows, indent: 4)
        }
        lines.append("")

        lines.append("Every parameter: ∂C/∂θ three ways, and the step θ ← θ − η·∂C/∂θ")
        let rows = parameters.map { step in
            [step.parameter, step.symbol, Self.number(step.value), Self.number(step.chainRule),
             Self.number(step.autodiff), Self.number(step.finiteDifference), Self.number(step.updated)]
        }
        lines += Self.table(header: ["parameter", "symbol", "θ", "chain rule", "autodiff", "finite diff.", "θ − η∇"],
                            rows: rows, indent: 2)
        lines.append("")
        lines.append("Cost after the step: \(Self.number(cost.valueAfterStep)) (before: \(Self.number(cost.value)))")
        lines.append(agreementSentence)
        return lines.joined(separator: "\n") + "\n"
    }

    /// Rows under a header, each column as wide as its widest cell; numbers right-aligned.
    static func table(header: [String], rows: [[String]], indent: Int) -> [String] {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            String(repeating: " ", count: indent) + row.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                let isNumber = Double(cell) != nil
                return isNumber ? padding + cell : cell + padding
            }.joined(separator: "  ").replacingTrailingSpaces()
        }
    }
}

extension String {
    /// The string without the spaces at its end (a table's last column padded for nothing).
    fileprivate func replacingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
