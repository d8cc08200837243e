/// The derivative rules: one line of the chain rule per primitive operation, in one place.
///
/// For an operation y = f(a, b), each rule answers: given ḡ = ∂C/∂y (how the cost C changes with
/// the output), what are ā = ∂C/∂a and b̄ = ∂C/∂b? That is the vector–Jacobian product, or
/// *pullback*. Rules are written with tensor operations, so they read like the textbook:
///
///     y = a · b      ā = ḡ · b          b̄ = ḡ · a
///
/// Where an input was broadcast, its gradient is summed back to its own shape (`unbroadcast`),
/// because a value used in several places receives the sum of their gradients.
///
/// Composite operations (softmax, the losses …) have no rule here: they are made of these
/// primitives, so backpropagation passes through them step by step. The exceptions are the fused
/// operations of the training hot path: the activations GELU, ELU, leaky ReLU and softplus, whose
/// rules are one primitive each (as ReLU's, tanh's and the sigmoid's are), and a dense layer's
/// `linear`, `conv2d`, `batchNormalization` and `softmaxCrossEntropy`, at the end of this file.
enum DerivativeRules {
    typealias Pullback = (_ upstream: Tensor, _ needs: NeededGradients) -> [Tensor?]

    /// Builds a two-input pullback that computes only the gradients that are needed.
    private static func binary(_ a: Tensor, _ b: Tensor,
                               _ da: @escaping (Tensor) -> Tensor, _ db: @escaping (Tensor) -> Tensor) -> Pullback {
        { g, needs in
            [needs[0] ? da(g).unbroadcast(to: a.shape) : nil,
             needs[1] ? db(g).unbroadcast(to: b.shape) : nil]
        }
    }

    // MARK: Arithmetic

    /// y = a + b:  ā = ḡ,  b̄ = ḡ
    static func add(_ a: Tensor, _ b: Tensor) -> Pullback { binary(a, b, { g in g }, { g in g }) }

    /// y = a − b:  ā = ḡ,  b̄ = −ḡ
    static func subtract(_ a: Tensor, _ b: Tensor) -> Pullback { binary(a, b, { g in g }, { g in -g }) }

    /// y = a · b:  ā = ḡ · b,  b̄ = ḡ · a
    static func multiply(_ a: Tensor, _ b: Tensor) -> Pullback { binary(a, b, { g in g * b }, { g in g * a }) }

    /// y = a / b:  ā = ḡ / b,  b̄ = −ḡ · a / b²
    static func divide(_ a: Tensor, _ b: Tensor) -> Pullback {
        binary(a, b, { g in g / b }, { g in -g * a / (b * b) })
    }

    /// y = aᵇ:  ā = ḡ · b · aᵇ⁻¹,  b̄ = ḡ · aᵇ · ln a  (taken as 0 where a = 0)
    static func pow(_ a: Tensor, _ b: Tensor, _ y: Tensor) -> Pullback {
        binary(a, b, { g in g * b * DescentCore.pow(a, b - 1) },
               { g in
                   let safeLog = DescentCore.select(where: a .> 0, DescentCore.log(a), otherwise: Tensor.zeros(like: a))
                   return g * y * safeLog
               })
    }

    /// y = max(a, b):  the gradient goes to the larger input (half to each on a tie, as PyTorch)
    static func maximum(_ a: Tensor, _ b: Tensor) -> Pullback {
        let share = DescentCore.select(where: a .== b, Tensor.scalar(0.5, like: a), otherwise: (a .> b))
        return binary(a, b, { g in g * share }, { g in g * (1 - share) })
    }

    /// y = min(a, b):  the gradient goes to the smaller input (half to each on a tie)
    static func minimum(_ a: Tensor, _ b: Tensor) -> Pullback {
        let share = DescentCore.select(where: a .== b, Tensor.scalar(0.5, like: a), otherwise: (a .< b))
        return binary(a, b, { g in g * share }, { g in g * (1 - share) })
    }

