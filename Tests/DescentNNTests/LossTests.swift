import Descent
import Foundation
import Testing
import _DescentTestSupport

// MARK: - Against PyTorch (Fixtures/losses.json, made by make_loss_fixtures.py)

/// One cost function on fixed inputs, with PyTorch's value and gradient for each reduction.
private struct LossFixture: Decodable {
    struct Array: Decodable {
        let shape: [Int]
        let values: [Double]

        func tensor(_ dtype: DType = .float32) -> Tensor { Tensor(doubles: values, shape: shape, dtype: dtype) }
    }

    struct Result: Decodable {
        let value: Array
        let gradient: Array
    }

    let name: String
    let function: String
    let parameters: [String: Double]
    let inputs: [String: Array]
    let results: [String: Result]
    /// For reduction 'none': the gradient is that of sum(loss · weights).
    let weights: Array?

    static let all: [LossFixture] = {
        let url = fixtureURL("losses.json", in: .module)
        struct File: Decodable { let cases: [LossFixture] }
        do {
            return try JSONDecoder().decode(File.self, from: Data(contentsOf: url)).cases
        } catch {
            Issue.record("cannot read \(url.path): \(error)")
            return []
        }
    }()

    func input(_ name: String, _ dtype: DType = .float32) -> Tensor { inputs[name]!.tensor(dtype) }

    /// The name of the input that the gradients are taken with respect to.
    var differentiatedInput: String {
        switch function {
        case "binaryCrossEntropy": "probabilities"
        case "binaryCrossEntropyWithLogits", "crossEntropyWithLabels", "crossEntropyWithProbabilities": "logits"
        case "negativeLogLikelihood", "klDivergence": "logProbabilities"
        default: "predicted"
        }
    }

    /// The Descent cost of this fixture's inputs, with the differentiated input replaced by `x`;
    /// the other inputs are moved to `x`'s device.
    func cost(at x: Tensor, reduction: Reduction) -> Tensor {
        let parameter = { (name: String) in parameters[name]! }
        func moved(_ name: String, _ dtype: DType = .float32) -> Tensor { input(name, dtype).to(x.device) }
        switch function {
        case "meanAbsoluteError":
            return meanAbsoluteError(predicted: x, expected: moved("expected"), reduction: reduction)
        case "meanSquaredError":
            return meanSquaredError(predicted: x, expected: moved("expected"), reduction: reduction)
        case "huberLoss":
            return huberLoss(predicted: x, expected: moved("expected"), delta: parameter("delta"), reduction: reduction)
        case "smoothL1Loss":
            return smoothL1Loss(predicted: x, expected: moved("expected"), beta: parameter("beta"), reduction: reduction)
        case "binaryCrossEntropy":
            return binaryCrossEntropy(probabilities: x, labels: moved("labels"), reduction: reduction)
        case "binaryCrossEntropyWithLogits":
            return binaryCrossEntropy(logits: x, labels: moved("labels"),
                                      positiveWeight: inputs["positiveWeight"] == nil ? nil : moved("positiveWeight"),
                                      reduction: reduction)
        case "crossEntropyWithLabels":
            return crossEntropy(logits: x, labels: moved("labels", .int32), reduction: reduction,
                                labelSmoothing: parameter("labelSmoothing"))
        case "crossEntropyWithProbabilities":
            return crossEntropy(logits: x, probabilities: moved("probabilities"), reduction: reduction,
                                labelSmoothing: parameter("labelSmoothing"))
        case "negativeLogLikelihood":
            return negativeLogLikelihood(logProbabilities: x, labels: moved("labels", .int32), reduction: reduction)
        case "klDivergence":
            return klDivergence(logProbabilities: x, targets: moved("targets"), reduction: reduction)
        default:
            Issue.record("unknown fixture function \(function)")
            return x.sum()
        }
    }
}

private let pytorchReductions: [String: Reduction] = ["mean": .mean, "sum": .sum, "none": .none, "batchmean": .batchMean]

@Suite("Cost functions match PyTorch")
struct LossPyTorchTests {
    @Test(arguments: ["meanAbsoluteError", "meanSquaredError", "huberLoss", "smoothL1Loss", "binaryCrossEntropy",
                      "binaryCrossEntropyWithLogits", "crossEntropyWithLabels", "crossEntropyWithProbabilities",
                      "negativeLogLikelihood", "klDivergence"], try testDevices())
    func valuesAndGradients(function: String, device: Device) throws {
        let fixtures = LossFixture.all.filter { $0.function == function }
        #expect(!fixtures.isEmpty, "no fixture for \(function)")
        for fixture in fixtures {
            let x = fixture.input(fixture.differentiatedInput).to(device)
            let weights = fixture.weights?.tensor().to(device)
            // A mean or a sum adds every element's cost (each a sum over classes at most).
            let sumLength = fixture.inputs[fixture.differentiatedInput]!.values.count
            for (reductionName, expected) in fixture.results {
                let reduction = try #require(pytorchReductions[reductionName])
                let (value, gradient) = valueWithGradient(at: x) { x in
                    let cost = fixture.cost(at: x, reduction: reduction)
                    return reduction == .none ? (cost * weights!).sum() : cost
                }
                let reported = reduction == .none ? fixture.cost(at: x, reduction: .none) : value
                #expect(reported.dtype == .float32)
                expectClose(reported, expected.value.tensor(.float64), on: device, sumLength: sumLength,
                            "\(fixture.name) \(reductionName) value")
                expectClose(gradient, expected.gradient.tensor(.float64), on: device, sumLength: sumLength,
                            "\(fixture.name) \(reductionName) gradient")
            }
        }
    }

