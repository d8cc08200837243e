// The cases of `BackendCrossCheck`: each primitive on inputs that reach its corners, run on the
// device and on the reference and compared with the tolerance its arithmetic allows.

typealias CrossCheckTolerance = BackendCrossCheck.Tolerance

/// One run of the cross-check: the two devices, and the cases so far.
struct CrossCheckRun {
    let device: Device
    let reference: Device
    var cases: [BackendCrossCheckReport.Case] = []

    init(device: Device, reference: Device) {
        (self.device, self.reference) = (device, reference)
    }

    // MARK: Running and recording

    /// Runs `compute` on the device and on the reference and compares their outputs, output
    /// `i` under `tolerances[i]` (named `names[i]` in the report when there are several). Every
    /// output must be on `outputDevice(d)` for the device `d` that computed it.
    mutating func check(_ primitive: Primitive, _ details: String, _ tolerances: [CrossCheckTolerance],
                        names: [String] = [], outputDevice: (Device) -> Device = { $0 },
                        _ compute: (Device) -> [Tensor]) {
        let actual = compute(device), expected = compute(reference)
        for index in expected.indices {
            let name = names.indices.contains(index) ? " → \(names[index])" : ""
            guard actual.indices.contains(index) else {
                record(.primitive(primitive), details + name, largestError: .infinity, tolerances[index],
                       mismatch: "the device gave \(actual.count) results, the reference \(expected.count)")
                continue
            }
            record(.primitive(primitive), details + name, actual[index], expected[index], tolerances[index],
                   expectedDevice: outputDevice(device))
        }
    }

    /// ``check(_:_:_:names:outputDevice:_:)`` for a primitive with one output.
    mutating func check(_ primitive: Primitive, _ details: String, _ tolerance: CrossCheckTolerance,
                        outputDevice: (Device) -> Device = { $0 }, _ compute: (Device) -> Tensor) {
        check(primitive, details, [tolerance], outputDevice: outputDevice) { [compute($0)] }
    }

    /// Compares one result with what the reference gave, and checks where it lives.
    mutating func record(_ subject: BackendCrossCheckReport.Case.Subject, _ details: String, _ actual: Tensor,
                         _ expected: Tensor, _ tolerance: CrossCheckTolerance, expectedDevice: Device) {
        var (largestError, mismatch) = BackendCrossCheck.compare(actual, expected, tolerance)
        if actual.device != expectedDevice {
            mismatch = "the result is on \(actual.device), expected on \(expectedDevice)" + (mismatch.map { "; \($0)" } ?? "")
        }
        record(subject, details, largestError: largestError, tolerance, mismatch: mismatch)
    }

    mutating func record(_ subject: BackendCrossCheckReport.Case.Subject, _ details: String, largestError: Double,
                         _ tolerance: CrossCheckTolerance, mismatch: String?) {
        cases.append(BackendCrossCheckReport.Case(subject: subject, details: details, largestError: largestError,
                                                  tolerance: tolerance, mismatch: mismatch))
    }

    /// The largest |element| of what `compute` gives on the reference (NaN ignored): the scale
    /// of a sum's terms, for its tolerance.
    func referenceMagnitude(_ compute: (Device) -> Tensor) -> Double {
        largestMagnitude(compute(reference))
    }

    // MARK: Moving data

    /// upload: any bits of any dtype arrive unchanged (compared with the host tensor itself).
    mutating func upload() {
        for dtype in DType.allCases {
            for (index, shape) in Self.movementShapes.enumerated() {
                let host = arbitraryBits(shape, dtype, seed: 100 + UInt64(index))
                // Exact: uploading copies bytes.
                check(.upload, "\(dtype) \(shape)", .exact) { $0.backend.upload(host) }
                record(.primitive(.upload), "\(dtype) \(shape), against the host", device.backend.upload(host), host,
                       .exact, expectedDevice: device)
            }
            // A tensor filled on the device (Tensor(repeating:)), against the host's conversion:
            // NaN, −0, values out of the dtype's range, fractions.
            for value in [1.0, -0.0, .nan, 1e40, -2.75, 300.0] {
                let shape = [3, 5]
                record(.primitive(.upload), "\(dtype) \(shape) filled with \(value)",
                       device.backend.filled(with: value, shape: shape, dtype: dtype),
                       Tensor(repeating: value, shape: shape, dtype: dtype), .exact, expectedDevice: device)
            }
        }
    }

    /// download: a tensor on the device comes back to the CPU unchanged.
    mutating func download() {
        for dtype in DType.allCases {
            for (index, shape) in Self.movementShapes.enumerated() {
                let host = arbitraryBits(shape, dtype, seed: 200 + UInt64(index))
                // Exact: downloading copies bytes; the result is a CPU tensor.
                check(.download, "\(dtype) \(shape)", .exact, outputDevice: { _ in .cpu }) {
                    $0.backend.download(host.to($0))
                }
                let uploaded = host.to(device)
                record(.primitive(.download), "\(dtype) \(shape), against the host", device.backend.download(uploaded),
                       host, .exact, expectedDevice: .cpu)
            }
        }
    }

    static let movementShapes: [[Int]] = [[0], [], [1], [5], [3, 4], [2, 3, 5], [2, 0, 3]]

    // MARK: Elementwise

    /// Shapes of the elementwise cases: empty, scalar, single, odd, 2-D.
    static let elementwiseShapes: [[Int]] = [[0], [], [1], [7], [3, 5], [33, 17]]

    /// A tensor long enough to be split across threads. Kernels split the same way whatever the
    /// operation, so a few operations stand for all (the reference takes its time over each).
    static let longShape = [70_001]

    mutating func unary() {
        for dtype in [DType.float32, .float64] {
            for operation in UnaryOperation.allCases {
                let tolerance = Self.tolerance(of: operation, dtype)
                let long = [.exp, .relu, .gelu].contains(operation) ? [Self.longShape] : []
                for (index, shape) in (Self.elementwiseShapes + long).enumerated() {
                    let x = Self.unaryInput(operation, shape, dtype, seed: 300 + UInt64(index))
                    check(.unary, "\(operation) \(dtype) \(shape)", tolerance) { $0.backend.unary(operation, x.to($0)) }
                }
                // NaN, infinities, signed zeros: within the function's domain.
                let specials = Self.specialValues.filter { value in
                    !operation.needsNonNegativeInput || !(value < 0 || (value == 0 && value.sign == .minus))
                }
                let x = Tensor(doubles: specials, shape: [specials.count], dtype: dtype)
                check(.unary, "\(operation) \(dtype) special values", tolerance) { $0.backend.unary(operation, x.to($0)) }
            }
        }
    }

