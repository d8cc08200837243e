import Foundation

/// Fitting a line y ≈ w·x + b to points by least squares: the smallest problem whose cost
/// surface C(w, b) can be drawn, since it has just two parameters.
///
/// The cost is the mean squared error C(w, b) = (1/n) Σᵢ (w·xᵢ + b − yᵢ)², a bowl whose
/// lowest point, the least-squares line, has a closed form (``minimum``) that gradient descent
/// can be measured against.
public struct LineFit: Sendable {
    /// The inputs xᵢ.
    public let x: [Double]
    /// The targets yᵢ.
    public let y: [Double]
    /// What the inputs and targets are called (their CSV columns), for labels.
    public let xName: String, yName: String
    /// Where the points came from, for titles and messages.
    public let source: String?

    /// The points (xᵢ, yᵢ).
    ///
    /// - Throws: `DataError` (`.invalidArgument`) when the lists differ in length, hold fewer
    ///   than two points, a number that is not finite, or inputs that are all the same (then
    ///   every line through their mean fits equally well, and the bowl has no single bottom).
    public init(x: [Double], y: [Double], xName: String = "x", yName: String = "y", source: String? = nil) throws {
        guard x.count == y.count else {
            throw DataError(.invalidArgument, file: source, "a line fit needs as many targets as inputs, found \(x.count) inputs and \(y.count) targets")
        }
        guard x.count >= 2 else {
            throw DataError(.invalidArgument, file: source, "a line fit needs at least 2 points, found \(x.count)")
        }
        if let index = x.indices.first(where: { !x[$0].isFinite || !y[$0].isFinite }) {
            throw DataError(.invalidArgument, file: source, "point \(index + 1) is (\(x[index]), \(y[index])); expected finite numbers")
        }
        guard let first = x.first, x.contains(where: { $0 != first }) else {
            throw DataError(.invalidArgument, file: source,
                            "every value of '\(xName)' is \(x[0]); a line fit needs at least two different inputs")
        }
        (self.x, self.y, self.xName, self.yName, self.source) = (x, y, xName, yName, source)
    }

    /// The points in two columns of a CSV table: the columns called `xColumn` and `yColumn`, or
    /// by default the table's first two numeric columns (those whose every cell is a number).
    ///
    /// - Throws: `DataError`: `.unknownColumn` for a name the table lacks (listing those it
    ///   has), `.nonNumericCell` for a cell of a named column that is not a number (with its
    ///   line), `.invalidArgument` when fewer than two columns are numeric or ``init(x:y:xName:yName:source:)``
    ///   refuses the points.
    public init(table: CSVTable, xColumn: String? = nil, yColumn: String? = nil) throws {
        guard !table.rows.isEmpty else {
            throw DataError(.emptyFile, file: table.file, line: 2, "the table has a header but no rows; a line fit needs at least 2 points")
        }
        let numeric = table.columnNames.indices.filter { column in
            table.rows.allSatisfy { CSVTable.number($0[column]) != nil }
        }
        let named = (x: try xColumn.map(table.columnIndex(named:)), y: try yColumn.map(table.columnIndex(named:)))
        // Columns not named take the first numeric columns that the other one did not.
        let unnamed = numeric.filter { $0 != named.x && $0 != named.y }
        let needed = (named.x == nil ? 1 : 0) + (named.y == nil ? 1 : 0)
        guard unnamed.count >= needed else {
            let found = numeric.isEmpty ? "none" : numeric.map { "'\(table.columnNames[$0])'" }.joined(separator: ", ")
            throw DataError(.invalidArgument, file: table.file,
                            "expected two numeric columns (a number in every cell) for x and y, found \(found); name the columns to use")
        }
        let xIndex = named.x ?? unnamed[0]
        let yIndex = named.y ?? unnamed[named.x == nil ? 1 : 0]
        try self.init(x: table.rows.indices.map { try table.number(row: $0, column: xIndex) },
                      y: table.rows.indices.map { try table.number(row: $0, column: yIndex) },
                      xName: table.columnNames[xIndex], yName: table.columnNames[yIndex], source: table.file)
    }

    /// The points in two columns of the CSV file at `url` (see ``init(table:xColumn:yColumn:)``).
    ///
    /// - Throws: `DataError` when the file cannot be read or parsed, or as
    ///   ``init(table:xColumn:yColumn:)`` does.
    public init(contentsOf url: URL, xColumn: String? = nil, yColumn: String? = nil) throws {
        try self.init(table: CSVTable(contentsOf: url), xColumn: xColumn, yColumn: yColumn)
    }

    /// The number of points.
    public var count: Int { x.count }

    /// C(w, b) = (1/n) Σᵢ (w·xᵢ + b − yᵢ)², summed point by point.
    public func cost(w: Double, b: Double) -> Double {
        zip(x, y).reduce(0) { sum, point in
            let error = w * point.0 + b - point.1
            return sum + error * error
        } / Double(count)
    }

    /// The least-squares line: w* = cov(x, y) / var(x), b* = ȳ − w*·x̄, where C is lowest.
    public var minimum: PlanePoint { moments.minimum }

    /// C at the least-squares line: what no line can beat.
    public var minimumCost: Double { moments.minimumCost }

    /// The means and (co)variances of the points, from which the cost anywhere follows in a
    /// few operations (see `QuadraticCost`).
    var moments: QuadraticCost { QuadraticCost(x: x, y: y) }
}

/// C(w, b) of a line fit written around its minimum:
/// C = C* + var(x)·(w − w*)² + (x̄·(w − w*) + (b − b*))², exact for any w and b (C is a
/// quadratic), and cheap enough to evaluate on a grid of thousands of points. Writing it
/// around the minimum keeps it accurate where it matters, near the bottom of the bowl, even
/// when x and y are large numbers.
struct QuadraticCost: Sendable {
    let meanX: Double, varianceX: Double
    let minimum: PlanePoint
    let minimumCost: Double

    init(x: [Double], y: [Double]) {
        let n = Double(x.count)
        let meanX = x.reduce(0, +) / n, meanY = y.reduce(0, +) / n
        var (sxx, sxy, syy) = (0.0, 0.0, 0.0)
        for (xi, yi) in zip(x, y) {
            let (dx, dy) = (xi - meanX, yi - meanY)
            (sxx, sxy, syy) = (sxx + dx * dx, sxy + dx * dy, syy + dy * dy)
        }
        (sxx, sxy, syy) = (sxx / n, sxy / n, syy / n)
        let w = sxy / sxx
        self.meanX = meanX
        varianceX = sxx
        minimum = PlanePoint(x: w, y: meanY - w * meanX)
        minimumCost = max(0, syy - sxy * w)
    }

    /// C at (w, b) = `point`.
    func callAsFunction(_ point: PlanePoint) -> Double {
        let dw = point.x - minimum.x, db = point.y - minimum.y
        let shifted = meanX * dw + db
        return minimumCost + varianceX * dw * dw + shifted * shifted
    }
}