    @Test func everyCaseIsCovered() {
        #expect(LossFixture.all.count >= 20)
        #expect(LossFixture.all.allSatisfy { Set($0.results.keys).isSuperset(of: ["mean", "sum", "none"]) })
    }
}

// MARK: - Backpropagation against finite differences (Float64, away from kinks)

@Suite("Cost function gradients match finite differences")
struct LossFiniteDifferenceTests {
    private static func random(_ shape: [Int], _ lower: Double = -2, _ upper: Double = 2, seed: UInt64) -> Tensor {
        Tensor.randomUniform(shape, lowerBound: lower, upperBound: upper, dtype: .float64, seed: seed)
    }

    private let predicted = random([3, 4], seed: 1)
    // Differences well away from 0 and from ±delta/±beta (the kinks): ±(0.2…0.8) and ±(1.3…2).
    private var expected: Tensor {
        let sizes = Tensor(doubles: [0.3, 0.6, 1.4, 1.8, 0.25, 0.7, 1.5, 1.9, 0.4, 0.5, 1.35, 2.0], shape: [3, 4], dtype: .float64)
        let signs = Tensor(doubles: [1, -1, 1, -1, -1, 1, -1, 1, 1, 1, -1, -1], shape: [3, 4], dtype: .float64)
        return predicted - sizes * signs
    }

    @Test(arguments: Reduction.allCases)
    func regression(reduction: Reduction) {
        let inputs = [predicted, expected]
        expectGradientsMatchFiniteDifferences(at: inputs) { xs in
            meanAbsoluteError(predicted: xs[0], expected: xs[1], reduction: reduction).sum()
        }
        expectGradientsMatchFiniteDifferences(at: inputs) { xs in
            meanSquaredError(predicted: xs[0], expected: xs[1], reduction: reduction).sum()
        }
        expectGradientsMatchFiniteDifferences(at: inputs) { xs in
            huberLoss(predicted: xs[0], expected: xs[1], delta: 1, reduction: reduction).sum()
        }
        expectGradientsMatchFiniteDifferences(at: inputs) { xs in
            smoothL1Loss(predicted: xs[0], expected: xs[1], beta: 1, reduction: reduction).sum()
        }
    }

    @Test func binary() {
        let probabilities = Self.random([3, 4], 0.05, 0.95, seed: 2)
        let labels = Self.random([3, 4], 0, 1, seed: 3)
        let logits = Self.random([3, 4], -4, 4, seed: 4)
        expectGradientsMatchFiniteDifferences(at: [probabilities, labels]) { xs in
            binaryCrossEntropy(probabilities: xs[0], labels: xs[1])
        }
        expectGradientsMatchFiniteDifferences(at: [logits, labels]) { xs in
            binaryCrossEntropy(logits: xs[0], labels: xs[1], reduction: .sum)
        }
        let positiveWeight = Tensor(doubles: [0.5, 1, 2, 3], shape: [4], dtype: .float64)
        expectGradientsMatchFiniteDifferences(at: [logits, labels, positiveWeight]) { xs in
            binaryCrossEntropy(logits: xs[0], labels: xs[1], positiveWeight: xs[2])
        }
    }

    @Test func categorical() {
        let logits = Self.random([4, 5], -3, 3, seed: 5)
        let labels = Tensor(shape: [4], scalars: [Int32(0), 4, 2, 2])
        let targets = softmax(Self.random([4, 5], seed: 6))
        for smoothing in [0, 0.2] {
            expectGradientsMatchFiniteDifferences(at: [logits]) { xs in
                crossEntropy(logits: xs[0], labels: labels, labelSmoothing: smoothing)
            }
            expectGradientsMatchFiniteDifferences(at: [logits, targets]) { xs in
                crossEntropy(logits: xs[0], probabilities: xs[1], reduction: .sum, labelSmoothing: smoothing)
            }
        }
        let logProbabilities = logSoftmax(logits)
        expectGradientsMatchFiniteDifferences(at: [logProbabilities]) { xs in
            negativeLogLikelihood(logProbabilities: xs[0], labels: labels)
        }
        expectGradientsMatchFiniteDifferences(at: [logProbabilities, targets]) { xs in
            klDivergence(logProbabilities: xs[0], targets: xs[1], reduction: .batchMean)
        }
    }
}

// MARK: - Properties

@Suite("Cost functions")
struct LossPropertyTests {
    private let logits = Tensor([[2, -1, 0.5], [100, -100, 0], [0.1, 0.2, 0.3], [-3, 3, 1]] as [[Float]])
    private let labels = Tensor(shape: [4], scalars: [Int32(0), 1, 2, 1])