    /// The tolerance of each elementwise function.
    static func tolerance(of operation: UnaryOperation, _ dtype: DType) -> CrossCheckTolerance {
        switch operation {
        // No rounding at all: the sign bit, or a choice between x and 0.
        case .negate, .abs, .relu, .sign: .exact
        // One operation that IEEE 754 rounds correctly: one right answer.
        case .sqrt, .reciprocal, .square: .exact
        // A function of the C library: correctly rounded in the best ones, within an ulp or two
        // in the rest (and in a GPU's), so their last bits may differ.
        case .exp, .log, .log1p, .tanh, .erf: .ulps(4, dtype)
        // An exponential, a sum and a quotient: each adds its rounding.
        case .sigmoid: .ulps(8, dtype)
        // In float, an exponential, a fitted ratio and three products, each adding its
        // rounding (5 ulps at most over every float, see gelu.c); in double, the C library's
        // erfc. The tanh approximation in double for both dtypes.
        case .gelu: .ulps(dtype == .float32 ? 8 : 4, dtype)
        case .geluTanh: .ulps(4, dtype)
        }
    }

    /// Inputs in the function's domain (no logarithm or root of a negative number) and range
    /// (no exponential that overflows).
    static func unaryInput(_ operation: UnaryOperation, _ shape: [Int], _ dtype: DType, seed: UInt64) -> Tensor {
        switch operation {
        case .log, .sqrt: uniform(shape, dtype, 0.01...10, seed: seed)
        case .log1p: uniform(shape, dtype, -0.9...10, seed: seed)
        case .exp: normal(shape, dtype, scale: 4, seed: seed)
        // Far into the negative tail, where Φ(x) is tiny and a formula may lose its precision.
        case .gelu, .geluTanh: uniform(shape, dtype, -15...8, seed: seed)
        default: normal(shape, dtype, scale: 3, seed: seed)
        }
    }

    /// NaN, the infinities, the zeros and a few ordinary numbers.
    static let specialValues: [Double] = [.nan, .infinity, -.infinity, 0, -0.0, 1, -1, 0.5, 2, -3.5, 1e-3, 30]

    /// Pairs of shapes for binary operations: equal, broadcast one way, the other, both, a
    /// scalar, empty.
    static let binaryShapes: [([Int], [Int])] = [
        ([7], [7]), ([1], [1]), ([3, 4], [4]), ([4], [3, 4]), ([3, 1], [1, 4]), ([], [2, 3]), ([2, 3], []),
        ([2, 1, 4], [3, 1]), ([5, 1, 3], [5, 4, 1]), ([0, 3], [3]), ([4, 0], [1, 0]), ([33, 17], [33, 17]),
    ]

    mutating func binary() {
        for dtype in [DType.float32, .float64] {
            for operation in BinaryOperation.allCases {
                let tolerance = Self.tolerance(of: operation, dtype)
                // Long runs, split across threads, with a tensor or a scalar.
                let long = [.multiply, .maximum, .geluBackward].contains(operation) ? [(Self.longShape, Self.longShape), (Self.longShape, [])] : []
                for (index, (left, right)) in (Self.binaryShapes + long).enumerated() {
                    let shape = Broadcasting.shape(left, right)!
                    let seed = 400 + 2 * UInt64(index)
                    let (a, b) = Self.binaryInputs(operation, left, right, dtype, seed: seed)
                    check(.binary, "\(operation) \(dtype) \(left), \(right)", tolerance) {
                        $0.backend.binary(operation, a.to($0), b.to($0), shape: shape)
                    }
                }
                // Every pair of special values (pow's negative bases left out).
                guard operation != .pow else { continue }
                let specials = Self.specialValues
                let a = Tensor(doubles: specials, shape: [specials.count, 1], dtype: dtype)
                let b = Tensor(doubles: specials, shape: [1, specials.count], dtype: dtype)
                check(.binary, "\(operation) \(dtype) special values", tolerance) {
                    $0.backend.binary(operation, a.to($0), b.to($0), shape: [specials.count, specials.count])
                }
            }
        }
    }

    static func tolerance(of operation: BinaryOperation, _ dtype: DType) -> CrossCheckTolerance {
        switch operation {
        // One operation that IEEE 754 rounds correctly: one right answer.
        case .add, .subtract, .multiply, .divide: .exact
        // A choice between the inputs, 0 or 1: nothing is rounded.
        case .maximum, .minimum, .keepWherePositive: .exact
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual: .exact
        // exp(b·log a) inside the C library, whose error grows with the size of the exponent:
        // the loosest of the elementwise functions.
        case .pow: .ulps(8, dtype)
        // ḡ·GELU′(x): GELU′ is zero near x = −0.75, where its error is Φ's, a few ulps of 1,
        // times gradients up to about 16.
        case .geluBackward, .geluTanhBackward: .ulpsOfLargest(8, dtype, largest: 16)
        // Three or four roundings in the dtype against one: 1 − b is exact where b ≥ ½, so
        // nothing cancels.
        case .tanhBackward, .sigmoidBackward: .ulps(4, dtype)
        }
    }

    /// Normal inputs; positive bases for pow; coarse values (many ties) for comparisons, max
    /// and min, so that equal elements occur.
    static func binaryInputs(_ operation: BinaryOperation, _ left: [Int], _ right: [Int], _ dtype: DType,
                             seed: UInt64) -> (Tensor, Tensor) {
        switch operation {
        case .pow:
            return (uniform(left, dtype, 0.1...4, seed: seed), normal(right, dtype, scale: 2, seed: seed + 1))
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual, .maximum, .minimum:
            return (coarse(left, dtype, seed: seed), coarse(right, dtype, seed: seed + 1))
        default:
            return (normal(left, dtype, scale: 2, seed: seed), normal(right, dtype, scale: 2, seed: seed + 1))
        }
    }

    mutating func select() {
        let shapes: [([Int], [Int], [Int])] = [
            ([3, 4], [3, 4], [3, 4]), ([3, 1], [1, 4], [3, 4]), ([], [2, 3], []), ([2, 3], [], [1, 3]),
            ([0, 2], [2], [1, 2]), ([4, 1, 1], [1, 5, 1], [1, 1, 6]), ([1000], [1000], []),
            // One run: the condition's shape with a number on either side or both, and long
            // enough to split across threads.
            ([3, 4], [], [3, 4]), ([5], [], []), (Self.longShape, Self.longShape, Self.longShape),
        ]
        for dtype in [DType.float32, .float64] {
            for (index, (c, a, b)) in shapes.enumerated() {
                let seed = 500 + 3 * UInt64(index)
                let shape = Broadcasting.shape(Broadcasting.shape(c, a)!, b)!
                // Conditions of every kind: 0, −0 (false), 1, 2.5, −1, ∞ and NaN (true).
                let condition = Self.choices([0, -0.0, 1, 2.5, -1, .infinity, .nan], c, dtype, seed: seed)
                let x = Self.normal(a, dtype, seed: seed + 1), y = Self.normal(b, dtype, seed: seed + 2)
                // Exact: each element is one of the inputs' elements.
                check(.select, "\(dtype) \(c), \(a), \(b)", .exact) {
                    $0.backend.select(condition.to($0), x.to($0), y.to($0), shape: shape)
                }
            }
        }
    }

    mutating func cast() {
        for source in DType.allCases {
            let x = Self.castInput(source)
            // Every other dtype (an operation never asks for a cast to the same one). Exact:
            // each value has one nearest value in the target dtype, or one saturated bound.
            for target in DType.allCases where target != source {
                check(.cast, "\(source) → \(target)", .exact) { $0.backend.cast(x.to($0), to: target) }
            }
        }
    }

