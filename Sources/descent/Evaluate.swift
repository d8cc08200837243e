import ArgumentParser
import Descent

/// `descent evaluate`: the cost and metrics of a saved model on a dataset.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Measure a saved model on a dataset.")

    @Argument(help: "The model folder written by `descent train --output`.")
    var model: String
    @Argument(help: "A built-in dataset or a CSV file (for MNIST, its test set).")
    var dataset: String
    @Option(help: "The CSV column to predict (default: the one the model was trained on, else the last).")
    var target: String?
    @Option(help: "Where MNIST's IDX files are (default: $DESCENT_DATA, then the per-user cache).")
    var dataDir: String?
    @Option(help: ArgumentHelp("For a model trained on a CSV file: what to do with a category training never saw: stop with an "
                                   + "error naming row, column and value (the default), or ignore it (all of the column's features 0).",
                               valueName: "error|ignore"))
    var unknownCategory: UnknownCategoryPolicy = .error
    @Flag(help: "Print the metrics as one JSON object.")
    var json = false

    func run() throws {
        try reported {
            let evaluation = try SavedModel(folder: model).evaluate(on: dataset, dataDirectory: dataDir, target: target, unknownCategory: unknownCategory)
            if json {
                var values = evaluation.values
                values["count"] = Double(evaluation.count)
                print(JSONValue(metrics: values).text)
            } else {
                print("\(dataset): \(counted(evaluation.count, "example"))  " + formatted(evaluation.values, order: evaluation.names))
            }
        }
    }
}
