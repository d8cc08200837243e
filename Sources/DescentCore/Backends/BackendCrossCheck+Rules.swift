// The derivative rules of `BackendCrossCheck`: each differentiable operation differentiated on
// the device and on the reference, from the same inputs, and the gradients compared.
//
// A rule is written in tensor operations, so its gradient is computed by the device's
// primitives; this catches a primitive used by a rule in a way the primitive cases do not
// reach, and a rule that leaves its gradient on the wrong device.

/// How closely the gradients through a rule must agree.
enum RuleTolerance {
    /// Bit for bit: the rule only moves, selects or multiplies by exact factors, with the
    /// primitives that are exact.
    case exact
    /// `ulps`·`length`·ε relative to the largest element of the gradient: the rule combines
    /// functions of a few ulps each, or sums `length` terms (a broadcast undone, a matrix
    /// product), and a small element may be the difference of large ones.
    case normwise(ulps: Double, length: Int)

    func resolved(_ dtype: DType, expected: Tensor) -> CrossCheckTolerance {
        switch self {
        case .exact: return .exact
        case .normwise(let ulps, let length):
            let bound = ulps * Double(Swift.max(length, 1)) * CrossCheckTolerance.epsilon(dtype)
            return CrossCheckTolerance(relative: bound, absolute: bound * largestMagnitude(expected),
                                       label: "\(Int(ulps)) ulps × \(length) of the largest")
        }
    }
}

