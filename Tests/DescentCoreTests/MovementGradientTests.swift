// Backpropagation vs finite differences (Float64) for reshaping, permuting, slicing, gathering,
// joining and broadcasting: gradients must travel back to exactly where the values came from.
import Descent
import Testing
import _DescentTestSupport

@Suite struct MovementGradientTests {
    let x = sample([2, 3, 4], seed: 50)

    @Test func reshaping() {
        expectGradients(at: x) { x in x.reshaped(to: [4, -1]) }
        expectGradients(at: x) { x in x.flattened() }
        expectGradients(at: x) { x in x.expandingShape(at: 1) }
        expectGradients(at: x) { x in x.expandingShape(at: -1) }
        expectGradients(at: sample([2, 1, 3, 1], seed: 51)) { x in x.squeezingShape() }
        expectGradients(at: sample([2, 1, 3, 1], seed: 52)) { x in x.squeezingShape(at: [-1]) }
    }

    @Test func permutingAndTransposing() {
        expectGradients(at: x) { x in x.permuted([2, 0, 1]) }
        expectGradients(at: x) { x in x.permuted([1, 2, 0]) }
        expectGradients(at: x) { x in x.transposed() }
        expectGradients(at: sample([3, 5], seed: 53)) { x in x.transposed() }
    }

    @Test func slicingAndSubscripts() {
        expectGradients(at: x) { x in x.slice(alongAxis: 1, 1..<3) }
        expectGradients(at: x) { x in x.slice(alongAxis: -1, 0..<2) }
        expectGradients(at: x) { x in x[1..<2] }
        expectGradients(at: x) { x in x[1] }
        expectGradients(at: x) { x in x[-2] }
    }

    @Test func gatheringWithRepeatedIndices() {
        expectGradients(at: x) { x in x.gathering(atIndices: [2, 0, 2, 2], alongAxis: 1) }
        expectGradients(at: x) { x in x.gathering(atIndices: [1, 1, 0]) }
        let indices = Tensor(shape: [2, 2], scalars: [3, 0, 3, 1] as [Int32])
        expectGradients(at: x) { x in x.gathering(atIndices: indices, alongAxis: -1) }
    }

    @Test func gatheringAccumulatesRepeatedRows() {
        let g = gradient(at: Tensor([[1, 2], [3, 4], [5, 6]] as [[Double]])) { x in
            x.gathering(atIndices: [2, 0, 2]).sum()
        }
        #expect(g.doubles() == [1, 1, 0, 0, 2, 2])
    }

    @Test func concatenating() {
        let inputs = [sample([2, 1, 4], seed: 54), sample([2, 3, 4], seed: 55), sample([2, 2, 4], seed: 56)]
        expectGradients(at: inputs) { xs in Tensor(concatenating: xs, alongAxis: 1) }
        expectGradients(at: [x, sample([1, 3, 4], seed: 57)]) { xs in Tensor(concatenating: xs) }
        expectGradients(at: [x, sample([2, 3, 2], seed: 58)]) { xs in Tensor(concatenating: xs, alongAxis: -1) }
    }

    @Test func concatenatingWithAConstant() {
        // Only some inputs need gradients.
        let constant = sample([2, 3, 4], seed: 59)
        expectGradients(at: x) { x in Tensor(concatenating: [constant, x * x], alongAxis: 2) }
    }

    @Test func stacking() {
        let inputs = [sample([3, 4], seed: 60), sample([3, 4], seed: 61)]
        expectGradients(at: inputs) { xs in Tensor(stacking: xs) }
        expectGradients(at: inputs) { xs in Tensor(stacking: xs, alongAxis: 1) }
        expectGradients(at: inputs) { xs in Tensor(stacking: xs, alongAxis: -1) }
    }

    @Test func broadcasting() {
        expectGradients(at: sample([3, 1], seed: 62)) { x in x.broadcasted(to: [2, 3, 4]) }
        expectGradients(at: sample([4], seed: 63)) { x in x.broadcasted(to: [3, 4]) }
    }
}

