/// One step of gradient descent on one example, every number of it: the forward pass, the cost,
/// the backward pass (the chain rule's factors and the δ recursion), and for every parameter its
/// gradient three ways — the explainer's chain rule, the library's autodiff, central finite
/// differences — and its value after the step θ − η∇C. What `descent explain` prints; its
/// JSON form (`--format json`) is this structure encoded, field by field (see
/// Documentation/Explain.md).
///
/// Layers are numbered from 1 as the tutorials number them (a⁽⁰⁾ = x is the input), units from
/// 1 in symbols (w⁽ˡ⁾ⱼₖ joins unit k of layer l − 1 to unit j of layer l: the tensor element
/// `weight[j − 1, k − 1]`), and from 0 in tensor indices.
public struct Explanation: Codable, Sendable, Equatable {
    /// One dense layer and its activation.
    public struct Layer: Codable, Sendable, Equatable {
        /// l, from 1.
        public var layer: Int
        /// The number of values the layer takes, and gives.
        public var inputs: Int
        public var outputs: Int
        /// The activation's name (`sigmoid`, `identity`, `softmax` …).
        public var activation: String
        /// a = f(z), in words.
        public var formula: String
        /// The weight's name in the model's weights file (`0.weight`).
        public var weight: String
        /// The bias's name (`0.bias`); nil for a layer without bias.
        public var bias: String?
    }

    /// z⁽ˡ⁾ = W⁽ˡ⁾a⁽ˡ⁻¹⁾ + b⁽ˡ⁾ and a⁽ˡ⁾ = f(z⁽ˡ⁾) of one layer.
    public struct ForwardLayer: Codable, Sendable, Equatable {
        /// l, from 1.
        public var layer: Int
        /// z⁽ˡ⁾ = W⁽ˡ⁾a⁽ˡ⁻¹⁾ + b⁽ˡ⁾, per unit.
        public var z: [Double]
        /// a⁽ˡ⁾ = f(z⁽ˡ⁾), per unit.
        public var a: [Double]
    }

    /// The backward pass through one layer.
    public struct BackwardLayer: Codable, Sendable, Equatable {
        /// l, from 1.
        public var layer: Int
        /// ∂C/∂a⁽ˡ⁾: from the cost for the last layer, W⁽ˡ⁺¹⁾ᵀδ⁽ˡ⁺¹⁾ for the others.
        public var outputGradient: [Double]
        /// f′(z⁽ˡ⁾) for an elementwise activation; nil for softmax and log-softmax, whose
        /// ∂a/∂z is a full matrix.
        public var activationDerivative: [Double]?
        /// δ⁽ˡ⁾ = ∂C/∂z⁽ˡ⁾.
        public var delta: [Double]
        /// ∂C/∂W⁽ˡ⁾ = δ⁽ˡ⁾a⁽ˡ⁻¹⁾ᵀ, [outputs][inputs].
        public var weightGradient: [[Double]]
        /// ∂C/∂b⁽ˡ⁾ = δ⁽ˡ⁾; nil for a layer without bias.
        public var biasGradient: [Double]?
    }

    /// One factor of a chain-rule product: ∂a⁽²⁾₁/∂z⁽²⁾₁ = 0.2350.
    public struct Factor: Codable, Sendable, Equatable {
        /// The derivative in the textbook's notation: `∂a⁽²⁾₁/∂z⁽²⁾₁`.
        public var symbol: String
        /// Its value at this step.
        public var value: Double
    }

    /// The gradient of one parameter as the product of the derivatives along its one path to
    /// the cost.
    public struct ChainRule: Codable, Sendable, Equatable {
        /// The parameter, as in ``ParameterStep/parameter``.
        public var parameter: String
        /// The parameter's textbook symbol, as in ``ParameterStep/symbol``.
        public var symbol: String
        /// ∂C/∂a⁽ᴸ⁾, then each layer's ∂a/∂z and ∂z/∂(below), down to ∂z/∂θ.
        public var factors: [Factor]
        /// The factors multiplied: ∂C/∂θ.
        public var product: Double
    }

    /// One scalar parameter θ through the step.
    public struct ParameterStep: Codable, Sendable, Equatable {
        /// The tensor's name and the element: `0.weight[1, 0]`, `2.bias[0]`.
        public var parameter: String
        /// The tensor's name alone: `0.weight`.
        public var tensor: String
        /// The element's index in the tensor, from 0: `[1, 0]` (row j − 1 = output unit,
        /// column k − 1 = input unit), `[0]` for a bias.
        public var index: [Int]
        /// The textbook symbol: w⁽¹⁾₂₁, b⁽²⁾₁.
        public var symbol: String
        /// θ before the step.
        public var value: Double
        /// ∂C/∂θ from the explainer's chain rule.
        public var chainRule: Double
        /// ∂C/∂θ from the library's autodiff (`valueWithGradient`), in Float64.
        public var autodiff: Double
        /// (C(θ + h) − C(θ − h)) / 2h with h = ``Agreement/finiteDifferenceStep``, in Float64.
        public var finiteDifference: Double
        /// θ − η · ∂C/∂θ (autodiff's gradient, the one an optimizer applies).
        public var updated: Double
    }

    /// How far the three gradients are apart.
    public struct Agreement: Codable, Sendable, Equatable {
        /// max |chain rule − autodiff| over every parameter.
        public var chainRuleVersusAutodiff: Double
        /// max |finite difference − autodiff| over every parameter.
        public var finiteDifferenceVersusAutodiff: Double
        /// h of the central differences.
        public var finiteDifferenceStep: Double
        /// Whether chain rule and autodiff agree within 1e-9 (plus 1e-9 relative), and finite
        /// differences within 1e-6.
        public var agrees: Bool
    }

    /// The cost: its name (`--cost`), formula and value before and after the step.
    public struct Cost: Codable, Sendable, Equatable {
        /// The cost as `--cost` names it (``ExplainedCost``'s raw value).
        public var name: String
        /// C in words and symbols.
        public var formula: String
        /// C at the example before the step.
        public var value: Double
        /// C at the same example after the step: lower when the step went downhill.
        public var valueAfterStep: Double
    }

    /// The network's layers, first to last.
    public var network: [Layer]
    /// x = a⁽⁰⁾, as the network takes it (standardized, for a saved model trained so).
    public var input: [Double]
    /// y: one number per output, or one class index for the cross-entropies.
    public var target: [Double]
    /// The cost, before and after the step.
    public var cost: Cost
    /// η.
    public var learningRate: Double
    /// The forward pass, layer by layer.
    public var forward: [ForwardLayer]
    /// The backward pass, from the last layer to the first.
    public var backward: [BackwardLayer]
    /// The chain-rule products of the parameters that reach the cost along one path only
    /// (every parameter of a network with one output and elementwise activations); the δ
    /// recursion in ``backward`` covers all of them.
    public var chainRule: [ChainRule]
    /// Every weight and bias, in the model's order.
    public var parameters: [ParameterStep]
    /// How far the chain rule, autodiff and finite differences are apart.
    public var agreement: Agreement
    /// Whether the input was standardized with the training statistics of a saved model.
    public var standardizedInput: Bool
}