extension CrossCheckRun {
    /// The cases of one rule, in float32 and float64.
    mutating func rule(_ rule: DerivativeRule) {
        for dtype in [DType.float32, .float64] {
            let seed: UInt64 = dtype == .float32 ? 5000 : 6000
            switch rule {
            case .unary(let operation):
                for (index, shape) in [[3, 5], [], [0, 2]].enumerated() {
                    let x = Self.unaryInput(operation, shape, dtype, seed: seed + UInt64(index))
                    checkRule(rule, "\(dtype) \(shape)", at: [x], Self.ruleTolerance(of: operation)) { xs in
                        xs[0].unary(operation)
                    }
                }
            case .binary(let operation):
                let shapes: [([Int], [Int])] = [([3, 4], [3, 4]), ([3, 4], [4]), ([3, 1], [1, 4]), ([], [2, 3])]
                for (index, (left, right)) in shapes.enumerated() {
                    let (a, b) = Self.binaryInputs(operation, left, right, dtype, seed: seed + 2 * UInt64(index))
                    // Undoing a broadcast sums this many gradients into one.
                    let count = Broadcasting.shape(left, right)!.reduce(1, *)
                    let length = count / Swift.max(1, Swift.min(a.scalarCount, b.scalarCount))
                    checkRule(rule, "\(dtype) \(left), \(right)", at: [a, b],
                              .normwise(ulps: Self.ruleUlps(of: operation), length: length)) { xs in
                        Tensor.binaryForCrossCheck(operation, xs[0], xs[1])
                    }
                }
            case .select:
                let condition = Self.choices([0, 1], [3, 1], dtype, seed: seed)
                let a = Self.normal([3, 4], dtype, seed: seed + 1), b = Self.normal([4], dtype, seed: seed + 2)
                // b's gradient sums the three rows it was broadcast to.
                checkRule(rule, "\(dtype) [3, 1], [3, 4], [4]", at: [a, b], .normwise(ulps: 2, length: 3)) { xs in
                    DescentCore.select(where: condition.to(xs[0].device), xs[0], otherwise: xs[1])
                }
            case .clamp:
                // Coarse values: some sit exactly on the bounds, where the gradient still passes.
                let x = Self.coarse([4, 5], dtype, seed: seed)
                checkRule(rule, "\(dtype) [4, 5] to -0.5...1", at: [x], .exact) { xs in xs[0].clamped(min: -0.5, max: 1) }
            case .cast:
                let other: DType = dtype == .float32 ? .float64 : .float32
                let x = Self.normal([3, 4], dtype, seed: seed)
                checkRule(rule, "\(dtype) → \(other)", at: [x], .exact) { xs in xs[0].cast(to: other) }
            case .reduce(let operation):
                for (index, axes) in [[0, 2], [1], [0, 1, 2]].enumerated() {
                    let shape = [2, 3, 4]
                    // Ties for max and min: the gradient is shared between equal elements.
                    let x = operation == .sum ? Self.normal(shape, dtype, seed: seed + UInt64(index))
                                              : Self.coarse(shape, dtype, seed: seed + UInt64(index))
                    checkRule(rule, "\(dtype) \(shape) over \(axes)", at: [x], .exact) { xs in
                        switch operation {
                        case .sum: xs[0].sum(alongAxes: axes)
                        case .max: xs[0].max(alongAxes: axes)
                        case .min: xs[0].min(alongAxes: axes)
                        }
                    }
                }
            case .matmul:
                let cases: [([Int], [Int], Int, Int, Int)] = [
                    ([], [], 4, 5, 3), ([2], [2], 3, 4, 5), ([2], [], 3, 4, 5), ([], [2], 3, 4, 5),
                ]
                for transposeA in [false, true] {
                    for transposeB in [false, true] {
                        for (index, (batchA, batchB, m, n, k)) in cases.enumerated() {
                            let a = Self.normal(batchA + (transposeA ? [k, m] : [m, k]), dtype, seed: seed + 2 * UInt64(index))
                            let b = Self.normal(batchB + (transposeB ? [n, k] : [k, n]), dtype, seed: seed + 2 * UInt64(index) + 1)
                            // Each gradient is a product over m, n or k; a shared matrix's also
                            // sums over the batch.
                            let batch = (batchA.isEmpty ? batchB : batchA).reduce(1, *)
                            checkRule(rule, "\(dtype) \(a.shape)\(transposeA ? "ᵀ" : "")·\(b.shape)\(transposeB ? "ᵀ" : "")",
                                      at: [a, b], .normwise(ulps: 2, length: Swift.max(m, n, k) * batch)) { xs in
                                DescentCore.matmul(xs[0], xs[1], transposeA: transposeA, transposeB: transposeB)
                            }
                        }
                    }
                }
            case .linear:
                let x = Self.normal([4, 5], dtype, seed: seed), weight = Self.normal([3, 5], dtype, seed: seed + 1)
                let bias = Self.normal([3], dtype, seed: seed + 2)
                checkRule(rule, "\(dtype) [4, 5]·[3, 5]ᵀ + bias", at: [x, weight, bias], .normwise(ulps: 2, length: 5)) { xs in
                    DescentCore.linear(xs[0], weight: xs[1], bias: xs[2])
                }
                checkRule(rule, "\(dtype) [4, 5]·[3, 5]ᵀ without bias", at: [x, weight], .normwise(ulps: 2, length: 5)) { xs in
                    DescentCore.linear(xs[0], weight: xs[1])
                }
                // With ReLU fused: the rule passes ḡ back where the output is positive.
                checkRule(rule, "\(dtype) relu([4, 5]·[3, 5]ᵀ + bias)", at: [x, weight, bias], .normwise(ulps: 2, length: 5)) { xs in
                    DescentCore.linear(xs[0], weight: xs[1], bias: xs[2], activation: .relu)
                }
            case .conv2d:
                // Stride 2 with padding 1 and two groups; then padding "same" with a (2, 3)
                // kernel dilated (1, 2), whose one row of padding goes below, without bias.
                let x = Self.normal([2, 4, 7, 6], dtype, seed: seed), weight = Self.normal([6, 2, 3, 3], dtype, seed: seed + 1)
                let bias = Self.normal([6], dtype, seed: seed + 2)
                // The longest sum: the bias's, over 2·4·3 outputs.
                checkRule(rule, "\(dtype) [2, 4, 7, 6] ⊛ [6, 2, 3, 3] stride 2 padding 1 groups 2 + bias",
                          at: [x, weight, bias], .normwise(ulps: 2, length: 24)) { xs in
                    DescentCore.conv2d(xs[0], weight: xs[1], bias: xs[2], stride: 2, padding: 1, groups: 2)
                }
                let wideWeight = Self.normal([3, 4, 2, 3], dtype, seed: seed + 3)
                checkRule(rule, "\(dtype) [2, 4, 7, 6] ⊛ [3, 4, 2, 3] dilation (1, 2) padding same",
                          at: [x, wideWeight], .normwise(ulps: 2, length: 2 * 7 * 6)) { xs in
                    DescentCore.conv2d(xs[0], weight: xs[1], padding: .same, dilation: Size2D(1, 2))
                }
                // With ReLU fused: ḡ passes back where the output is positive.
                checkRule(rule, "\(dtype) relu([2, 4, 7, 6] ⊛ [6, 2, 3, 3] stride 2 padding 1 groups 2 + bias)",
                          at: [x, weight, bias], .normwise(ulps: 2, length: 24)) { xs in
                    DescentCore.conv2d(xs[0], weight: xs[1], bias: xs[2], stride: 2, padding: 1, groups: 2, activation: .relu)
                }
            case .maxPool2d, .avgPool2d, .reluMaxPool2d:
                poolingRule(rule, dtype, seed: seed)
            case .reshape:
                let x = Self.normal([3, 4], dtype, seed: seed)
                for shape in [[2, 6], [12], [2, 3, 2]] {
                    checkRule(rule, "\(dtype) [3, 4] to \(shape)", at: [x], .exact) { xs in xs[0].reshaped(to: shape) }
                }
            case .permute:
                let x = Self.normal([2, 3, 4], dtype, seed: seed)
                for permutation in [[2, 0, 1], [1, 2, 0], [0, 2, 1]] {
                    checkRule(rule, "\(dtype) [2, 3, 4] by \(permutation)", at: [x], .exact) { xs in xs[0].permuted(permutation) }
                }
            case .broadcast:
                for (index, (shape, target)) in [([3, 1], [2, 3, 4]), ([4], [3, 4]), ([], [2, 2])].enumerated() {
                    let x = Self.normal(shape, dtype, seed: seed + UInt64(index))
                    let length = target.reduce(1, *) / Swift.max(1, shape.reduce(1, *))
                    checkRule(rule, "\(dtype) \(shape) to \(target)", at: [x], .normwise(ulps: 2, length: length)) { xs in
                        xs[0].broadcasted(to: target)
                    }
                }
            case .gather:
                let x = Self.normal([5, 3], dtype, seed: seed)
                // Repeated indices: their gradients add up (three at most).
                checkRule(rule, "\(dtype) [5, 3] at [4, 0, 0, 2, 4, 4] along 0", at: [x], .normwise(ulps: 2, length: 3)) { xs in
                    xs[0].gathering(atIndices: [4, 0, 0, 2, 4, 4], alongAxis: 0)
                }
                checkRule(rule, "\(dtype) [5, 3] at [2, 2, 0] along 1", at: [x], .normwise(ulps: 2, length: 2)) { xs in
                    xs[0].gathering(atIndices: [2, 2, 0], alongAxis: 1)
                }
            case .concatenate:
                for axis in [0, 1] {
                    let shapes = axis == 0 ? [[1, 3], [0, 3], [2, 3]] : [[2, 1], [2, 0], [2, 4]]
                    let parts = shapes.enumerated().map { Self.normal($1, dtype, seed: seed + 10 * UInt64(axis) + UInt64($0)) }
                    checkRule(rule, "\(dtype) \(shapes) along \(axis)", at: parts, .exact) { xs in
                        Tensor(concatenating: xs, alongAxis: axis)
                    }
                }
            case .softmaxCrossEntropy:
                for (index, (rows, classes, shift)) in [(5, 7, 0.0), (4, 10, 1000.0)].enumerated() {
                    let logits = Self.normal([rows, classes], dtype, scale: 3, seed: seed + 2 * UInt64(index)) + shift
                    let labels = Self.labels(rows, classes: classes, seed: seed + 2 * UInt64(index) + 1)
                    // softmax(x) − onehot: the probabilities' tolerance.
                    checkRule(rule, "\(dtype) [\(rows), \(classes)] logits + \(shift)", at: [logits],
                              .normwise(ulps: 4, length: classes + 8)) { xs in
                        DescentCore.softmaxCrossEntropy(logits: xs[0], labels: labels.to(xs[0].device))
                    }
                }
            case .activation:
                for function in Self.parametricActivations {
                    let x = Self.normal([3, 5], dtype, scale: 3, seed: seed)
                    checkRule(rule, "\(function) \(dtype) [3, 5]", at: [x], .normwise(ulps: 4, length: 1)) { xs in
                        xs[0].activation(function)
                    }
                }
            case .batchNormalization:
                // Images with weight and bias; then dense features without them. x̄'s three terms
                // each sum the channel's gradients (2·4·5 and 6 of them).
                let x = Self.normal([2, 3, 4, 5], dtype, scale: 2, seed: seed) + 1
                let weight = Self.normal([3], dtype, seed: seed + 1), bias = Self.normal([3], dtype, seed: seed + 2)
                checkRule(rule, "\(dtype) [2, 3, 4, 5] affine", at: [x, weight, bias], .normwise(ulps: 8, length: 40)) { xs in
                    DescentCore.batchNormalization(xs[0], weight: xs[1], bias: xs[2]).output
                }
                let features = Self.normal([6, 4], dtype, seed: seed + 3)
                checkRule(rule, "\(dtype) [6, 4]", at: [features], .normwise(ulps: 8, length: 6)) { xs in
                    DescentCore.batchNormalization(xs[0]).output
                }
                // With ReLU: ḡ kept where the output, recomputed, was positive.
                checkRule(rule, "\(dtype) [2, 3, 4, 5] affine relu", at: [x, weight, bias], .normwise(ulps: 8, length: 40)) { xs in
                    DescentCore.batchNormalization(xs[0], weight: xs[1], bias: xs[2], activation: .relu).output
                }
            case .move:
                // To the other device and back: the gradient returns to where the input lives.
                let x = Self.normal([3, 4], dtype, seed: seed)
                checkRule(rule, "\(dtype) [3, 4] there and back", at: [x], .exact) { xs in
                    let source = xs[0].device
                    let elsewhere = Device.allCases.first { $0 != source } ?? source
                    return xs[0].to(elsewhere)
                }
            }
        }
    }

