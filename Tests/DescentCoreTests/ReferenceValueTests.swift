// Values checked against numbers computed independently with NumPy 2.4 / PyTorch 2.13 in
// float64 (the Python line that produced each is quoted beside it).
import Descent
import Testing
import _DescentTestSupport

@Suite struct ReferenceValueTests {
    // A = np.array([[0.5,-1.25,2.0,0.75],[1.5,0.25,-0.5,-2.0],[-0.75,1.0,0.125,3.0]])
    let a: [[Double]] = [[0.5, -1.25, 2.0, 0.75], [1.5, 0.25, -0.5, -2.0], [-0.75, 1.0, 0.125, 3.0]]
    // B = np.array([[1.0,-0.5],[0.25,2.0],[-1.5,0.75],[0.5,-1.0]])
    let b: [[Double]] = [[1.0, -0.5], [0.25, 2.0], [-1.5, 0.75], [0.5, -1.0]]

    @Test(arguments: [DType.float32, .float64])
    func matmulWithEveryTranspose(dtype: DType) {
        let a = Tensor(self.a).cast(to: dtype), b = Tensor(self.b).cast(to: dtype)
        // A @ B
        expectClose(matmul(a, b), Tensor(shape: [3, 2], scalars: [-2.4375, -2.0, 1.3125, 1.375, 0.8125, -0.53125]))
        // A.T @ A
        expectClose(matmul(a, a, transposeA: true), Tensor(shape: [4, 4], scalars: [
            3.0625, -1.0, 0.15625, -4.875, -1.0, 2.625, -2.5, 1.5625,
            0.15625, -2.5, 4.265625, 2.875, -4.875, 1.5625, 2.875, 13.5625]))
        // A @ A.T
        expectClose(matmul(a, a, transposeB: true), Tensor(shape: [3, 3], scalars: [
            6.375, -2.0625, 0.875, -2.0625, 6.5625, -6.9375, 0.875, -6.9375, 10.578125]))
        // B.T @ A.T
        expectClose(matmul(b, a, transposeA: true, transposeB: true),
                    Tensor(shape: [2, 3], scalars: [-2.4375, 1.3125, 0.8125, -2.0, 1.375, -0.53125]))
    }

    @Test func batchedMatmul() {
        // a3 = np.arange(12).reshape(2,2,3)*0.5-2.0; b3 = np.arange(12).reshape(2,3,2)*0.25-1.0
        let a3 = Tensor.arange(to: 12, dtype: .float64).reshaped(to: [2, 2, 3]) * 0.5 - 2
        let b3 = Tensor.arange(to: 12, dtype: .float64).reshaped(to: [2, 3, 2]) * 0.25 - 1
        // a3 @ b3
        expectClose(matmul(a3, b3), Tensor(shape: [2, 2, 2], scalars: [2.75, 1.625, 0.5, 0.5, 5.0, 6.125, 9.5, 11.75]))
        // a3 @ B[:3]
        expectClose(matmul(a3, Tensor(Array(b.prefix(3)))), Tensor(shape: [2, 2, 2], scalars: [
            -0.875, -2.75, -1.25, 0.625, -1.625, 4.0, -2.0, 7.375]))
        // Transposes of a batch are per matrix: (a3 @ b3).T == b3.T @ a3.T
        expectClose(matmul(b3, a3, transposeA: true, transposeB: true), matmul(a3, b3).transposed())
    }

    // L = torch.tensor([[1000.,-1000.,0.],[-1000.,-1000.,-1000.],[1000.,1000.,999.]], dtype=torch.float64)
    static let logits: [[Double]] = [[1000, -1000, 0], [-1000, -1000, -1000], [1000, 1000, 999]]

    @Test(arguments: [DType.float32, .float64])
    func softmaxOfHugeLogitsIsFinite(dtype: DType) {
        let logits = Tensor(Self.logits).cast(to: dtype)
        let tolerance = dtype == .float32 ? 1e-6 : 1e-12
        let probabilities = softmax(logits)
        #expect(probabilities.doubles().allSatisfy { $0.isFinite })
        // torch.softmax(L, -1)
        expectClose(probabilities, Tensor(shape: [3, 3], scalars: [
            1.0, 0.0, 0.0, 0.3333333333333333, 0.3333333333333333, 0.3333333333333333,
            0.4223187982515182, 0.4223187982515182, 0.15536240349696362]).cast(to: dtype),
                    relative: tolerance, absolute: tolerance)
        // torch.softmax(L, 0)
        expectClose(softmax(logits, alongAxis: 0), Tensor(shape: [3, 3], scalars: [
            0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 1.0, 1.0]).cast(to: dtype), relative: tolerance, absolute: tolerance)
        // torch.log_softmax(L, -1)
        let logProbabilities = logSoftmax(logits)
        #expect(logProbabilities.doubles().allSatisfy { $0.isFinite })
        expectClose(logProbabilities, Tensor(shape: [3, 3], scalars: [
            0.0, -2000.0, -1000.0, -1.0986122886681098, -1.0986122886681098, -1.0986122886681098,
            -0.8619948040582511, -0.8619948040582511, -1.8619948040582512]).cast(to: dtype),
                    relative: tolerance, absolute: tolerance)
    }

