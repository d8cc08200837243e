import Descent
import Testing

/// The tutorial "Backpropagation by hand" (Descent.docc/Tutorials/Backpropagation-By-Hand),
/// run as one program: every line of its code files is here (``TutorialCodeTests`` checks that),
/// followed by what the text promises — the hand-worked numbers of `descent explain`
/// (see ExplainTests), autodiff equal to the chain rule, finite differences close to both.
@Suite struct BackpropagationByHandTests {
    @Test func theStepByHandEqualsAutodiffAndExplain() throws {
        // The tutorials' 2-2-1 perceptron, with the weights `descent explain` starts from.
        let w1 = Tensor([[0.15, 0.20], [0.25, 0.30]] as [[Double]])
        let b1 = Tensor([[0.35], [0.35]] as [[Double]])
        let w2 = Tensor([[0.40, 0.45]] as [[Double]])
        let b2 = Tensor([[0.60]] as [[Double]])

        // One example of XOR, as a column: x = (1, 0), y = 1.
        let x = Tensor([[1], [0]] as [[Double]])
        let y = Tensor([[1]] as [[Double]])

        // Forward propagation, layer by layer: z = W a + b, then a = σ(z).
        let z1 = matmul(w1, x) + b1
        let a1 = sigmoid(z1)
        let z2 = matmul(w2, a1) + b2
        let a2 = sigmoid(z2)
        let cost = 0.5 * (y - a2).squared().sum()       // C = ½(y − a⁽²⁾)²
        print("a⁽¹⁾ =", a1.doubles(), " a⁽²⁾ =", a2.doubles(), " C =", cost.doubleValue)

        // Backpropagation: δ⁽²⁾ = ∂C/∂a⁽²⁾ ⊙ σ′(z⁽²⁾), with ∂C/∂a⁽²⁾ = a⁽²⁾ − y and σ′(z) = a(1 − a).
        let delta2 = (a2 - y) * a2 * (1 - a2)
        // δ⁽¹⁾ = (W⁽²⁾ᵀ δ⁽²⁾) ⊙ σ′(z⁽¹⁾): the output's error, sent back along the weights.
        let delta1 = matmul(w2, delta2, transposeA: true) * a1 * (1 - a1)
        // ∂C/∂W⁽ˡ⁾ = δ⁽ˡ⁾ a⁽ˡ⁻¹⁾ᵀ and ∂C/∂b⁽ˡ⁾ = δ⁽ˡ⁾.
        let gradientW2 = matmul(delta2, a1, transposeB: true)
        let gradientW1 = matmul(delta1, x, transposeB: true)
        print("∂C/∂W⁽²⁾ =", gradientW2.doubles(), " ∂C/∂W⁽¹⁾ =", gradientW1.doubles())

        // Autodiff: the library records the same forward pass and applies the chain rule backward.
        let gradients = gradient(at: [w1, b1, w2, b2]) { p in
            let a1 = sigmoid(matmul(p[0], x) + p[1])
            let a2 = sigmoid(matmul(p[2], a1) + p[3])
            return 0.5 * (y - a2).squared().sum()
        }
        print("autodiff: ∂C/∂W⁽²⁾ =", gradients[2].doubles(), " ∂C/∂W⁽¹⁾ =", gradients[0].doubles())

        // A third opinion: central finite differences, (C(θ + h) − C(θ − h)) / 2h, one number at a time.
        let check = checkGradients(at: [w1, b1, w2, b2]) { p in
            0.5 * (y - sigmoid(matmul(p[2], sigmoid(matmul(p[0], x) + p[1])) + p[3])).squared().sum()
        }
        print(check)

        // One step of gradient descent: θ ← θ − η∇C(θ), with the learning rate η = 0.5.
        let learningRate = 0.5
        let newW1 = w1 - learningRate * gradientW1
        let newW2 = w2 - learningRate * gradientW2
        let newB1 = b1 - learningRate * delta1
        let newB2 = b2 - learningRate * delta2
        let newA2 = sigmoid(matmul(newW2, sigmoid(matmul(newW1, x) + newB1)) + newB2)
        print("C after the step:", (0.5 * (y - newA2).squared().sum()).doubleValue)

        // The same step, explained by `descent explain --cost half-squared`.
        let explained = try StepExplainer(input: [1, 0], target: [1], cost: .halfSquared, learningRate: 0.5).explain()
        print(explained.text())

        // The numbers of ExplainTests (worked out by hand for C = (y − a)²), halved for ½(y − a)².
        let close = { (a: Double, b: Double) in abs(a - b) < 1e-12 }
        #expect(close(a2.doubleValue, 0.7575931652488075))
        #expect(close(cost.doubleValue, 0.058761073534091955 / 2))
        #expect(close(delta2.doubleValue, -0.08903397538422131 / 2))
        #expect(zip(gradientW2.doubles(), [-0.05542002877190478 / 2, -0.05748534767517472 / 2]).allSatisfy(close))
        #expect(zip(gradientW1.doubles(), [-0.008369325890942959 / 2, 0, -0.009166306694902109 / 2, 0]).allSatisfy(close))
        // Autodiff and the chain rule by hand agree to rounding; finite differences to about h².
        for (byHand, automatic) in zip([gradientW1, delta1, gradientW2, delta2], gradients) {
            #expect(byHand.shape == automatic.shape)
            #expect(zip(byHand.doubles(), automatic.doubles()).allSatisfy(close))
        }
        #expect(check.inputs.allSatisfy { $0.largestAbsoluteError < 1e-9 })
        // The step is the one `descent explain` takes, parameter for parameter, in its order.
        let updated = newW1.doubles() + newB1.doubles() + newW2.doubles() + newB2.doubles()
        #expect(explained.parameters.count == updated.count)
        #expect(zip(explained.parameters.map(\.updated), updated).allSatisfy(close))
        #expect(close(explained.cost.valueAfterStep, (0.5 * (y - newA2).squared().sum()).doubleValue))
        #expect(explained.agreement.agrees)
    }
}
