/// NumPy's broadcasting rules: shapes are aligned at their last axis; two sizes are compatible
/// when they are equal or one of them is 1; a missing leading axis counts as 1.
enum Broadcasting {
    /// The broadcast shape of `a` and `b`, or `nil` if they are incompatible.
    static func shape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let x = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let y = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            guard x == y || x == 1 || y == 1 else { return nil }
            result[i] = x == 1 ? y : x
        }
        return result
    }

    /// Element strides of a row-major tensor of `shape` seen as a tensor of `target` shape:
    /// broadcast axes get stride 0.
    static func strides(of shape: [Int], broadcastTo target: [Int]) -> [Int] {
        let offset = target.count - shape.count
        var strides = [Int](repeating: 0, count: target.count)
        var step = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[i + offset] = shape[i] == 1 && target[i + offset] != 1 ? 0 : step
            step *= shape[i]
        }
        return strides
    }

    /// The axes of `target` along which a tensor of `shape` was broadcast (to sum a gradient back).
    static func broadcastAxes(of shape: [Int], in target: [Int]) -> [Int] {
        let offset = target.count - shape.count
        return (0..<target.count).filter { axis in
            axis < offset || (shape[axis - offset] == 1 && target[axis] != 1)
        }
    }

    /// Views `shape` as `[outer, shape[axis], inner]`: how kernels walk one axis.
    static func split(_ shape: [Int], at axis: Int) -> (outer: Int, length: Int, inner: Int) {
        (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }

    /// Drops size-1 axes and merges neighbouring axes that every operand walks contiguously, so
    /// that kernels loop over as few, as long, axes as possible.
    static func coalesce(shape: [Int], strides: [[Int]]) -> (shape: [Int], strides: [[Int]]) {
        var outShape: [Int] = []
        var outStrides: [[Int]] = strides.map { _ in [] }
        for axis in 0..<shape.count where shape[axis] != 1 {
            if let last = outShape.last,
               strides.indices.allSatisfy({ outStrides[$0].last! == strides[$0][axis] * shape[axis] }) {
                outShape[outShape.count - 1] = last * shape[axis]
                for k in strides.indices { outStrides[k][outStrides[k].count - 1] = strides[k][axis] }
            } else {
                outShape.append(shape[axis])
                for k in strides.indices { outStrides[k].append(strides[k][axis]) }
            }
        }
        if outShape.isEmpty { return ([1], strides.map { _ in [0] }) }
        return (outShape, outStrides)
    }
}

/// Walks the indices of all axes but the last of a shape, keeping one linear offset per operand:
/// the outer loop of every strided kernel.
struct StridedWalk {
    let shape: [Int]
    let strides: [[Int]]
    private var index: [Int]
    private(set) var offsets: [Int]

    init(shape: [Int], strides: [[Int]]) {
        self.shape = shape
        self.strides = strides
        index = [Int](repeating: 0, count: shape.count)
        offsets = [Int](repeating: 0, count: strides.count)
    }

    /// A walk that starts at row `row` (counted as ``advance()`` counts them) instead of row 0.
    init(shape: [Int], strides: [[Int]], startingAt row: Int) {
        self.init(shape: shape, strides: strides)
        var rest = row
        for axis in stride(from: shape.count - 2, through: 0, by: -1) {
            index[axis] = rest % shape[axis]
            rest /= shape[axis]
            for k in offsets.indices { offsets[k] += strides[k][axis] * index[axis] }
        }
    }

    /// The number of rows: the product of all axes but the last.
    var rowCount: Int { shape.dropLast().reduce(1, *) }

    /// Moves to the next row.
    mutating func advance() {
        var axis = shape.count - 2
        while axis >= 0 {
            index[axis] += 1
            for k in offsets.indices { offsets[k] += strides[k][axis] }
            if index[axis] < shape[axis] { return }
            for k in offsets.indices { offsets[k] -= strides[k][axis] * shape[axis] }
            index[axis] = 0
            axis -= 1
        }
    }
}