    @Test(arguments: [DType.float32, .float64])
    func logSumExpOfHugeLogitsIsFinite(dtype: DType) {
        let logits = Tensor(Self.logits).cast(to: dtype)
        let tolerance = dtype == .float32 ? 1e-6 : 1e-12
        // torch.logsumexp(L, -1)
        let alongRows = logits.logSumExp(squeezingAxes: [-1])
        expectClose(alongRows, Tensor([1000.0, -998.9013877113318, 1000.8619948040582]).cast(to: dtype),
                    relative: tolerance)
        // torch.logsumexp(L, 0), keeping the axis
        expectClose(logits.logSumExp(alongAxes: [0]),
                    Tensor(shape: [1, 3], scalars: [1000.6931471805599, 1000.0, 999.0]).cast(to: dtype),
                    relative: tolerance)
        // torch.logsumexp(L.flatten(), 0)
        expectClose(logits.logSumExp(), Tensor(1001.2142833003628).cast(to: dtype), relative: tolerance)
    }

    @Test func logSumExpOfMinusInfinityIsMinusInfinity() {
        let x = Tensor([-Double.infinity, -.infinity])
        #expect(x.logSumExp().doubleValue == -.infinity)
    }

    // X = (np.arange(24)*7 % 24 - 11.5).reshape(2,3,4) / 4
    static let x = Tensor(shape: [2, 3, 4], scalars: [
        -2.875, -1.125, 0.625, 2.375, -1.875, -0.125, 1.625, -2.625, -0.875, 0.875, 2.625, -1.625,
        0.125, 1.875, -2.375, -0.625, 1.125, 2.875, -1.375, 0.375, 2.125, -2.125, -0.375, 1.375])

    @Test func theReductionInputIsWhatNumPyMade() {
        let made = (Tensor.arange(to: 24, dtype: .float64) * 7).doubles().map { ($0.truncatingRemainder(dividingBy: 24) - 11.5) / 4 }
        #expect(Self.x.doubles() == made)
    }

    @Test(arguments: [DType.float32, .float64])
    func reductionsAlongAxes(dtype: DType) {
        let x = Self.x.cast(to: dtype)
        // X.sum(1)
        expectClose(x.sum(squeezingAxes: [1]), Tensor(shape: [2, 4], scalars: [
            -5.625, -0.375, 4.875, -1.875, 3.375, 2.625, -4.125, 1.125]).cast(to: dtype))
        // X.mean((0,2))
        expectClose(x.mean(squeezingAxes: [0, 2]), Tensor([-0.25, 0.0, 0.25]).cast(to: dtype))
        expectClose(x.mean(alongAxes: [2, 0]), Tensor(shape: [1, 3, 1], scalars: [-0.25, 0.0, 0.25]).cast(to: dtype))
        // X.max(-1)
        expectClose(x.max(squeezingAxes: [-1]), Tensor(shape: [2, 3], scalars: [
            2.375, 1.625, 2.625, 1.875, 2.875, 2.125]).cast(to: dtype))
        // X.min(0), keeping the axis
        expectClose(x.min(alongAxes: [0]), Tensor(shape: [1, 3, 4], scalars: [
            -2.875, -1.125, -2.375, -0.625, -1.875, -0.125, -1.375, -2.625, -0.875, -2.125, -0.375, -1.625]).cast(to: dtype))
        // X.sum(), X.mean(), X.max(), X.min()
        #expect(x.sum().shape == [])
        #expect(x.sum().doubleValue == 0)
        #expect(x.mean().doubleValue == 0)
        #expect(x.max().doubleValue == 2.875)
        #expect(x.min().doubleValue == -2.875)
        // Reducing over every axis by name is the same as over all.
        #expect(x.sum(squeezingAxes: [0, 1, 2]).shape == [])
        #expect(x.max(alongAxes: [0, 1, 2]).shape == [1, 1, 1])
    }

    @Test func argmaxAndArgmin() {
        let x = Self.x
        // X.argmax(-1)
        let last = x.argmax()
        #expect(last.dtype == .int32)
        #expect(last.shape == [2, 3])
        #expect(last.scalars(as: Int32.self) == [3, 2, 2, 1, 1, 0])
        // X.argmax(1)
        #expect(x.argmax(alongAxis: 1).scalars(as: Int32.self) == [2, 2, 2, 0, 2, 1, 2, 2])
        // X.argmin(0)
        #expect(x.argmin(alongAxis: 0).scalars(as: Int32.self) == [0, 0, 1, 1, 0, 0, 1, 0, 0, 1, 1, 0])
        // Ties go to the first index, as in NumPy.
        #expect(Tensor([1, 3, 3, 0] as [Float]).argmax().scalars(as: Int32.self) == [1])
        #expect(Tensor([2, 0, 5, 0] as [Float]).argmin().scalars(as: Int32.self) == [1])
    }

