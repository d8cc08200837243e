// `description`: shape, dtype and values laid out like NumPy, summarised when large.
import Descent
import Testing

@Suite struct DescriptionTests {
    @Test func smallMatrix() {
        let x = Tensor([[1, 2.5, -3], [4, 5, 6]] as [[Float]])
        #expect(x.description == """
            Tensor(shape: [2, 3], dtype: float32)
            [[1.0000, 2.5000, -3.0000],
             [4.0000, 5.0000, 6.0000]]
            """)
    }

    @Test func scalarVectorAndIntegers() {
        #expect(Tensor(Double(0.25)).description == "Tensor(shape: [], dtype: float64)\n0.2500")
        #expect(Tensor([1, -2, 3] as [Int32]).description == "Tensor(shape: [3], dtype: int32)\n[1, -2, 3]")
        #expect(Tensor.zeros([0]).description == "Tensor(shape: [0], dtype: float32)\n[]")
    }

    @Test func rank3SeparatesBlocksWithABlankLine() {
        let x = Tensor.arange(to: 8, dtype: .int32).reshaped(to: [2, 2, 2])
        #expect(x.description == """
            Tensor(shape: [2, 2, 2], dtype: int32)
            [[[0, 1],
              [2, 3]],

             [[4, 5],
              [6, 7]]]
            """)
    }

    @Test func verySmallLargeAndSpecialValues() {
        let x = Tensor([1e-7, 2e8, 0, .nan, .infinity, -.infinity] as [Double])
        #expect(x.description == "Tensor(shape: [6], dtype: float64)\n[1.0000e-07, 2.0000e+08, 0.0000, nan, inf, -inf]")
    }

    @Test func largeTensorsAreSummarised() {
        let x = Tensor.arange(to: 10_000).reshaped(to: [100, 100])
        let lines = x.description.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "Tensor(shape: [100, 100], dtype: float32)")
        // Three rows, "...", three rows: each row shows its first and last three entries.
        #expect(lines.count == 8)
        #expect(lines[1] == "[[0.0000, 1.0000, 2.0000, ..., 97.0000, 98.0000, 99.0000],")
        #expect(lines[4] == " ...,")
        #expect(lines[7] == " [9900.0000, 9901.0000, 9902.0000, ..., 9997.0000, 9998.0000, 9999.0000]]")
        #expect(x.description.count < 1000)
    }

    @Test func aThousandElementsAreNotSummarised() {
        let x = Tensor.zeros([1000])
        #expect(!x.description.contains("..."))
    }
}
