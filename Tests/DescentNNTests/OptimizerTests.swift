import Descent
import Foundation
import Testing
import _DescentTestSupport

/// Three steps of every optimizer, compared with PyTorch (Fixtures/make_optimizer_fixtures.py).
struct OptimizerFixture: Decodable {
    struct Options: Decodable {
        var lr: Double?
        var momentum: Double?
        var dampening: Double?
        var weightDecay: Double?
        var nesterov: Bool?
        var alpha: Double?
        var eps: Double?
        var centered: Bool?
        var betas: [Double]?
        var amsgrad: Bool?
        var lrDecay: Double?
        var initialAccumulatorValue: Double?
        var rho: Double?
        var momentumDecay: Double?
        var decoupledWeightDecay: Bool?
    }

    struct Case: Decodable {
        var name: String
        var optimizer: String
        var options: Options
        var dtype: String
        /// The parameters after each step, by name.
        var steps: [[String: [Double]]]
    }

    var shapes: [String: [Int]]
    var initial: [String: [Double]]
    var gradients: [[String: [Double]]]
    var cases: [Case]

    static func load() throws -> OptimizerFixture {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(Self.self, from: Data(contentsOf: fixtureURL("optimizers.json", in: .module)))
    }

    func tensors(_ values: [String: [Double]], dtype: DType) -> [String: Tensor] {
        values.reduce(into: [:]) { result, entry in
            result[entry.key] = Tensor(doubles: entry.value, shape: shapes[entry.key]!, dtype: dtype)
        }
    }
}

/// The optimizer a fixture case describes: Descent's defaults, overridden by the options the
/// case gave PyTorch — so the cases without options check that the defaults agree.
private func makeOptimizer(_ fixture: OptimizerFixture.Case) -> (any Optimizer)? {
    let o = fixture.options
    switch fixture.optimizer {
    case "SGD":
        let sgd = SGD()
        if let v = o.lr { sgd.learningRate = v }
        if let v = o.momentum { sgd.momentum = v }
        if let v = o.dampening { sgd.dampening = v }
        if let v = o.weightDecay { sgd.weightDecay = v }
        if let v = o.nesterov { sgd.nesterov = v }
        return sgd
    case "RMSprop":
        let rmsProp = RMSProp()
        if let v = o.lr { rmsProp.learningRate = v }
        if let v = o.alpha { rmsProp.alpha = v }
        if let v = o.eps { rmsProp.epsilon = v }
        if let v = o.weightDecay { rmsProp.weightDecay = v }
        if let v = o.momentum { rmsProp.momentum = v }
        if let v = o.centered { rmsProp.centered = v }
        return rmsProp
    case "Adam":
        let adam = Adam()
        if let v = o.lr { adam.learningRate = v }
        if let v = o.betas { (adam.beta1, adam.beta2) = (v[0], v[1]) }
        if let v = o.eps { adam.epsilon = v }
        if let v = o.weightDecay { adam.weightDecay = v }
        if let v = o.amsgrad { adam.amsgrad = v }
        return adam
    case "AdamW":
        let adamW = AdamW()
        if let v = o.lr { adamW.learningRate = v }
        if let v = o.betas { (adamW.beta1, adamW.beta2) = (v[0], v[1]) }
        if let v = o.eps { adamW.epsilon = v }
        if let v = o.weightDecay { adamW.weightDecay = v }
        if let v = o.amsgrad { adamW.amsgrad = v }
        return adamW
    case "Adagrad":
        let adagrad = Adagrad()
        if let v = o.lr { adagrad.learningRate = v }
        if let v = o.lrDecay { adagrad.learningRateDecay = v }
        if let v = o.weightDecay { adagrad.weightDecay = v }
        if let v = o.initialAccumulatorValue { adagrad.initialAccumulatorValue = v }
        if let v = o.eps { adagrad.epsilon = v }
        return adagrad
    case "Adadelta":
        let adadelta = Adadelta()
        if let v = o.lr { adadelta.learningRate = v }
        if let v = o.rho { adadelta.rho = v }
        if let v = o.eps { adadelta.epsilon = v }
        if let v = o.weightDecay { adadelta.weightDecay = v }
        return adadelta
    case "Adamax":
        let adamax = Adamax()
        if let v = o.lr { adamax.learningRate = v }
        if let v = o.betas { (adamax.beta1, adamax.beta2) = (v[0], v[1]) }
        if let v = o.eps { adamax.epsilon = v }
        if let v = o.weightDecay { adamax.weightDecay = v }
        return adamax
    case "NAdam":
        let nAdam = NAdam()
        if let v = o.lr { nAdam.learningRate = v }
        if let v = o.betas { (nAdam.beta1, nAdam.beta2) = (v[0], v[1]) }
        if let v = o.eps { nAdam.epsilon = v }
        if let v = o.weightDecay { nAdam.weightDecay = v }
        if let v = o.momentumDecay { nAdam.momentumDecay = v }
        if let v = o.decoupledWeightDecay { nAdam.decoupledWeightDecay = v }
        return nAdam
    default:
        return nil
    }
}