    /// Differentiates Σ w ⊙ body(inputs), for fixed pseudo-random weights w, on the device and
    /// on the reference, and compares the gradient of each input. The weights make the gradient
    /// arriving at the rule differ from element to element, so that a rule that puts gradients
    /// in the wrong places cannot pass.
    mutating func checkRule(_ rule: DerivativeRule, _ details: String, at inputs: [Tensor], _ tolerance: RuleTolerance,
                            _ body: ([Tensor]) -> Tensor) {
        let actual = Self.gradients(on: device, at: inputs, body)
        let expected = Self.gradients(on: reference, at: inputs, body)
        for index in inputs.indices {
            let name = inputs.count > 1 ? " → gradient \(index)" : ""
            record(.rule(rule), details + name, actual[index], expected[index],
                   tolerance.resolved(inputs[index].dtype, expected: expected[index]), expectedDevice: device)
        }
    }

    private static func gradients(on device: Device, at inputs: [Tensor], _ body: ([Tensor]) -> Tensor) -> [Tensor] {
        valueWithGradient(at: inputs.map { $0.to(device) }) { xs in
            let y = body(xs)
            let weights = Tensor.randomNormal(y.shape, dtype: y.dtype, seed: 31).to(y.device)
            return (y * weights).sum()
        }.gradients
    }

