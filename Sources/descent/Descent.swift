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

/// ArgumentParser's own errors as they are; a setting's error naming its option; any other as
/// its description.
private func presentable(_ error: Error) -> Error {
    switch error {
    case is ValidationError, is ExitCode: return error
    case let error as SettingError: return ValidationErrorMessage(text: error.commandLineMessage)
    case let error as CustomStringConvertible: return ValidationErrorMessage(text: error.description)
    default: return ValidationErrorMessage(text: error.localizedDescription)
    }
}

/// An error whose text is printed as is (ArgumentParser prints `Error: <description>`).
struct ValidationErrorMessage: Error, CustomStringConvertible {
    var text: String
    var description: String { text }
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
