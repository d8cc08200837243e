// Backpropagation vs finite differences (Float64) for reductions, log-sum-exp and softmax.
import Descent
import Testing
import _DescentTestSupport

@Suite struct ReductionGradientTests {
    let x = sample([2, 3, 4], seed: 40)

    @Test func sumOverAllAndAlongAxes() {
        expectGradients(at: x) { x in x.sum() }
        expectGradients(at: x) { x in x.sum(alongAxes: [1]) }
        expectGradients(at: x) { x in x.sum(alongAxes: [0, 2]) }
        expectGradients(at: x) { x in x.sum(squeezingAxes: [-1]) }
        expectGradients(at: x) { x in x.sum(squeezingAxes: [0, -2]) }
    }

    @Test func meanOverAllAndAlongAxes() {
        expectGradients(at: x) { x in x.mean() }
        expectGradients(at: x) { x in x.mean(alongAxes: [-1]) }
        expectGradients(at: x) { x in x.mean(squeezingAxes: [0, 1]) }
    }

    @Test func maxAndMinOverAllAndAlongAxes() {
        // Random values have no ties, so each maximum is a single element.
        expectGradients(at: x) { x in x.max() }
        expectGradients(at: x) { x in x.max(alongAxes: [1]) }
        expectGradients(at: x) { x in x.max(squeezingAxes: [-1, 0]) }
        expectGradients(at: x) { x in x.min() }
        expectGradients(at: x) { x in x.min(alongAxes: [0]) }
        expectGradients(at: x) { x in x.min(squeezingAxes: [-2]) }
    }

    @Test func maxSharesTheGradientEvenlyOnTies() {
        let g = gradient(at: Tensor([1, 3, 3, 2] as [Double])) { x in x.max() * 4 }
        #expect(g.doubles() == [0, 2, 2, 0])
    }

    @Test func logSumExp() {
        expectGradients(at: x) { x in x.logSumExp() }
        expectGradients(at: x) { x in x.logSumExp(alongAxes: [-1]) }
        expectGradients(at: x) { x in x.logSumExp(squeezingAxes: [0, 2]) }
        expectGradients(at: x * 300) { x in x.logSumExp(alongAxes: [1]) }   // large logits
    }

    @Test func softmaxAndLogSoftmax() {
        expectGradients(at: x) { x in softmax(x) }
        expectGradients(at: x) { x in softmax(x, alongAxis: 1) }
        expectGradients(at: x) { x in logSoftmax(x) }
        expectGradients(at: x) { x in logSoftmax(x, alongAxis: 0) }
    }
}