@Suite struct MatMulGradientTests {
    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func matrices(transposeA: Bool, transposeB: Bool) {
        // op(A) is [3, 4] and op(B) is [4, 5]; a transposed operand is stored transposed.
        let a = sample(transposeA ? [4, 3] : [3, 4], seed: 70)
        let b = sample(transposeB ? [5, 4] : [4, 5], seed: 71)
        expectGradients(at: [a, b]) { xs in matmul(xs[0], xs[1], transposeA: transposeA, transposeB: transposeB) }
    }

    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func batchTimesBatch(transposeA: Bool, transposeB: Bool) {
        let a = sample(transposeA ? [2, 4, 3] : [2, 3, 4], seed: 72)
        let b = sample(transposeB ? [2, 5, 4] : [2, 4, 5], seed: 73)
        expectGradients(at: [a, b]) { xs in matmul(xs[0], xs[1], transposeA: transposeA, transposeB: transposeB) }
    }

    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func batchTimesMatrix(transposeA: Bool, transposeB: Bool) {
        let a = sample(transposeA ? [2, 4, 3] : [2, 3, 4], seed: 74)
        let b = sample(transposeB ? [5, 4] : [4, 5], seed: 75)
        expectGradients(at: [a, b]) { xs in matmul(xs[0], xs[1], transposeA: transposeA, transposeB: transposeB) }
    }

    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func matrixTimesBatch(transposeA: Bool, transposeB: Bool) {
        let a = sample(transposeA ? [4, 3] : [3, 4], seed: 76)
        let b = sample(transposeB ? [2, 5, 4] : [2, 4, 5], seed: 77)
        expectGradients(at: [a, b]) { xs in matmul(xs[0], xs[1], transposeA: transposeA, transposeB: transposeB) }
    }

    @Test func sameMatrixOnBothSides() {
        expectGradients(at: sample([3, 3], seed: 78)) { x in matmul(x, x, transposeB: true) }
    }
}

@Suite struct LinearTests {
    /// x·Wᵀ + b in one operation: its values match the composed ops, and its fused derivative
    /// rule matches finite differences for the input, the weight and the bias.
    @Test func gradientsMatchFiniteDifferences() {
        let (x, weight, bias) = (sample([3, 4], seed: 80), sample([5, 4], seed: 81), sample([5], seed: 82))
        expectGradients(at: [x, weight, bias]) { xs in linear(xs[0], weight: xs[1], bias: xs[2]) }
        expectGradients(at: [x, weight]) { xs in linear(xs[0], weight: xs[1]) }
    }

    @Test(arguments: [(1, 1, 1), (7, 13, 17), (130, 33, 19)])
    func valuesMatchMatmulPlusBias(rows: Int, inputs: Int, outputs: Int) {
        for dtype in [DType.float32, .float64] {
            let x = Tensor.randomNormal([rows, inputs], dtype: dtype, seed: 83)
            let weight = Tensor.randomNormal([outputs, inputs], dtype: dtype, seed: 84)
            let bias = Tensor.randomNormal([outputs], dtype: dtype, seed: 85)
            expectClose(linear(x, weight: weight, bias: bias), matmul(x, weight, transposeB: true) + bias,
                        relative: 1e-5, absolute: 1e-5)
            expectClose(linear(x, weight: weight), matmul(x, weight, transposeB: true), relative: 1e-5, absolute: 1e-5)
        }
    }
}

@Suite struct SoftmaxCrossEntropyTests {
    let labels = Tensor(shape: [4], scalars: [Int32(2), 0, 4, 2])

    /// The fused rule, softmax − onehot, against finite differences.
    @Test func gradientMatchesFiniteDifferences() {
        expectGradients(at: sample([4, 5], seed: 86)) { x in softmaxCrossEntropy(logits: x, labels: labels) * Tensor(doubles: [1, -2, 0.5, 3], shape: [4], dtype: .float64) }
    }

    /// The same values as −log softmax at the label, also for logits far from zero.
    @Test func matchesLogSoftmaxAtTheLabels() {
        for offset in [0.0, 1000.0, -1000.0] {
            let logits = sample([4, 5], seed: 87) * 10 + offset
            let logProbabilities = logSoftmax(logits).doubles()
            let expected = labels.scalars(as: Int32.self).enumerated().map { row, label in -logProbabilities[row * 5 + Int(label)] }
            expectClose(softmaxCrossEntropy(logits: logits, labels: labels).doubles(), expected, relative: 1e-12, absolute: 1e-9)
        }
    }
}
