/// A point of a plane: a pair of parameters (w, b) on a cost surface, or a pair of features
/// (x₁, x₂) of a 2-D dataset.
public struct PlanePoint: Equatable, Sendable, CustomStringConvertible {
    /// The horizontal coordinate.
    public var x: Double
    /// The vertical coordinate.
    public var y: Double

    /// The point (x, y).
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }

    /// Whether both coordinates are finite numbers (a diverging run of gradient descent
    /// reaches infinity, then NaN).
    public var isFinite: Bool { x.isFinite && y.isFinite }

    /// "(x, y)", each with four significant digits.
    public var description: String { "(\(SVGDocument.label(x)), \(SVGDocument.label(y)))" }
}

/// The rectangle of a plane a picture shows.
public struct PlaneRegion: Equatable, Sendable {
    /// The horizontal extent.
    public var x: ClosedRange<Double>
    /// The vertical extent.
    public var y: ClosedRange<Double>

    /// The rectangle of the points whose coordinates lie in `x` and `y`.
    public init(x: ClosedRange<Double>, y: ClosedRange<Double>) {
        self.x = x
        self.y = y
    }

    /// Whether `point` lies inside the rectangle or on its border.
    public func contains(_ point: PlanePoint) -> Bool {
        x.contains(point.x) && y.contains(point.y)
    }

    /// The point at fractions (u, v) of the way across and up: (0, 0) is the lower-left corner.
    public func point(across u: Double, up v: Double) -> PlanePoint {
        PlanePoint(x: x.lowerBound + u * (x.upperBound - x.lowerBound),
                   y: y.lowerBound + v * (y.upperBound - y.lowerBound))
    }

    /// The smallest square centred on the points' bounding box that holds them all with
    /// `margin` (a fraction of the box's larger side) to spare on every side. A square keeps
    /// one unit the same length on both axes, so that a gradient is drawn at right angles to
    /// the contour lines, as it is.
    static func square(around points: [PlanePoint], margin: Double) -> PlaneRegion {
        let xs = points.map(\.x), ys = points.map(\.y)
        let (xLow, xHigh) = (xs.min() ?? 0, xs.max() ?? 0), (yLow, yHigh) = (ys.min() ?? 0, ys.max() ?? 0)
        var side = max(xHigh - xLow, yHigh - yLow)
        // One point, or points on top of each other: a unit square around them.
        if !(side > 0) { side = max(1, abs(xLow), abs(yLow)) }
        let half = side * (0.5 + margin)
        let (xMiddle, yMiddle) = ((xLow + xHigh) / 2, (yLow + yHigh) / 2)
        return PlaneRegion(x: (xMiddle - half)...(xMiddle + half), y: (yMiddle - half)...(yMiddle + half))
    }

    /// The bounding box of the points with `margin` (a fraction of each side) added around it.
    static func box(around points: [PlanePoint], margin: Double) -> PlaneRegion {
        let xs = points.map(\.x), ys = points.map(\.y)
        func padded(_ low: Double, _ high: Double) -> ClosedRange<Double> {
            let pad = high > low ? (high - low) * margin : 1
            return (low - pad)...(high + pad)
        }
        return PlaneRegion(x: padded(xs.min() ?? 0, xs.max() ?? 0), y: padded(ys.min() ?? 0, ys.max() ?? 0))
    }

    /// The part of the segment from `start` to `end` inside the rectangle, or nil when none is
    /// (Liang and Barsky's clipping: the segment is start + t·(end − start) for t in [0, 1], and
    /// each side of the rectangle cuts that interval down).
    ///
    /// Points far outside (a run of gradient descent that diverged to 10³⁰⁰) clip as well as
    /// near ones; a segment with a coordinate that is not finite is dropped.
    func clip(from start: PlanePoint, to end: PlanePoint) -> (PlanePoint, PlanePoint)? {
        guard start.isFinite, end.isFinite else { return nil }
        let dx = end.x - start.x, dy = end.y - start.y
        guard dx.isFinite, dy.isFinite else { return nil }
        var (enter, leave) = (0.0, 1.0)
        // Each pair: the segment's movement towards a side, and its distance inside that side.
        for (movement, room) in [(-dx, start.x - x.lowerBound), (dx, x.upperBound - start.x),
                                 (-dy, start.y - y.lowerBound), (dy, y.upperBound - start.y)] {
            if movement == 0 {
                if room < 0 { return nil }  // parallel to this side and outside it
                continue
            }
            let t = room / movement
            if movement < 0 { enter = max(enter, t) } else { leave = min(leave, t) }
            if enter > leave { return nil }
        }
        func at(_ t: Double) -> PlanePoint {
            // The ends themselves when untouched, so that a point inside is kept exactly.
            t == 0 ? start : t == 1 ? end : PlanePoint(x: start.x + t * dx, y: start.y + t * dy)
        }
        return (at(enter), at(leave))
    }

    /// The parts of the line through `points` (in order) inside the rectangle: a list of pieces,
    /// a new one wherever the line leaves the rectangle and comes back.
    func clip(_ points: [PlanePoint]) -> [[PlanePoint]] {
        var pieces: [[PlanePoint]] = []
        var current: [PlanePoint] = []
        if points.count == 1, let only = points.first, contains(only) { return [[only]] }
        for (start, end) in zip(points, points.dropFirst()) {
            guard let (enter, leave) = clip(from: start, to: end) else {
                if !current.isEmpty { pieces.append(current); current = [] }
                continue
            }
            if current.last != enter {
                if !current.isEmpty { pieces.append(current) }
                current = [enter]
            }
            current.append(leave)
            if leave != end { pieces.append(current); current = [] }
        }
        if !current.isEmpty { pieces.append(current) }
        return pieces
    }
}
