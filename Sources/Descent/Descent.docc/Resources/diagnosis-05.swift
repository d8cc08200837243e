import Descent
import Foundation

// The CSV file to read: its path as the program's argument, or breast_cancer.csv here.
let path = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "breast_cancer.csv"
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