    /// Values that test a conversion's edges: for floating point, NaN, infinities, signed zeros,
    /// halves, the bounds of every integer type and beyond; for integers, their bounds, values
    /// near 2⁵³ and 2⁶³ (which Double cannot hold), and arbitrary bits.
    static func castInput(_ dtype: DType) -> Tensor {
        switch dtype {
        case .float32, .float64:
            let edges: [Double] = [.nan, .infinity, -.infinity, 0, -0.0, 0.5, -0.5, 0.9999, -0.9999, 1.5, -1.5, 255, 255.9,
                                   256, 300, -1, -128.5, 127.5, 2_147_483_647, 2_147_483_647.5, 2_147_483_648, -2_147_483_648,
                                   -2_147_483_649, 0x1p53 + 1, 0x1p62, 0x1p63, -0x1p63, -0x1p64, 1e30, -1e30, 1e-30,
                                   Double(Float.greatestFiniteMagnitude), 1e300, Double.leastNonzeroMagnitude, 3.4e38 * 2]
            let values = edges + normal([64], .float64, scale: 1000, seed: 601).doubles()
            return Tensor(doubles: values, shape: [values.count], dtype: dtype)
        case .int32:
            let edges: [Int32] = [.min, .max, 0, -1, 1, 255, 256, -129, 16_777_217]
            return Tensor(shape: [edges.count + 64], scalars: edges + arbitraryBits([64], .int32, seed: 602).hostScalars(Int32.self))
        case .int64:
            let edges: [Int64] = [.min, .max, 0, -1, 1, 255, 256, (1 << 53) + 1, -(1 << 53) - 1, (1 << 60) + (1 << 36) + 1,
                                  (1 << 31), -(1 << 31) - 1, 16_777_217, Int64.max - 1]
            return Tensor(shape: [edges.count + 64], scalars: edges + arbitraryBits([64], .int64, seed: 603).hostScalars(Int64.self))
        case .uint8:
            return Tensor(shape: [256], scalars: (0...255).map { UInt8($0) })
        }
    }

    // MARK: Reductions

    mutating func reduce() {
        let cases: [([Int], [Int])] = [
            ([7], [0]), ([1], [0]), ([3, 5], [0]), ([3, 5], [1]), ([3, 5], [0, 1]), ([3, 5], []),
            ([2, 3, 4], [0]), ([2, 3, 4], [1]), ([2, 3, 4], [2]), ([2, 3, 4], [0, 1]), ([2, 3, 4], [0, 2]),
            ([2, 3, 4], [1, 2]), ([2, 3, 4], [0, 1, 2]), ([4, 1, 5], [1]), ([4, 1, 5], [0, 2]),
            ([0, 3], [0]), ([0, 3], [1]), ([33, 17], [1]), ([33, 17], [0]),
        ]
        // Long rows and columns: the vectorized sums.
        let sumCases: [([Int], [Int])] = [([300, 301], [0]), ([300, 301], [1])]
        for dtype in [DType.float32, .float64] {
            for operation in ReductionOperation.allCases {
                for (index, (shape, axes)) in (cases + (operation == .sum ? sumCases : [])).enumerated() {
                    let seed = 700 + UInt64(index)
                    let axesText = axes.sorted().description
                    switch operation {
                    case .sum:
                        let x = Self.normal(shape, dtype, seed: seed)
                        let length = axes.map { shape[$0] }.reduce(1, *)
                        let magnitude = referenceMagnitude { $0.backend.reduce(.sum, absolute(x).to($0), axes: axes) }
                        check(.reduce, "sum \(dtype) \(shape) over \(axesText)",
                              .accumulation(length: length, magnitude: magnitude, dtype)) {
                            $0.backend.reduce(.sum, x.to($0), axes: axes)
                        }
                    case .max, .min:
                        // Exact: the result is one of the elements. Coarse values give ties
                        // (of +0 and −0 too), and a second input puts NaN in some elements.
                        let x = Self.coarse(shape, dtype, seed: seed)
                        check(.reduce, "\(operation) \(dtype) \(shape) over \(axesText)", .exact) {
                            $0.backend.reduce(operation, x.to($0), axes: axes)
                        }
                        let withNaN = Self.sprinkled(x, with: [.nan, .infinity, -.infinity], seed: seed)
                        check(.reduce, "\(operation) \(dtype) \(shape) over \(axesText), with NaN and ∞", .exact) {
                            $0.backend.reduce(operation, withNaN.to($0), axes: axes)
                        }
                    }
                }
            }
        }
    }

    mutating func argReduce() {
        let cases: [([Int], Int)] = [
            ([7], 0), ([1], 0), ([3, 5], 0), ([3, 5], 1), ([2, 3, 4], 0), ([2, 3, 4], 1), ([2, 3, 4], 2),
            ([4, 1, 5], 1), ([0, 4], 1), ([4, 0], 0), ([33, 17], 1), ([33, 17], 0),
        ]
        for dtype in [DType.float32, .float64] {
            for operation in ArgReductionOperation.allCases {
                for (index, (shape, axis)) in cases.enumerated() {
                    let seed = 800 + UInt64(index)
                    // Exact: an index. Coarse values tie often (the first one wins); NaN counts
                    // as the largest and the smallest.
                    let x = Self.coarse(shape, dtype, seed: seed)
                    check(.argReduce, "\(operation) \(dtype) \(shape) along \(axis)", .exact) {
                        $0.backend.argReduce(operation, x.to($0), axis: axis)
                    }
                    let withNaN = Self.sprinkled(x, with: [.nan, .infinity, -.infinity], seed: seed)
                    check(.argReduce, "\(operation) \(dtype) \(shape) along \(axis), with NaN and ∞", .exact) {
                        $0.backend.argReduce(operation, withNaN.to($0), axis: axis)
                    }
                }
            }
        }
    }

    // MARK: Movement (exact: elements are copied, never computed)

    mutating func permute() {
        let shapes: [[Int]] = [[3, 5], [33, 17], [0, 3], [2, 3, 4], [3, 1, 0], [2, 1, 3, 5]]
        for dtype in DType.allCases {
            for (index, shape) in shapes.enumerated() {
                let x = arbitraryBits(shape, dtype, seed: 900 + UInt64(index))
                for permutation in permutations(of: Array(shape.indices)) where permutation != Array(shape.indices) {
                    check(.permute, "\(dtype) \(shape) by \(permutation)", .exact) { $0.backend.permute(x.to($0), permutation) }
                }
            }
        }
    }

    mutating func broadcast() {
        let cases: [([Int], [Int])] = [
            ([3, 1], [3, 4]), ([1], [5]), ([], [2, 3]), ([4], [3, 4]), ([2, 1, 3], [4, 2, 5, 3]), ([1, 1], [1, 1]),
            ([1], [0]), ([3, 1], [2, 3, 0]), ([1, 4, 1], [3, 4, 7]),
        ]
        for dtype in DType.allCases {
            for (index, (shape, target)) in cases.enumerated() {
                let x = arbitraryBits(shape, dtype, seed: 1000 + UInt64(index))
                check(.broadcast, "\(dtype) \(shape) to \(target)", .exact) { $0.backend.broadcast(x.to($0), to: target) }
            }
        }
    }

