// The CPU's reductions against the textbook ones of the `reference` backend, on the shapes that
// take the CPU's shortcuts (all axes; the columns of a matrix) and on the general walk's, with
// NaN, −0 and infinities among the values.
import DescentCore
import Testing

@Suite struct ReductionKernelTests {
    private func values(_ count: Int) -> [Float] {
        (0..<count).map { i in
            switch i % 97 {
            case 13: -0.0
            case 41: .infinity
            case 55: -.infinity
            default: Float((i * 7919) % 2003) / 64 - 15.5
            }
        }
    }

    /// Sums agree to the rounding of their order (the CPU adds in eight lanes, the reference in
    /// one); max and min exactly, NaN winning.
    private func expectAgreement(_ x: Tensor, axes: [Int], _ label: String) {
        let onReference = x.to(.reference)
        for (name, cpu, reference) in [("max", x.max(alongAxes: axes), onReference.max(alongAxes: axes)),
                                       ("min", x.min(alongAxes: axes), onReference.min(alongAxes: axes))] {
            let (a, b) = (cpu.scalars(as: Float.self), reference.scalars(as: Float.self))
            #expect(cpu.shape == reference.shape, "\(label) \(name)")
            #expect(zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }, "\(label) \(name)")
        }
        // Sums of the finite values (∞ − ∞ would be NaN on both sides, saying nothing).
        let finite = Tensor(shape: x.shape, scalars: x.scalars(as: Float.self).map { $0.isFinite ? $0 : 1 })
        let (a, b) = (finite.sum(alongAxes: axes).scalars(as: Float.self),
                      finite.to(.reference).sum(alongAxes: axes).scalars(as: Float.self))
        #expect(zip(a, b).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) }, "\(label) sum")
    }

    @Test func shortcutsAgreeWithTheDefinition() {
        for (rows, columns) in [(1, 1), (32, 10), (32, 128), (7, 33), (600, 512)] {
            let x = Tensor(shape: [rows, columns], scalars: values(rows * columns))
            expectAgreement(x, axes: [0], "columns of \(rows)×\(columns)")
            expectAgreement(x, axes: [0, 1], "all of \(rows)×\(columns)")
            expectAgreement(x, axes: [1], "rows of \(rows)×\(columns)")
        }
        var withNaN = values(96)
        withNaN[37] = .nan
        let x = Tensor(shape: [8, 12], scalars: withNaN)
        expectAgreement(x, axes: [0], "columns with a NaN")
        expectAgreement(x, axes: [0, 1], "all with a NaN")
        expectAgreement(Tensor(shape: [2, 3, 4], scalars: values(24)), axes: [0], "the first axis of a cube")
    }

    /// A mean's sum over all elements is the eight-lane sum the general walk made.
    @Test func theMeanOfAVectorIsItsEightLaneSum() {
        let values = (0..<20).map { Float($0) * 0.1 }
        var lanes = [Float](repeating: 0, count: 8)
        for i in 0..<16 { lanes[i % 8] += values[i] }
        var expected = lanes.reduce(0, +)
        for i in 16..<20 { expected += values[i] }
        #expect(Tensor(shape: [4, 5], scalars: values).sum().scalars(as: Float.self) == [expected])
    }
}
