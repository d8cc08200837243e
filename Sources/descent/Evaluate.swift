import ArgumentParser
import Descent
import Foundation

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
    @Flag(help: "Print the metrics as one JSON object.")
    var json = false

    func run() throws {
        try reported {
            let loaded = try LoadedModel(folder: model)
            // The target is read as training read it (classes or numbers); whether the classes
            // fit the model is checked below, with the input size first.
            let task = loaded.metadata.task.map { $0 == .binary ? TaskKind.classification : $0 }
            let (train, test) = try DatasetSource.load(dataset, dataDirectory: dataDir, target: target ?? loaded.metadata.target,
                                                      classNames: loaded.metadata.classNames, task: task)
            var data = test ?? train
            data.features = try loaded.prepare(data.features, source: dataset)
            let recipe = try TrainingRecipe(task: data.task, lossName: loaded.metadata.lossName, labels: data.labels)
            data = recipe.prepare(data)
            let outputs = loaded.model.predict(data.features[0..<min(1, data.count)])
            if data.count > 0, outputs.shape.last != recipe.outputCount {
                throw ValidationErrorMessage(text: "the model has \(outputs.shape.last ?? 0) outputs, but '\(dataset)' needs \(recipe.outputCount) (\(data.task))")
            }
            var values = loaded.model.evaluate(on: data, loss: recipe.loss, metrics: recipe.metrics)
            if json {
                values["count"] = Double(data.count)
                print(try jsonLine(values))
            } else {
                print("\(dataset): \(data.count) examples  " + formatted(values, order: ["loss"] + recipe.metrics.map(\.name)))
            }
        }
    }
}
