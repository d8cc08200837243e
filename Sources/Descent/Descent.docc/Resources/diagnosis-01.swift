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