    mutating func gather() {
        var cases: [([Int], [Int], Int)] = [
            ([5, 3], [4, 0, 0, 2, 4, 4], 0), ([5, 3], [2, 2, 0], 1), ([2, 3, 4], [1, 1, 2, 0], 1),
            ([2, 3, 4], [3, 0], 2), ([5, 3], [], 0), ([0, 3], [0, 2], 1), ([1], [0, 0, 0], 0), ([7], [6, 1], 0),
        ]
        // Many rows of a wide tensor: copied on several threads.
        var generator = RandomGenerator(seed: 1100)
        cases.append(([1500, 48], (0..<1200).map { _ in generator.nextIndex(below: 1500) }, 0))
        for dtype in DType.allCases {
            for (index, (shape, indices, axis)) in cases.enumerated() {
                let x = arbitraryBits(shape, dtype, seed: 1100 + UInt64(index))
                check(.gather, "\(dtype) \(shape) at \(indices.count) indices along \(axis)", .exact) {
                    $0.backend.gather(x.to($0), indices: indices, axis: axis)
                }
            }
        }
    }

    mutating func scatterAdd() {
        // (shape of the result, indices, axis): repeated indices add up.
        var cases: [([Int], [Int], Int)] = [
            ([5, 3], [4, 0, 0, 2, 4, 4], 0), ([5, 3], [2, 2, 0, 2], 1), ([2, 3, 4], [1, 1, 2, 0, 1], 1),
            ([2, 3, 4], [3, 0], 2), ([5, 3], [], 0), ([0, 3], [0, 2], 1), ([1], [0, 0, 0], 0),
        ]
        var generator = RandomGenerator(seed: 1200)
        cases.append(([40, 16], (0..<600).map { _ in generator.nextIndex(below: 40) }, 0))
        for dtype in [DType.float32, .float64] {
            for (index, (shape, indices, axis)) in cases.enumerated() {
                var sourceShape = shape
                sourceShape[axis] = indices.count
                let x = Self.normal(sourceShape, dtype, seed: 1200 + UInt64(index))
                // A sum of the slices that land on one place: as long as the most repeated index.
                let repeats = Dictionary(indices.map { ($0, 1) }, uniquingKeysWith: +).values.max() ?? 1
                let magnitude = referenceMagnitude {
                    $0.backend.scatterAdd(absolute(x).to($0), indices: indices, axis: axis, shape: shape)
                }
                check(.scatterAdd, "\(dtype) \(shape) from \(indices.count) indices along \(axis)",
                      .accumulation(length: repeats, magnitude: magnitude, dtype)) {
                    $0.backend.scatterAdd(x.to($0), indices: indices, axis: axis, shape: shape)
                }
            }
        }
    }

    mutating func concatenate() {
        // (shapes, axis): along every axis, with empty parts and a single part.
        let cases: [([[Int]], Int)] = [
            ([[1, 3, 4], [0, 3, 4], [2, 3, 4]], 0), ([[2, 1, 4], [2, 0, 4], [2, 3, 4]], 1),
            ([[2, 3, 1], [2, 3, 0], [2, 3, 5]], 2), ([[2, 3, 4]], 1), ([[3], [0], [2]], 0), ([[2, 3], [2, 5]], 1),
            ([[0, 2], [0, 3]], 1),
        ]
        for dtype in DType.allCases {
            for (index, (shapes, axis)) in cases.enumerated() {
                let parts = shapes.enumerated().map { arbitraryBits($1, dtype, seed: 1300 + 10 * UInt64(index) + UInt64($0)) }
                check(.concatenate, "\(dtype) \(shapes) along \(axis)", .exact) { device in
                    device.backend.concatenate(parts.map { $0.to(device) }, axis: axis)
                }
            }
        }
    }

    // MARK: Matrix products

    mutating func matmul() {
        // (batch of A, batch of B, m, n, k): one-element, a single row or column (the vector
        // paths), no inner dimension, no rows, odd sizes, one large enough to split across
        // threads, one with more rows and inner steps than the kernels' cache blocks (96 rows;
        // 384 or 256 steps), batches of equal size, a matrix shared by a batch (either side), an
        // empty batch and a batch of two axes.
        let cases: [([Int], [Int], Int, Int, Int)] = [
            ([], [], 1, 1, 1), ([], [], 1, 19, 37), ([], [], 23, 1, 37), ([], [], 3, 4, 0), ([], [], 0, 4, 3),
            ([], [], 13, 11, 17), ([], [], 67, 45, 129), ([], [], 101, 19, 401),
            ([3], [3], 5, 6, 7), ([3], [], 5, 6, 7), ([], [3], 5, 6, 7),
            ([0], [0], 2, 3, 4), ([2, 3], [2, 3], 4, 5, 3),
        ]
        for dtype in [DType.float32, .float64] {
            for transposeA in [false, true] {
                for transposeB in [false, true] {
                    for (index, (batchA, batchB, m, n, k)) in cases.enumerated() {
                        let seed = 1400 + 2 * UInt64(index)
                        let a = Self.normal(batchA + (transposeA ? [k, m] : [m, k]), dtype, seed: seed)
                        let b = Self.normal(batchB + (transposeB ? [n, k] : [k, n]), dtype, seed: seed + 1)
                        let batch = batchA.isEmpty ? batchB : batchA
                        let product = MatrixProduct(transposeA: transposeA, transposeB: transposeB, batch: batch.reduce(1, *),
                                                    m: m, n: n, k: k, strideA: batchA.isEmpty ? 0 : m * k,
                                                    strideB: batchB.isEmpty ? 0 : k * n, shape: batch + [m, n])
                        let magnitude = referenceMagnitude {
                            $0.backend.matmul(absolute(a).to($0), absolute(b).to($0), product)
                        }
                        let details = "\(dtype) \(a.shape)\(transposeA ? "ᵀ" : "")·\(b.shape)\(transposeB ? "ᵀ" : "")"
                        check(.matmul, details, .accumulation(length: k, magnitude: magnitude, dtype)) {
                            $0.backend.matmul(a.to($0), b.to($0), product)
                        }
                    }
                }
            }
        }
    }

