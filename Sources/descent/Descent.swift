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
        subcommands: [Train.self, Evaluate.self, Predict.self, Inspect.self, Explain.self, Datasets.self],
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

/// ArgumentParser's own errors as they are; a setting's error naming its option; a Foundation
/// error (which the library should have wrapped) in words, never its `Error Domain=…` dump; any
/// other as its description.
private func presentable(_ error: Error) -> Error {
    switch error {
    case is ValidationError, is ExitCode: return error
    case let error as SettingError: return ValidationErrorMessage(text: error.commandLineMessage)
    case _ where isFoundationError(error): return ValidationErrorMessage(text: foundationMessage(error))
    case let error as CustomStringConvertible: return ValidationErrorMessage(text: error.description)
    default: return ValidationErrorMessage(text: error.localizedDescription)
    }
}

/// Whether `error` is one of Foundation's own (files, URLs, JSON) rather than a Swift error type.
private func isFoundationError(_ error: Error) -> Bool {
    [NSCocoaErrorDomain, NSPOSIXErrorDomain, NSURLErrorDomain].contains((error as NSError).domain)
}

/// A Foundation error as one line: the file it concerns, if it names one, and why.
private func foundationMessage(_ error: Error) -> String {
    let info = (error as NSError).userInfo
    let path = info[NSFilePathErrorKey] as? String ?? (info[NSURLErrorKey] as? URL)?.path
    return (path.map { "'\($0)': " } ?? "") + FileError.reason(for: error)
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
