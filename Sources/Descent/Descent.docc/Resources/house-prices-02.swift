import Descent
import Foundation

// The CSV file to read: its path as the program's argument, or housing.csv here.
let path = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "housing.csv"
var reading = TableReading(target: "price")
// Yes/no columns become one 0/1 feature each by themselves; the number of stories (1 to 4)
// is a category here: one feature per value, `stories=1` … `stories=4`.
reading.categorical = ["stories"]
let houses = try Dataset.csv(contentsOf: URL(fileURLWithPath: path), reading: reading)
print(houses.count, "houses,", houses.featureNames ?? [])

// 20 % of the houses held out, to measure the model on prices it never saw.
let (train, validation) = try houses.split(validationFraction: 0.2, seed: 0)
// Each numeric column to mean 0 and standard deviation 1, with the training split's statistics
// (lot sizes in square feet would otherwise swamp the rest); yes/no and one-hot features stay 0 and 1.
let features = FeatureStandardizer(fitting: train)
// The price too: the network learns it in standard deviations, and we turn it back into dollars.
let prices = TargetStandardizer(fitting: train.labels)
let scaledTrain = prices.standardize(try features.apply(to: train))
let scaledValidation = prices.standardize(try features.apply(to: validation))
