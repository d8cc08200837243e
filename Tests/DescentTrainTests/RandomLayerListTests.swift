import Descent
import Testing
import _DescentTestSupport

/// Layer lists drawn at random (`--layers` is text from the command line): each is either
/// refused with a ``TrainingError`` naming its item, or builds a network that takes a training
/// step, forward and backward, and an evaluation, with finite values and a gradient for every
/// parameter. Nothing may stop the process: a convolution whose padding was wider than its
/// output once did, on a map pooled down to two columns.
@Suite struct RandomLayerListTests {
    /// One item of the list's grammar, with small sizes (so that a step is quick) and, now and
    /// then, a setting that cannot work on the shape it will get.
    static func item(_ draws: inout SeededDraws) -> String {
        switch draws.upTo(11) {
        case 0, 1:
            var convolution = "conv=\(1 + draws.upTo(5))x\(1 + draws.upTo(7))"
            if draws.chance(2) { convolution += "s\(1 + draws.upTo(2))" }
            if draws.chance(2) { convolution += draws.chance(4) ? "psame" : "p\(draws.upTo(5))" }
            if draws.chance(4) { convolution += "d\(1 + draws.upTo(2))" }
            if draws.chance(5) { convolution += "g\(1 + draws.upTo(2))" }
            return convolution
        case 2: return "\(draws.pick(["maxpool", "avgpool"]))=\(1 + draws.upTo(3))" + (draws.chance(2) ? "s\(1 + draws.upTo(2))" : "")
        case 3: return draws.pick(["relu", "tanh", "sigmoid", "gelu", "elu", "leaky-relu", "softplus", "identity"])
        case 4: return "batchnorm"
        case 5: return "dropout=\(draws.pick(["0", "0.2", "0.5"]))"
        case 6: return "dropout2d=\(draws.pick(["0.1", "0.5"]))"
        case 7: return "flatten"
        case 8: return "globalavgpool"
        default: return "\(1 + draws.upTo(6))"
        }
    }

    @Test func everyListIsRefusedOrTrains() throws {
        var draws = SeededDraws(seed: 0x1A7E)
        var (refused, trained) = (0, 0)
        for index in 0..<2000 {
            let inputShape = draws.chance(5) ? [1 + draws.upTo(6)]
                : [1 + draws.upTo(2), 1 + draws.upTo(11), 1 + draws.upTo(11)]
            let list = (0..<(1 + draws.upTo(5))).map { _ in Self.item(&draws) }.joined(separator: ",")
            let context = Comment(rawValue: "--layers \(list) on examples \(inputShape)")
            let layers: [LayerConfiguration]
            do {
                layers = try LayerList.parse(list, inputShape: inputShape, outputCount: 3)
            } catch is TrainingError {
                refused += 1
                continue
            }
            let model = try Sequential(layers: layers, seed: UInt64(index))
            let batch = 2 + draws.upTo(2)  // fit refuses batch norm on one example, as PyTorch
            let x = Tensor.randomNormal([batch] + inputShape, dtype: .float32, seed: UInt64(index))
            let labels = Tensor((0..<batch).map { Int32($0 % 3) })
            let (cost, gradient) = valueWithGradient(at: model.training(true)) { model in
                crossEntropy(logits: model(x), labels: labels)
            }
            #expect(cost.scalar(as: Double.self).isFinite, context)
            for (name, parameter) in model.parameters {
                #expect(gradient[name]?.shape == parameter.shape, "\(name), \(context)")
            }
            let logits = model.training(false)(x)
            #expect(logits.shape == [batch, 3], context)
            #expect(logits.scalars(as: Float.self).allSatisfy { $0.isFinite }, context)
            trained += 1
        }
        // The draws reach both outcomes often.
        #expect(refused >= 300 && trained >= 300, "\(refused) refused, \(trained) trained")
    }
}