    /// y = condition ? a : b:  ā = ḡ where the condition holds, b̄ = ḡ elsewhere
    static func selection(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Pullback {
        { g, needs in
            let zero = Tensor.zeros(like: g)
            return [nil,
                    needs[1] ? DescentCore.select(where: condition, g, otherwise: zero).unbroadcast(to: a.shape) : nil,
                    needs[2] ? DescentCore.select(where: condition, zero, otherwise: g).unbroadcast(to: b.shape) : nil]
        }
    }

    // MARK: Elementary functions (y = f(x), x̄ = ḡ · f′(x))

    static func unary(_ operation: UnaryOperation, _ x: Tensor, _ y: Tensor) -> (Tensor) -> Tensor {
        switch operation {
        case .negate: { g in -g }                                   // (−x)′ = −1
        case .exp: { g in g * y }                                   // (eˣ)′ = eˣ
        case .log: { g in g / x }                                   // (ln x)′ = 1/x
        case .sqrt: { g in g / (2 * y) }                            // (√x)′ = 1/(2√x)
        case .abs: { g in g * x.sign() }                            // |x|′ = sign x
        case .tanh: { g in Tensor.computing(.tanhBackward, g, y) }  // tanh′ = 1 − tanh²
        case .sigmoid: { g in Tensor.computing(.sigmoidBackward, g, y) } // σ′ = σ(1 − σ)
        case .relu: { g in Tensor.computing(.keepWherePositive, g, x) } // relu′ = 1 if x > 0 else 0
        case .sign: { g in Tensor.zeros(like: g) }                  // flat almost everywhere
        case .log1p: { g in g / (1 + x) }                           // ln(1 + x)′ = 1/(1 + x)
        case .erf: { g in g * (2 / Double.pi.squareRoot()) * DescentCore.exp(-(x * x)) } // erf′ = 2/√π·e^(−x²)
        case .reciprocal: { g in -g * y * y }                       // (1/x)′ = −1/x²
        case .square: { g in g * 2 * x }                            // (x²)′ = 2x
        case .gelu: { g in Tensor.computing(.geluBackward, g, x) }  // (x·Φ)′ = Φ + x·φ
        case .geluTanh: { g in Tensor.computing(.geluTanhBackward, g, x) }
        }
    }

    /// y = f(x) for an activation with a parameter:  x̄ = ḡ·f′(x), in one primitive
    static func activation(_ function: ParametricActivation, _ x: Tensor) -> (Tensor) -> Tensor {
        { g in g.device.backend.activationBackward(function, g, input: x) }
    }

    /// y = clamp(x, lo, hi):  x̄ = ḡ where lo ≤ x ≤ hi, else 0 (as PyTorch)
    static func clamp(_ x: Tensor, lower: Double, upper: Double) -> (Tensor) -> Tensor {
        { g in g * ((x .>= lower) * (x .<= upper)) }
    }

    /// y = float64(x) and back:  x̄ = ḡ in x's dtype
    static func cast(_ x: Tensor) -> (Tensor) -> Tensor {
        { g in g.cast(to: x.dtype) }
    }

    // MARK: Reductions

    /// y = Σ x over axes (kept):  x̄ = ḡ copied to every element that was summed
    static func sum(_ x: Tensor) -> (Tensor) -> Tensor {
        { g in g.broadcasted(to: x.shape) }
    }

    /// y = max x over axes (kept):  x̄ = ḡ at the maximal elements (shared evenly on ties)
    static func extremum(_ x: Tensor, _ y: Tensor, axes: [Int]) -> (Tensor) -> Tensor {
        { g in
            let isExtremum = x .== y
            return g * isExtremum / isExtremum.sum(alongAxes: axes)
        }
    }

    // MARK: Matrix multiply

    /// Y = op(A)·op(B):  op(A)̄ = Ḡ·op(B)ᵀ,  op(B)̄ = op(A)ᵀ·Ḡ  (then undo each op)
    static func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool) -> Pullback {
        binary(a, b, { g in
            transposeA ? DescentCore.matmul(b, g, transposeA: transposeB, transposeB: true)   // Aᵀ̄ = (Ḡ·op(B)ᵀ)ᵀ
                       : DescentCore.matmul(g, b, transposeB: !transposeB)                    // Ā = Ḡ·op(B)ᵀ
        }, { g in
            transposeB ? DescentCore.matmul(g, a, transposeA: true, transposeB: transposeA)   // Bᵀ̄ = (op(A)ᵀ·Ḡ)ᵀ
                       : DescentCore.matmul(a, g, transposeA: !transposeA)                    // B̄ = op(A)ᵀ·Ḡ
        })
    }

    // MARK: Movement (gradients move back the way the values came)

