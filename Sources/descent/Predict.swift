import ArgumentParser
import Descent
import Foundation

/// `descent predict`: applies a saved model to inputs from a CSV or .npy file.
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply a saved model to inputs (CSV with a header row, or .npy); class names for classifiers.")

    @Argument(help: "The model folder written by `descent train --output`.")
    var model: String
    @Argument(help: "The inputs: a CSV file (feature columns only, or with the target column, which is ignored) or a .npy array.")
    var input: String
    @Option(help: "Write the predictions to this .csv or .npy file instead of standard output.")
    var output: String?

    func validate() throws {
        for path in [input] + (output.map { [$0] } ?? []) {
            let lower = path.lowercased()
            guard lower.hasSuffix(".csv") || lower.hasSuffix(".npy") else {
                throw ValidationError("'\(path)' must end in .csv or .npy")
            }
        }
    }

    func run() throws {
        try reported {
            let loaded = try LoadedModel(folder: model)
            guard FileManager.default.fileExists(atPath: input) else {
                throw ValidationErrorMessage(text: "the input file '\(input)' does not exist")
            }
            let features = try PredictionInputs.read(URL(fileURLWithPath: input), excluding: loaded.metadata.target,
                                                     expectedCount: loaded.inputCount)
            let outputs = loaded.model.predict(try loaded.prepare(features, source: input))
            let predictions = PredictionOutputs(outputs: outputs, classNames: loaded.metadata.classNames,
                                                lossName: loaded.metadata.lossName)
            if let output {
                let url = URL(fileURLWithPath: output)
                if output.lowercased().hasSuffix(".npy") {
                    try AtomicFile.write(Data(NPY.encode(predictions.tensor)), to: url)
                } else {
                    try AtomicFile.write(Data(predictions.csv().utf8), to: url)
                }
            } else {
                print(predictions.csv(), terminator: "")
            }
        }
    }
}
