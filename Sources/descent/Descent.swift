import ArgumentParser
import Descent
import Foundation

/// `descent`: train, evaluate, apply and inspect neural networks from the command line.
@main
struct DescentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "descent",
        abstract: "Train, evaluate, apply and inspect neural networks.",
        version: DescentVersion.string,
        subcommands: [Train.self, Evaluate.self, Predict.self, Inspect.self, Datasets.self],
        defaultSubcommand: nil)
}

/// Turns a library error into the one-paragraph message ArgumentParser prints on stderr with a
/// non-zero exit status.
func reported<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch {
        throw presentable(error)
    }
}

/// ``reported(_:)`` for work that waits (downloads).
func reported<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch {
        throw presentable(error)
    }
}

/// ArgumentParser's own errors as they are; any other as its description.
private func presentable(_ error: Error) -> Error {
    switch error {
    case is ValidationError, is ExitCode: return error
    case let error as CustomStringConvertible: return ValidationErrorMessage(text: error.description)
    default: return ValidationErrorMessage(text: error.localizedDescription)
    }
}

/// An error whose text is printed as is (ArgumentParser prints `Error: <description>`).
struct ValidationErrorMessage: Error, CustomStringConvertible {
    var text: String
    var description: String { text }
}

/// A saved model, its metadata, and the data prepared as it was for training.
struct LoadedModel {
    var model: Sequential
    var metadata: ModelMetadata

    init(folder: String) throws {
        guard FileManager.default.fileExists(atPath: folder) else {
            throw ValidationErrorMessage(text: "the model folder '\(folder)' does not exist")
        }
        let (model, dictionary) = try Sequential.loadWithMetadata(from: URL(fileURLWithPath: folder))
        self.model = model
        self.metadata = try ModelMetadata(dictionary: dictionary, path: folder)
    }

    /// The number of inputs the first dense layer expects, when there is one.
    var inputCount: Int? {
        for case let .dense(inputCount, _, _, _) in model.layerConfigurations ?? [] { return inputCount }
        return nil
    }

    /// Checks the feature count and applies the training standardization.
    func prepare(_ features: Tensor, source: String) throws -> Tensor {
        let count = features.shape.dropFirst().reduce(1, *)
        if let inputCount, inputCount != count {
            throw ValidationErrorMessage(text: "the model expects \(inputCount) input features, but '\(source)' has \(count)")
        }
        let flat = features.reshaped(to: [features.shape.first ?? 0, count]).cast(to: .float32)
        return try metadata.standardizer.map { try $0.apply(to: flat) } ?? flat
    }
}

/// Formats a metrics dictionary as `loss 0.1234  accuracy 97.50%`.
func formatted(_ values: [String: Double], order: [String]) -> String {
    order.compactMap { name in
        values[name].map { value in
            name.hasSuffix("accuracy") ? "\(name) \(String(format: "%.2f%%", value * 100))" : "\(name) \(String(format: "%.4f", value))"
        }
    }.joined(separator: "  ")
}

/// One JSON object on one line, keys sorted.
func jsonLine(_ values: [String: Any]) throws -> String {
    let data = try JSONSerialization.data(withJSONObject: values, options: [.sortedKeys])
    return String(decoding: data, as: UTF8.self)
}