    @Test func broadcastingShapesAndValues() {
        let column = Tensor(shape: [3, 1], scalars: [1, 2, 3] as [Double])
        let row = Tensor(shape: [1, 4], scalars: [10, 20, 30, 40] as [Double])
        // np.array([[1],[2],[3]]) + np.array([[10,20,30,40]])
        let sum = column + row
        #expect(sum.shape == [3, 4])
        #expect(sum.doubles() == [11, 21, 31, 41, 12, 22, 32, 42, 13, 23, 33, 43])
        // (np.ones((2,1,4)) * np.arange(3).reshape(3,1)).shape == (2, 3, 4)
        let product = Tensor.ones([2, 1, 4]) * Tensor.arange(to: 3).reshaped(to: [3, 1])
        #expect(product.shape == [2, 3, 4])
        #expect(product.doubles() == [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2])
        #expect((Tensor(Float(2)) * Tensor([1, 2] as [Float])).shape == [2])
        #expect((Tensor.zeros([5, 1, 3]) - Tensor.zeros([1, 3])).shape == [5, 1, 3])
        #expect((Tensor.zeros([0, 3]) + Tensor.ones([3])).shape == [0, 3])
        #expect(Tensor([1, 2] as [Float]).broadcasted(to: [3, 2]).scalars(as: Float.self) == [1, 2, 1, 2, 1, 2])
    }

    @Test func reshapeInfersMinusOne() {
        let x = Tensor.arange(to: 12)
        #expect(x.reshaped(to: [3, -1]).shape == [3, 4])
        #expect(x.reshaped(to: [-1, 2, 3]).shape == [2, 2, 3])
        #expect(x.reshaped(to: [-1]).shape == [12])
        #expect(x.reshaped(to: [2, -1, 2]).scalars(as: Float.self) == x.scalars(as: Float.self))
        #expect(Tensor.zeros([0, 4]).reshaped(to: [-1, 2]).shape == [0, 2])
    }

    @Test func oneHot() {
        // torch.nn.functional.one_hot(torch.tensor([[2, 0], [1, 2]]), 3)
        let labels = Tensor(shape: [2, 2], scalars: [2, 0, 1, 2] as [Int32])
        let encoded = Tensor(oneHotAtIndices: labels, depth: 3)
        #expect(encoded.shape == [2, 2, 3])
        #expect(encoded.dtype == .float32)
        #expect(encoded.scalars(as: Float.self) == [0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1])
        #expect(Tensor(oneHotAtIndices: Tensor([1] as [Int32]), depth: 2, dtype: .float64).doubles() == [0, 1])
    }

    @Test func concatenationAndStacking() {
        let a = Tensor([[1, 2], [3, 4]] as [[Float]]), b = Tensor([[5, 6]] as [[Float]])
        // np.concatenate([a, b], 0)
        let rows = Tensor(concatenating: [a, b])
        #expect(rows.shape == [3, 2])
        #expect(rows.scalars(as: Float.self) == [1, 2, 3, 4, 5, 6])
        // np.concatenate([a, a], 1)
        let columns = Tensor(concatenating: [a, a], alongAxis: 1)
        #expect(columns.shape == [2, 4])
        #expect(columns.scalars(as: Float.self) == [1, 2, 1, 2, 3, 4, 3, 4])
        #expect(Tensor(concatenating: [a, a * 10], alongAxis: -1).scalars(as: Float.self) == [1, 2, 10, 20, 3, 4, 30, 40])
        // np.stack([a, a * 10], 0), np.stack([a, a * 10], 1), np.stack([a, a * 10], -1)
        let c = a * 10
        #expect(Tensor(stacking: [a, c]).shape == [2, 2, 2])
        #expect(Tensor(stacking: [a, c]).scalars(as: Float.self) == [1, 2, 3, 4, 10, 20, 30, 40])
        #expect(Tensor(stacking: [a, c], alongAxis: 1).scalars(as: Float.self) == [1, 2, 10, 20, 3, 4, 30, 40])
        #expect(Tensor(stacking: [a, c], alongAxis: -1).shape == [2, 2, 2])
        #expect(Tensor(stacking: [a, c], alongAxis: -1).scalars(as: Float.self) == [1, 10, 2, 20, 3, 30, 4, 40])
        // Integer tensors join too.
        let labels = Tensor(concatenating: [Tensor([1, 2] as [Int32]), Tensor([3] as [Int32])])
        #expect(labels.scalars(as: Int32.self) == [1, 2, 3])
    }
}