@Test(arguments: try testDevices())
func everyOptimizerMatchesPyTorchForThreeSteps(device: Device) throws {
    let fixture = try OptimizerFixture.load()
    #expect(fixture.cases.count >= 18)
    for testCase in fixture.cases {
        let optimizer = try #require(makeOptimizer(testCase), "unknown optimizer \(testCase.optimizer)")
        let dtype = try #require(DType(rawValue: testCase.dtype))
        var parameters = fixture.tensors(fixture.initial, dtype: dtype).mapValues { $0.to(device) }
        for (step, expected) in testCase.steps.enumerated() {
            let gradients = fixture.tensors(fixture.gradients[step], dtype: dtype).mapValues { $0.to(device) }
            optimizer.update(&parameters, along: Gradients(gradients))
            for (name, expectedValues) in expected {
                let parameter = try #require(parameters[name])
                #expect(parameter.dtype == dtype)
                // Elementwise rules: no sums, so a GPU is held to nearly the CPU's bound.
                expectClose(parameter, Tensor(doubles: expectedValues, shape: parameter.shape, dtype: .float64), on: device,
                            relative: 1e-5, absolute: 1e-6, "\(testCase.name) (\(testCase.dtype)), step \(step + 1), \(name)")
            }
        }
    }
}

@Test func plainGradientDescentStepsAgainstTheGradient() {
    // θ ← θ − η∇C(θ)
    let optimizer = SGD(learningRate: 0.5)
    var parameters = ["θ": Tensor([1.0, -2.0, 3.0])]
    optimizer.update(&parameters, along: Gradients(["θ": Tensor([0.5, 1.0, -2.0])]))
    expectClose(parameters["θ"]!, Tensor([0.75, -2.5, 4.0]))
}

@Test func stateIsKeptPerParameterName() {
    let optimizer = Adam(learningRate: 0.1)
    var parameters = ["a": Tensor([Float(1), 2]), "b": Tensor([Float(3)])]
    optimizer.update(&parameters, along: Gradients(["a": Tensor([Float(1), 1]), "b": Tensor([Float(1)])]))
    // Only "a" has a gradient now: "b" is left alone and its state does not advance.
    let bBefore = parameters["b"]!.doubles()
    optimizer.update(&parameters, along: Gradients(["a": Tensor([Float(-1), 2])]))
    #expect(parameters["b"]!.doubles() == bBefore)
    #expect(optimizer.states["a"]?.step == 2)
    #expect(optimizer.states["b"]?.step == 1)

    // The state under "a" is the same as a fresh optimizer's that saw only "a"'s gradients.
    let alone = Adam(learningRate: 0.1)
    var a = ["a": Tensor([Float(1), 2])]
    alone.update(&a, along: Gradients(["a": Tensor([Float(1), 1])]))
    alone.update(&a, along: Gradients(["a": Tensor([Float(-1), 2])]))
    #expect(a["a"]!.doubles() == parameters["a"]!.doubles())

    optimizer.resetStates()
    #expect(optimizer.states.isEmpty)
}

@Test func gradientsWithoutAParameterAreIgnored() {
    let optimizer = SGD(learningRate: 1)
    var parameters = ["w": Tensor([Float(1)])]
    optimizer.update(&parameters, along: Gradients(["w": Tensor([Float(1)]), "unknown": Tensor([Float(5)])]))
    #expect(parameters.keys.sorted() == ["w"])
    #expect(parameters["w"]!.doubles() == [0])
    #expect(optimizer.states.keys.sorted() == ["w"])
}

/// A minimal layer with two parameters: x·W + b.
private struct Affine: Layer {
    var weight: Tensor
    var bias: Tensor

    func callAsFunction(_ input: Tensor) -> Tensor { matmul(input, weight) + bias }

    mutating func visitParameters(_ body: (_ name: String, _ parameter: inout Tensor) throws -> Void) rethrows {
        try body("weight", &weight)
        try body("bias", &bias)
    }
}

private struct Tanh: Layer {
    func callAsFunction(_ input: Tensor) -> Tensor { tanh(input) }
}

