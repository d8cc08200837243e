import Foundation

extension CostLandscape {
    /// The picture as a self-contained SVG: the contour lines of C(w, b) with their values, the
    /// minimum, the common start, and each method's path with a dot at every step, clipped to
    /// the square it shows (a run that diverges leaves the picture instead of stretching it),
    /// beside a legend that gives each method's final cost.
    ///
    /// Elements carry `data-` attributes that say what they show: `data-level` on each contour
    /// line, `data-method` on each path, `data-role="start"` and `data-role="minimum"`.
    public func svg() -> String {
        let frame = PlotFrame(region: region, left: 76, top: 70, width: 440, height: 440)
        var svg = SVGDocument(width: 900, height: 570)
        svg.text("Gradient descent on the cost C(w, b) of a line fit \(fit.yName) ≈ w·\(fit.xName) + b", x: 20, y: 24,
                 size: 16, weight: "bold")
        svg.text("C = mean squared error over \(fit.count) points\(fit.source.map { " of \(Self.fileName($0))" } ?? ""); "
                    + "every run starts at the black dot, η = \(SVGDocument.label(settings.learningRate)), "
                    + "\(settings.steps) steps", x: 20, y: 44, size: 12, color: "#444")
        drawContours(in: &svg, frame: frame)
        frame.drawAxes(in: &svg, xName: "w", yName: "b")
        // The noisy runs first, so that the smooth ones stay visible over them.
        let drawingOrder: [DescentMethod] = [.stochastic, .miniBatch, .momentum, .adam, .fullBatch]
        for path in drawingOrder.compactMap({ method in paths.first { $0.method == method } }) {
            let color = Self.color(of: path.method)
            svg.path(frame.clippedPixels(path.points), color: color, width: 2, opacity: 0.9,
                     data: [("method", path.method.rawValue)])
            for point in path.points.dropFirst() where region.contains(point) {
                let (x, y) = frame.pixel(point)
                svg.circle(x: x, y: y, radius: 2, fill: color)
            }
        }
        let bottom = frame.pixel(minimum)
        if region.contains(minimum) {
            svg.raw("<path d=\"M\(SVGDocument.number(bottom.x - 6)),\(SVGDocument.number(bottom.y - 6))l12,12m0,-12l-12,12\" "
                    + "stroke=\"black\" stroke-width=\"2.5\" data-role=\"minimum\"/>")
        }
        let (startX, startY) = frame.pixel(start)
        svg.circle(x: startX, y: startY, radius: 6, fill: "black", stroke: "white", strokeWidth: 2, data: [("role", "start")])
        drawLegend(in: &svg, left: 560, top: 84)
        return svg.text
    }

    /// Each contour line, darker towards the bottom of the bowl, with its value written at its
    /// highest point inside the frame.
    private func drawContours(in svg: inout SVGDocument, frame: PlotFrame) {
        for (index, line) in contours.enumerated() {
            let depth = contours.count > 1 ? Double(index) / Double(contours.count - 1) : 1
            let color = SVGDocument.color(from: (170, 195, 225), to: (25, 60, 120), at: depth)
            svg.path(line.segments.map { [frame.pixel($0.start), frame.pixel($0.end)] }, color: color, width: 1.2,
                     data: [("level", "\(line.level)")])
        }
        // Values written along one ray from the minimum, where it crosses the lines: of eight
        // directions, the one whose labels the paths cover least.
        let pathPixels = paths.flatMap { path in path.points.filter(region.contains).map(frame.pixel) }
        let candidates = (0..<8).map { contourLabels(frame: frame, angle: Double.pi / 2 + Double($0) * Double.pi / 4) }
        let covered = candidates.map { labels in
            labels.filter { label in pathPixels.contains { abs($0.x - label.x) < 16 && abs($0.y - label.y) < 8 } }.count
        }
        // Fewest covered, then most labels; the first (straight up) among equals.
        let best = candidates.indices.min { (covered[$0], -candidates[$0].count) < (covered[$1], -candidates[$1].count) } ?? 0
        for label in candidates[best] {
            svg.text(SVGDocument.label(label.level), x: label.x, y: label.y + 3, anchor: "middle", size: 9, color: "#345", halo: true)
        }
    }

