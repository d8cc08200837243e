/// A contour line of a function of two variables: the points where it takes one value, as
/// straight pieces (at most two per cell of the grid it was traced on).
public struct ContourLine: Sendable {
    /// The value of the function all along the line.
    public var level: Double
    /// The pieces, each from one edge of a grid cell to another; their ends lie where the
    /// function, interpolated linearly along the cell's edge, equals ``level``.
    public var segments: [(start: PlanePoint, end: PlanePoint)]

    /// The contour lines of `function` at each of `levels`, traced over `region` on a grid of
    /// `gridSize` × `gridSize` points by marching squares: each cell's corners are compared with
    /// the level, and wherever an edge has one corner below and one at or above it, the line
    /// crosses that edge where linear interpolation between the corners reaches the level.
    ///
    /// A cell with its corners alternating (a saddle) is decided by the value at its centre,
    /// so that lines never cross. Lines are as exact as the grid is fine: on a smooth function
    /// the error in the value along a segment shrinks with the square of the cell's size.
    ///
    /// - Precondition: `gridSize` is at least 2.
    public static func trace(_ function: (PlanePoint) -> Double, over region: PlaneRegion, gridSize: Int,
                             levels: [Double]) -> [ContourLine] {
        precondition(gridSize >= 2, "ContourLine.trace: the grid needs at least 2 points a side, found \(gridSize)")
        let last = Double(gridSize - 1)
        let points = (0..<gridSize).map { row in
            (0..<gridSize).map { column in region.point(across: Double(column) / last, up: Double(row) / last) }
        }
        let values = points.map { $0.map(function) }
        return levels.map { level in
            var segments: [(start: PlanePoint, end: PlanePoint)] = []
            for row in 0..<(gridSize - 1) {
                for column in 0..<(gridSize - 1) {
                    let corners = [(row, column), (row, column + 1), (row + 1, column + 1), (row + 1, column)]
                    let cell = corners.map { (point: points[$0.0][$0.1], value: values[$0.0][$0.1]) }
                    segments += cellSegments(cell, level: level, centre: function(region.point(
                        across: (Double(column) + 0.5) / last, up: (Double(row) + 0.5) / last)))
                }
            }
            return ContourLine(level: level, segments: segments)
        }
    }

    /// The pieces of the level's line inside one cell, whose corners go round it in order:
    /// lower left, lower right, upper right, upper left (edge k joins corner k to corner k + 1).
    private static func cellSegments(_ corners: [(point: PlanePoint, value: Double)], level: Double,
                                     centre: Double) -> [(start: PlanePoint, end: PlanePoint)] {
        guard corners.allSatisfy({ $0.value.isFinite }) else { return [] }
        let above = corners.map { $0.value >= level }
        // The edges the line crosses, in order round the cell, each with its crossing point.
        var crossings: [(edge: Int, point: PlanePoint)] = []
        for edge in 0..<4 where above[edge] != above[(edge + 1) % 4] {
            let (a, b) = (corners[edge], corners[(edge + 1) % 4])
            let t = (level - a.value) / (b.value - a.value)
            crossings.append((edge, PlanePoint(x: a.point.x + t * (b.point.x - a.point.x),
                                               y: a.point.y + t * (b.point.y - a.point.y))))
        }
        switch crossings.count {
        case 2:
            return [(crossings[0].point, crossings[1].point)]
        case 4:
            // A saddle: corners 0 and 2 are on one side, 1 and 3 on the other. Cut off the two
            // corners on the side the centre is not on; corner k sits between edges k − 1 and k.
            let cutCorners = above[0] == (centre >= level) ? [1, 3] : [0, 2]
            return cutCorners.map { corner in
                (crossings[(corner + 3) % 4].point, crossings[corner].point)
            }
        default:
            return []
        }
    }
}