    /// y = x reshaped:  x̄ = ḡ reshaped back
    static func reshape(_ x: Tensor) -> (Tensor) -> Tensor { { g in g.reshaped(to: x.shape) } }

    /// y = x broadcast to a larger shape:  x̄ = ḡ summed over the broadcast axes
    static func broadcast(_ x: Tensor) -> (Tensor) -> Tensor { { g in g.unbroadcast(to: x.shape) } }

    /// y = x with axes permuted:  x̄ = ḡ with the inverse permutation
    static func permute(_ permutation: [Int]) -> (Tensor) -> Tensor {
        var inverse = [Int](repeating: 0, count: permutation.count)
        for (i, axis) in permutation.enumerated() { inverse[axis] = i }
        return { g in g.permuted(inverse) }
    }

    /// y = x[indices] along an axis:  x̄ = ḡ added back at those indices
    static func gather(_ x: Tensor, indices: [Int], axis: Int) -> (Tensor) -> Tensor {
        { g in g.device.backend.scatterAdd(g, indices: indices, axis: axis, shape: x.shape) }
    }

    // MARK: Pooling

    /// y = max of each window:  x̄ = ḡ added at each window's maximum (the first one on ties),
    /// whose positions the forward pass recorded
    static func maxPool2d(_ x: Tensor, indices: Tensor, _ pooling: Pooling2d) -> (Tensor) -> Tensor {
        { g in g.device.backend.maxPool2dBackward(g, indices: indices, inputShape: x.shape, pooling) }
    }

    /// y = maxPool(relu(x)):  x̄ = ḡ where y > 0 (else 0), sent to each window's maximum — the
    /// two rules in one, since the maximum's input is positive exactly when y > 0
    static func reluMaxPool2d(_ x: Tensor, values: Tensor, indices: Tensor, _ pooling: Pooling2d) -> (Tensor) -> Tensor {
        { g in
            let masked = g.device.backend.binary(.keepWherePositive, g, values, shape: g.shape)
            // A [C, H, W] input was pooled as [1, C, H, W].
            let batchedShape = x.rank == 4 ? x.shape : [1] + x.shape
            return g.device.backend.maxPool2dBackward(masked, indices: indices, inputShape: batchedShape, pooling)
                .reshaped(to: x.shape)
        }
    }

    /// y = mean of each window:  x̄ = ḡ / divisor added to every input element of the window
    static func avgPool2d(_ pooling: Pooling2d) -> (Tensor) -> Tensor {
        { g in g.device.backend.avgPool2dBackward(g, pooling) }
    }

    /// y = concatenation of xᵢ:  x̄ᵢ = the slice of ḡ where xᵢ landed
    static func concatenate(_ tensors: [Tensor], axis: Int) -> Pullback {
        { g, needs in
            var start = 0
            return tensors.indices.map { index in
                let range = start..<(start + tensors[index].shape[axis])
                start = range.upperBound
                return needs[index] ? g.slice(alongAxis: axis, range) : nil
            }
        }
    }
}

// MARK: Fused operations

extension DerivativeRules {
    // Four operations of the training hot path (a dense layer, a convolution, batch
    // normalization, the cost) are primitives of their own, so that a layer and a cost are one
    // node each instead of a chain of small ones. Their rules are the textbook derivatives of
    // the whole.

    /// y = f(z), z = x·Wᵀ + b:  ḡ_z = ḡ·f′(z),  x̄ = ḡ_z·W,  W̄ = ḡ_zᵀ·x,  b̄ = Σᵢ ḡ_zᵢ (the bias was
    /// added to every row). For ReLU, f′(z) = 1 where z > 0, which is where y > 0: the rule needs
    /// only the output, `y` (nil for the identity, which needs none).
    static func linear(_ x: Tensor, _ weight: Tensor, activation: LinearActivation = .identity,
                       output y: Tensor?) -> Pullback {
        { upstream, needs in
            let g = switch (activation, y) {
            case (.relu, let y?): Tensor.computing(.keepWherePositive, upstream, y)   // relu′ = 1 if z > 0 (y > 0)
            default: upstream
            }
            var gradients: [Tensor?] = [needs[0] ? DescentCore.matmul(g, weight) : nil,
                                        needs[1] ? DescentCore.matmul(g, x, transposeA: true) : nil]
            if needs.count == 3 { gradients.append(needs[2] ? g.sum(squeezingAxes: [0]) : nil) }
            return gradients
        }
    }