    /// Where each contour line crosses the ray from the minimum at `angle` (radians,
    /// anticlockwise from the right, as on the plane), in pixels: the nearest crossing of each
    /// line, inside the frame, leaving out any within 12 pixels of the label before it.
    private func contourLabels(frame: PlotFrame, angle: Double) -> [(level: Double, x: Double, y: Double)] {
        let origin = frame.pixel(minimum)
        // SVG's y runs downwards.
        let (dx, dy) = (cos(angle), -sin(angle))
        var labels: [(level: Double, x: Double, y: Double)] = []
        var lastDistance = 6.0  // so that no label sits on the minimum's mark
        for line in contours.reversed() {
            let distances = line.segments.compactMap { segment -> Double? in
                let (a, b) = (frame.pixel(segment.start), frame.pixel(segment.end))
                // origin + t·d = a + s·(b − a), solved for t ≥ 0 and s in [0, 1].
                let (ex, ey) = (b.x - a.x, b.y - a.y)
                let determinant = ex * dy - ey * dx
                guard abs(determinant) > 1e-12 else { return nil }
                let (ax, ay) = (a.x - origin.x, a.y - origin.y)
                let t = (ex * ay - ey * ax) / determinant
                let s = (dx * ay - dy * ax) / determinant
                return t > 0 && (0...1).contains(s) ? t : nil
            }
            guard let distance = distances.min(), distance - lastDistance > 12 else { continue }
            let (x, y) = (origin.x + distance * dx, origin.y + distance * dy)
            guard x > frame.left + 14, x < frame.left + frame.width - 14, y > frame.top + 10, y < frame.top + frame.height - 4 else { break }
            labels.append((line.level, x, y))
            lastDistance = distance
        }
        return labels
    }

    /// What each colour and mark stands for, with each method's cost at its end.
    private func drawLegend(in svg: inout SVGDocument, left: Double, top: Double) {
        var y = top
        for path in paths {
            svg.line(from: (left, y - 4), to: (left + 28, y - 4), color: Self.color(of: path.method), width: 3)
            svg.text(path.method.label(settings), x: left + 36, y: y, size: 13)
            let steps = path.points.count - 1
            let outcome = path.diverged
                ? (steps < settings.steps ? "diverged: overflowed after \(steps) steps" : "diverged: C = \(SVGDocument.label(path.costs[steps]))")
                : "C = \(SVGDocument.label(path.costs[steps])) after \(steps) steps"
            svg.text(outcome, x: left + 36, y: y + 16, size: 11, color: path.diverged ? "#b00" : "#555")
            y += 42
        }
        svg.circle(x: left + 14, y: y - 4, radius: 6, fill: "black", stroke: "white", strokeWidth: 2)
        svg.text("start (w, b) = \(start), C = \(SVGDocument.label(cost(at: start)))", x: left + 36, y: y, size: 12)
        y += 26
        svg.raw("<path d=\"M\(SVGDocument.number(left + 8)),\(SVGDocument.number(y - 10))l12,12m0,-12l-12,12\" stroke=\"black\" stroke-width=\"2.5\"/>")
        svg.text("minimum (w*, b*) = \(minimum),", x: left + 36, y: y, size: 12)
        svg.text("C* = \(SVGDocument.label(fit.minimumCost)) (least squares)", x: left + 36, y: y + 16, size: 12)
        y += 42
        for (offset, line) in ["Contour lines join the (w, b) where C takes the", "value written on them. The gradient ∇C is at",
                               "right angles to them, so full-batch steps are too."].enumerated() {
            svg.text(line, x: left, y: y + 15 * Double(offset), size: 11, color: "#555")
        }
    }

    /// The colour of a method's path (matplotlib's first five).
    static func color(of method: DescentMethod) -> String {
        switch method {
        case .fullBatch: "#1f77b4"
        case .stochastic: "#d62728"
        case .miniBatch: "#ff7f0e"
        case .momentum: "#2ca02c"
        case .adam: "#9467bd"
        }
    }

    /// The last part of a path, as a title names a file.
    private static func fileName(_ path: String) -> String {
        URL(fileURLWithPath: path).lastPathComponent
    }
}
