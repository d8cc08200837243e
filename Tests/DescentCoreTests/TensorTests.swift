// Creating tensors, reading them back, value semantics, elementwise values in both float
// dtypes, movement values, and the messages of programmer errors.
import Descent
import Foundation
import Testing
import _DescentTestSupport

@Suite struct TensorCreationTests {
    @Test func fromSwiftArrays() {
        let matrix = Tensor([[1, 2, 3], [4, 5, 6]] as [[Float]])
        #expect(matrix.shape == [2, 3])
        #expect(matrix.rank == 2)
        #expect(matrix.scalarCount == 6)
        #expect(matrix.dtype == .float32)
        #expect(matrix.scalars(as: Float.self) == [1, 2, 3, 4, 5, 6])
        let shaped = Tensor(shape: [2, 1, 2], scalars: [1, 2, 3, 4] as [Double])
        #expect(shaped.dtype == .float64)
        #expect(shaped.shape == [2, 1, 2])
        let scalar = Tensor(Float(3))
        #expect(scalar.shape == [])
        #expect(scalar.rank == 0)
        #expect(scalar.scalar(as: Float.self) == 3)
        #expect(scalar.doubleValue == 3)
        let labels = Tensor([2, 0, 1] as [Int32])
        #expect(labels.dtype == .int32)
        #expect(labels.scalars(as: Int32.self) == [2, 0, 1])
        #expect(labels.scalars(as: Double.self) == [2, 0, 1])
    }

    @Test func filledTensors() {
        #expect(Tensor.zeros([2, 3]).scalars(as: Float.self) == Array(repeating: 0, count: 6))
        #expect(Tensor.ones([4], dtype: .float64).doubles() == [1, 1, 1, 1])
        #expect(Tensor.ones([2], dtype: .int32).scalars(as: Int32.self) == [1, 1])
        let filled = Tensor(repeating: 2.5, shape: [3, 1], dtype: .float64)
        #expect(filled.shape == [3, 1])
        #expect(filled.doubles() == [2.5, 2.5, 2.5])
        let model = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4] as [Double])
        #expect(Tensor.zeros(like: model).shape == [2, 2])
        #expect(Tensor.zeros(like: model).dtype == .float64)
        #expect(Tensor.ones(like: model).doubles() == [1, 1, 1, 1])
        #expect(Tensor.zeros([0, 3]).scalarCount == 0)
        #expect(Tensor([] as [Float]).shape == [0])
        #expect(Tensor(shape: [2, 0], scalars: [Double]()).scalarCount == 0)
    }

    @Test func ranges() {
        // np.arange(5), np.arange(1, 2, 0.25), np.arange(5, 0, -2), np.linspace(0, 1, 5)
        #expect(Tensor.arange(to: 5).scalars(as: Float.self) == [0, 1, 2, 3, 4])
        #expect(Tensor.arange(from: 1, to: 2, by: 0.25, dtype: .float64).doubles() == [1, 1.25, 1.5, 1.75])
        #expect(Tensor.arange(from: 5, to: 0, by: -2, dtype: .int32).scalars(as: Int32.self) == [5, 3, 1])
        #expect(Tensor.arange(from: 3, to: 1).scalarCount == 0)
        #expect(Tensor.linspace(from: 0, to: 1, count: 5, dtype: .float64).doubles() == [0, 0.25, 0.5, 0.75, 1])
        #expect(Tensor.linspace(from: 2, to: 3, count: 1).scalars(as: Float.self) == [2])
    }

    @Test func fromDoubles() {
        let x = Tensor(doubles: [0.1, 1.9, -1.9], shape: [3], dtype: .float32)
        #expect(x.scalars(as: Float.self) == [0.1, 1.9, -1.9])
        #expect(Tensor(doubles: [1.9, -1.9], shape: [2], dtype: .int32).scalars(as: Int32.self) == [1, -1])
    }

    @Test func dtypeProperties() {
        #expect(DType.float32.byteCount == 4)
        #expect(DType.float64.byteCount == 8)
        #expect(DType.int32.byteCount == 4)
        #expect(!DType.int32.isFloatingPoint)
        #expect(DType.float64.description == "float64")
    }
}

