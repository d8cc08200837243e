import DescentCore
import DescentNN
import Foundation

extension StepExplainer {
    /// A step of the model saved in `folder` on one example: the input as typed (standardized
    /// with the training statistics when training standardized), the target a number per output
    /// or, for a classifier, a class index or name.
    ///
    /// - Parameter cost: the cost to explain; by default the one the model was trained with
    ///   (`mse`, `cross-entropy` or `nll`), or `mse` when the folder does not say.
    /// - Throws: what ``SavedModel/init(folder:)`` throws; ``ExplainError`` when the model
    ///   cannot be explained, the example does not fit it, or it was trained with a cost the
    ///   explainer does not have and `cost` is nil.
    public init(modelFolder folder: String, input: [Double], target: [String], cost: ExplainedCost? = nil,
                learningRate: Double) throws {
        let saved = try SavedModel(folder: folder)
        var chosen = cost
        if chosen == nil, let lossName = saved.metadata.lossName {
            guard let trained = ExplainedCost(trainedWith: lossName) else {
                throw ExplainError(location: "the model folder '\(folder)'",
                                   expected: "a model trained with \(["mse", "cross-entropy", "nll"].joined(separator: ", ")), "
                                       + "or a cost given with --cost (\(ExplainedCost.allCases.map(\.rawValue).joined(separator: ", ")))",
                                   found: "a model trained with \(lossName)")
            }
            chosen = trained
        }
        let explainedCost = chosen ?? .mse
        var x = input
        if saved.metadata.standardizer != nil {
            // Standardized as training did; the library's preprocessing works in float32.
            x = try saved.prepare(Tensor(doubles: input, shape: [1, input.count], dtype: .float64), source: "--input").doubles()
        }
        let y = try Self.target(target, cost: explainedCost, classNames: saved.metadata.classNames)
        try self.init(model: saved.model, input: x, target: y, cost: explainedCost, learningRate: learningRate)
        standardizedInput = saved.metadata.standardizer != nil
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
