/// The textbook's symbols with layer and unit numbers: a⁽²⁾₁, w⁽¹⁾₂₁, ∂C/∂z⁽¹⁾₂.
enum Symbols {
    private static let superscriptDigits = Array("⁰¹²³⁴⁵⁶⁷⁸⁹")
    private static let subscriptDigits = Array("₀₁₂₃₄₅₆₇₈₉")

    static func superscript(_ number: Int) -> String {
        String(String(number).compactMap { $0.wholeNumberValue.map { superscriptDigits[$0] } })
    }

    static func `subscript`(_ number: Int) -> String {
        String(String(number).compactMap { $0.wholeNumberValue.map { subscriptDigits[$0] } })
    }

    /// `name⁽layer⁾` followed by the 1-based `units` as subscripts (separated by commas when
    /// one has two digits, so that w₁₁,₂ is not read as w₁,₁₂).
    static func symbol(_ name: String, layer: Int, units: [Int]) -> String {
        let separator = units.contains { $0 > 9 } ? "," : ""
        return name + "⁽" + superscript(layer) + "⁾" + units.map(`subscript`).joined(separator: separator)
    }
}
