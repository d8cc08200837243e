// The cross-check of backends: the CPU's fast kernels against the textbook reference, every
// primitive and every derivative rule.
@testable import DescentCore
import Descent
import Testing

@Suite struct BackendCrossCheckTests {
    @Test func theCPUAgreesWithTheReference() {
        let report = BackendCrossCheck.run(.cpu)
        #expect(report.passed, "\(report)")
        #expect(report.failures.isEmpty)
        // Every primitive and every rule was exercised, not merely listed.
        #expect(report.primitivesCovered.count == Primitive.allCases.count)
        #expect(report.rulesCovered.count == DerivativeRule.allCases.count)
        #expect(report.description.hasSuffix("all agree"), "\(report.description.split(separator: "\n").last ?? "")")
    }

    @Test func theReferenceAgreesWithItself() {
        let report = BackendCrossCheck.run(.reference)
        #expect(report.passed, "\(report)")
        #expect(report.primitivesCovered.count == Primitive.allCases.count)
    }

    @Test func aOneUlpDifferenceFailsAnExactComparison() {
        let expected = Tensor([Float(1), 2, 3])
        let actual = Tensor([Float(1), Float(2).nextUp, 3])
        let exact = BackendCrossCheck.compare(actual, expected, .exact)
        #expect(exact.mismatch != nil)
        #expect(exact.largestError == Double(Float(2).nextUp - 2))
        // Within 4 ulps it passes; NaN matches NaN but not a number.
        #expect(BackendCrossCheck.compare(actual, expected, .ulps(4, .float32)).mismatch == nil)
        #expect(BackendCrossCheck.compare(Tensor([Float.nan]), Tensor([Float.nan]), .exact).mismatch == nil)
        #expect(BackendCrossCheck.compare(Tensor([Float.nan]), Tensor([Float(1)]), .ulps(4, .float32)).mismatch != nil)
        // −0 and +0 are equal values but different bits.
        #expect(BackendCrossCheck.compare(Tensor([-Float(0)]), Tensor([Float(0)]), .exact).mismatch != nil)
        #expect(BackendCrossCheck.compare(Tensor([-Float(0)]), Tensor([Float(0)]), .ulps(1, .float32)).mismatch == nil)
        // Shapes and dtypes must match, without trapping.
        #expect(BackendCrossCheck.compare(Tensor([Float(1), 2]), Tensor([Float(1)]), .exact).mismatch != nil)
        #expect(BackendCrossCheck.compare(Tensor([Float(1)]), Tensor([Double(1)]), .exact).mismatch != nil)
        #expect(BackendCrossCheck.compare(Tensor([Int64(5)]), Tensor([Int64(6)]), .exact).mismatch != nil)
    }

    @Test func aDisagreementIsReportedNotTrapped() {
        // A case whose device result is off by one ulp, recorded as the cross-check records its
        // cases: the report lists it and says so in its summary.
        var run = CrossCheckRun(device: .cpu, reference: .reference)
        run.record(.primitive(.unary), "a deliberate difference", Tensor([Float(2).nextUp]), Tensor([Float(2)]),
                   .exact, expectedDevice: .cpu)
        run.record(.primitive(.binary), "a deliberate agreement", Tensor([Float(2)]), Tensor([Float(2)]),
                   .exact, expectedDevice: .cpu)
        run.record(.primitive(.binary), "on the wrong device", Tensor([Float(2)]), Tensor([Float(2)]),
                   .exact, expectedDevice: .reference)
        let report = BackendCrossCheckReport(device: .cpu, reference: .reference, cases: run.cases)
        #expect(!report.passed)
        #expect(report.failures.map(\.details) == ["a deliberate difference", "on the wrong device"])
        #expect(report.description.contains("a deliberate difference"))
        #expect(report.description.hasSuffix("3 cases, 2 primitives, 0 rules: 2 disagree"))
    }
}