    mutating func linear() {
        // (rows n, inputs k, outputs m): one row (the vector path), one output, no inputs, no
        // rows, odd sizes, one large enough to split across threads, and the most rows a GPU
        // computes as dot products (CUDABackend.dotProductRows), each longer than its 256 threads.
        let cases: [(Int, Int, Int)] = [(1, 37, 19), (23, 37, 1), (3, 0, 4), (0, 3, 4), (13, 17, 11), (64, 100, 50), (8, 600, 9)]
        for dtype in [DType.float32, .float64] {
            for hasBias in [true, false] {
                for activation in LinearActivation.allCases {
                    for (index, (n, k, m)) in cases.enumerated() {
                        let seed = 1500 + 3 * UInt64(index)
                        let x = Self.normal([n, k], dtype, seed: seed), weight = Self.normal([m, k], dtype, seed: seed + 1)
                        let bias = hasBias ? Self.normal([m], dtype, seed: seed + 2) : nil
                        // The bias is one more term of each sum.
                        let magnitude = referenceMagnitude { device in
                            device.backend.linear(absolute(x).to(device), weight: absolute(weight).to(device),
                                                  bias: bias.map { absolute($0).to(device) }, activation: .identity)
                        }
                        check(.linear, "\(dtype) [\(n), \(k)]·[\(m), \(k)]ᵀ \(hasBias ? "+ bias" : "without bias"), \(activation)",
                              .accumulation(length: k + 1, magnitude: magnitude, dtype)) { device in
                            device.backend.linear(x.to(device), weight: weight.to(device), bias: bias.map { $0.to(device) },
                                                  activation: activation)
                        }
                    }
                }
            }
        }
    }

    // MARK: The fused cost

    mutating func softmaxCrossEntropy() {
        // (rows, classes, spread of the logits, shift): ordinary, one class, no rows, a wide
        // row, logits near ±1000 (exponentials that would overflow unshifted), logits a
        // thousand apart (probabilities of exactly 0 and 1), and a row holding NaN.
        let cases: [(Int, Int, Double, Double, Bool)] = [
            (5, 7, 3, 0, false), (1, 1, 1, 0, false), (0, 4, 1, 0, false), (3, 300, 5, 0, false),
            (4, 10, 3, 1000, false), (4, 10, 3, -1000, false), (6, 5, 1000, 0, false), (3, 6, 2, 0, true),
        ]
        for dtype in [DType.float32, .float64] {
            for (index, (rows, classes, spread, shift, hasNaN)) in cases.enumerated() {
                let seed = 1600 + 2 * UInt64(index)
                var logits = Self.normal([rows, classes], dtype, scale: spread, seed: seed) + shift
                if hasNaN { logits = Self.sprinkled(logits, with: [.nan], seed: seed) }
                let labels = Self.labels(rows, classes: classes, seed: seed + 1)
                let scale = largestMagnitude(logits)
                // The loss m + log Σ exp(x − m) − x[label]: a sum of `classes` exponentials
                // (each a few ulps) under a logarithm, then two additions of numbers as large as
                // the logits, so the absolute bound scales with both.
                let terms = classes + 8
                let losses = CrossCheckTolerance.accumulation(length: terms, magnitude: 1 + scale, dtype)
                // Each probability is exp(x − m) / Σ: relative errors of the sum and the exponential.
                let probabilities = CrossCheckTolerance.accumulation(length: terms, magnitude: 1, dtype)
                check(.softmaxCrossEntropy, "\(dtype) [\(rows), \(classes)] logits ±\(spread) + \(shift)\(hasNaN ? " with NaN" : "")",
                      [losses, probabilities], names: ["losses", "probabilities"]) {
                    let (l, p) = $0.backend.softmaxCrossEntropy(logits: logits.to($0), labels: labels.to($0))
                    return [l, p]
                }
            }
        }
    }

    mutating func softmaxCrossEntropyGradient() {
        let cases: [(Int, Int)] = [(5, 7), (1, 1), (0, 3), (3, 300)]
        for dtype in [DType.float32, .float64] {
            for (index, (rows, classes)) in cases.enumerated() {
                let seed = 1700 + 3 * UInt64(index)
                let probabilities = withoutGradients {
                    softmax(Self.normal([rows, classes], dtype, scale: 2, seed: seed))
                }
                let labels = Self.labels(rows, classes: classes, seed: seed + 1)
                let upstream = Self.normal([rows], dtype, seed: seed + 2)
                // (p − 1)·ḡ at the label, p·ḡ elsewhere: a kernel may compute p·ḡ − ḡ instead, two
                // roundings of numbers as large as ḡ.
                let tolerance = CrossCheckTolerance.ulpsOfLargest(4, dtype, largest: largestMagnitude(upstream))
                check(.softmaxCrossEntropyGradient, "\(dtype) [\(rows), \(classes)]", tolerance) {
                    $0.backend.softmaxCrossEntropyGradient(probabilities: probabilities.to($0), labels: labels.to($0),
                                                           upstream: upstream.to($0))
                }
            }
        }
    }

    // MARK: Batch normalization

    /// The batch normalization cases: (shape, affine, shift of the values, NaN among them). A
    /// batch norm of dense features ([N, C]), images, a channel longer than a GPU block and split
    /// across CPU threads, values a thousand from zero (a mean that rounds), one value per
    /// channel (variance 0), an empty batch (NaN statistics), and NaN in a channel.
    static let batchNormalizationCases: [(shape: [Int], affine: Bool, shift: Double, hasNaN: Bool)] = [
        ([4, 3], true, 0, false), ([2, 3, 5], false, 0, false), ([3, 4, 5, 6], true, 0, false),
        ([2, 2, 3, 3], true, 1000, false), ([64, 2, 300], true, 0, false), ([1, 2, 1, 1], true, 0, false),
        ([0, 3, 2], true, 0, false), ([3, 2, 4], false, 0, true),
    ]

    /// One batch normalization case's inputs, made on the CPU, and the sizes that bound its
    /// rounding: the elements per channel, the largest |x|, |γ| (1 without one) and |β|.
    private static func batchNormalizationInputs(_ index: Int, _ dtype: DType, seed: UInt64)
        -> (x: Tensor, weight: Tensor?, bias: Tensor?, perChannel: Int, largestX: Double, largestWeight: Double,
            largestBias: Double) {
        let (shape, affine, shift, hasNaN) = batchNormalizationCases[index]
        var x = normal(shape, dtype, scale: 2, seed: seed) + shift
        if hasNaN { x = sprinkled(x, with: [.nan], seed: seed) }
        let weight = affine ? normal([shape[1]], dtype, seed: seed + 1) : nil
        let bias = affine ? normal([shape[1]], dtype, seed: seed + 2) : nil
        return (x, weight, bias, shape.reduce(1, *) / shape[1], largestMagnitude(x),
                weight.map(largestMagnitude) ?? 1, bias.map(largestMagnitude) ?? 0)
    }

    /// √(σ² + ε) at its smallest over the channels the reference normalizes (NaN ignored).
    private static func smallestDeviation(_ variance: Tensor, epsilon: Double) -> Double {
        ((variance.doubles().lazy.filter { !$0.isNaN }.min() ?? 0) + epsilon).squareRoot()
    }

    /// A case's name: dtype, shape, and what it has.
    private static func batchNormalizationCaseName(_ index: Int, _ dtype: DType, activation: LinearActivation) -> String {
        let (shape, affine, _, hasNaN) = batchNormalizationCases[index]
        return "\(dtype) \(shape)\(affine ? " affine" : "")\(hasNaN ? " with NaN" : "")\(activation == .relu ? " relu" : "")"
    }

