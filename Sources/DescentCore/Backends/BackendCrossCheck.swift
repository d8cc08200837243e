/// Holds a device's backend against the reference backend: every primitive, and every
/// derivative rule, on the same inputs, compared element by element with a tolerance chosen for
/// each primitive.
///
/// A new backend is right when this passes. The check calls the primitives directly (not the
/// operations above them), on inputs that exercise their awkward corners: broadcasting, size-1
/// and empty axes, odd sizes, transposes, batches, repeated indices, ties and NaN, large
/// logits, counter offsets that do not fall on a block of four, every option of every fused
/// optimizer step. Then it differentiates each operation that has a derivative rule on both
/// devices and compares the gradients, which exercises the rules' own use of the primitives.
///
/// ```swift
/// let report = BackendCrossCheck.run(.cpu)
/// print(report)            // one line per failure, then "N cases, … all agree"
/// if !report.passed { … }
/// ```
///
/// Nothing here traps on a disagreement: a wrong value, shape, dtype or device is reported as a
/// failed case. (A backend that traps by itself, reading out of bounds, still stops the program.)
///
/// ## Tolerances
///
/// Each primitive is compared with the tolerance its arithmetic allows, no looser (see
/// ``Tolerance`` for the kinds and the primitives' code for the reasons):
///
/// - exact, bit for bit (NaN equal to NaN): what only moves or selects elements (upload and
///   download, permute, broadcast, gather, concatenate, select, cast, comparisons, maximum and
///   minimum, max/min reductions, argmax/argmin, max pooling and its backward scatter), what
///   IEEE 754 rounds once and correctly (+ − × ÷ √, square, reciprocal), and the counter-based
///   random numbers, which are defined as bits;
/// - a few ulps, relative: the functions of the C library (exp, log, log1p, tanh, erf) and
///   the formulas built on one (sigmoid, pow), whose last bit differs between implementations;
/// - a bound that grows with the length of a sum: sums, matrix products, `linear`, the
///   convolution and its gradients, `scatterAdd`, average pooling forward and backward, and the
///   softmax cross-entropy, which add in an order of their own choosing;
/// - a few ulps of the largest element: the fused optimizer steps.
public enum BackendCrossCheck {
    /// Checks every primitive of `device`'s backend, and every derivative rule on `device`,
    /// against `reference` (the `ReferenceBackend`, unless another is named).
    ///
    /// Inputs are the same on both devices (made on the CPU from fixed seeds and moved with
    /// ``Tensor/to(_:)``), so the report is the same from run to run.
    ///
    /// - Parameters:
    ///   - device: the device whose backend is checked.
    ///   - reference: the device whose backend defines the right answers.
    ///   - starting: called with each primitive's or rule's name before it is checked, so that a
    ///     backend that traps (a kernel that fails on a GPU) is known by the last name seen.
    public static func run(_ device: Device, against reference: Device = .reference,
                           starting: (String) -> Void = { _ in }) -> BackendCrossCheckReport {
        var check = CrossCheckRun(device: device, reference: reference)
        withoutGradients {
            // Every case of `Primitive` must be named here: a new primitive does not compile
            // until it is checked.
            for primitive in Primitive.allCases {
                starting("\(primitive)")
                switch primitive {
                case .upload: check.upload()
                case .download: check.download()
                case .unary: check.unary()
                case .binary: check.binary()
                case .select: check.select()
                case .cast: check.cast()
                case .reduce: check.reduce()
                case .argReduce: check.argReduce()
                case .permute: check.permute()
                case .broadcast: check.broadcast()
                case .gather: check.gather()
                case .scatterAdd: check.scatterAdd()
                case .concatenate: check.concatenate()
                case .matmul: check.matmul()
                case .linear: check.linear()
                case .conv2d: check.conv2d()
                case .conv2dInputGradient: check.conv2dInputGradient()
                case .conv2dWeightGradient: check.conv2dWeightGradient()
                case .keepWherePositiveWithChannelSums: check.keepWherePositiveWithChannelSums()
                case .maxPool2d: check.maxPool2d()
                case .maxPool2dBackward: check.maxPool2dBackward()
                case .avgPool2d: check.avgPool2d()
                case .avgPool2dBackward: check.avgPool2dBackward()
                case .softmaxCrossEntropy: check.softmaxCrossEntropy()
                case .softmaxCrossEntropyGradient: check.softmaxCrossEntropyGradient()
                case .activation: check.activation()
                case .activationBackward: check.activationBackward()
                case .batchNormalization: check.batchNormalization()
                case .batchNormalizationBackward: check.batchNormalizationBackward()
                case .randomUniform: check.randomUniform()
                case .bernoulli: check.bernoulli()
                case .optimizerStep: check.optimizerStep()
                }
            }
        }
        // Derivative rules record gradients, so they run outside `withoutGradients`.
        for rule in DerivativeRule.allCases {
            starting("rule \(rule)")
            check.rule(rule)
        }
        return BackendCrossCheckReport(device: device, reference: reference, cases: check.cases)
    }