    /// y = conv(x, W) + b (y[n,o,i,j] = b[o] + Σ_{c,p,q} x[n,c,i·s+p·d,j·s+q·d]·w[o,c,p,q], padding
    /// aside): every product x·w contributes ḡ·w to x̄ and ḡ·x to W̄, so
    /// x̄ = the transposed convolution of ḡ with W (each ḡ element's window of weights added back
    /// onto the input positions it read), W̄ = Σ over n, i, j of ḡ[n,o,i,j]·the window it read,
    /// b̄ = Σ of ḡ over the batch and every position (the bias was added to each). The two
    /// first are primitives of their own, as the forward pass is. With ReLU fused, ḡ is first
    /// kept only where the output `y` is positive, as in ``linear(_:_:activation:output:)``, and
    /// b̄ summed in the same pass.
    static func conv2d(_ x: Tensor, _ weight: Tensor, _ geometry: Conv2dGeometry, activation: LinearActivation,
                       output y: Tensor?) -> Pullback {
        { upstream, needs in
            let backend = upstream.device.backend
            let needsBias = needs.count == 3 && needs[2]
            // relu′ = 1 where z > 0, which is where y > 0; with a bias, b̄ in the same pass.
            let (g, biasGradient): (Tensor, Tensor?) = switch (activation, y) {
            case (.relu, let y?) where needsBias: backend.keepWherePositiveWithChannelSums(upstream, output: y)
            case (.relu, let y?): (Tensor.computing(.keepWherePositive, upstream, y), nil)
            default: (upstream, needsBias ? upstream.sum(squeezingAxes: [0, 2, 3]) : nil)
            }
            var gradients: [Tensor?] = [needs[0] ? backend.conv2dInputGradient(g, weight: weight, geometry) : nil,
                                        needs[1] ? backend.conv2dWeightGradient(g, input: x, geometry) : nil]
            if needs.count == 3 { gradients.append(biasGradient) }
            return gradients
        }
    }

    /// y = (x − μ)/√(σ² + ε)·γ + β, with μ and σ² the mean and biased variance of x's channel:
    /// x̄ = γ/√(σ² + ε)·(ḡ − mean(ḡ) − x̂·mean(ḡ·x̂)), γ̄ = Σ ḡ·x̂, β̄ = Σ ḡ, per channel, where
    /// x̂ = (x − μ)/√(σ² + ε). The two terms beyond γ/√(σ² + ε)·ḡ are the paths through μ and σ²,
    /// which every x of the channel feeds. One primitive computes all three gradients. With
    /// ReLU fused, ḡ is first kept only where the output was positive (relu′ = 1 there), which
    /// the primitive finds by recomputing the output from x, μ, σ², γ and β.
    static func batchNormalization(_ x: Tensor, mean: Tensor, variance: Tensor, weight: Tensor?, bias: Tensor?,
                                   epsilon: Double, activation: LinearActivation) -> Pullback {
        { g, needs in
            let (dx, dWeight, dBias) = g.device.backend.batchNormalizationBackward(
                g, input: x, mean: mean, variance: variance, weight: weight, bias: bias, epsilon: epsilon,
                activation: activation)
            var gradients: [Tensor?] = [needs[0] ? dx : nil]
            if weight != nil { gradients.append(needs[1] ? dWeight : nil) }
            if bias != nil { gradients.append(needs[gradients.count] ? dBias : nil) }
            return gradients
        }
    }

    /// yᵢ = logΣ꜀ exp xᵢ꜀ − xᵢ,labelᵢ:  x̄ᵢ = ḡᵢ·(softmax(xᵢ) − onehot(labelᵢ))
    static func softmaxCrossEntropy(probabilities: Tensor, labels: Tensor) -> (Tensor) -> Tensor {
        { g in
            probabilities.device.backend.softmaxCrossEntropyGradient(probabilities: probabilities, labels: labels,
                                                                     upstream: g)
        }
    }
}

extension Tensor {
    /// The gradient of a tensor that was broadcast to `self`'s shape, summed back to `shape`.
    func unbroadcast(to shape: [Int]) -> Tensor {
        if self.shape == shape { return self }
        let axes = Broadcasting.broadcastAxes(of: shape, in: self.shape)
        return sum(alongAxes: axes).reshaped(to: shape)
    }
}
