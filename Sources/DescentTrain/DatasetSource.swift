import Foundation

/// Data named the way a person names them: a built-in set (`digits`, `xor`, `moons`, `circles`,
/// `spirals`, `mnist`, `cifar10`), a CSV file path, or a folder of images with one subfolder per
/// class (see `Dataset/imageFolder(at:size:channels:classNames:)`).
public enum DatasetSource {
    /// The built-in names ``load(_:dataDirectory:target:classNames:task:imageSize:imageChannels:reading:encoding:)`` accepts besides file paths.
    public static let builtinNames = ["digits", "xor", "moons", "circles", "spirals", "mnist", "cifar10"]

    /// The data named `source`, with the test part when the source has one (MNIST's test set);
    /// otherwise `test` is nil and the caller splits off validation data.
    ///
    /// - Parameters:
    ///   - source: a built-in dataset's name (`digits`, `mnist` …), a CSV file's path or an image folder's.
    ///   - dataDirectory: the folder holding MNIST's IDX files (or its `mnist` subfolder), or
    ///     CIFAR-10's batch files (see `CIFAR10Locator`); when nil, `$DESCENT_DATA` and the
    ///     per-user cache are searched (see `MNISTLocator`).
    ///   - target: the CSV column to predict (by default the last).
    ///   - classNames: a trained model's classes, so that labels of new data match them.
    ///   - task: reads the target as this kind of task instead of the inferred one.
    ///   - imageSize: for an image folder, the size every image is resized to (else all must
    ///     share one size); `imageChannels` forces 1 or 3 channels.
    ///   - imageChannels: for an image folder, 1 or 3 to force that many channels.
    ///   - reading: how a CSV file's columns are read (its target is replaced by `target` when
    ///     that is given).
    ///   - encoding: a saved model's table encoding: a CSV file's columns are matched to it by
    ///     name and encoded as in training.
    /// - Throws: ``TrainingError/invalidSetting(_:)`` for a name that is neither built in nor a
    ///   `.csv` path nor a folder; `DataError` or file errors from reading (for MNIST not found, the folders
    ///   looked in); ``TrainingError/incompatibleData(_:)`` when the data cannot be read as `task`.
    public static func load(_ source: String, dataDirectory: String? = nil, target: String? = nil,
                            classNames: [String]? = nil, task: PredictionTask? = nil,
                            imageSize: (height: Int, width: Int)? = nil, imageChannels: Int? = nil,
                            reading: TableReading = TableReading(), encoding: TableEncoding? = nil) throws -> (train: Dataset, test: Dataset?) {
        var reading = reading
        reading.target = target ?? reading.target
        let (train, test) = isImageFolder(source)
            ? (try Dataset.imageFolder(at: URL(fileURLWithPath: source), size: imageSize, channels: imageChannels,
                                       classNames: classNames), nil)
            : try loadAsInferred(source, dataDirectory: dataDirectory, reading: reading, encoding: encoding,
                                 classNames: classNames, task: task)
        guard let task else { return (train, test) }
        return (try task.apply(to: train, source: source), try test.map { try task.apply(to: $0, source: source) })
    }

    /// The validation data in the CSV file at `path`, read as `training` was: the same target
    /// column, the same task and the same class indices.
    ///
    /// - Throws: ``SettingError`` when the file is not a `.csv` file; ``TrainingError`` when it
    ///   does not exist, or its features or classes do not match the training data's (naming
    ///   file and line); `DataError` for a malformed file.
    public static func loadValidation(_ path: String, matching training: Dataset, target: String? = nil) throws -> Dataset {
        guard path.lowercased().hasSuffix(".csv") else {
            throw SettingError(.validationFile, .invalid(expected: "a .csv file", found: "'\(path)'"))
        }
        guard FileManager.default.fileExists(atPath: path) else {
            throw TrainingError.invalidSetting("the validation file '\(path)' does not exist")
        }
        let classNames = training.classNames ?? training.classCount.map { (0..<$0).map(String.init) }
        let validation: Dataset
        do {
            let url = URL(fileURLWithPath: path)
            if let encoding = training.tableEncoding {
                validation = try Dataset.csv(contentsOf: url, encoding: encoding, reading: TableReading(target: target),
                                             task: training.task, classNames: classNames)
            } else {
                validation = try Dataset.csv(contentsOf: url, target: target, task: training.task, classNames: classNames)
            }
        } catch let error as DataError where error.kind == .invalidArgument && error.message.contains("model's classes") {
            // A class the training data do not have.
            throw TrainingError.incompatibleData("the validation file has a class the training data do not have: \(error)")
        } catch let error as DataError where error.kind == .unknownColumn || error.kind == .invalidArgument {
            // A column or a category the training file does not have.
            throw TrainingError.incompatibleData("the validation file does not fit the training data: \(error)")
        }
        guard validation.featureCount == training.featureCount else {
            throw TrainingError.incompatibleData(
                "the validation file '\(path)' does not have the training data's features: expected \(training.featureCount) feature columns, found \(validation.featureCount)")
        }
        if let expected = training.featureNames, let found = validation.featureNames, expected != found {
            throw TrainingError.incompatibleData(
                "the validation file '\(path)' has the feature columns \(found.joined(separator: ",")), "
                    + "but the training data have \(expected.joined(separator: ",")) (the same columns in the same order are needed)")
        }
        return validation
    }

    /// Whether `source` names an existing folder (read as an image folder) rather than a
    /// built-in set or a file.
    public static func isImageFolder(_ source: String) -> Bool {
        guard !builtinNames.contains(source) else { return false }
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    private static func loadAsInferred(_ source: String, dataDirectory: String?, reading: TableReading, encoding: TableEncoding?,
                                       classNames: [String]?, task: PredictionTask?) throws -> (train: Dataset, test: Dataset?) {
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
        case "cifar10":
            let folder = try CIFAR10Locator(dataDirectory: dataDirectory.map { URL(fileURLWithPath: $0) }).locate()
            let (train, test) = try Dataset.cifar10(directory: folder)
            return (train, test)
        default:
            guard source.lowercased().hasSuffix(".csv") else {
                throw TrainingError.invalidSetting(
                    "unknown dataset \"\(source)\": expected one of \(builtinNames.joined(separator: ", ")), a .csv file or an image folder")
            }
            guard FileManager.default.fileExists(atPath: source) else {
                throw TrainingError.invalidSetting("the data file '\(source)' does not exist")
            }
            let url = URL(fileURLWithPath: source)
            if let encoding {
                return (try Dataset.csv(contentsOf: url, encoding: encoding, reading: reading, task: task, classNames: classNames), nil)
            }
            return (try Dataset.csv(contentsOf: url, reading: reading, task: task, classNames: classNames), nil)
        }
    }
}