    /// How far a backend's result may be from the reference's, element by element.
    ///
    /// An element `a` matches the reference's `e` when the tolerance is ``exact`` and their bits
    /// are equal (or both are NaN), or otherwise when `a == e`, both are NaN, or
    /// `|a − e| ≤ absolute + relative·|e|` (so a tolerance never accepts NaN for a number, nor
    /// one infinity for another value).
    public struct Tolerance: Sendable, Hashable, CustomStringConvertible {
        /// The bound on the difference relative to the reference's element.
        public var relative: Double
        /// The bound on the difference whatever the element's size.
        public var absolute: Double
        /// Whether the elements must be equal bit for bit (with NaN equal to NaN).
        public var isExact: Bool
        /// What the bound stands for, for the report ("4 ulps", "sums of 40 terms" …).
        public var label: String

        /// A bound of `relative`·|reference| + `absolute`.
        public init(relative: Double, absolute: Double, label: String = "") {
            (self.relative, self.absolute, self.isExact, self.label) = (relative, absolute, false, label)
        }

        /// Bit-for-bit equality, NaN equal to NaN (−0 and +0 differ): for results that have
        /// one right answer.
        public static let exact: Tolerance = {
            var tolerance = Tolerance(relative: 0, absolute: 0, label: "exact")
            tolerance.isExact = true
            return tolerance
        }()

        public var description: String {
            if isExact { return "exact" }
            let bound = "relative \(short(relative)) + absolute \(short(absolute))"
            return label.isEmpty ? bound : "\(label): \(bound)"
        }
    }
}

// MARK: - Derivative rules

/// The derivative rules that ``BackendCrossCheck`` differentiates on both devices: one case per
/// rule of `DerivativeRules`, plus the move between devices.
public enum DerivativeRule: Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// y = f(x) for an elementwise function.
    case unary(UnaryOperation)
    /// y = f(a, b) for a differentiable binary operation (see ``allCases``).
    case binary(BinaryOperation)
    /// y = condition ? a : b.
    case select
    /// y = clamp(x, lo, hi).
    case clamp
    /// y = x in another floating-point dtype.
    case cast
    /// y = Σ, max or min of x over axes.
    case reduce(ReductionOperation)
    /// Y = op(A)·op(B).
    case matmul
    /// y = x·Wᵀ + b.
    case linear
    /// y = conv(x, W) + b, the 2-D convolution.
    case conv2d
    /// y = the maximum, or the mean, of each window of a 2-D pooling.
    case maxPool2d, avgPool2d
    /// y = the maximum of each window of relu(x), one rule for both.
    case reluMaxPool2d
    case reshape, permute, broadcast, gather, concatenate
    /// The fused cross-entropy of logits against labels.
    case softmaxCrossEntropy
    /// y = leaky ReLU or ELU of x, with their parameters.
    case activation
    /// y = (x − μ)/√(σ² + ε)·γ + β with the batch's statistics.
    case batchNormalization
    /// y = x on another device (``Tensor/to(_:)``): the gradient moves back.
    case move

    /// Every rule: each elementwise function, the binary operations that are differentiated
    /// (not the comparisons, nor `keepWherePositive` and the other backward passes, which are
    /// only ever derivatives themselves),
    /// each reduction, and the rest.
    public static var allCases: [DerivativeRule] {
        UnaryOperation.allCases.map { .unary($0) }
            + BinaryOperation.allCases.filter(\.hasDerivativeRule).map { .binary($0) }
            + [.select, .clamp, .cast]
            + ReductionOperation.allCases.map { .reduce($0) }
            + [.matmul, .linear, .conv2d, .maxPool2d, .avgPool2d, .reluMaxPool2d, .reshape, .permute, .broadcast, .gather, .concatenate, .softmaxCrossEntropy, .activation, .batchNormalization, .move]
    }

    public var description: String {
        switch self {
        case .unary(let operation): operation.rawValue
        case .binary(let operation): operation.rawValue
        case .reduce(let operation): operation.rawValue
        case .select: "select"
        case .clamp: "clamp"
        case .cast: "cast"
        case .matmul: "matmul"
        case .linear: "linear"
        case .conv2d: "conv2d"
        case .maxPool2d: "maxPool2d"
        case .avgPool2d: "avgPool2d"
        case .reluMaxPool2d: "relu+maxPool2d"
        case .reshape: "reshape"
        case .permute: "permute"
        case .broadcast: "broadcast"
        case .gather: "gather"
        case .concatenate: "concatenate"
        case .softmaxCrossEntropy: "softmaxCrossEntropy"
        case .activation: "leakyReLU, elu and softplus"
        case .batchNormalization: "batchNormalization"
        case .move: "to(device)"
        }
    }
}

