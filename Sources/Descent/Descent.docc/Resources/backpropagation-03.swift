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

// Backpropagation: δ⁽²⁾ = ∂C/∂a⁽²⁾ ⊙ σ′(z⁽²⁾), with ∂C/∂a⁽²⁾ = a⁽²⁾ − y and σ′(z) = a(1 − a).
let delta2 = (a2 - y) * a2 * (1 - a2)
// δ⁽¹⁾ = (W⁽²⁾ᵀ δ⁽²⁾) ⊙ σ′(z⁽¹⁾): the output's error, sent back along the weights.
let delta1 = matmul(w2, delta2, transposeA: true) * a1 * (1 - a1)
// ∂C/∂W⁽ˡ⁾ = δ⁽ˡ⁾ a⁽ˡ⁻¹⁾ᵀ and ∂C/∂b⁽ˡ⁾ = δ⁽ˡ⁾.
let gradientW2 = matmul(delta2, a1, transposeB: true)
let gradientW1 = matmul(delta1, x, transposeB: true)
print("∂C/∂W⁽²⁾ =", gradientW2.doubles(), " ∂C/∂W⁽¹⁾ =", gradientW1.doubles())
