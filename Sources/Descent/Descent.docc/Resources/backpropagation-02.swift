import Descent

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
