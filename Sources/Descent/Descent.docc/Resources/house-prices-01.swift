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
