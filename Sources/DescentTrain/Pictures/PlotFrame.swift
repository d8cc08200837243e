import Foundation

/// Where a region of the plane is drawn on a picture: the rectangle of pixels it fills, the map
/// from the plane's units to those pixels (y upwards on the plane, downwards in SVG), and the
/// axes around it.
struct PlotFrame {
    /// The part of the plane shown.
    let region: PlaneRegion
    /// The pixel rectangle it fills: left and top edges, width and height.
    let left: Double, top: Double, width: Double, height: Double

    /// The pixel at which `point` is drawn.
    func pixel(_ point: PlanePoint) -> (x: Double, y: Double) {
        let u = (point.x - region.x.lowerBound) / (region.x.upperBound - region.x.lowerBound)
        let v = (point.y - region.y.lowerBound) / (region.y.upperBound - region.y.lowerBound)
        return (left + u * width, top + (1 - v) * height)
    }

    /// The parts of the line through `points` inside the frame, in pixels (see
    /// ``PlaneRegion/clip(_:)``): never a coordinate outside the frame, never NaN.
    func clippedPixels(_ points: [PlanePoint]) -> [[(x: Double, y: Double)]] {
        region.clip(points).map { $0.map(pixel) }
    }

    /// The frame's border, ticks with round numbers on the left and bottom edges, and the axes'
    /// names.
    func drawAxes(in svg: inout SVGDocument, xName: String, yName: String) {
        svg.rectangle(x: left, y: top, width: width, height: height, fill: "none", stroke: "#888")
        for value in Self.ticks(region.x) {
            let x = pixel(PlanePoint(x: value, y: region.y.lowerBound)).x
            svg.line(from: (x, top + height), to: (x, top + height + 5), color: "#888")
            svg.text(SVGDocument.label(value), x: x, y: top + height + 18, anchor: "middle", size: 11)
        }
        for value in Self.ticks(region.y) {
            let y = pixel(PlanePoint(x: region.x.lowerBound, y: value)).y
            svg.line(from: (left - 5, y), to: (left, y), color: "#888")
            svg.text(SVGDocument.label(value), x: left - 8, y: y + 4, anchor: "end", size: 11)
        }
        svg.text(xName, x: left + width / 2, y: top + height + 36, anchor: "middle", size: 14, weight: "bold")
        svg.text(yName, x: left - 44, y: top + height / 2 + 5, anchor: "middle", size: 14, weight: "bold")
    }

    /// About five round values (1, 2 or 5 times a power of ten apart) inside `range`.
    static func ticks(_ range: ClosedRange<Double>) -> [Double] {
        let span = range.upperBound - range.lowerBound
        guard span > 0, span.isFinite else { return [range.lowerBound] }
        let rough = span / 5
        let power = pow(10, floor(log10(rough)))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= rough } ?? 10 * power
        var values: [Double] = []
        var value = (range.lowerBound / step).rounded(.up) * step
        while value <= range.upperBound + step * 1e-9 {
            // -0 reads oddly on an axis.
            values.append(abs(value) < step * 1e-9 ? 0 : value)
            value += step
        }
        return values
    }
}
