import Foundation

extension History {
    /// A self-contained SVG line chart of the history: one panel per quantity (the cost, then
    /// each metric), with the training series solid and the validation series (`val_…`) dashed.
    public func svg(width: Int = 640, panelHeight: Int = 220) -> String {
        let quantities = names.filter { !$0.hasPrefix("val_") && $0 != "learning_rate" }
        let margin = (left: 60.0, right: 20.0, top: 30.0, bottom: 30.0)
        let height = panelHeight * max(quantities.count, 1)
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" \
            viewBox="0 0 \(width) \(height)" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>

            """
        for (panel, name) in quantities.enumerated() {
            let series = [(self[name] ?? [], "#1f77b4", ""), (self["val_" + name] ?? [], "#ff7f0e", " stroke-dasharray=\"6 4\"")]
            let values = series.flatMap(\.0).filter(\.isFinite)
            guard let low = values.min(), let high = values.max() else { continue }
            let span = high > low ? high - low : 1
            let top = Double(panel * panelHeight) + margin.top
            let plotHeight = Double(panelHeight) - margin.top - margin.bottom
            let plotWidth = Double(width) - margin.left - margin.right
            let epochs = max(epochCount - 1, 1)
            func point(_ index: Int, _ value: Double) -> String {
                let x = margin.left + plotWidth * Double(index) / Double(epochs)
                let y = top + plotHeight * (1 - (value - low) / span)
                return String(format: "%.1f,%.1f", x, y)
            }
            svg += "<text x=\"\(margin.left)\" y=\(quote(top - 10))>\(name) per epoch (training solid, validation dashed)</text>\n"
            svg += "<rect x=\"\(margin.left)\" y=\(quote(top)) width=\(quote(plotWidth)) height=\(quote(plotHeight)) fill=\"none\" stroke=\"#ccc\"/>\n"
            svg += "<text x=\"4\" y=\(quote(top + 10))>\(String(format: "%.4g", high))</text>\n"
            svg += "<text x=\"4\" y=\(quote(top + plotHeight))>\(String(format: "%.4g", low))</text>\n"
            for (values, color, dash) in series where !values.isEmpty {
                let points = values.enumerated().filter { $0.element.isFinite }.map { point($0.offset, $0.element) }
                svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"\(dash) points=\"\(points.joined(separator: " "))\"/>\n"
            }
        }
        return svg + "</svg>\n"
    }

    private func quote(_ value: Double) -> String { String(format: "\"%.1f\"", value) }
}