@Suite struct ValueSemanticsTests {
    @Test func copiesAreIndependent() {
        let original = Tensor([1, 2, 3] as [Float])
        var copy = original
        copy.withUnsafeMutableBufferPointer(as: Float.self) { $0[0] = 100 }
        #expect(original.scalars(as: Float.self) == [1, 2, 3])
        #expect(copy.scalars(as: Float.self) == [100, 2, 3])
    }

    @Test func reshapedTensorsDoNotSeeLaterWrites() {
        var x = Tensor([1, 2, 3, 4] as [Float])
        let view = x.reshaped(to: [2, 2])
        x.withUnsafeMutableBufferPointer(as: Float.self) { $0[3] = -1 }
        #expect(view.scalars(as: Float.self) == [1, 2, 3, 4])
        #expect(x.scalars(as: Float.self) == [1, 2, 3, -1])
    }

    @Test func readingThroughABufferPointer() {
        let x = Tensor([[1, 2], [3, 4]] as [[Double]])
        #expect(x.withUnsafeBufferPointer(as: Double.self) { $0.reduce(0, +) } == 10)
    }
}

@Suite struct ElementwiseValueTests {
    let inputs: [Double] = [-3, -0.5, 0.25, 1, 2.5]

    @Test(arguments: [DType.float32, .float64])
    func functionsMatchTheMathLibrary(dtype: DType) {
        let x = Tensor(doubles: inputs, shape: [5], dtype: dtype)
        let positive = Tensor(doubles: inputs.map(Swift.abs), shape: [5], dtype: dtype)
        let tolerance = dtype == .float32 ? 1e-6 : 1e-14
        func check(_ actual: Tensor, _ f: (Double) -> Double, on values: [Double], sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(actual.dtype == dtype, sourceLocation: sourceLocation)
            expectClose(actual.doubles(), values.map(f), relative: tolerance, absolute: tolerance, sourceLocation: sourceLocation)
        }
        check(exp(x), Foundation.exp, on: inputs)
        check(log(positive), Foundation.log, on: inputs.map(Swift.abs))
        check(log1p(positive), Foundation.log1p, on: inputs.map(Swift.abs))
        check(sqrt(positive), Foundation.sqrt, on: inputs.map(Swift.abs))
        check(tanh(x), Foundation.tanh, on: inputs)
        check(erf(x), Foundation.erf, on: inputs)
        check(sigmoid(x), { 1 / (1 + Foundation.exp(-$0)) }, on: inputs)
        check(relu(x), { Swift.max($0, 0) }, on: inputs)
        check(abs(x), Swift.abs, on: inputs)
        check(-x, { -$0 }, on: inputs)
        check(x.squared(), { $0 * $0 }, on: inputs)
        check(x.reciprocal(), { 1 / $0 }, on: inputs)
        check(x.sign(), { $0 > 0 ? 1 : -1 }, on: inputs)
        check(pow(positive, 1.5), { Foundation.pow($0, 1.5) }, on: inputs.map(Swift.abs))
        check(pow(x, 3), { $0 * $0 * $0 }, on: inputs)
    }

    @Test(arguments: [DType.float32, .float64])
    func arithmeticWithBroadcasting(dtype: DType) {
        let a = Tensor(doubles: [1, 2, 3, 4, 5, 6], shape: [2, 3], dtype: dtype)
        let b = Tensor(doubles: [10, 20, 40], shape: [3], dtype: dtype)
        #expect((a + b).doubles() == [11, 22, 43, 14, 25, 46])
        #expect((a - b).doubles() == [-9, -18, -37, -6, -15, -34])
        #expect((a * b).doubles() == [10, 40, 120, 40, 100, 240])
        let quotients: [Double] = [10, 10, 40.0 / 3, 2.5, 4, 40.0 / 6]
        expectClose((b / a).doubles(), quotients, relative: dtype == .float32 ? 1e-7 : 1e-16, absolute: 0)
        #expect((2 - a).doubles() == [1, 0, -1, -2, -3, -4])
        #expect((a / 2).doubles() == [0.5, 1, 1.5, 2, 2.5, 3])
        #expect(pow(a, b.reshaped(to: [1, 3]) / 10).doubles() == [1, 4, 81, 4, 25, 1296])
        #expect((a + b).dtype == dtype)
    }

