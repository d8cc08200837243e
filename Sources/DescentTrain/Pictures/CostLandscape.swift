import Foundation

/// What the picture of gradient descent on a cost surface shows, computed and not yet drawn:
/// the contour lines of a line fit's cost C(w, b), and the paths of full-batch, stochastic,
/// mini-batch, momentum and Adam descent from one start.
///
/// ```swift
/// let fit = try LineFit(table: CSVTable(contentsOf: URL(fileURLWithPath: "line.csv")))
/// let landscape = try CostLandscape(fit: fit)
/// try AtomicFile.write(Data(landscape.svg().utf8), to: URL(fileURLWithPath: "landscape.svg"))
/// ```
///
/// Computing is kept apart from drawing (``svg()``) so that each can be checked alone.
public struct CostLandscape: Sendable {
    /// The points, and so the cost.
    public let fit: LineFit
    /// How the runs were made.
    public let settings: LandscapeSettings
    /// The part of the (w, b) plane shown: a square around the start and the minimum.
    public let region: PlaneRegion
    /// The contour lines, from the highest level to the lowest.
    public let contours: [ContourLine]
    /// One run per method, in `DescentMethod/allCases`' order, all from ``start``.
    public let paths: [DescentPath]

    /// Computes the contour lines and runs every method.
    ///
    /// - Throws: what ``LandscapeSettings/check()`` throws.
    public init(fit: LineFit, settings: LandscapeSettings = LandscapeSettings()) throws {
        try settings.check()
        self.fit = fit
        self.settings = settings
        let cost = fit.moments
        region = PlaneRegion.square(around: [settings.start, cost.minimum], margin: 0.3)
        contours = ContourLine.trace(cost.callAsFunction, over: region, gridSize: settings.gridSize,
                                     levels: Self.levels(cost, start: settings.start, region: region, count: settings.levelCount))
        paths = try DescentMethod.allCases.map { try DescentPath($0, on: fit, settings: settings) }
    }

    /// Where every run starts.
    public var start: PlanePoint { settings.start }

    /// The bottom of the bowl: the least-squares line.
    public var minimum: PlanePoint { fit.minimum }

    /// C at a point (w, b) of the plane.
    public func cost(at point: PlanePoint) -> Double { fit.moments(point) }

    /// Levels spaced by factors of 2 above the minimum, one of them through the start, from the
    /// highest whose line enters the region downwards: on a bowl C − C* grows as the square of
    /// the distance from the bottom, so the lines are evenly spaced in scale (each about 1.4
    /// times the size of the one inside it), from the region's edge towards the minimum.
    static func levels(_ cost: QuadraticCost, start: PlanePoint, region: PlaneRegion, count: Int) -> [Double] {
        // A bowl is highest at a corner of any rectangle, so every level below the highest corner
        // crosses the region (which holds the minimum, below every level).
        let corners = [(0.0, 0.0), (0, 1), (1, 0), (1, 1)].map { cost(region.point(across: $0.0, up: $0.1)) }
        let top = (corners.max() ?? 1) - cost.minimumCost
        var height = cost(start) - cost.minimumCost
        // Starting at the bottom: space the lines from the corners down instead.
        if !(height > 0) { height = top }
        if !(height > 0) { height = 1 }
        let highest = top > 0 ? floor(log2(top / height)) : 0
        return (0..<count).map { k in cost.minimumCost + height * pow(2, highest - Double(k)) }
    }
}