    /// How closely the gradients through an elementwise function agree.
    static func ruleTolerance(of operation: UnaryOperation) -> RuleTolerance {
        switch operation {
        // Exact operations on the input or on an exact output: ḡ·sign x, ḡ/x, ḡ/(2√x), −ḡy², …
        case .negate, .abs, .relu, .sign, .sqrt, .reciprocal, .square, .log, .log1p: .exact
        // The function's output (a few ulps) in a product; tanh′ = 1 − y² and σ′ = σ(1 − σ)
        // lose digits near saturation, relative to the largest gradient they do not.
        case .exp, .tanh, .sigmoid, .erf: .normwise(ulps: 16, length: 1)
        // Φ + x·φ is zero near x = −0.75, where its few ulps are ulps of Φ.
        case .gelu, .geluTanh: .normwise(ulps: 16, length: 1)
        }
    }

    /// The ulps a binary operation's rule may lose, before undoing a broadcast.
    static func ruleUlps(of operation: BinaryOperation) -> Double {
        switch operation {
        case .add, .subtract, .maximum, .minimum, .multiply: 2
        case .divide: 4  // −ḡ·a/(b·b): three roundings
        case .pow: 16  // ḡ·b·aᵇ⁻¹ and ḡ·aᵇ·ln a: a power and a logarithm
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual, .keepWherePositive: 0
        case .geluBackward, .geluTanhBackward, .tanhBackward, .sigmoidBackward: 0
        }
    }
}

extension Tensor {
    /// `operation` on `a` and `b` through the public operation that records its rule.
    static func binaryForCrossCheck(_ operation: BinaryOperation, _ a: Tensor, _ b: Tensor) -> Tensor {
        switch operation {
        case .add: a + b
        case .subtract: a - b
        case .multiply: a * b
        case .divide: a / b
        case .maximum: DescentCore.maximum(a, b)
        case .minimum: DescentCore.minimum(a, b)
        case .pow: DescentCore.pow(a, b)
        // Never differentiated (see `BinaryOperation.hasDerivativeRule`); computed without a rule.
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual, .keepWherePositive,
             .geluBackward, .geluTanhBackward, .tanhBackward, .sigmoidBackward:
            Tensor.computing(operation, a, b)
        }
    }
}
