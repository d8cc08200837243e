import Foundation
import Testing
import _DescentTestSupport

/// The result of one run of a built binary.
struct CommandResult {
    var status: Int32
    var standardOutput: String
    var standardError: String
}

/// Runs `.build/debug/descent` (beside the test bundle) with `arguments` in `directory`, with this
/// process's environment changed by `environment`.
func descent(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws -> CommandResult {
    try runBuilt("descent", arguments, in: directory, environment: environment)
}

/// Runs the package's executable `name` (see ``builtBinary(_:)``) with `arguments`, in
/// `directory` if given, with this process's environment changed by `environment`.
func runBuilt(_ name: String, _ arguments: [String], in directory: URL? = nil,
              environment: [String: String] = [:]) throws -> CommandResult {
    let process = Process()
    process.executableURL = try builtBinary(name)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let output = Pipe(), error = Pipe()
    process.standardOutput = output
    process.standardError = error
    try process.run()
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = error.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CommandResult(status: process.terminationStatus, standardOutput: String(decoding: outputData, as: UTF8.self),
                         standardError: String(decoding: errorData, as: UTF8.self))
}

/// The built `descent` binary.
func descentBinary() throws -> URL { try builtBinary("descent") }

/// The package's executable `name`, built beside the test bundle.
func builtBinary(_ name: String) throws -> URL {
    let bundleFolder = Bundle.main.bundleURL.deletingLastPathComponent()
    let candidates = [
        Bundle(for: Marker.self).bundleURL.deletingLastPathComponent().appendingPathComponent(name),
        bundleFolder.appendingPathComponent(name),
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/\(name)"),
    ]
    return try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) },
                        "the \(name) binary was not built (run `swift build --product \(name)`)")
}

final class Marker {}

/// A fresh empty folder for one test.
func temporaryFolder() throws -> URL {
    let url = scratchFolder.appendingPathComponent("descent-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Parses one JSON object printed on standard output.
func jsonObject(_ text: String) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
    return try #require(object as? [String: Any])
}

@Suite struct TrainEvaluatePredictTests {
    @Test func trainSaveEvaluatePredictOnDigits() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let train = try descent(["train", "--epochs", "3", "--standardize", "--output", "model", "--json"], in: folder)
        #expect(train.status == 0, "\(train.standardError)")
        let metrics = try jsonObject(train.standardOutput)
        #expect(metrics["epochs"] as? Double == 3)
        let validationAccuracy = try #require(metrics["val_accuracy"] as? Double)
        #expect(validationAccuracy > 0.8)
        for file in ["model.json", "model.safetensors", "history.csv", "history.svg"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("model/\(file)").path), "\(file)")
        }
        let history = try String(contentsOf: folder.appendingPathComponent("model/history.csv"), encoding: .utf8)
        #expect(history.split(separator: "\n").count == 4)
        let chart = try String(contentsOf: folder.appendingPathComponent("model/history.svg"), encoding: .utf8)
        #expect(chart.hasPrefix("<svg") && chart.contains("<polyline"))

        let evaluation = try descent(["evaluate", "model", "digits", "--json"], in: folder)
        #expect(evaluation.status == 0, "\(evaluation.standardError)")
        let evaluated = try jsonObject(evaluation.standardOutput)
        #expect(evaluated["count"] as? Double == 1797)
        #expect((evaluated["accuracy"] as? Double ?? 0) > 0.8)

        // Three digit images (a 0 and two 1s from the start of the data), with their target column.
        let digits = try descent(["inspect", "model"], in: folder)
        #expect(digits.status == 0)
        #expect(digits.standardOutput.contains("8970 parameters"))
        #expect(digits.standardOutput.contains("Classes: 0, 1, 2"))
    }

    @Test func predictWritesClassNamesAndNPY() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = "a,b,label\n0,0,no\n0,1,yes\n1,0,yes\n1,1,no\n0,0,no\n0,1,yes\n1,0,yes\n1,1,no\n"
        try csv.write(to: folder.appendingPathComponent("xor.csv"), atomically: true, encoding: .utf8)
        let train = try descent(["train", "xor.csv", "--layers", "8,tanh", "--learning-rate", "0.05", "--epochs", "200",
                                 "--batch-size", "full", "--validation-split", "0", "--output", "m", "--quiet"], in: folder)
        #expect(train.status == 0, "\(train.standardError)")
        #expect(!train.standardOutput.contains("epoch 1/"))
        try "a,b\n0,1\n1,1\n".write(to: folder.appendingPathComponent("in.csv"), atomically: true, encoding: .utf8)
        let predict = try descent(["predict", "m", "in.csv"], in: folder)
        #expect(predict.status == 0, "\(predict.standardError)")
        let lines = predict.standardOutput.split(separator: "\n")
        #expect(lines.first == "prediction,p_no,p_yes")
        #expect(lines.dropFirst().map { $0.split(separator: ",").first } == ["yes", "no"])
        let toFile = try descent(["predict", "m", "in.csv", "--output", "out.npy"], in: folder)
        #expect(toFile.status == 0, "\(toFile.standardError)")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("out.npy").path))
    }

    @Test func plainLinesOnAPipe() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try descent(["train", "xor", "--epochs", "2"], in: folder)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("epoch 1/2"))
        #expect(result.standardOutput.contains("epoch 2/2"))
        #expect(!result.standardOutput.contains("\r"))
    }
}