    /// Each case without an activation, then with ReLU.
    private static var batchNormalizationVariants: [(index: Int, activation: LinearActivation)] {
        [LinearActivation.identity, .relu].flatMap { activation in
            batchNormalizationCases.indices.map { (index: $0, activation: activation) }
        }
    }

    mutating func batchNormalization() {
        let epsilon = 1e-5
        for dtype in [DType.float32, .float64] {
            for (index, activation) in Self.batchNormalizationVariants {
                let inputs = Self.batchNormalizationInputs(index, dtype, seed: 1750 + 3 * UInt64(index))
                let (x, weight, bias, n) = (inputs.x, inputs.weight, inputs.bias, inputs.perChannel)
                let variance = withoutGradients {
                    reference.backend.batchNormalization(x.to(reference), weight: nil, bias: nil, epsilon: epsilon).variance
                }
                // Both sums are taken in double; the output is (x − μ)·γ/√(σ² + ε) + β rounded a few
                // times, μ among them: a few ulps of its largest term.
                let scale = inputs.largestWeight / Self.smallestDeviation(variance, epsilon: epsilon)
                let output = CrossCheckTolerance.ulpsOfLargest(8, dtype, largest: 2 * inputs.largestX * scale + inputs.largestBias)
                let mean = CrossCheckTolerance.accumulation(length: n, magnitude: inputs.largestX, dtype)
                let spread = CrossCheckTolerance.accumulation(length: n, magnitude: 4 * inputs.largestX * inputs.largestX, dtype)
                check(.batchNormalization, Self.batchNormalizationCaseName(index, dtype, activation: activation),
                      [output, mean, spread], names: ["output", "mean", "variance"]) {
                    let (y, mean, variance) = $0.backend.batchNormalization(x.to($0), weight: weight?.to($0), bias: bias?.to($0),
                                                                             epsilon: epsilon, activation: activation)
                    return [y, mean, variance]
                }
            }
        }
    }

    mutating func batchNormalizationBackward() {
        let epsilon = 1e-5
        for dtype in [DType.float32, .float64] {
            for (index, activation) in Self.batchNormalizationVariants {
                let inputs = Self.batchNormalizationInputs(index, dtype, seed: 1850 + 4 * UInt64(index))
                let (x, weight, bias, n) = (inputs.x, inputs.weight, inputs.bias, inputs.perChannel)
                let upstream = Self.normal(x.shape, dtype, seed: 1850 + 4 * UInt64(index) + 3)
                // The forward pass's statistics, from the reference, on both devices.
                let (_, mean, variance) = withoutGradients {
                    reference.backend.batchNormalization(x.to(reference), weight: nil, bias: nil, epsilon: epsilon)
                }
                let deviation = Self.smallestDeviation(variance, epsilon: epsilon)
                let (largestG, largestXHat) = (largestMagnitude(upstream), 2 * inputs.largestX / deviation)
                // x̄ = γ/√(σ² + ε)·(ḡ − mean(ḡ) − x̂·mean(ḡ·x̂)), a few roundings of its terms; γ̄ and β̄
                // are sums of n terms ḡ·x̂ and ḡ.
                let input = CrossCheckTolerance.ulpsOfLargest(
                    8, dtype, largest: inputs.largestWeight / deviation * largestG * (2 + largestXHat * largestXHat))
                let weightGradient = CrossCheckTolerance.accumulation(
                    length: n, magnitude: Double(n) * largestG * (largestXHat + 1), dtype)
                let biasGradient = CrossCheckTolerance.accumulation(length: n, magnitude: Double(n) * largestG, dtype)
                check(.batchNormalizationBackward, Self.batchNormalizationCaseName(index, dtype, activation: activation),
                      [input, weightGradient, biasGradient], names: ["input", "weight", "bias"]) {
                    let (dx, dWeight, dBias) = $0.backend.batchNormalizationBackward(
                        upstream.to($0), input: x.to($0), mean: mean.to($0), variance: variance.to($0), weight: weight?.to($0),
                        bias: bias?.to($0), epsilon: epsilon, activation: activation)
                    return [dx, dWeight, dBias]
                }
            }
        }
    }

    // MARK: Random numbers

    mutating func randomUniform() {
        // Offsets that start inside a block of four, a seed with both halves set, an offset
        // beyond 2³², and one a few numbers before the counter wraps.
        let keys: [RandomKey] = [
            RandomKey(seed: 0), RandomKey(seed: 42, offset: 3), RandomKey(seed: 0xDEAD_BEEF_1234_5678, offset: 4),
            RandomKey(seed: 7, offset: (1 << 32) + 1), RandomKey(seed: 9, offset: UInt64.max - 5),
        ]
        let shapes: [[Int]] = [[0], [], [1], [3], [5, 7], Self.longShape]
        for dtype in [DType.float32, .float64] {
            for key in keys {
                for shape in shapes {
                    // Exact: the numbers are defined as bits of the counter-based generator.
                    check(.randomUniform, "\(dtype) \(shape) seed \(key.seed) offset \(key.offset)", .exact) {
                        $0.backend.randomUniform(shape: shape, dtype: dtype, key: key)
                    }
                }
            }
        }
    }

    mutating func bernoulli() {
        // The same keys as the uniform numbers (16-bit numbers: 64 to a group of eight blocks);
        // probabilities at both ends, and values that scale the kept elements as dropout does.
        let keys: [RandomKey] = [
            RandomKey(seed: 0), RandomKey(seed: 42, offset: 3), RandomKey(seed: 0xDEAD_BEEF_1234_5678, offset: 65),
            RandomKey(seed: 7, offset: (1 << 32) + 1), RandomKey(seed: 9, offset: UInt64.max - 5),
        ]
        let shapes: [[Int]] = [[0], [], [1], [3], [5, 7], Self.longShape]
        for dtype in [DType.float32, .float64] {
            for key in keys {
                for shape in shapes {
                    for (probability, value) in [(0.0, 1.0), (0.8, 1.25), (0.5, 2.0), (1.0, 1.0)] {
                        // Exact: the mask is defined by bits of the counter-based generator.
                        check(.bernoulli, "\(dtype) \(shape) p \(probability) seed \(key.seed) offset \(key.offset)", .exact) {
                            $0.backend.bernoulli(shape: shape, dtype: dtype, probability: probability, value: value, key: key)
                        }
                    }
                }
            }
        }
    }

    // MARK: Optimizers

