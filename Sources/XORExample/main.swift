// A 2-layer perceptron learns XOR by gradient descent, written with nothing but tensors and
// `valueWithGradient`, so every step of the textbook is on the page:
//   forward propagation → cost → backpropagation (the chain rule) → θ ← θ − η∇C(θ).
import Descent

let inputs = Tensor([[0, 0], [0, 1], [1, 0], [1, 1]] as [[Float]])
let targets = Tensor([[0], [1], [1], [0]] as [[Float]])

var generator = RandomGenerator(seed: 7)
var parameters = [
    Tensor.randomNormal([2, 8], standardDeviation: 1, using: &generator),   // W1
    Tensor.zeros([8]),                                                      // b1
    Tensor.randomNormal([8, 1], standardDeviation: 1, using: &generator),   // W2
    Tensor.zeros([1]),                                                      // b2
]
let learningRate = 1.0

for epoch in 0...2000 {
    let (cost, gradients) = valueWithGradient(at: parameters) { p in
        let hidden = tanh(matmul(inputs, p[0]) + p[1])           // forward: layer 1
        let output = sigmoid(matmul(hidden, p[2]) + p[3])        // forward: layer 2
        return ((output - targets) * (output - targets)).mean()  // cost: mean squared error
    }
    for i in parameters.indices {
        parameters[i] = parameters[i] - learningRate * gradients[i]  // θ ← θ − η∇C(θ)
    }
    if epoch % 200 == 0 {
        print("epoch \(epoch)  cost \(cost.scalar(as: Float.self))")
    }
}

let prediction = sigmoid(matmul(tanh(matmul(inputs, parameters[0]) + parameters[1]), parameters[2]) + parameters[3])
print("predictions for (0,0) (0,1) (1,0) (1,1):", prediction.scalars(as: Float.self).map { ($0 * 100).rounded() / 100 })