extension BinaryOperation {
    /// Whether the operation is recorded for differentiation with a rule of its own. Exhaustive,
    /// so that a new operation has to say.
    var hasDerivativeRule: Bool {
        switch self {
        case .add, .subtract, .multiply, .divide, .maximum, .minimum, .pow: true
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual, .keepWherePositive: false
        case .geluBackward, .geluTanhBackward, .tanhBackward, .sigmoidBackward: false
        }
    }
}

// MARK: - The report

/// What ``BackendCrossCheck/run(_:against:starting:)`` found: every case it compared, with the largest
/// difference and the tolerance it was held to.
public struct BackendCrossCheckReport: Sendable, CustomStringConvertible {
    /// One comparison: one output of a primitive, or one input's gradient through a rule, for
    /// one setting.
    public struct Case: Sendable, CustomStringConvertible {
        /// What was checked.
        public enum Subject: Sendable, Hashable, CustomStringConvertible {
            case primitive(Primitive)
            case rule(DerivativeRule)

            public var description: String {
                switch self {
                case .primitive(let primitive): primitive.rawValue
                case .rule(let rule): "rule \(rule)"
                }
            }
        }

        /// The primitive or rule.
        public var subject: Subject
        /// The primitive's or rule's name ("matmul", "rule exp").
        public var name: String { subject.description }
        /// The setting: dtype, shapes, options ("float32 [3, 4] + [4]").
        public var details: String
        /// The largest |device − reference| over the elements (0 when all are equal; infinity
        /// where one is NaN and the other is not, or the shapes differ).
        public var largestError: Double
        /// The tolerance the elements were held to.
        public var tolerance: BackendCrossCheck.Tolerance
        /// Why the case failed (the first element out of tolerance, or a shape, dtype or device
        /// that differs); `nil` when it passed.
        public var mismatch: String?

        /// Whether the device agreed with the reference.
        public var passed: Bool { mismatch == nil }

        public var description: String {
            let verdict = mismatch.map { "FAILED: \($0)" } ?? "ok"
            return "\(subject) \(details): largest error \(short(largestError)), tolerance \(tolerance) — \(verdict)"
        }
    }

    /// The device that was checked.
    public var device: Device
    /// The device it was checked against.
    public var reference: Device
    /// Every case, in the order they ran.
    public var cases: [Case]

    /// Whether every case agreed.
    public var passed: Bool { cases.allSatisfy(\.passed) }

    /// The cases that did not agree.
    public var failures: [Case] { cases.filter { !$0.passed } }

    /// The primitives with at least one case, in ``Primitive`` order.
    public var primitivesCovered: [Primitive] {
        let covered = Set(cases.compactMap { if case .primitive(let p) = $0.subject { p } else { nil } })
        return Primitive.allCases.filter(covered.contains)
    }

    /// The derivative rules with at least one case, in ``DerivativeRule/allCases`` order.
    public var rulesCovered: [DerivativeRule] {
        let covered = Set(cases.compactMap { if case .rule(let r) = $0.subject { r } else { nil } })
        return DerivativeRule.allCases.filter(covered.contains)
    }

