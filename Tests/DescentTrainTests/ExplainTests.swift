import Descent
import Foundation
import Testing
import _DescentTestSupport

/// `StepExplainer`: one step of the tutorials' 2-2-1 perceptron against numbers worked out by
/// hand, and the δ recursion of a larger network against the library's autodiff.
@Suite struct ExplainTests {
    /// The perceptron's step, every number worked out by hand from the layer equations with the
    /// default weights W⁽¹⁾ = [[0.15, 0.20], [0.25, 0.30]], b⁽¹⁾ = (0.35, 0.35),
    /// W⁽²⁾ = [[0.40, 0.45]], b⁽²⁾ = 0.60, on x = (1, 0), y = 1, η = 0.5, C = (y − a)²:
    ///
    ///     z⁽¹⁾ = (0.15·1 + 0.20·0 + 0.35, 0.25·1 + 0.30·0 + 0.35) = (0.5, 0.6)
    ///     a⁽¹⁾ = σ(z⁽¹⁾) = (1/(1 + e^−0.5), 1/(1 + e^−0.6)) = (0.6224593312, 0.6456563062)
    ///     z⁽²⁾ = 0.40·0.6224593312 + 0.45·0.6456563062 + 0.60 = 1.1395290703
    ///     a⁽²⁾ = σ(1.1395290703) = 0.7575931652,  C = (1 − 0.7575931652)² = 0.0587610735
    ///     ∂C/∂a⁽²⁾ = 2(a − y) = −0.4848136695,  σ′(z⁽²⁾) = a(1 − a) = 0.1836457612
    ///     δ⁽²⁾ = −0.4848136695 · 0.1836457612 = −0.0890339754
    ///     δ⁽¹⁾ⱼ = w⁽²⁾₁ⱼ δ⁽²⁾ a⁽¹⁾ⱼ(1 − a⁽¹⁾ⱼ) = (−0.0083693259, −0.0091663067)
    ///     ∂C/∂W⁽²⁾ = δ⁽²⁾a⁽¹⁾ = (−0.0554200288, −0.0574853477),  ∂C/∂W⁽¹⁾ = δ⁽¹⁾xᵀ (second column 0)
    ///     θ − η∇: w⁽²⁾₁₁ = 0.40 + 0.5·0.0554200288 = 0.4277100144 …
    ///
    /// The digits were checked with Python's `math` module (double precision), carrying every
    /// value unrounded; the step's cost after the update came from a second forward pass there.
    @Test func thePerceptronsStepEqualsTheHandWorkedNumbers() throws {
        let explanation = try StepExplainer().explain()
        let close = { (a: Double, b: Double) in abs(a - b) < 1e-12 }

        #expect(explanation.network.map(\.weight) == ["0.weight", "2.weight"])
        #expect(explanation.forward[0].z.map { ($0 * 1e12).rounded() / 1e12 } == [0.5, 0.6])
        #expect(zip(explanation.forward[0].a, [0.6224593312018546, 0.6456563062257954]).allSatisfy(close))
        #expect(close(explanation.forward[1].z[0], 1.1395290702823497))
        #expect(close(explanation.forward[1].a[0], 0.7575931652488075))
        #expect(close(explanation.cost.value, 0.058761073534091955))

        let output = try #require(explanation.backward.first { $0.layer == 2 })
        #expect(close(output.outputGradient[0], -0.484813669502385))
        #expect(close(output.activationDerivative![0], 0.18364576121710055))
        #expect(close(output.delta[0], -0.08903397538422131))
        let hidden = try #require(explanation.backward.first { $0.layer == 1 })
        #expect(zip(hidden.delta, [-0.008369325890942959, -0.009166306694902109]).allSatisfy(close))

        let expected: [(String, Double, Double)] = [   // parameter, ∂C/∂θ, θ − η∂C/∂θ
            ("0.weight[0, 0]", -0.008369325890942959, 0.15418466294547148),
            ("0.weight[0, 1]", 0, 0.2),
            ("0.weight[1, 0]", -0.009166306694902109, 0.2545831533474511),
            ("0.weight[1, 1]", 0, 0.3),
            ("0.bias[0]", -0.008369325890942959, 0.35418466294547146),
            ("0.bias[1]", -0.009166306694902109, 0.35458315334745105),
            ("2.weight[0, 0]", -0.05542002877190478, 0.4277100143859524),
            ("2.weight[0, 1]", -0.05748534767517472, 0.4787426738375874),
            ("2.bias[0]", -0.08903397538422131, 0.6445169876921106),
        ]
        #expect(explanation.parameters.map(\.parameter) == expected.map(\.0))
        for (step, (name, gradient, updated)) in zip(explanation.parameters, expected) {
            #expect(close(step.chainRule, gradient), "\(name) chain rule")
            #expect(close(step.autodiff, gradient), "\(name) autodiff")
            #expect(abs(step.finiteDifference - gradient) < 1e-9, "\(name) finite difference")
            #expect(close(step.updated, updated), "\(name) updated")
        }
        #expect(close(explanation.cost.valueAfterStep, 0.051819171769521714))
        #expect(explanation.agreement.agrees)
        #expect(explanation.agreement.chainRuleVersusAutodiff < 1e-15)
    }

