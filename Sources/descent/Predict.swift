import ArgumentParser
import Descent
import Foundation

/// `descent predict`: applies a saved model to inputs from a CSV or .npy file.
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply a saved model to inputs (CSV with a header row, .npy, .npz, or for image models PNG/JPEG files or a folder of them).")

    @Argument(help: "The model folder written by `descent train --output`.")
    var model: String
    @Argument(help: "The inputs: a CSV file (feature columns only, or with the target column, which is ignored), a .npy array or .npz archive (its one array, or its array x), or an image (.png, .jpg) or a folder of images for a model trained on images.")
    var input: String
    @Option(help: ArgumentHelp("For a model trained on a CSV file: what to do with a category training never saw: stop with an "
                                   + "error naming row, column and value (the default), or ignore it (all of the column's features 0).",
                               valueName: "error|ignore"))
    var unknownCategory: UnknownCategoryPolicy = .error
    @Option(help: "Write the predictions to this .csv or .npy file instead of standard output.")
    var output: String?

    func validate() throws {
        let inputIsImage = DatasetSource.isImageFolder(input)
            || Image.fileExtensions.contains(URL(fileURLWithPath: input).pathExtension.lowercased())
        if !inputIsImage, ![".csv", ".npy", ".npz"].contains(where: input.lowercased().hasSuffix) {
            throw ValidationError("'\(input)' must end in .csv, .npy or .npz")
        }
        if let output, ![".csv", ".npy"].contains(where: output.lowercased().hasSuffix) {
            throw ValidationError("'\(output)' must end in .csv or .npy")
        }
    }

    func run() throws {
        try reported {
            let predictions = try SavedModel(folder: model).predict(inputsAt: input, unknownCategory: unknownCategory)
            if let output {
                try predictions.write(to: output)
            } else {
                print(predictions.imageLines() ?? predictions.csv(), terminator: "")
            }
        }
    }
}
