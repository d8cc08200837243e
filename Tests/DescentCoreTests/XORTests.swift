// The XOR example learns: the network of Sources/XORExample, trained the same way.
import Descent
import Testing

@Suite struct XORTests {
    @Test func twoLayerNetworkLearnsXOR() {
        let inputs = Tensor([[0, 0], [0, 1], [1, 0], [1, 1]] as [[Float]])
        let targets = Tensor([[0], [1], [1], [0]] as [[Float]])
        var generator = RandomGenerator(seed: 7)
        var parameters = [
            Tensor.randomNormal([2, 8], standardDeviation: 1, using: &generator),   // W1
            Tensor.zeros([8]),                                                      // b1
            Tensor.randomNormal([8, 1], standardDeviation: 1, using: &generator),   // W2
            Tensor.zeros([1]),                                                      // b2
        ]
        func predict(_ p: [Tensor]) -> Tensor {
            sigmoid(matmul(tanh(matmul(inputs, p[0]) + p[1]), p[2]) + p[3])
        }

        var costs: [Float] = []
        for _ in 0..<300 {   // it gets there in under 200 steps
            let (cost, gradients) = valueWithGradient(at: parameters) { p in
                let error = predict(p) - targets
                return (error * error).mean()                                       // mean squared error
            }
            costs.append(cost.scalar(as: Float.self))
            if costs.last! < 0.01 { break }
            for i in parameters.indices { parameters[i] = parameters[i] - 1.0 * gradients[i] }
        }

        #expect(costs.last! < 0.01, "cost after \(costs.count) steps: \(costs.last!)")
        #expect(costs.first! > 0.1)
        let predictions = predict(parameters).scalars(as: Float.self)
        #expect(predictions[0] < 0.2 && predictions[1] > 0.8 && predictions[2] > 0.8 && predictions[3] < 0.2,
                "predictions \(predictions)")
    }
}
