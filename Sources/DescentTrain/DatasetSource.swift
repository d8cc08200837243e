import Foundation

/// Where the command line's data come from: a built-in set by name (`digits`, `xor`, `moons`,
/// `circles`, `spirals`, `mnist`) or a CSV file path.
public enum DatasetSource {
    /// The built-in names ``load(_:dataDirectory:target:classNames:)`` accepts besides file paths.
    public static let builtinNames = ["digits", "xor", "moons", "circles", "spirals", "mnist"]

    /// The data named `source`, with the test part when the source has one (MNIST's test set);
    /// otherwise `test` is nil and the caller splits off validation data.
    ///
    /// - Parameters:
    ///   - dataDirectory: the folder holding MNIST's IDX files (or its `mnist` subfolder); when
    ///     nil, `$DESCENT_DATA` and the per-user cache are searched (see ``MNISTLocator``).
    ///   - target: the CSV column to predict (by default the last).
    ///   - classNames: a trained model's classes, so that labels of new data match them.
    /// - Throws: ``TrainingError/invalidSetting(_:)`` for a name that is neither built in nor a
    ///   `.csv` path; ``DataError`` or file errors from reading.
    public static func load(_ source: String, dataDirectory: String? = nil, target: String? = nil,
                            classNames: [String]? = nil) throws -> (train: Dataset, test: Dataset?) {
        switch source {
        case "digits": return (try Dataset.digits(), nil)
        case "xor": return (Dataset.xor(), nil)
        case "moons": return (Dataset.twoMoons(), nil)
        case "circles": return (Dataset.circles(), nil)
        case "spirals": return (Dataset.spirals(), nil)
        case "mnist":
            let folder = try MNISTLocator(dataDirectory: dataDirectory.map { URL(fileURLWithPath: $0) }).locate()
            let (train, test) = try Dataset.mnist(directory: folder)
            return (train, test)
        default:
            guard source.lowercased().hasSuffix(".csv") else {
                throw TrainingError.invalidSetting(
                    "unknown dataset \"\(source)\": expected one of \(builtinNames.joined(separator: ", ")) or a .csv file")
            }
            guard FileManager.default.fileExists(atPath: source) else {
                throw TrainingError.invalidSetting("the data file '\(source)' does not exist")
            }
            return (try Dataset.csv(contentsOf: URL(fileURLWithPath: source), target: target, classNames: classNames), nil)
        }
    }
}
