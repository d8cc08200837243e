// Helpers shared by the test targets.
import Descent
import Foundation
import Testing

/// Expects `actual` to match `expected` elementwise: |a − e| ≤ absolute + relative·|e|
/// (NumPy's `allclose`), with equal shapes. NaN matches NaN.
public func expectClose(_ actual: Tensor, _ expected: Tensor, relative: Double = 1e-5, absolute: Double = 1e-6,
                        _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.shape == expected.shape, "shape \(actual.shape) vs expected \(expected.shape)", sourceLocation: sourceLocation)
    guard actual.shape == expected.shape else { return }
    expectClose(actual.doubles(), expected.doubles(), relative: relative, absolute: absolute, comment,
                sourceLocation: sourceLocation)
}

/// Expects two arrays of numbers to match elementwise (see the tensor overload).
public func expectClose(_ actual: [Double], _ expected: [Double], relative: Double = 1e-5, absolute: Double = 1e-6,
                        _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "count \(actual.count) vs expected \(expected.count)", sourceLocation: sourceLocation)
    var worst: (index: Int, actual: Double, expected: Double)? = nil
    var mismatches = 0
    for (index, (a, e)) in zip(actual, expected).enumerated() {
        let ok = (a.isNaN && e.isNaN) || a == e || Swift.abs(a - e) <= absolute + relative * Swift.abs(e)
        if !ok {
            mismatches += 1
            if worst == nil { worst = (index, a, e) }
        }
    }
    if let worst {
        let note = comment.map { " — \($0.rawValue)" } ?? ""
        Issue.record("\(mismatches) of \(actual.count) values differ; first at [\(worst.index)]: \(worst.actual) vs expected \(worst.expected)\(note)",
                     sourceLocation: sourceLocation)
    }
}

/// Expects backpropagation to agree with central finite differences in Float64 for `body`.
public func expectGradientsMatchFiniteDifferences(at inputs: [Tensor], relative: Double = 1e-5, absolute: Double = 1e-7,
                                                  sourceLocation: SourceLocation = #_sourceLocation,
                                                  _ body: ([Tensor]) -> Tensor) {
    let report = checkGradients(at: inputs, of: body)
    #expect(report.passes(absoluteTolerance: absolute, relativeTolerance: relative), "\(report)", sourceLocation: sourceLocation)
}

/// A URL inside a test target's copied `Fixtures` folder.
public func fixtureURL(_ name: String, in bundle: Bundle) -> URL {
    bundle.resourceURL!.appendingPathComponent("Fixtures").appendingPathComponent(name)
}
