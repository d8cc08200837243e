import DescentCore
import DescentNN
import Foundation

extension StepExplainer {
    /// A step of the model saved in `folder` on one example: the input as typed (standardized
    /// with the training statistics when training standardized), the target a number per output
    /// or, for a classifier, a class index or name.
    ///
    /// - Parameters:
    ///   - folder: the saved model's folder (`descent train --output`).
    ///   - input: the example's features, as typed.
    ///   - target: the example's target: a number per output, or a class index or name.
    ///   - learningRate: η, the step's learning rate.
    ///   - cost: the cost to explain; by default the one the model was trained with
    ///     (`mse`, `cross-entropy` or `nll`), or `mse` when the folder does not say.
    /// - Throws: what ``SavedModel/init(folder:)`` throws; ``ExplainError`` when the model
    ///   cannot be explained, the example does not fit it, or it was trained with a cost the
    ///   explainer does not have and `cost` is nil.
    public init(modelFolder folder: String, input: [Double], target: [String], cost: ExplainedCost? = nil,
                learningRate: Double) throws {
        let saved = try SavedModel(folder: folder)
        let explainedCost = try Self.cost(cost, for: saved)
        let y = try Self.target(target, cost: explainedCost, classNames: saved.metadata.classNames)
        try self.init(saved, input: input, target: y, cost: explainedCost, learningRate: learningRate)
    }

    /// A step of the model saved in `folder` on row `row` (from 0, after the header) of the
    /// data named `source` (a CSV file or a built-in dataset), read as the model's training data
    /// were: the same target column, classes and standardization.
    ///
    /// - Throws: what ``init(modelFolder:input:target:cost:learningRate:)`` throws; what
    ///   ``DatasetSource/load(_:dataDirectory:target:classNames:task:imageSize:imageChannels:reading:encoding:)``
    ///   throws; ``ExplainError`` for a row that is not in the data.
    public init(modelFolder folder: String, data source: String, row: Int, cost: ExplainedCost? = nil,
                learningRate: Double) throws {
        let saved = try SavedModel(folder: folder)
        let explainedCost = try Self.cost(cost, for: saved)
        // A binary model's labels are read as class indices, as `SavedModel.evaluate` reads them.
        let task = saved.metadata.task.map { $0 == .binary ? PredictionTask.classification : $0 }
        let (train, test) = try DatasetSource.load(source, target: saved.metadata.target,
                                                  classNames: saved.metadata.classNames, task: task)
        let data = test ?? train
        guard (0..<data.count).contains(row) else {
            throw ExplainError(location: "--row", expected: "a row of '\(source)' in 0..<\(data.count)", found: "\(row)")
        }
        guard data.features.dtype != .uint8 else {
            throw ExplainError(location: "--data", expected: "rows of numbers (a CSV file)", found: "images in '\(source)'")
        }
        try self.init(saved, input: data.features[row..<(row + 1)].doubles(), target: data.labels[row..<(row + 1)].doubles(),
                      cost: explainedCost, learningRate: learningRate)
    }

    /// A step of `saved` on an example as typed (standardized here when training standardized).
    private init(_ saved: SavedModel, input: [Double], target: [Double], cost: ExplainedCost,
                 learningRate: Double) throws {
        var x = input
        if saved.metadata.standardizer != nil {
            // Standardized as training did; the library's preprocessing works in float32.
            x = try saved.prepare(Tensor(doubles: input, shape: [1, input.count], dtype: .float64), source: "--input").doubles()
        }
        try self.init(model: saved.model, input: x, target: target, cost: cost, learningRate: learningRate)
        standardizedInput = saved.metadata.standardizer != nil
    }

    /// `chosen`, else the cost `saved` was trained with, else `mse` when the folder does not
    /// say.
    ///
    /// - Throws: ``ExplainError`` when the model was trained with a cost the explainer does
    ///   not have and none was chosen.
    private static func cost(_ chosen: ExplainedCost?, for saved: SavedModel) throws -> ExplainedCost {
        if let chosen { return chosen }
        guard let lossName = saved.metadata.lossName else { return .mse }
        guard let trained = ExplainedCost(trainedWith: lossName) else {
            throw ExplainError(location: "the model folder '\(saved.folder)'",
                               expected: "a model trained with mse, cross-entropy, nll, bce or bce-logits, "
                                   + "or a cost given with --cost (\(ExplainedCost.allCases.map(\.rawValue).joined(separator: ", ")))",
                               found: "a model trained with \(lossName)")
        }
        return trained
    }

    /// The target as numbers: each value a number, or for a class-index cost one class name of
    /// `classNames`.
    static func target(_ values: [String], cost: ExplainedCost, classNames: [String]?) throws -> [Double] {
        if cost.takesClassIndex, values.count == 1, Double(values[0]) == nil {
            guard let index = classNames?.firstIndex(of: values[0]) else {
                throw ExplainError(location: "the target (--target)",
                                   expected: "a class index" + (classNames.map { " or one of \($0.joined(separator: ", "))" } ?? ""),
                                   found: "'\(values[0])'")
            }
            return [Double(index)]
        }
        return try numbers(values.joined(separator: ","), option: "--target")
    }

    /// Comma-separated numbers, as `--input 1,0` gives them.
    ///
    /// - Throws: ``ExplainError`` naming `option` and the first item that is not a number.
    public static func numbers(_ text: String, option: String) throws -> [Double] {
        let items = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        return try items.map { item in
            guard let value = Double(item), value.isFinite else {
                throw ExplainError(location: option, expected: "comma-separated numbers such as 1,0", found: "'\(item)' in '\(text)'")
            }
            return value
        }
    }

    /// Replaces the model's weights with those of the safetensors file at `path`, named as the
    /// model's (`0.weight`, `0.bias`, `2.weight` … for the default perceptron).
    ///
    /// - Throws: the loader's error listing missing, unexpected or misshapen tensors; then
    ///   ``ExplainError`` as ``init(model:input:target:cost:learningRate:)`` does.
    public mutating func loadWeights(from path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ExplainError(location: "--init", expected: "a .safetensors file", found: "no file at '\(path)'")
        }
        try model.loadParameters(contentsOf: URL(fileURLWithPath: path))
        _ = try checkedNetwork()
    }
}
