import Foundation
import DescentCore

extension GraphDrawing {
    /// Where each node goes: its column is the length of the longest path from a parameter or
    /// constant to it (inputs always to the left of the operations that use them), its row its
    /// place among the nodes of that column.
    public func layout() -> [(column: Int, row: Int)] {
        var columns: [Int] = []
        for node in graph.nodes {
            columns.append((node.inputs.map { columns[$0] + 1 }).max() ?? 0)
        }
        // A constant or parameter sits just left of its first user, not far away in column 0.
        for node in graph.nodes where node.inputs.isEmpty {
            if let firstUser = graph.nodes.first(where: { $0.inputs.contains(node.id) }) {
                columns[node.id] = columns[firstUser.id] - 1
            }
        }
        var rowsUsed: [Int: Int] = [:]
        return columns.map { column in
            defer { rowsUsed[column, default: 0] += 1 }
            return (column, rowsUsed[column, default: 0])
        }
    }

    /// The graph as SVG, laid out by ``layout()``: boxes with each node's lines, curves with
    /// arrowheads from inputs to operations.
    public func svg() -> String {
        let places = layout()
        // Boxes as wide as the longest line needs, at about 5.8 points a character of 11-point
        // Helvetica, within reason.
        let longestLine = graph.nodes.flatMap(label(of:)).map(\.count).max() ?? 20
        let boxWidth = Swift.min(Swift.max(Double(longestLine) * 5.8 + 12, 160), 420)
        let (boxHeight, columnGap, rowGap, margin) = (54.0, 50.0, 18.0, 16.0)
        func origin(_ id: Int) -> (x: Double, y: Double) {
            (margin + Double(places[id].column) * (boxWidth + columnGap),
             margin + Double(places[id].row) * (boxHeight + rowGap))
        }
        let width = margin * 2 + Double((places.map(\.column).max() ?? 0) + 1) * (boxWidth + columnGap) - columnGap
        let height = margin * 2 + Double((places.map(\.row).max() ?? 0) + 1) * (boxHeight + rowGap) - rowGap
        var parts = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
                + "viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\">",
            "<title>Computational graph: \(graph.nodes.count) nodes, \(graph.edges.count) edges</title>",
            "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
                + "orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>",
            "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
        ]
        for edge in graph.edges {
            let (from, to) = (origin(edge.from), origin(edge.to))
            let (x1, y1) = (from.x + boxWidth, from.y + boxHeight / 2)
            // Each input arrives at its own height, in argument order, so that `subtract`'s
            // first and second operands can be told apart.
            let inputs = graph.nodes[edge.to].inputs
            let slot = Double((inputs.firstIndex(of: edge.from) ?? 0) + 1) / Double(inputs.count + 1)
            let (x2, y2) = (to.x, to.y + boxHeight * slot)
            let bend = Swift.max((x2 - x1) / 2, 20)
            parts.append("<path class=\"edge\" data-from=\"n\(edge.from)\" data-to=\"n\(edge.to)\" "
                         + "d=\"M\(Self.f(x1)),\(Self.f(y1)) C\(Self.f(x1 + bend)),\(Self.f(y1)) \(Self.f(x2 - bend)),\(Self.f(y2)) "
                         + "\(Self.f(x2)),\(Self.f(y2))\" fill=\"none\" stroke=\"#555\" marker-end=\"url(#arrow)\"/>")
        }
        for node in graph.nodes {
            let (x, y) = origin(node.id)
            parts.append("<g class=\"node\" id=\"n\(node.id)\" data-role=\"\(node.role.rawValue)\" data-operation=\"\(Self.escaped(node.operation))\">")
            parts.append("<rect x=\"\(Self.f(x))\" y=\"\(Self.f(y))\" width=\"\(Self.f(boxWidth))\" height=\"\(Self.f(boxHeight))\" rx=\"4\" "
                         + "fill=\"\(Self.fill(for: node, isResult: node.id == graph.result))\" stroke=\"#333\"/>")
            for (index, line) in label(of: node).enumerated() {
                let weight = index == 0 ? " font-weight=\"bold\"" : ""
                parts.append("<text x=\"\(Self.f(x + 6))\" y=\"\(Self.f(y + 15 + Double(index) * 15))\"\(weight)>\(Self.escaped(line))</text>")
            }
            parts.append("</g>")
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n") + "\n"
    }

    /// A coordinate with one decimal.
    private static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    /// Text for XML: &, <, > and quotes escaped.
    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