    mutating func optimizerStep() {
        for dtype in [DType.float32, .float64] {
            for momentum in [0, 0.9] {
                for dampening in [0, 0.1] {
                    for weightDecay in [0, 0.01] {
                        for nesterov in [false, true] {
                            for isFirstStep in [true, false] {
                                let step = SGDStep(learningRate: 0.1, momentum: momentum, dampening: dampening,
                                                   weightDecay: weightDecay, nesterov: nesterov, isFirstStep: isFirstStep)
                                optimizerStep(.sgd(step), dtype, laterStep: !isFirstStep,
                                              "sgd momentum \(momentum) dampening \(dampening) weight decay \(weightDecay)"
                                                  + "\(nesterov ? " nesterov" : "")\(isFirstStep ? " first step" : "")",
                                              uses: [momentum != 0])
                            }
                        }
                    }
                }
            }
            for centered in [false, true] {
                for momentum in [0, 0.9] {
                    for weightDecay in [0, 0.01] {
                        for laterStep in [false, true] {
                            let step = RMSPropStep(learningRate: 0.01, alpha: 0.99, epsilon: 1e-8, weightDecay: weightDecay,
                                                   momentum: momentum, centered: centered)
                            optimizerStep(.rmsProp(step), dtype, laterStep: laterStep,
                                          "rmsProp\(centered ? " centered" : "") momentum \(momentum) weight decay \(weightDecay)"
                                              + (laterStep ? "" : " first step"),
                                          uses: [true, centered, momentum > 0])
                        }
                    }
                }
            }
            for amsgrad in [false, true] {
                for weightDecay in [0, 0.01] {
                    for decoupled in [false, true] {
                        for stepNumber in [1, 7] {
                            let step = AdamStep(learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8,
                                                weightDecay: weightDecay, amsgrad: amsgrad, decoupledWeightDecay: decoupled,
                                                step: stepNumber)
                            optimizerStep(.adam(step), dtype, laterStep: stepNumber > 1,
                                          "adam\(amsgrad ? " amsgrad" : "") weight decay \(weightDecay)"
                                              + "\(decoupled ? " decoupled" : "") step \(stepNumber)",
                                          uses: [true, true, amsgrad])
                        }
                    }
                }
            }
            for weightDecay in [0, 0.01] {
                for laterStep in [false, true] {
                    let step = AdadeltaStep(learningRate: 1.0, rho: 0.9, epsilon: 1e-6, weightDecay: weightDecay)
                    optimizerStep(.adadelta(step), dtype, laterStep: laterStep,
                                  "adadelta weight decay \(weightDecay)" + (laterStep ? "" : " first step"),
                                  uses: [true, true])
                }
            }
            for weightDecay in [0, 0.01] {
                for laterStep in [false, true] {
                    let suffix = " weight decay \(weightDecay)" + (laterStep ? "" : " first step")
                    let adagrad = AdagradStep(learningRate: 0.01, weightDecay: weightDecay, epsilon: 1e-10)
                    optimizerStep(.adagrad(adagrad), dtype, laterStep: laterStep, "adagrad" + suffix, uses: [true])
                    let adamax = AdamaxStep(learningRate: 2e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8,
                                            weightDecay: weightDecay, step: laterStep ? 7 : 1)
                    optimizerStep(.adamax(adamax), dtype, laterStep: laterStep, "adamax" + suffix, uses: [true, true])
                    for decoupled in [false, true] {
                        let nadam = NAdamStep(learningRate: 2e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8,
                                              weightDecay: weightDecay, decoupledWeightDecay: decoupled,
                                              gradientStep: 2e-4, averageStep: 1.9e-2, step: laterStep ? 7 : 1)
                        optimizerStep(.nadam(nadam), dtype, laterStep: laterStep,
                                      "nadam" + (decoupled ? " decoupled" : "") + suffix, uses: [true, true])
                    }
                }
            }
        }
        // One parameter long enough to be split across threads, for each rule's plain setting.
        let large: [(String, OptimizerStep, [Bool])] = [
            ("sgd", .sgd(SGDStep(learningRate: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false,
                                 isFirstStep: false)), [false]),
            ("sgd momentum 0.9 weight decay 0.01 nesterov",
             .sgd(SGDStep(learningRate: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0.01, nesterov: true,
                          isFirstStep: false)), [true]),
            ("rmsProp", .rmsProp(RMSPropStep(learningRate: 0.01, alpha: 0.99, epsilon: 1e-8, weightDecay: 0, momentum: 0,
                                             centered: false)), [true, false, false]),
            ("adam step 3", .adam(AdamStep(learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0,
                                           amsgrad: false, decoupledWeightDecay: false, step: 3)), [true, true, false]),
            ("adadelta", .adadelta(AdadeltaStep(learningRate: 1.0, rho: 0.9, epsilon: 1e-6, weightDecay: 0)), [true, true]),
            ("adagrad", .adagrad(AdagradStep(learningRate: 0.01, weightDecay: 0, epsilon: 1e-10)), [true]),
            ("adamax step 3", .adamax(AdamaxStep(learningRate: 2e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0,
                                                 step: 3)), [true, true]),
            ("nadam step 3", .nadam(NAdamStep(learningRate: 2e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0,
                                              decoupledWeightDecay: false, gradientStep: 2e-4, averageStep: 1.9e-2,
                                              step: 3)), [true, true]),
        ]
        let count = Self.longShape[0]
        for dtype in [DType.float32, .float64] {
            for (name, step, uses) in large {
                optimizerStep(step, dtype, laterStep: true, "\(name) on \(count) elements", uses: uses, count: count)
            }
        }
    }

    /// One fused step from the same parameter, gradient and buffers on both devices; `uses[i]`
    /// says whether buffer `i` is on (otherwise it is empty). On a later step the buffers hold
    /// earlier values; on the first they are zero.
    private mutating func optimizerStep(_ step: OptimizerStep, _ dtype: DType, laterStep: Bool, _ details: String,
                                        uses: [Bool], count: Int = 37) {
        let seed = 1800 + UInt64(cases.count)
        let parameter = Self.normal([count], dtype, seed: seed)
        let gradient = Self.normal([count], dtype, scale: 0.5, seed: seed + 1)
        let buffers: [Tensor] = uses.enumerated().map { index, used in
            guard used else { return Tensor.zeros([0], dtype: dtype) }
            guard laterStep else { return Tensor.zeros([count], dtype: dtype) }
            // Averages of squares must be positive and, for centered RMSProp, above the square
            // of the average gradient (buffer 1), so that no square root sees a negative number.
            switch (step, index) {
            case (.rmsProp, 0): return Self.uniform([count], dtype, 0.3...1, seed: seed + 2)
            case (.rmsProp, 1): return Self.uniform([count], dtype, -0.5...0.5, seed: seed + 3)
            case (.adam, 1), (.adam, 2): return Self.uniform([count], dtype, 0.01...0.2, seed: seed + 2 + UInt64(index))
            case (.adadelta, _), (.adagrad, 0), (.adamax, 1), (.nadam, 1):
                return Self.uniform([count], dtype, 0.01...0.2, seed: seed + 2 + UInt64(index))
            default: return Self.normal([count], dtype, scale: 0.1, seed: seed + 2 + UInt64(index))
            }
        }
        // The same formulas, element by element; only the last bits may differ (a contraction
        // into a fused multiply-add, a square root or quotient of another precision), so a few
        // ulps, of the largest element where a small one is the difference of large ones.
        let largest = ([parameter] + buffers).map(largestMagnitude).max() ?? 1
        let tolerance = CrossCheckTolerance.ulpsOfLargest(8, dtype, largest: largest)
        let names = ["parameter"] + buffers.indices.map { "buffer \($0)" }
        check(.optimizerStep, "\(dtype) \(details)", Array(repeating: tolerance, count: names.count), names: names) { device in
            // Fresh storages on each device: the step updates them in place.
            let θ = fresh(parameter, on: device), state = buffers.map { fresh($0, on: device) }
            device.backend.optimizerStep(step, parameter: θ, gradient: gradient.to(device), buffers: state)
            return [θ] + state
        }
    }
}

