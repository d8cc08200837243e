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