    /// Each parameter of the perceptron reaches the cost along one path, so each gradient is a
    /// product of factors: for w⁽¹⁾₂₁, ∂C/∂a⁽²⁾₁ · σ′(z⁽²⁾₁) · w⁽²⁾₁₂ · σ′(z⁽¹⁾₂) · x₁.
    @Test func theChainRuleFactorsMultiplyToTheGradient() throws {
        let explanation = try StepExplainer().explain()
        #expect(explanation.chainRule.count == 9)
        let product = try #require(explanation.chainRule.first { $0.parameter == "0.weight[1, 0]" })
        #expect(product.symbol == "w⁽¹⁾₂₁")
        #expect(product.factors.map(\.symbol) == ["∂C/∂a⁽²⁾₁", "∂a⁽²⁾₁/∂z⁽²⁾₁", "∂z⁽²⁾₁/∂a⁽¹⁾₂", "∂a⁽¹⁾₂/∂z⁽¹⁾₂", "∂z⁽¹⁾₂/∂w⁽¹⁾₂₁"])
        let a12 = 0.6456563062257954
        let expected = [-0.484813669502385, 0.18364576121710055, 0.45, a12 * (1 - a12), 1]
        #expect(zip(product.factors.map(\.value), expected).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(abs(product.product - -0.009166306694902109) < 1e-12)
    }

