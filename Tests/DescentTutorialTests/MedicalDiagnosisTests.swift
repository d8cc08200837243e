import Descent
import Foundation
import Testing

/// The tutorial "A medical diagnosis": binary classification of the shared `breast_cancer.csv`
/// (569 tumours, 30 measurements each, benign or malignant) with one logit and binary
/// cross-entropy, then the confusion matrix, precision and recall counted from the predictions,
/// at the threshold 0.5 and at a lower one. Its code, line for line (``TutorialCodeTests``), and
/// what the text says of the run.
@Suite struct MedicalDiagnosisTests {
    @Test func theNetworkDiagnosesTumours() throws {
        guard let breastCancerPath = SharedTutorialData.path("tabular/breast_cancer.csv") else {
            print("skipped: the shared breast_cancer.csv is not here (set DESCENT_SHARED_DATA)")
            return
        }
        // The CSV file to read: its path as the program's argument, or breast_cancer.csv here.
        let path = breastCancerPath
        // The diagnosis column holds words, so it is read as two classes: benign is class 0, and
        // malignant, the finding the test is for, class 1 (the "positive" class).
        let reading = TableReading(target: "diagnosis")
        let patients = try Dataset.csv(contentsOf: URL(fileURLWithPath: path), reading: reading,
                                       classNames: ["benign", "malignant"])
        print(patients.count, "patients,", patients.featureCount, "measurements each, classes", patients.classNames!)

        // 20 % of the patients held out; each measurement scaled to mean 0 and standard deviation 1
        // with the training patients' statistics (areas in the hundreds, smoothness in hundredths).
        let (train, validation) = try patients.split(validationFraction: 0.2, seed: 7)
        let features = FeatureStandardizer(fitting: train)
        // Binary cross-entropy compares each patient's one output with a label of the same shape:
        // the class numbers 0 and 1 become a column of floats.
        func prepared(_ data: Dataset) throws -> Dataset {
            var result = try features.apply(to: data)
            result.labels = data.labels.cast(to: .float32).reshaped(to: [data.count, 1])
            return result
        }
        let scaledTrain = try prepared(train)
        let scaledValidation = try prepared(validation)

        // The cost of one patient whose logit is z = 2, that is σ(2) = 0.88 "malignant":
        // small if the tumour is malignant, large if it is benign; a confident mistake costs most.
        let z = Tensor([[2]] as [[Float]])
        let ifMalignant = binaryCrossEntropy(logits: z, labels: Tensor([[1]] as [[Float]])).doubleValue
        let ifBenign = binaryCrossEntropy(logits: z, labels: Tensor([[0]] as [[Float]])).doubleValue
        print("σ(2) =", sigmoid(z).doubleValue, "cost if malignant:", ifMalignant, "if benign:", ifBenign)

        // 30 measurements → 16 ReLU units → one logit. No sigmoid at the end: the cost applies it.
        var model = Sequential {
            Dense(inputCount: train.featureCount, outputCount: 16, activation: .relu, seed: 1)
            Dense(inputCount: 16, outputCount: 1, seed: 2)
        }
        let history = try model.fit(scaledTrain, validation: scaledValidation, epochs: 30,
                                    loss: .binaryCrossEntropyWithLogits, optimizer: Adam(learningRate: 0.001),
                                    batching: .miniBatch(size: 32), seed: 3, metrics: [.accuracy])
        print("validation cost, first and last epoch:", history["val_loss"]!.first!, history["val_loss"]!.last!)
        print("validation accuracy:", history["val_accuracy"]!.last!)

        // Each held-out patient's probability of a malignant tumour, σ(logit), and the truth.
        let probabilities = sigmoid(model(scaledValidation.features)).doubles()
        let truth = validation.labels.scalars(as: Int32.self)
        // The four outcomes of a diagnosis, counted over the patients.
        struct Confusion {
            var truePositives = 0, falsePositives = 0, trueNegatives = 0, falseNegatives = 0
            // Of the patients called malignant, the fraction who are.
            var precision: Double { Double(truePositives) / Double(truePositives + falsePositives) }
            // Of the malignant tumours, the fraction found.
            var recall: Double { Double(truePositives) / Double(truePositives + falseNegatives) }
        }
        // Says "malignant" for every probability from `threshold` up, and counts the outcomes.
        func confusion(at threshold: Double) -> Confusion {
            var counts = Confusion()
            for (probability, label) in zip(probabilities, truth) {
                switch (probability >= threshold, label == 1) {
                case (true, true): counts.truePositives += 1
                case (true, false): counts.falsePositives += 1
                case (false, false): counts.trueNegatives += 1
                case (false, true): counts.falseNegatives += 1
                }
            }
            return counts
        }
        let atHalf = confusion(at: 0.5)
        let accuracy = Double(atHalf.truePositives + atHalf.trueNegatives) / Double(truth.count)
        print("                 malignant  benign   (the truth)")
        print("said malignant  ", atHalf.truePositives, "       ", atHalf.falsePositives)
        print("said benign     ", atHalf.falseNegatives, "       ", atHalf.trueNegatives)
        print("accuracy", accuracy, "precision", atHalf.precision, "recall", atHalf.recall)

        // A missed cancer costs far more than a second look at a benign tumour: say "malignant"
        // from a probability of 0.3 up, and fewer cancers are missed, for more false alarms.
        let cautious = confusion(at: 0.3)
        print("threshold 0.3: missed", cautious.falseNegatives, "false alarms", cautious.falsePositives,
              "precision", cautious.precision, "recall", cautious.recall)

        #expect(patients.count == 569 && patients.featureCount == 30 && patients.task == .binary)
        #expect(validation.count == 114 && train.count == 455)
        #expect(scaledTrain.labels.shape == [455, 1] && scaledTrain.labels.dtype == .float32)
        // The cost by hand: −log σ(z) for a malignant tumour, −log(1 − σ(z)) for a benign one.
        let sigmoidOfTwo = 1 / (1 + Foundation.exp(-2.0))
        #expect(abs(ifMalignant - -Foundation.log(sigmoidOfTwo)) < 1e-6)
        #expect(abs(ifBenign - -Foundation.log(1 - sigmoidOfTwo)) < 1e-6)
        #expect(abs(ifBenign - ifMalignant - 2) < 1e-6)   // the two differ by exactly z
        #expect(history["val_loss"]!.last! < history["val_loss"]!.first! / 2)
        #expect(accuracy >= 0.95, "validation accuracy \(accuracy)")
        // The fit's own accuracy thresholds the logit at 0, that is the probability at 0.5.
        #expect(abs(history["val_accuracy"]!.last! - accuracy) < 1e-9)
        #expect(atHalf.truePositives + atHalf.falsePositives + atHalf.trueNegatives + atHalf.falseNegatives == validation.count)
        #expect(atHalf.truePositives + atHalf.falseNegatives == truth.filter { $0 == 1 }.count)
        #expect(truth.filter { $0 == 1 }.count == 38)
        #expect(atHalf.precision >= 0.9 && atHalf.recall >= 0.9)
        // A lower threshold finds at least as many cancers, and raises at least as many alarms.
        #expect(cautious.recall >= atHalf.recall && cautious.falseNegatives <= atHalf.falseNegatives)
        #expect(cautious.falsePositives >= atHalf.falsePositives)
        #expect(cautious.falseNegatives == 0, "at 0.3, every malignant tumour of this split is found")
        #expect(cautious.truePositives + cautious.falsePositives + cautious.trueNegatives + cautious.falseNegatives == validation.count)
    }
}
