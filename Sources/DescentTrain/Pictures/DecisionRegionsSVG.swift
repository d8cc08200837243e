extension DecisionRegions {
    /// The picture as a self-contained SVG: each class's region in a light tint of its colour,
    /// the examples as dots in the full colour of their true class (validation examples with a
    /// black ring), so that a dot on another colour's ground is an example the model gets wrong.
    ///
    /// Each row of the grid is drawn as runs of cells of one class (`data-class` on each
    /// rectangle), and each example carries `data-label`, its true class.
    public func svg(title: String = "Decision regions", subtitle: String? = nil) -> String {
        let (width, height) = (region.x.upperBound - region.x.lowerBound, region.y.upperBound - region.y.lowerBound)
        let scale = 460 / max(width, height)
        let frame = PlotFrame(region: region, left: 76, top: 64, width: width * scale, height: height * scale)
        let legendWidth = 215.0
        var svg = SVGDocument(width: frame.left + frame.width + 30 + legendWidth, height: frame.top + frame.height + 56)
        svg.text(title, x: 20, y: 24, size: 16, weight: "bold")
        if let subtitle { svg.text(subtitle, x: 20, y: 44, size: 12, color: "#444") }
        let (cellWidth, cellHeight) = (frame.width / Double(columns), frame.height / Double(rows))
        for row in 0..<rows {
            var column = 0
            while column < columns {
                let predicted = classes[row * columns + column]
                var end = column + 1
                while end < columns && classes[row * columns + end] == predicted { end += 1 }
                // Rows go up the plane and down the picture; a hair of overlap hides seams (the tints are
                // opaque, so where rectangles overlap nothing darkens).
                svg.raw("<rect x=\(SVGDocument.quoted(frame.left + Double(column) * cellWidth)) "
                        + "y=\(SVGDocument.quoted(frame.top + frame.height - Double(row + 1) * cellHeight)) "
                        + "width=\(SVGDocument.quoted(Double(end - column) * cellWidth + 0.3)) height=\(SVGDocument.quoted(cellHeight + 0.3)) "
                        + "fill=\"\(Self.tint(of: predicted))\" shape-rendering=\"crispEdges\" data-class=\"\(predicted)\"/>")
                column = end
            }
        }
        frame.drawAxes(in: &svg, xName: featureNames.first ?? "x₁", yName: featureNames.dropFirst().first ?? "x₂")
        for example in examples {
            let (x, y) = frame.pixel(example.point)
            svg.circle(x: x, y: y, radius: 3.5, fill: Self.color(of: example.label), stroke: example.isValidation ? "black" : "white",
                       strokeWidth: example.isValidation ? 1.2 : 0.8, data: [("label", "\(example.label)")])
        }
        drawLegend(in: &svg, left: frame.left + frame.width + 30, top: frame.top + 14)
        return svg.text
    }

    /// The classes' colours, then what the dots and rings mean.
    private func drawLegend(in svg: inout SVGDocument, left: Double, top: Double) {
        var y = top
        let used = Set(classes).union(examples.map(\.label))
        for (index, name) in classNames.enumerated() where used.contains(index) {
            svg.rectangle(x: left, y: y - 11, width: 22, height: 14, fill: Self.tint(of: index))
            svg.circle(x: left + 11, y: y - 4, radius: 3.5, fill: Self.color(of: index), stroke: "white", strokeWidth: 0.8)
            svg.text("class \(name)", x: left + 30, y: y, size: 13)
            y += 22
        }
        y += 8
        for line in ["Ground: the class predicted there.", "Dots: examples in their true class's",
                     "colour; ringed in black if held", "out for validation."] {
            svg.text(line, x: left, y: y, size: 11, color: "#555")
            y += 15
        }
    }

    /// The colour of class `index` (matplotlib's ten, then round again).
    static func color(of index: Int) -> String {
        let (red, green, blue) = palette(index)
        return SVGDocument.color(from: (red, green, blue), to: (red, green, blue), at: 0)
    }

    /// The light tint of class `index`'s colour that its region is painted in.
    static func tint(of index: Int) -> String {
        SVGDocument.color(from: (255, 255, 255), to: palette(index), at: 0.3)
    }

    private static func palette(_ index: Int) -> (Int, Int, Int) {
        let colors = [(0x1f, 0x77, 0xb4), (0xff, 0x7f, 0x0e), (0x2c, 0xa0, 0x2c), (0xd6, 0x27, 0x28), (0x94, 0x67, 0xbd),
                      (0x8c, 0x56, 0x4b), (0xe3, 0x77, 0xc2), (0x7f, 0x7f, 0x7f), (0xbc, 0xbd, 0x22), (0x17, 0xbe, 0xcf)]
        return colors[((index % colors.count) + colors.count) % colors.count]
    }
}