    /// One line per failure, then a summary: "N cases, M primitives, K rules: all agree".
    public var description: String {
        let failures = self.failures
        let summary = "\(device) against \(reference): \(cases.count) cases, \(primitivesCovered.count) primitives, "
            + "\(rulesCovered.count) rules: "
            + (failures.isEmpty ? "all agree" : "\(failures.count) disagree")
        return (failures.map(\.description) + [summary]).joined(separator: "\n")
    }
}

// MARK: - Comparing tensors

extension BackendCrossCheck {
    /// Compares `actual` with the reference's `expected` under `tolerance`: the largest
    /// difference, and why they do not match (`nil` when they do). Never traps.
    static func compare(_ actual: Tensor, _ expected: Tensor, _ tolerance: Tolerance)
        -> (largestError: Double, mismatch: String?) {
        guard actual.dtype == expected.dtype, actual.shape == expected.shape else {
            return (.infinity, "got \(actual.dtype) \(actual.shape), expected \(expected.dtype) \(expected.shape)")
        }
        // Read both on the host: the comparison is the host's business, not a backend's.
        let a = actual.to(.cpu), e = expected.to(.cpu)
        switch actual.dtype {
        case .float32:
            return compare(a.hostScalars(Float.self), e.hostScalars(Float.self), tolerance) { $0.bitPattern == $1.bitPattern }
        case .float64:
            return compare(a.hostScalars(Double.self), e.hostScalars(Double.self), tolerance) { $0.bitPattern == $1.bitPattern }
        case .int32: return compareIntegers(a.hostScalars(Int32.self), e.hostScalars(Int32.self))
        case .int64: return compareIntegers(a.hostScalars(Int64.self), e.hostScalars(Int64.self))
        case .uint8: return compareIntegers(a.hostScalars(UInt8.self), e.hostScalars(UInt8.self))
        }
    }

    /// Floating-point elements: bitwise when exact, else within the bound.
    static func compare<T: BinaryFloatingPoint>(_ actual: [T], _ expected: [T], _ tolerance: Tolerance,
                                                sameBits: (T, T) -> Bool) -> (largestError: Double, mismatch: String?) {
        var largest = 0.0
        var mismatch: String?
        for (index, (a, e)) in zip(actual, expected).enumerated() {
            if a.isNaN && e.isNaN { continue }
            let error = a.isNaN || e.isNaN ? Double.infinity : (a == e ? 0 : Double(Swift.abs(a - e)))
            largest = Swift.max(largest, error.isNaN ? .infinity : error)
            let agrees = tolerance.isExact
                ? sameBits(a, e)
                : a == e || error <= tolerance.absolute + tolerance.relative * Double(Swift.abs(e))
            if !agrees && mismatch == nil {
                mismatch = "element \(index) is \(a), expected \(e)"
            }
        }
        return (largest, mismatch)
    }

    /// Integer elements are always compared exactly.
    static func compareIntegers<T: BinaryInteger>(_ actual: [T], _ expected: [T]) -> (largestError: Double, mismatch: String?) {
        var largest = 0.0
        var mismatch: String?
        for (index, (a, e)) in zip(actual, expected).enumerated() where a != e {
            largest = Swift.max(largest, Swift.abs(Double(a) - Double(e)))
            if mismatch == nil { mismatch = "element \(index) is \(a), expected \(e)" }
        }
        return (largest, mismatch)
    }
}

extension Tensor {
    /// The elements of a CPU tensor, exactly as stored.
    func hostScalars<T: TensorScalar>(_: T.Type) -> [T] {
        Array(UnsafeBufferPointer(start: storage.typed(T.self), count: scalarCount))
    }
}

/// A number in a few significant digits, for the report.
private func short(_ value: Double) -> String {
    if value == 0 || value.isInfinite || value.isNaN { return "\(value)" }
    let magnitude = Swift.abs(value)
    if magnitude >= 1e-3 && magnitude < 1e5 {
        return "\((value * 1e4).rounded() / 1e4)"
    }
    var exponent = 0
    var mantissa = magnitude
    while mantissa >= 10 { mantissa /= 10; exponent += 1 }
    while mantissa < 1 { mantissa *= 10; exponent -= 1 }
    return "\(value < 0 ? "-" : "")\((mantissa * 100).rounded() / 100)e\(exponent)"
}
