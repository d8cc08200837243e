/// What the picture of a classifier's decision regions shows, computed and not yet drawn: the
/// class a model predicts at every cell of a grid over a plane of two features, and the
/// examples with their true classes.
///
/// Computing is kept apart from drawing (``svg(title:subtitle:)``) so that each can be checked alone.
public struct DecisionRegions: Sendable {
    /// One example: where it lies, its true class, and whether it was held out for validation.
    public struct Example: Sendable, Equatable {
        /// Its two features.
        public var point: PlanePoint
        /// Its true class, an index into ``DecisionRegions/classNames``.
        public var label: Int
        /// Whether it was held out of training.
        public var isValidation: Bool

        /// An example at `point` of class `label`.
        public init(point: PlanePoint, label: Int, isValidation: Bool = false) {
            self.point = point
            self.label = label
            self.isValidation = isValidation
        }
    }

    /// The part of the plane shown: the examples' bounding box with a margin.
    public let region: PlaneRegion
    /// The grid's cells across and up.
    public let columns: Int, rows: Int
    /// The class predicted at the centre of each cell, row by row from the bottom, each row
    /// from the left: cell (row, column) is `classes[row * columns + column]`.
    public let classes: [Int]
    /// The examples drawn over the regions.
    public let examples: [Example]
    /// The name of each class, by index.
    public let classNames: [String]
    /// The names of the two features (the horizontal axis, then the vertical).
    public let featureNames: [String]

    /// The regions of `classify` over the examples' bounding box (with 10 % to spare on each
    /// side), on a grid of `resolution` cells along its longer side.
    ///
    /// - Parameters:
    ///   - examples: the points to draw, with their classes.
    ///   - classNames: the name of each class, by index.
    ///   - featureNames: the names of the two features (horizontal axis, then vertical).
    ///   - resolution: the number of grid cells along the longer side of the box.
    ///   - classify: the predicted class index of each point, in order (one call for the whole
    ///     grid, so that a network runs once on a batch).
    /// - Precondition: there is at least one example, `resolution` is at least 1, and
    ///   `classify` returns one class per point.
    public init(examples: [Example], classNames: [String], featureNames: [String] = ["x₁", "x₂"], resolution: Int = 120,
                classify: ([PlanePoint]) throws -> [Int]) rethrows {
        precondition(!examples.isEmpty, "DecisionRegions: there are no examples to draw")
        precondition(resolution >= 1, "DecisionRegions: the resolution must be at least 1, found \(resolution)")
        let region = PlaneRegion.box(around: examples.map(\.point), margin: 0.1)
        let (width, height) = (region.x.upperBound - region.x.lowerBound, region.y.upperBound - region.y.lowerBound)
        // Square cells, so that the regions are drawn as finely in both directions.
        let columns = width >= height ? resolution : max(1, Int((Double(resolution) * width / height).rounded()))
        let rows = width >= height ? max(1, Int((Double(resolution) * height / width).rounded())) : resolution
        let centres = (0..<rows).flatMap { row in
            (0..<columns).map { column in
                region.point(across: (Double(column) + 0.5) / Double(columns), up: (Double(row) + 0.5) / Double(rows))
            }
        }
        let classes = try classify(centres)
        precondition(classes.count == centres.count,
                     "DecisionRegions: classify returned \(classes.count) classes for \(centres.count) points")
        (self.region, self.columns, self.rows, self.classes) = (region, columns, rows, classes)
        (self.examples, self.classNames, self.featureNames) = (examples, classNames, featureNames)
    }

    /// The cell that holds `point` as (row, column), or nil outside the region.
    public func cell(containing point: PlanePoint) -> (row: Int, column: Int)? {
        guard region.contains(point) else { return nil }
        let u = (point.x - region.x.lowerBound) / (region.x.upperBound - region.x.lowerBound)
        let v = (point.y - region.y.lowerBound) / (region.y.upperBound - region.y.lowerBound)
        return (min(rows - 1, Int(v * Double(rows))), min(columns - 1, Int(u * Double(columns))))
    }

    /// The class of the region `point` lies in, or nil outside the picture.
    public func predictedClass(at point: PlanePoint) -> Int? {
        cell(containing: point).map { classes[$0.row * columns + $0.column] }
    }
}