    @Test func classLabelsAgreeWithOneHotProbabilities() {
        let oneHot = Tensor(oneHotAtIndices: labels, depth: 3)
        for smoothing in [0, 0.1] {
            for reduction in Reduction.allCases {
                expectClose(crossEntropy(logits: logits, labels: labels, reduction: reduction, labelSmoothing: smoothing),
                            crossEntropy(logits: logits, probabilities: oneHot, reduction: reduction, labelSmoothing: smoothing))
            }
        }
    }

    @Test func crossEntropyIsNegativeLogLikelihoodOfLogSoftmax() {
        expectClose(crossEntropy(logits: logits, labels: labels, reduction: .none),
                    negativeLogLikelihood(logProbabilities: logSoftmax(logits), labels: labels, reduction: .none))
        // The example with logits ±100 and the label on −100 costs 200, finitely.
        expectClose(crossEntropy(logits: logits, labels: labels, reduction: .none)[1], Tensor(Float(200)))
    }

    @Test func reductions() {
        let losses = Tensor([[1, 2, 3], [4, 5, 6]] as [[Float]])
        #expect(Reduction.mean.apply(to: losses).doubleValue == 3.5)
        #expect(Reduction.sum.apply(to: losses).doubleValue == 21)
        #expect(Reduction.batchMean.apply(to: losses).doubleValue == 10.5)
        #expect(Reduction.none.apply(to: losses).shape == [2, 3])
        let predicted = Tensor([0.5, -1, 2] as [Float])
        let expected = Tensor([0, 1, 1] as [Float])
        #expect(meanSquaredError(predicted: predicted, expected: expected).doubleValue == 1.75)
    }

    @Test func binaryCrossEntropyOfLogitsIsThatOfSigmoid() {
        let x = Tensor([-3, -0.5, 0, 0.7, 4] as [Float])
        let y = Tensor([0, 1, 0.3, 1, 0] as [Float])
        expectClose(binaryCrossEntropy(logits: x, labels: y, reduction: .none),
                    binaryCrossEntropy(probabilities: sigmoid(x), labels: y, reduction: .none))
    }

    @Test func float64InFloat64Out() {
        let x = Tensor(doubles: [0.2, 0.9], shape: [2], dtype: .float64)
        #expect(binaryCrossEntropy(probabilities: x, labels: x).dtype == .float64)
        #expect(huberLoss(predicted: x, expected: x * 2).dtype == .float64)
    }

    @Test func lossByName() {
        #expect(Loss.names == ["mse", "mae", "huber", "smooth-l1", "bce", "bce-logits", "cross-entropy", "nll", "kl-div"])
        for name in Loss.names {
            #expect(Loss(name: name)?.name == name)
        }
        #expect(Loss(name: "cross-entropy") == .crossEntropy(labelSmoothing: 0))
        #expect(Loss(name: "huber") == .huber(delta: 1))
        #expect(Loss(name: "hinge") == nil)
        #expect(Loss.huber(delta: 0.5).description == "huber(delta: 0.5)")
        #expect(Loss.crossEntropy().description == "cross-entropy")
    }

    @Test func lossCallsTheMatchingFunction() {
        let probabilities = softmax(logits)
        let logProbabilities = logSoftmax(logits)  // finite, unlike log(softmax) for logits of ±100
        let smoothed = Loss.crossEntropy(labelSmoothing: 0.1)
        expectClose(smoothed(predicted: logits, expected: labels),
                    crossEntropy(logits: logits, labels: labels, labelSmoothing: 0.1))
        expectClose(smoothed(predicted: logits, expected: probabilities, reduction: .sum),
                    crossEntropy(logits: logits, probabilities: probabilities, reduction: .sum, labelSmoothing: 0.1))
        expectClose(Loss.negativeLogLikelihood(predicted: logProbabilities, expected: labels),
                    crossEntropy(logits: logits, labels: labels))
        expectClose(Loss.klDivergence(predicted: logProbabilities, expected: probabilities), Tensor(Float(0)))
        let p = Tensor([0.2, 0.7] as [Float]), y = Tensor([0, 1] as [Float])
        expectClose(Loss.meanSquaredError(predicted: p, expected: y), meanSquaredError(predicted: p, expected: y))
        expectClose(Loss.meanAbsoluteError(predicted: p, expected: y), meanAbsoluteError(predicted: p, expected: y))
        expectClose(Loss.huber(delta: 0.5)(predicted: p, expected: y), huberLoss(predicted: p, expected: y, delta: 0.5))
        expectClose(Loss.smoothL1(beta: 0.5)(predicted: p, expected: y), smoothL1Loss(predicted: p, expected: y, beta: 0.5))
        expectClose(Loss.binaryCrossEntropy(predicted: p, expected: y), binaryCrossEntropy(probabilities: p, labels: y))
        expectClose(Loss.binaryCrossEntropyWithLogits(predicted: p, expected: y), binaryCrossEntropy(logits: p, labels: y))
    }
}
