import Foundation

extension Explanation {
    /// The explanation as Markdown, its formulas in LaTeX (`$…$`, `$$…$$`), for notes.
    public func markdown() -> String {
        var lines: [String] = []
        lines.append("# One step of gradient descent on one example")
        lines.append("")
        lines.append("- Network: \(architecture) (\(parameters.count) parameters), computed in Float64")
        lines.append("- Input: $x = a^{(0)} = (" + input.map(Self.short).joined(separator: ", ") + ")$"
                     + (standardizedInput ? " (standardized as in training)" : ""))
        lines.append("- Target: " + targetDescription.replacingOccurrences(of: "y = ", with: "$y = ") + "$")
        let latexCost = ExplainedCost(rawValue: cost.name)?.latex ?? cost.formula
        lines.append("- Cost (`\(cost.name)`): $\(latexCost)$")
        lines.append("- Learning rate: $\\eta = \(Self.short(learningRate))$")
        lines.append("")

        lines.append("## Forward pass")
        lines.append("")
        lines.append("$$z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)}, \\qquad a^{(l)} = f\\big(z^{(l)}\\big)$$")
        lines.append("")
        lines.append("| layer | unit | activation | $z$ | $a$ |")
        lines.append("| --- | --- | --- | ---: | ---: |")
        for (layer, pass) in zip(network, forward) {
            for unit in pass.z.indices {
                lines.append("| \(layer.layer) | \(unit + 1) | \(layer.activation) | \(Self.number(pass.z[unit])) | \(Self.number(pass.a[unit])) |")
            }
        }
        lines.append("")
        lines.append("Cost: $C = \(Self.number(cost.value))$")
        lines.append("")

        if !chainRule.isEmpty {
            lines.append("## Backward pass: the chain rule along each path")
            lines.append("")
            for product in chainRule {
                let symbols = product.factors.map { Self.latexDerivative($0.symbol) }.joined(separator: " \\cdot ")
                let values = product.factors.map { "(\(Self.number($0.value)))" }.joined(separator: " \\cdot ")
                lines.append("$$\(Self.latexDerivative("∂C/∂" + product.symbol)) = \(symbols) = \(values) = \(Self.number(product.product))$$")
                lines.append("")
            }
        }

        lines.append("## Backward pass: the δ recursion")
        lines.append("")
        lines.append("$$\\delta^{(L)} = \\frac{\\partial C}{\\partial a^{(L)}} \\odot f'\\big(z^{(L)}\\big), \\quad "
                     + "\\delta^{(l)} = \\big(W^{(l+1)\\top} \\delta^{(l+1)}\\big) \\odot f'\\big(z^{(l)}\\big), \\quad "
                     + "\\frac{\\partial C}{\\partial W^{(l)}} = \\delta^{(l)} a^{(l-1)\\top}, \\quad "
                     + "\\frac{\\partial C}{\\partial b^{(l)}} = \\delta^{(l)}$$")
        lines.append("")
        lines.append("| layer | unit | $\\partial C/\\partial a$ | $f'(z)$ | $\\delta$ |")
        lines.append("| --- | --- | ---: | ---: | ---: |")
        for pass in backward {
            for unit in pass.delta.indices {
                let derivative = pass.activationDerivative.map { Self.number($0[unit]) } ?? "(Jacobian)"
                lines.append("| \(pass.layer) | \(unit + 1) | \(Self.number(pass.outputGradient[unit])) | \(derivative) | \(Self.number(pass.delta[unit])) |")
            }
        }
        lines.append("")

        lines.append("## Every parameter: the gradient three ways and the step $\\theta \\leftarrow \\theta - \\eta \\nabla C$")
        lines.append("")
        lines.append("| parameter | symbol | $\\theta$ | chain rule | autodiff | finite difference | $\\theta - \\eta\\,\\partial C/\\partial\\theta$ |")
        lines.append("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
        for step in parameters {
            lines.append("| `\(step.parameter)` | $\(Self.latexSymbol(step.symbol))$ | \(Self.number(step.value)) | \(Self.number(step.chainRule)) | "
                         + "\(Self.number(step.autodiff)) | \(Self.number(step.finiteDifference)) | \(Self.number(step.updated)) |")
        }
        lines.append("")
        lines.append("Cost after the step: $C = \(Self.number(cost.valueAfterStep))$ (before: \(Self.number(cost.value))).")
        lines.append("")
        lines.append(agreementSentence)
        return lines.joined(separator: "\n") + "\n"
    }

    /// A symbol such as w⁽¹⁾₂₁ in LaTeX: `w^{(1)}_{21}`.
    static func latexSymbol(_ symbol: String) -> String {
        var name = "", layer = "", units = ""
        var part = 0
        for character in symbol {
            switch character {
            case "⁽": part = 1
            case "⁾": part = 2
            default:
                if part == 0 { name.append(character) }
                else if part == 1 { layer.append(Self.digit(character)) }
                else { units.append(character == "," ? "," : Self.digit(character)) }
            }
        }
        return "\(name)^{(\(layer))}" + (units.isEmpty ? "" : "_{\(units)}")
    }

    /// "∂a⁽²⁾₁/∂z⁽²⁾₁" as a LaTeX fraction.
    static func latexDerivative(_ derivative: String) -> String {
        let parts = derivative.split(separator: "/").map { String($0.dropFirst()) }   // drop the ∂s
        guard parts.count == 2 else { return derivative }
        func symbol(_ text: String) -> String { text == "C" ? "C" : latexSymbol(text) }
        return "\\frac{\\partial \(symbol(parts[0]))}{\\partial \(symbol(parts[1]))}"
    }

    /// A superscript or subscript digit as the plain digit.
    private static func digit(_ character: Character) -> Character {
        let superscripts = Array("⁰¹²³⁴⁵⁶⁷⁸⁹"), subscripts = Array("₀₁₂₃₄₅₆₇₈₉")
        if let index = superscripts.firstIndex(of: character) ?? subscripts.firstIndex(of: character) {
            return Character(String(index))
        }
        return character
    }
}
