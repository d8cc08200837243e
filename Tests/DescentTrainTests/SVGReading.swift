import Foundation

/// Just enough reading of Descent's SVG for tests to check what a picture shows: elements by
/// name and attribute, and the points of a path.
struct SVGElement {
    var name: String
    var attributes: [String: String]

    /// A numeric attribute.
    func number(_ attribute: String) -> Double? { attributes[attribute].flatMap(Double.init) }

    /// The points of a `<path>`'s `d` (commands M and L only), one list per M.
    var pathPieces: [[(x: Double, y: Double)]] {
        guard let data = attributes["d"] else { return [] }
        return data.split(separator: "M").map { piece in
            piece.split(whereSeparator: { $0 == "L" || $0 == " " }).compactMap { pair in
                let numbers = pair.split(separator: ",").compactMap { Double($0) }
                return numbers.count == 2 ? (numbers[0], numbers[1]) : nil
            }
        }.filter { !$0.isEmpty }
    }
}

/// The elements of an SVG document (one per line, as Descent writes them).
func svgElements(_ text: String, named name: String) -> [SVGElement] {
    let attribute = try! NSRegularExpression(pattern: #"([a-zA-Z-]+)="([^"]*)""#)
    return text.split(separator: "\n").compactMap { line -> SVGElement? in
        guard line.hasPrefix("<\(name) ") else { return nil }
        let string = String(line)
        var attributes: [String: String] = [:]
        for match in attribute.matches(in: string, range: NSRange(string.startIndex..., in: string)) {
            let key = String(string[Range(match.range(at: 1), in: string)!])
            attributes[key] = String(string[Range(match.range(at: 2), in: string)!])
        }
        return SVGElement(name: name, attributes: attributes)
    }
}