    /// Through a one-unit hidden layer every parameter still has one path: each chain-rule
    /// product, through both layers above it, equals the δ recursion's gradient.
    @Test func eachChainRuleProductEqualsItsGradientThroughSeveralLayers() throws {
        let model = Sequential {
            Dense(inputCount: 2, outputCount: 2, activation: .tanh, dtype: .float64, seed: 7)
            Dense(inputCount: 2, outputCount: 1, activation: .sigmoid, dtype: .float64, seed: 8)
            Dense(inputCount: 1, outputCount: 1, activation: .sigmoid, dtype: .float64, seed: 9)
        }
        let explanation = try StepExplainer(model: model, input: [0.7, -0.4], target: [1], cost: .halfSquared,
                                            learningRate: 1).explain()
        #expect(explanation.chainRule.count == explanation.parameters.count)
        for (product, step) in zip(explanation.chainRule, explanation.parameters) {
            #expect(product.parameter == step.parameter)
            #expect(abs(product.product - step.chainRule) < 1e-15, "\(step.parameter)")
        }
        let first = try #require(explanation.chainRule.first)
        #expect(first.factors.map(\.symbol) == ["∂C/∂a⁽³⁾₁", "∂a⁽³⁾₁/∂z⁽³⁾₁", "∂z⁽³⁾₁/∂a⁽²⁾₁", "∂a⁽²⁾₁/∂z⁽²⁾₁",
                                                "∂z⁽²⁾₁/∂a⁽¹⁾₁", "∂a⁽¹⁾₁/∂z⁽¹⁾₁", "∂z⁽¹⁾₁/∂w⁽¹⁾₁₁"])
        #expect(explanation.agreement.agrees)
    }

    /// ½(y − a)² halves the cost and the gradients of (y − a)².
    @Test func theHalfSquaredCostHalvesTheGradients() throws {
        let half = try StepExplainer(cost: .halfSquared).explain()
        #expect(abs(half.cost.value - 0.029380536767045978) < 1e-12)
        #expect(abs(half.backward[0].delta[0] - -0.044516987692110654) < 1e-12)
        #expect(half.cost.formula.contains("½"))
    }

    /// A random 3-3-2 network with softmax cross-entropy: several paths per hidden weight, so
    /// the δ recursion (not one product) gives the gradients, and they equal autodiff's,
    /// computed here separately with `valueWithGradient`.
    @Test func theDeltaRecursionEqualsAutodiffOnARandom332Network() throws {
        let model = Sequential {
            Dense(inputCount: 3, outputCount: 3, activation: .tanh, dtype: .float64, seed: 11)
            Dense(inputCount: 3, outputCount: 2, dtype: .float64, seed: 12)
        }
        let input = [0.3, -1.2, 0.8]
        let explainer = try StepExplainer(model: model, input: input, target: [1], cost: .crossEntropy, learningRate: 0.1)
        let explanation = try explainer.explain()

        let x = Tensor(doubles: input, shape: [1, 3], dtype: .float64)
        let label = Tensor(doubles: [1], shape: [1], dtype: .int32)
        let (cost, gradients) = valueWithGradient(at: model) { model in crossEntropy(logits: model(x), labels: label) }
        #expect(abs(explanation.cost.value - cost.doubleValue) < 1e-12)
        for name in ["0.weight", "0.bias", "1.weight", "1.bias"] {
            let steps = explanation.parameters.filter { $0.parameter.hasPrefix(name + "[") }
            let exact = try #require(gradients[name]).doubles()
            #expect(steps.count == exact.count)
            for (step, value) in zip(steps, exact) {
                #expect(abs(step.chainRule - value) < 1e-12, "\(step.parameter)")
                #expect(abs(step.finiteDifference - value) < 1e-7, "\(step.parameter)")
            }
        }
        // The output layer's parameters each have one path; the hidden layer's have two.
        #expect(explanation.chainRule.map(\.parameter).allSatisfy { $0.hasPrefix("1.") })
        #expect(explanation.agreement.agrees)
        // ∂C/∂z⁽ᴸ⁾ = softmax(z) − onehot(y): its entries sum to 0.
        #expect(abs(explanation.backward[0].delta.reduce(0, +)) < 1e-12)
    }

    /// A softmax layer's Jacobian is not diagonal: the explainer says so (no f′ column) and its
    /// δ still equals autodiff.
    @Test func aSoftmaxOutputLayerIsExplainedByItsJacobian() throws {
        let model = Sequential {
            Dense(inputCount: 2, outputCount: 3, activation: .sigmoid, dtype: .float64, seed: 3)
            Dense(inputCount: 3, outputCount: 3, dtype: .float64, seed: 4)
            Softmax()
        }
        let explanation = try StepExplainer(model: model, input: [0.5, -0.25], target: [0, 1, 0], cost: .mse,
                                            learningRate: 0.1).explain()
        #expect(explanation.backward[0].activationDerivative == nil)
        #expect(explanation.network.last?.activation == "softmax")
        #expect(explanation.agreement.agrees)
        #expect(explanation.agreement.chainRuleVersusAutodiff < 1e-12)
    }

    @Test func badInputsAreRefusedWithWhatWasExpected() throws {
        #expect(throws: ExplainError(location: "the input (--input)", expected: "2 values, one per input of the network", found: "3")) {
            try StepExplainer(input: [1, 0, 1])
        }
        #expect(throws: ExplainError.self) { try StepExplainer(target: [1, 0]) }
        #expect(throws: ExplainError.self) { try StepExplainer(cost: .crossEntropy) }   // 1 output: class 1 is out of range
        #expect(throws: ExplainError.self) { try StepExplainer(learningRate: .nan) }
        let big = Sequential { Dense(inputCount: 10, outputCount: 10, seed: 1) }
        #expect(throws: ExplainError(location: "the model", expected: "at most 100 parameters (explain prints every one)", found: "110")) {
            try StepExplainer(model: big, input: Array(repeating: 0, count: 10), target: Array(repeating: 0, count: 10),
                              cost: .mse, learningRate: 0.1)
        }
        let withDropout = Sequential { Dense(inputCount: 2, outputCount: 2, seed: 1); Dropout(rate: 0.5) }
        let error = try #require(throws: ExplainError.self) {
            try StepExplainer(model: withDropout, input: [0, 0], target: [0, 0], cost: .mse, learningRate: 0.1)
        }
        #expect(error.location == "layer 1 (Dropout)")
        #expect(throws: ExplainError.self) { try StepExplainer.numbers("1,x", option: "--input") }
    }

    /// `--init`: weights from a safetensors file named as the perceptron's parameters.
    @Test func weightsLoadFromASafetensorsFile() throws {
        let folder = scratchFolder.appendingPathComponent("explain-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var perceptron = StepExplainer.tutorialPerceptron()
        perceptron.visitParameters { _, parameter in parameter = parameter * 2 }
        let file = folder.appendingPathComponent("weights.safetensors")
        try perceptron.parametersFile().write(to: file)

        var explainer = try StepExplainer()
        try explainer.loadWeights(from: file.path)
        let explanation = try explainer.explain()
        #expect(explanation.parameters.map(\.value) == [0.3, 0.4, 0.5, 0.6, 0.7, 0.7, 0.8, 0.9, 1.2])
        #expect(explanation.forward[0].z == [1.0, 1.2])
    }

    /// Documentation/Explain.md names every field of the JSON.
    @Test func everyJSONFieldIsDocumented() throws {
        let document = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Documentation/Explain.md"), encoding: .utf8)
        let model = Sequential { Dense(inputCount: 2, outputCount: 2, activation: .relu, seed: 1); Dense(inputCount: 2, outputCount: 2, seed: 2) }
        var keys: Set<String> = []
        func collect(_ value: Any) {
            if let object = value as? [String: Any] {
                keys.formUnion(object.keys)
                object.values.forEach(collect)
            } else if let array = value as? [Any] {
                array.forEach(collect)
            }
        }
        for explainer in [try StepExplainer(), try StepExplainer(model: model, input: [1, 2], target: [0], cost: .crossEntropy, learningRate: 0.1)] {
            collect(try JSONSerialization.jsonObject(with: Data(try explainer.explain().json().utf8)))
        }
        #expect(keys.count > 30)
        for key in keys.sorted() { #expect(document.contains("`\(key)`"), "\(key)") }
    }
}
