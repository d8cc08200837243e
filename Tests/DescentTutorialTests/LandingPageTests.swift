import Descent
import Testing

/// The code on the documentation's first page (Descent.docc/Descent.md), line for line
/// (``TutorialCodeTests``): one epoch of mini-batch descent on the built-in digits.
@Suite struct LandingPageTests {
    @Test func oneEpochOnTheDigitsLearns() throws {
        let (train, test) = try Dataset.digits().split(validationFraction: 0.2, seed: 1)
        var model = Sequential {
            Dense(inputCount: 64, outputCount: 64, activation: .relu)
            Dense(inputCount: 64, outputCount: 10)
        }
        let optimizer = SGD(learningRate: 0.05, momentum: 0.9)
        for batch in train.batches(.miniBatch(size: 32), shuffled: true, seed: 7) {
            let gradients = gradient(at: model) { model in
                crossEntropy(logits: model(batch.inputs), labels: batch.labels)
            }
            optimizer.update(&model, along: gradients)
        }
        print(model.evaluate(on: test, loss: .crossEntropy(), metrics: [.accuracy]))

        // 45 steps from random weights: most digits right already.
        #expect(model.evaluate(on: test, loss: .crossEntropy(), metrics: [.accuracy])["accuracy"]! > 0.8)
    }
}