@Test func optimizerUpdatesAModelByParameterName() {
    var model = Sequential {
        Affine(weight: Tensor([[Float(0.5), -0.25], [0.75, 0.1], [-0.3, 0.2]]), bias: Tensor([Float(0.1), -0.1]))
        Tanh()
        Affine(weight: Tensor([[Float(1)], [-1]]), bias: Tensor([Float(0)]))
    }
    let inputs = Tensor([[Float(1), 2, 3], [-1, 0.5, 2]])
    let targets = Tensor([[Float(0.5)], [-0.5]])
    let before = Dictionary(uniqueKeysWithValues: model.parameters.map { ($0.name, $0.value) })
    var parameters = before
    let optimizer = Adam(learningRate: 0.01, weightDecay: 0.1)
    let reference = Adam(learningRate: 0.01, weightDecay: 0.1)

    for _ in 0..<3 {
        let (_, gradients) = valueWithGradient(at: model) { model in
            let error = model(inputs) - targets
            return (error * error).mean()
        }
        #expect(gradients.byName.keys.sorted() == ["0.bias", "0.weight", "2.bias", "2.weight"])
        optimizer.update(&model, along: gradients)
        reference.update(&parameters, along: gradients)
    }

    #expect(optimizer.states.keys.sorted() == ["0.bias", "0.weight", "2.bias", "2.weight"])
    for (name, value) in model.parameters {
        #expect(value.doubles() == parameters[name]!.doubles(), "\(name)")
        #expect(value.doubles() != before[name]!.doubles(), "\(name) did not move")
    }
}

@Test func aModelParameterWithoutAGradientIsLeftAlone() {
    var model = Sequential { Affine(weight: Tensor([[Float(1)]]), bias: Tensor([Float(2)])) }
    let optimizer = SGD(learningRate: 0.1, momentum: 0.9)
    optimizer.update(&model, along: Gradients(["0.weight": Tensor([[Float(1)]])]))
    let values = Dictionary(uniqueKeysWithValues: model.parameters.map { ($0.name, $0.value.doubles()) })
    expectClose(values["0.weight"]!, [0.9])
    #expect(values["0.bias"] == [2])
    #expect(optimizer.states.keys.sorted() == ["0.weight"])
}

// MARK: - Gradient clipping

struct ClippingFixture: Decodable {
    struct Case: Decodable {
        var kind: String
        var limit: Double
        var scale: Double
        var norm: Double?
        var clipped: [String: [Double]]
    }

    var gradients: [String: [Double]]
    var cases: [Case]
}

