import Foundation

/// A self-contained SVG picture under construction: the few elements Descent's charts are drawn
/// with (text, rectangles, lines, circles, paths), written one place so that every chart formats
/// numbers, escapes text and opens the document the same way.
///
/// Coordinates are SVG's: x to the right, y downwards, in pixels, written with one decimal.
/// A chart maps its own units to pixels itself (see ``PlotFrame``).
struct SVGDocument {
    /// The picture's size in pixels.
    let width: Double, height: Double
    /// The elements written so far, one per line.
    private var body = ""

    /// An empty picture on a white background.
    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// The finished document.
    var text: String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Self.integer(width))" height="\(Self.integer(height))" \
        viewBox="0 0 \(Self.integer(width)) \(Self.integer(height))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>

        """ + body + "</svg>\n"
    }

    /// Text whose baseline starts at (x, y); `anchor` is SVG's `text-anchor` (start, middle, end).
    /// A `halo` draws a white outline under the letters, so that they read over lines.
    mutating func text(_ content: String, x: Double, y: Double, anchor: String? = nil, size: Double? = nil,
                       color: String? = nil, weight: String? = nil, halo: Bool = false) {
        var attributes = "x=\(Self.quoted(x)) y=\(Self.quoted(y))"
        if let anchor { attributes += " text-anchor=\"\(anchor)\"" }
        if let size { attributes += " font-size=\(Self.quoted(size))" }
        if let color { attributes += " fill=\"\(color)\"" }
        if let weight { attributes += " font-weight=\"\(weight)\"" }
        if halo { attributes += " stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\"" }
        body += "<text \(attributes)>\(Self.escaped(content))</text>\n"
    }

    /// A rectangle; `fill` "none" for an outline only.
    mutating func rectangle(x: Double, y: Double, width: Double, height: Double, fill: String,
                            stroke: String? = nil, opacity: Double? = nil) {
        var attributes = "x=\(Self.quoted(x)) y=\(Self.quoted(y)) width=\(Self.quoted(width)) height=\(Self.quoted(height)) fill=\"\(fill)\""
        if let stroke { attributes += " stroke=\"\(stroke)\"" }
        if let opacity { attributes += " fill-opacity=\(Self.quoted(opacity, digits: 2))" }
        body += "<rect \(attributes)/>\n"
    }

    /// A straight line from one point to another.
    mutating func line(from start: (x: Double, y: Double), to end: (x: Double, y: Double), color: String,
                       width: Double = 1, dash: String? = nil) {
        body += "<line x1=\(Self.quoted(start.x)) y1=\(Self.quoted(start.y)) x2=\(Self.quoted(end.x)) y2=\(Self.quoted(end.y))"
            + " stroke=\"\(color)\" stroke-width=\(Self.quoted(width))\(Self.dashAttribute(dash))/>\n"
    }

    /// A line through `points` in order.
    mutating func polyline(_ points: [(x: Double, y: Double)], color: String, width: Double = 2, dash: String? = nil) {
        let list = points.map { "\(Self.number($0.x)),\(Self.number($0.y))" }.joined(separator: " ")
        body += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(Self.integerOrNumber(width))\"\(Self.dashAttribute(dash)) points=\"\(list)\"/>\n"
    }

    /// Separate straight pieces, each a list of points, drawn as one `<path>`; `data` attributes
    /// (`data-level="0.5"`) let a reader, or a test, tell what the path shows.
    mutating func path(_ pieces: [[(x: Double, y: Double)]], color: String, width: Double = 1,
                       opacity: Double? = nil, data: [(String, String)] = []) {
        let commands = pieces.filter { $0.count > 1 }.map { piece in
            "M" + piece.map { "\(Self.number($0.x)),\(Self.number($0.y))" }.joined(separator: "L")
        }.joined(separator: " ")
        guard !commands.isEmpty else { return }
        var attributes = data.map { " data-\($0.0)=\"\(Self.escaped($0.1))\"" }.joined()
        if let opacity { attributes += " stroke-opacity=\(Self.quoted(opacity, digits: 2))" }
        body += "<path fill=\"none\" stroke=\"\(color)\" stroke-width=\(Self.quoted(width))\(attributes) "
            + "stroke-linejoin=\"round\" d=\"\(commands)\"/>\n"
    }

    /// A circle centred at (x, y).
    mutating func circle(x: Double, y: Double, radius: Double, fill: String, stroke: String? = nil,
                         strokeWidth: Double = 1, data: [(String, String)] = []) {
        var attributes = "cx=\(Self.quoted(x)) cy=\(Self.quoted(y)) r=\(Self.quoted(radius)) fill=\"\(fill)\""
        if let stroke { attributes += " stroke=\"\(stroke)\" stroke-width=\(Self.quoted(strokeWidth))" }
        attributes += data.map { " data-\($0.0)=\"\(Self.escaped($0.1))\"" }.joined()
        body += "<circle \(attributes)/>\n"
    }

    /// An element written as is (for the rare shape the methods above do not cover).
    mutating func raw(_ element: String) {
        body += element + "\n"
    }

    // MARK: Formatting

    /// The colour a fraction `t` of the way from `low` to `high`, each as red, green and blue
    /// from 0 to 255, as `#rrggbb`.
    static func color(from low: (Int, Int, Int), to high: (Int, Int, Int), at t: Double) -> String {
        let t = min(max(t, 0), 1)
        func channel(_ a: Int, _ b: Int) -> Int { Int((Double(a) + t * Double(b - a)).rounded()) }
        return String(format: "#%02x%02x%02x", channel(low.0, high.0), channel(low.1, high.1), channel(low.2, high.2))
    }

    /// A coordinate or size with one decimal: enough for a pixel, short in the file.
    static func number(_ value: Double) -> String { String(format: "%.1f", value) }

    /// A value in quotes, as an attribute takes it.
    static func quoted(_ value: Double, digits: Int = 1) -> String { String(format: "\"%.\(digits)f\"", value) }

    /// A number for a person to read: four significant digits, no trailing zeros.
    static func label(_ value: Double) -> String { String(format: "%.4g", value) }

    /// Text with the characters that XML reserves written as entities.
    static func escaped(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            default: result.append(character)
            }
        }
        return result
    }

    private static func integer(_ value: Double) -> String { String(Int(value.rounded())) }

    private static func integerOrNumber(_ value: Double) -> String {
        value == value.rounded() ? integer(value) : number(value)
    }

    private static func dashAttribute(_ dash: String?) -> String {
        dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
    }
}
