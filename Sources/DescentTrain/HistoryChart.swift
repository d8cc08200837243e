import Foundation

extension History {
    /// A self-contained SVG line chart of the history: one panel per quantity (the cost, then
    /// each metric), with the training series solid and the validation series (`val_…`) dashed.
    public func svg(width: Int = 640, panelHeight: Int = 220) -> String {
        let quantities = names.filter { !$0.hasPrefix("val_") && $0 != "learning_rate" }
        let margin = (left: 60.0, right: 20.0, top: 30.0, bottom: 30.0)
        var svg = SVGDocument(width: Double(width), height: Double(panelHeight * max(quantities.count, 1)))
        for (panel, name) in quantities.enumerated() {
            let series = [(self[name] ?? [], "#1f77b4", nil), (self["val_" + name] ?? [], "#ff7f0e", "6 4")]
            let values = series.flatMap(\.0).filter(\.isFinite)
            guard let low = values.min(), let high = values.max() else { continue }
            let span = high > low ? high - low : 1
            let top = Double(panel * panelHeight) + margin.top
            let plotHeight = Double(panelHeight) - margin.top - margin.bottom
            let plotWidth = Double(width) - margin.left - margin.right
            let epochs = max(epochCount - 1, 1)
            func point(_ index: Int, _ value: Double) -> (x: Double, y: Double) {
                (margin.left + plotWidth * Double(index) / Double(epochs), top + plotHeight * (1 - (value - low) / span))
            }
            svg.text("\(name) per epoch (training solid, validation dashed)", x: margin.left, y: top - 10)
            svg.rectangle(x: margin.left, y: top, width: plotWidth, height: plotHeight, fill: "none", stroke: "#ccc")
            svg.text(SVGDocument.label(high), x: 4, y: top + 10)
            svg.text(SVGDocument.label(low), x: 4, y: top + plotHeight)
            // The epochs along the bottom: the first, the last, and what the axis counts.
            svg.text("1", x: margin.left, y: top + plotHeight + 14, anchor: "middle", size: 10, color: "#666")
            svg.text("epoch", x: margin.left + plotWidth / 2, y: top + plotHeight + 14, anchor: "middle", size: 10, color: "#666")
            svg.text("\(epochCount)", x: margin.left + plotWidth, y: top + plotHeight + 14, anchor: "middle", size: 10, color: "#666")
            for (values, color, dash) in series where !values.isEmpty {
                let points = values.enumerated().filter { $0.element.isFinite }.map { point($0.offset, $0.element) }
                svg.polyline(points, color: color, width: 2, dash: dash)
            }
        }
        return svg.text
    }
}