@Test(arguments: try testDevices())
func gradientClippingMatchesPyTorch(device: Device) throws {
    let fixture = try JSONDecoder().decode(ClippingFixture.self,
                                           from: Data(contentsOf: fixtureURL("clipping.json", in: .module)))
    let shapes = ["weight": [3, 4], "bias": [4]]
    // The global norm sums the squares of every element of every gradient.
    let sumLength = shapes.values.map { $0.reduce(1, *) }.reduce(0, +)
    for testCase in fixture.cases {
        let gradients = Gradients(fixture.gradients.reduce(into: [:]) { result, entry in
            result[entry.key] = Tensor(doubles: entry.value.map { $0 * testCase.scale }, shape: shapes[entry.key]!).to(device)
        })
        let clipped: Gradients
        if testCase.kind == "norm" {
            expectClose(gradients.globalNormTensor, Tensor(try #require(testCase.norm)), on: device, sumLength: sumLength)
            clipped = gradients.clipped(byGlobalNorm: testCase.limit)
            #expect(clipped.globalNorm <= testCase.limit + 1e-5)
        } else {
            clipped = gradients.clipped(byValue: testCase.limit)
        }
        for (name, expected) in testCase.clipped {
            let gradient = try #require(clipped[name])
            #expect(gradient.shape == shapes[name]!)
            #expect(gradient.dtype == .float32)
            expectClose(gradient, Tensor(doubles: expected, shape: gradient.shape, dtype: .float64), on: device,
                        sumLength: sumLength, "\(testCase.kind) \(testCase.limit) ×\(testCase.scale), \(name)")
        }
    }
}

@Test func globalNormIsTheNormOfAllElementsTogether() {
    let gradients = Gradients(["a": Tensor([3.0]), "b": Tensor([[0.0, 4.0]])])
    #expect(gradients.globalNorm == 5)
    let clipped = gradients.clipped(byGlobalNorm: 1)
    expectClose(clipped["b"]!, Tensor([[0.0, 4.0 / (5 + 1e-6)]]), relative: 1e-12, absolute: 0)
}

/// A parameter large enough to be split across threads and into eight-element vectors (with a
/// ragged tail) ends exactly where the same rule leaves its small pieces updated one by one.
@Test(arguments: ["SGD", "SGD momentum", "RMSProp", "RMSProp centered", "Adam", "AdamW", "Adagrad", "NAdam"])
func largeParametersUpdateLikeTheirPieces(optimizerName: String) {
    func make() -> any Optimizer {
        switch optimizerName {
        case "SGD": SGD(learningRate: 0.1)
        case "SGD momentum": SGD(learningRate: 0.1, momentum: 0.9, nesterov: true)
        case "RMSProp": RMSProp(learningRate: 0.01, alpha: 0.9)
        case "RMSProp centered": RMSProp(learningRate: 0.01, momentum: 0.5, centered: true)
        case "Adam": Adam(learningRate: 0.01)
        case "AdamW": AdamW(learningRate: 0.01, weightDecay: 0.1)
        case "Adagrad": Adagrad(learningRate: 0.1)
        default: NAdam(learningRate: 0.01)
        }
    }
    let count = 3 * (1 << 15) + 13
    let pieceLength = 1_000
    var whole = ["θ": Tensor.randomNormal([count], seed: 90)]
    var pieces: [String: Tensor] = [:]
    for start in stride(from: 0, to: count, by: pieceLength) {
        pieces["\(start)"] = whole["θ"]![start..<min(count, start + pieceLength)]
    }
    let (wholeOptimizer, piecesOptimizer) = (make(), make())
    for step in 0..<3 {
        let gradient = Tensor.randomNormal([count], seed: 91 + UInt64(step))
        wholeOptimizer.update(&whole, along: Gradients(["θ": gradient]))
        var pieceGradients: [String: Tensor] = [:]
        for name in pieces.keys {
            let start = Int(name)!
            pieceGradients[name] = gradient[start..<min(count, start + pieceLength)]
        }
        piecesOptimizer.update(&pieces, along: Gradients(pieceGradients))
    }
    let reassembled = Tensor(concatenating: pieces.keys.sorted { Int($0)! < Int($1)! }.map { pieces[$0]! }, alongAxis: 0)
    #expect(whole["θ"]!.scalars(as: Float.self) == reassembled.scalars(as: Float.self), "\(optimizerName)")
}

/// The plain rules run as C kernels (AVX2 where the CPU has it); they must round exactly as the
/// formulas written element by element in Float, on a size that is no multiple of the vector
/// width.
@Test func plainRulesMatchTheirFormulasExactly() {
    let count = 1_003
    let start = Tensor.randomNormal([count], seed: 95), gradient = Tensor.randomNormal([count], seed: 96)
    let (θ0, g) = (start.scalars(as: Float.self), gradient.scalars(as: Float.self))
    func updated(by optimizer: some Optimizer, steps: Int) -> [Float] {
        var parameters = ["θ": start]
        for _ in 0..<steps { optimizer.update(&parameters, along: Gradients(["θ": gradient])) }
        return parameters["θ"]!.scalars(as: Float.self)
    }

    func differences(_ a: [Float], _ b: [Float]) -> Int { zip(a, b).filter { $0 != $1 }.count }
    // The constants are rounded to Float once, from Double, as the optimizers round them.
    let (η, α, oneMinusα, ε) = (Float(0.01), Float(0.9), Float(1 - 0.9), Float(1e-7))
    var θ = θ0, v = [Float](repeating: 0, count: count)
    for _ in 0..<2 {
        for i in 0..<count {
            v[i] = v[i] * α + oneMinusα * g[i] * g[i]
            θ[i] -= η * (g[i] / (v[i].squareRoot() + ε))
        }
    }
    #expect(differences(updated(by: RMSProp(learningRate: 0.01, alpha: 0.9, epsilon: 1e-7), steps: 2), θ) == 0)

    θ = θ0
    for i in 0..<count { θ[i] -= Float(0.1) * g[i] }
    #expect(differences(updated(by: SGD(learningRate: 0.1), steps: 1), θ) == 0)

    // One AdamW step: shrink, then m = lerp(0, g, 0.1), v = 0.001·g², θ −= stepSize·m/(√v/√(1 − β₂) + ε).
    let stepSize = Float(0.01 / (1 - 0.9)), correction = Float((1 - 0.999).squareRoot())
    let shrink = Float(1 - 0.01 * 0.1), (w1, β2, w2) = (Float(0.1), Float(0.999), Float(1 - 0.999))
    θ = θ0
    for i in 0..<count {
        θ[i] *= shrink
        let m = 0 + w1 * (g[i] - 0), v = 0 * β2 + w2 * g[i] * g[i]
        θ[i] -= stepSize * (m / (v.squareRoot() / correction + Float(1e-8)))
    }
    #expect(differences(updated(by: AdamW(learningRate: 0.01, weightDecay: 0.1), steps: 1), θ) == 0)
}