    @Test func sigmoidOfExtremeValuesIsFinite() {
        let y = sigmoid(Tensor([-1000, -100, 0, 100, 1000] as [Float])).scalars(as: Float.self)
        #expect(y == [0, Float(Foundation.exp(-100.0)), 0.5, 1, 1])
    }

    @Test func maximumMinimumAndClamping() {
        let a = Tensor([1, 5, -2, 4] as [Float]), b = Tensor([3, 2, -1, 4] as [Float])
        #expect(maximum(a, b).scalars(as: Float.self) == [3, 5, -1, 4])
        #expect(minimum(a, b).scalars(as: Float.self) == [1, 2, -2, 4])
        #expect(maximum(a, 0).scalars(as: Float.self) == [1, 5, 0, 4])
        #expect(minimum(a, 0).scalars(as: Float.self) == [0, 0, -2, 0])
        #expect(a.clamped(min: -1, max: 3).scalars(as: Float.self) == [1, 3, -1, 3])
        #expect(a.clamped(min: 2).scalars(as: Float.self) == [2, 5, 2, 4])
    }

    @Test func comparisonsAndSelection() {
        let a = Tensor([1, 5, -2, 4] as [Float]), b = Tensor([3, 2, -2, 4] as [Float])
        #expect((a .== b).scalars(as: Float.self) == [0, 0, 1, 1])
        #expect((a .!= b).scalars(as: Float.self) == [1, 1, 0, 0])
        #expect((a .< b).scalars(as: Float.self) == [1, 0, 0, 0])
        #expect((a .<= b).scalars(as: Float.self) == [1, 0, 1, 1])
        #expect((a .> b).scalars(as: Float.self) == [0, 1, 0, 0])
        #expect((a .>= b).scalars(as: Float.self) == [0, 1, 1, 1])
        #expect((a .> 0).scalars(as: Float.self) == [1, 1, 0, 1])
        #expect((a .== 4).dtype == .float32)
        #expect(select(where: a .> b, a, otherwise: b).scalars(as: Float.self) == [3, 5, -2, 4])
        // The condition broadcasts, and may be an integer tensor.
        let rows = Tensor([[1, 2], [3, 4]] as [[Float]])
        let mask = Tensor(shape: [2, 1], scalars: [0, 1] as [Int32])
        #expect(select(where: mask, rows, otherwise: Tensor(Float(0))).scalars(as: Float.self) == [0, 0, 3, 4])
        // Selection keeps infinities and NaN of the side not chosen out of the result.
        let risky = Tensor([.infinity, .nan] as [Float])
        #expect(select(where: Tensor([0, 0] as [Float]), risky, otherwise: Tensor([1, 2] as [Float])).scalars(as: Float.self) == [1, 2])
    }

    @Test func casts() {
        let x = Tensor([1.7, -1.7, 3e10, .nan] as [Double])
        #expect(x.cast(to: .int32).scalars(as: Int32.self) == [1, -1, .max, 0])
        #expect(x.cast(to: .float32).dtype == .float32)
        #expect(Tensor([3, -4] as [Int32]).cast(to: .float64).doubles() == [3, -4])
        #expect(Tensor([0.1] as [Double]).cast(to: .float32).scalars(as: Float.self) == [0.1])
    }

    @Test func largeTensorsSplitAcrossThreadsGiveTheSameValues() {
        // Big enough for the kernels' parallel and vectorised paths.
        let x = Tensor.randomUniform([300_000], lowerBound: -4, upperBound: 4, dtype: .float64, seed: 41)
        let values = x.doubles()
        expectClose(tanh(x).doubles(), values.map(Foundation.tanh), relative: 1e-14, absolute: 1e-15)
        expectClose((x * x + 1).doubles(), values.map { $0 * $0 + 1 }, relative: 1e-15, absolute: 0)
        let exactSum = values.reduce(0, +)
        expectClose([x.sum().doubleValue], [exactSum], relative: 1e-12, absolute: 1e-9)
        let single = x.cast(to: .float32)
        expectClose([single.sum().doubleValue], [single.doubles().reduce(0, +)], relative: 1e-5, absolute: 1e-2)
        expectClose([single.mean().doubleValue], [exactSum / 300_000], relative: 1e-4, absolute: 1e-5)
    }
}