// MARK: - Inputs

extension CrossCheckRun {
    /// Normal numbers with standard deviation `scale`, fixed by `seed`, on the CPU.
    static func normal(_ shape: [Int], _ dtype: DType, scale: Double = 1, seed: UInt64) -> Tensor {
        Tensor.randomNormal(shape, standardDeviation: scale, dtype: dtype, seed: seed)
    }

    /// Uniform numbers in `range`, fixed by `seed`, on the CPU.
    static func uniform(_ shape: [Int], _ dtype: DType, _ range: ClosedRange<Double>, seed: UInt64) -> Tensor {
        Tensor.randomUniform(shape, lowerBound: range.lowerBound, upperBound: range.upperBound, dtype: dtype, seed: seed)
    }

    /// Multiples of ½ between −2 and 2 (±0 among them): many ties.
    static func coarse(_ shape: [Int], _ dtype: DType, seed: UInt64) -> Tensor {
        choices([-2, -1.5, -1, -0.5, -0.0, 0, 0.5, 1, 1.5, 2], shape, dtype, seed: seed)
    }

    /// Elements drawn from `values`.
    static func choices(_ values: [Double], _ shape: [Int], _ dtype: DType, seed: UInt64) -> Tensor {
        var generator = RandomGenerator(seed: seed)
        let count = shape.reduce(1, *)
        return Tensor(doubles: (0..<count).map { _ in values[generator.nextIndex(below: values.count)] }, shape: shape,
                      dtype: dtype)
    }

    /// `x` with about one element in five replaced by one of `values`.
    static func sprinkled(_ x: Tensor, with values: [Double], seed: UInt64) -> Tensor {
        var generator = RandomGenerator(seed: seed &+ 77)
        let elements = x.doubles().map { value in
            generator.nextIndex(below: 5) == 0 ? values[generator.nextIndex(below: values.count)] : value
        }
        return Tensor(doubles: elements, shape: x.shape, dtype: x.dtype)
    }

    /// int32 class labels in 0..<classes.
    static func labels(_ count: Int, classes: Int, seed: UInt64) -> Tensor {
        var generator = RandomGenerator(seed: seed)
        return Tensor(shape: [count], scalars: (0..<count).map { _ in Int32(generator.nextIndex(below: classes)) })
    }
}

/// Arbitrary bit patterns of `dtype` (for floating point: NaN, infinities and subnormal numbers
/// among them): what movements must carry unchanged.
func arbitraryBits(_ shape: [Int], _ dtype: DType, seed: UInt64) -> Tensor {
    var generator = RandomGenerator(seed: seed)
    let count = shape.reduce(1, *)
    func draw<T: TensorScalar>(_ make: (UInt64) -> T) -> Tensor {
        Tensor(shape: shape, scalars: (0..<count).map { _ in make(generator.next()) })
    }
    switch dtype {
    case .float32: return draw { Float(bitPattern: UInt32(truncatingIfNeeded: $0)) }
    case .float64: return draw { Double(bitPattern: $0) }
    case .int32: return draw { Int32(truncatingIfNeeded: $0) }
    case .int64: return draw { Int64(bitPattern: $0) }
    case .uint8: return draw { UInt8(truncatingIfNeeded: $0) }
    }
}

/// |x| elementwise, computed on the host (exact in every floating-point dtype).
func absolute(_ x: Tensor) -> Tensor {
    Tensor(doubles: x.to(.cpu).doubles().map { Swift.abs($0) }, shape: x.shape, dtype: x.dtype)
}

/// The largest |element| of `x`, NaN ignored (0 for an empty tensor).
func largestMagnitude(_ x: Tensor) -> Double {
    x.doubles().lazy.filter { !$0.isNaN }.map { Swift.abs($0) }.max() ?? 0
}

/// A copy of `x` on `device` in a storage of its own, which may be written in place.
func fresh(_ x: Tensor, on device: Device) -> Tensor {
    let moved = x.to(device)
    return Tensor(shape: moved.shape, storage: moved.storage.copy())
}

/// Every ordering of `elements`.
func permutations(of elements: [Int]) -> [[Int]] {
    guard elements.count > 1 else { return [elements] }
    return elements.indices.flatMap { index -> [[Int]] in
        var rest = elements
        let first = rest.remove(at: index)
        return permutations(of: rest).map { [first] + $0 }
    }
}

extension UnaryOperation {
    /// Whether the function is defined only for x ≥ 0 (or near it): the special values it is
    /// given leave out negative numbers, so that both devices compute a number, not NaN.
    var needsNonNegativeInput: Bool {
        switch self {
        case .log, .sqrt, .log1p: true
        case .negate, .exp, .abs, .tanh, .sigmoid, .relu, .sign, .erf, .reciprocal, .square, .gelu, .geluTanh: false
        }
    }
}

// MARK: - Tolerances

extension BackendCrossCheck.Tolerance {
    /// The machine epsilon of a floating-point dtype: the distance from 1 to the next number.
    static func epsilon(_ dtype: DType) -> Double {
        dtype == .float32 ? Double(Float.ulpOfOne) : Double.ulpOfOne
    }

    /// `n` units in the last place of the reference's element (relative `n`·ε). Results below
    /// the smallest normal number may differ by up to that number: a backend may flush
    /// subnormal numbers to zero (GPUs do; Descent's CPU kernels do during training).
    static func ulps(_ n: Double, _ dtype: DType) -> Self {
        let leastNormal = dtype == .float32 ? Double(Float.leastNormalMagnitude) : Double.leastNormalMagnitude
        return Self(relative: n * epsilon(dtype), absolute: leastNormal, label: "\(Int(n)) ulps")
    }

    /// `n` ulps of `largest`, the largest element in play: for results that may be the small
    /// difference of large numbers, where a relative bound on the result itself would be
    /// meaningless.
    static func ulpsOfLargest(_ n: Double, _ dtype: DType, largest: Double) -> Self {
        Self(relative: n * epsilon(dtype), absolute: n * epsilon(dtype) * largest, label: "\(Int(n)) ulps of \(largest)")
    }

    /// A sum of `length` terms, added in any order: each order's result is within
    /// γₙ·Σ|terms| ≈ n·ε·Σ|terms| of the exact sum (Higham, *Accuracy and Stability of
    /// Numerical Algorithms*, §3.1 and §4.2), so two orders are within twice that of each
    /// other. `magnitude` is the largest Σ|terms| of an output element: the reference's result
    /// on the inputs' absolute values. Blocked, vectorized and fused multiply-add kernels all
    /// stay inside this bound, and a wrong or missing term does not.
    static func accumulation(length: Int, magnitude: Double, _ dtype: DType) -> Self {
        let bound = 2 * Double(Swift.max(length, 1)) * epsilon(dtype)
        return Self(relative: bound, absolute: bound * magnitude, label: "sums of \(length)")
    }
}
