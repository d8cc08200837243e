import Foundation

/// How `descent explain` prints an ``Explanation``.
public enum ExplanationFormat: String, Sendable, CaseIterable {
    /// Aligned tables for a terminal.
    case text
    /// Markdown with LaTeX formulas, for notes.
    case markdown
    /// Every number, as JSON (the fields of ``Explanation``).
    case json
}

extension Explanation {
    /// The explanation in `format`.
    public func formatted(_ format: ExplanationFormat) throws -> String {
        switch format {
        case .text: text()
        case .markdown: markdown()
        case .json: try json()
        }
    }

    /// Every number as JSON, keys sorted (see Documentation/Explain.md for the fields).
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// A number as the text and Markdown tables show it: 8 decimals.
    public static func number(_ value: Double) -> String {
        // −0 (a product with a factor 0) prints as 0, and a value that rounds to zero without
        // its sign, so that a column of zeros reads as one.
        let text = String(format: "%.8f", value == 0 ? 0 : value)
        return text == "-0.00000000" ? "0.00000000" : text
    }

    /// A difference as the agreement line shows it: "1.1e-17".
    static func difference(_ value: Double) -> String {
        String(format: "%.1e", value)
    }

    /// The network in one line: "2 → 2 sigmoid → 1 sigmoid".
    var architecture: String {
        ([String(network.first?.inputs ?? 0)] + network.map { layer in
            layer.activation == "identity" ? "\(layer.outputs)" : "\(layer.outputs) \(layer.activation)"
        }).joined(separator: " → ")
    }

    /// The target in words: "y = (1)" or "class y = 2".
    var targetDescription: String {
        ExplainedCost(rawValue: cost.name)?.takesClassIndex == true
            ? "class y = \(Int(target[0]))"
            : "y = (" + target.map(Self.short).joined(separator: ", ") + ")"
    }

    /// A value of the example as typed: 1 rather than 1.00000000, a standardized input to 8
    /// significant digits (the JSON has every digit).
    static func short(_ value: Double) -> String {
        value == value.rounded() && Swift.abs(value) < 1e15 ? String(Int(value)) : String(format: "%.8g", value)
    }

    /// The sentence that says whether the three gradients agree.
    var agreementSentence: String {
        let verdict = agreement.agrees ? "agree" : "DO NOT agree"
        return "Chain rule and autodiff \(verdict): max |difference| \(Self.difference(agreement.chainRuleVersusAutodiff)); "
            + "finite differences (h = \(Self.difference(agreement.finiteDifferenceStep))) vs autodiff: max |difference| "
            + Self.difference(agreement.finiteDifferenceVersusAutodiff) + "."
    }
}