@Suite struct MovementValueTests {
    let x = Tensor.arange(to: 24).reshaped(to: [2, 3, 4])

    @Test func permuteAndTranspose() {
        // np.arange(24).reshape(2,3,4).transpose(2,0,1)[1]
        let permuted = x.permuted([2, 0, 1])
        #expect(permuted.shape == [4, 2, 3])
        #expect(permuted[1].scalars(as: Float.self) == [1, 5, 9, 13, 17, 21])
        #expect(x.transposed().shape == [2, 4, 3])
        #expect(x.transposed()[0].scalars(as: Float.self) == [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11])
        #expect(x.transposed().transposed().scalars(as: Float.self) == x.scalars(as: Float.self))
        #expect(Tensor([[1, 2, 3]] as [[Int32]]).transposed().scalars(as: Int32.self) == [1, 2, 3])
    }

    @Test func slicesAndSubscripts() {
        // np.arange(24).reshape(2,3,4)[:, 1:3, :]
        #expect(x.slice(alongAxis: 1, 1..<3).scalars(as: Float.self)
                == [4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23])
        #expect(x.slice(alongAxis: -1, 3..<4).shape == [2, 3, 1])
        #expect(x.slice(alongAxis: -1, 3..<4).scalars(as: Float.self) == [3, 7, 11, 15, 19, 23])
        #expect(x[1..<2].shape == [1, 3, 4])
        #expect(x[1][2].scalars(as: Float.self) == [20, 21, 22, 23])
        #expect(x[-1][0].scalars(as: Float.self) == [12, 13, 14, 15])
        #expect(x[0][1][2].shape == [])
        #expect(x[0][1][2].doubleValue == 6)
        #expect(x.slice(alongAxis: 0, 1..<1).shape == [0, 3, 4])
    }

    @Test func gatheringRows() {
        let rows = Tensor([[1, 2], [3, 4], [5, 6]] as [[Float]])
        #expect(rows.gathering(atIndices: [2, 0, 2]).scalars(as: Float.self) == [5, 6, 1, 2, 5, 6])
        #expect(rows.gathering(atIndices: [1], alongAxis: 1).scalars(as: Float.self) == [2, 4, 6])
        let indices = Tensor(shape: [2, 2], scalars: [0, 2, 1, 1] as [Int32])
        let gathered = rows.gathering(atIndices: indices)
        #expect(gathered.shape == [2, 2, 2])
        #expect(gathered.scalars(as: Float.self) == [1, 2, 5, 6, 3, 4, 3, 4])
        let labels = Tensor([7, 8, 9] as [Int32])
        #expect(labels.gathering(atIndices: [2, 0]).scalars(as: Int32.self) == [9, 7])
    }

    @Test func expandingAndSqueezing() {
        #expect(x.expandingShape(at: 0).shape == [1, 2, 3, 4])
        #expect(x.expandingShape(at: -1).shape == [2, 3, 4, 1])
        #expect(x.expandingShape(at: 2).shape == [2, 3, 1, 4])
        let padded = Tensor.zeros([1, 3, 1, 2])
        #expect(padded.squeezingShape().shape == [3, 2])
        #expect(padded.squeezingShape(at: [0]).shape == [3, 1, 2])
        #expect(padded.squeezingShape(at: [-2]).shape == [1, 3, 2])
        #expect(x.flattened().shape == [24])
    }
}

@Suite struct ProgrammerErrorTests {
    @Test func shapeMismatchNamesTheOpAndBothShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([3, 4]) + Tensor.zeros([5])
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("add: shapes [3, 4] and [5] cannot be broadcast together"), "stderr: \(message)")
    }

    @Test func matmulMismatchNamesBothShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = matmul(Tensor.zeros([2, 3]), Tensor.zeros([4, 5]))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("matmul: shapes [2, 3] and [4, 5] do not match"), "stderr: \(message)")
    }

    @Test func operandsOnTwoDevicesNameBoth() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([3]) * Tensor.zeros([3]).to(.reference)
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("multiply: operands are on different devices: float32 [3] on cpu, float32 [3] on reference"),
                "stderr: \(message)")
    }
}