@Suite struct BadInputTests {
    func expectFailure(_ arguments: [String], mentioning text: String, in folder: URL? = nil) throws {
        let directory = try folder ?? temporaryFolder()
        let result = try descent(arguments, in: directory)
        #expect(result.status != 0)
        #expect(result.standardError.contains(text), "\(result.standardError)")
    }

    @Test func unknownOptionValues() throws {
        try expectFailure(["train", "--loss", "foo"], mentioning: "cross-entropy")
        try expectFailure(["train", "--optimizer", "lbfgs"], mentioning: "adamw")
        try expectFailure(["train", "--batch-size", "zero"], mentioning: "--batch-size")
        try expectFailure(["train", "--layers", "64,swish"], mentioning: "swish")
        try expectFailure(["train", "nosuchset"], mentioning: "unknown dataset")
        try expectFailure(["train", "--optimizer", "adam", "--momentum", "0.9"], mentioning: "--momentum")
    }

    @Test func missingFiles() throws {
        try expectFailure(["train", "missing.csv"], mentioning: "missing.csv")
        try expectFailure(["evaluate", "no-model", "digits"], mentioning: "no-model")
        try expectFailure(["inspect", "nothing.safetensors"], mentioning: "nothing.safetensors")
    }

    @Test func corruptModelAndMismatchedInputs() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let train = try descent(["train", "xor", "--epochs", "1", "--output", "m", "--quiet"], in: folder)
        #expect(train.status == 0, "\(train.standardError)")
        // The 2-input XOR model against the 64-feature digits.
        try expectFailure(["evaluate", "m", "digits"], mentioning: "expects 2 input features", in: folder)
        // A failed predict leaves no output file.
        try "a,b,c,d\n1,2,3,4\n".write(to: folder.appendingPathComponent("wide.csv"), atomically: true, encoding: .utf8)
        try expectFailure(["predict", "m", "wide.csv", "--output", "p.csv"], mentioning: "expects 2 input features", in: folder)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("p.csv").path))
        // Truncated weights.
        try Data("{}".utf8).write(to: folder.appendingPathComponent("m/model.safetensors"))
        try expectFailure(["evaluate", "m", "xor"], mentioning: "model.safetensors", in: folder)
        try Data("not json".utf8).write(to: folder.appendingPathComponent("m/model.json"))
        try expectFailure(["predict", "m", "wide.csv"], mentioning: "model.json", in: folder)
    }
}
