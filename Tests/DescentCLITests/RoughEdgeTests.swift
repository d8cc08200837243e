import Descent
import Foundation
import Testing
import _DescentTestSupport

/// Rough edges a new user hit on the command line (issue 12).
@Suite struct RoughEdgeTests {
    /// A copy of the iris table in a fresh folder.
    private func irisFolder() throws -> URL {
        let folder = try temporaryFolder()
        let iris = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/format1/iris.csv")
        try FileManager.default.copyItem(at: iris, to: folder.appendingPathComponent("iris.csv"))
        return folder
    }

    /// "-1" is a value, not an option: it reaches the check, which says what is wrong with it.
    @Test func negativeNumbersParseAndAreCheckedInWords() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try descent(["train", "xor", "--learning-rate", "-1", "--epochs", "1"], in: folder)
        #expect(result.status != 0)
        #expect(result.standardError.contains("Error: --learning-rate must be a finite number of at least 0, found -1.0"),
                "\(result.standardError)")
        #expect(!result.standardError.contains("Missing value"))
    }

    /// The same in the subcommands that came later: a negative number reaches the check that
    /// words it, or is taken where it is valid (an input of −1).
    @Test func negativeNumbersParseInExplainAndLandscape() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let rate = try descent(["explain", "--learning-rate", "-0.5"], in: folder)
        #expect(rate.status != 0)
        #expect(rate.standardError.contains("expected a finite number ≥ 0, found -0.5"), "\(rate.standardError)")
        let input = try descent(["explain", "--input", "-1,0"], in: folder)
        #expect(input.status == 0, "\(input.standardError)")
        #expect(input.standardOutput.contains("(-1, 0)"))
        try Data("x,y\n0,1\n1,3\n2,5\n3,7\n".utf8).write(to: folder.appendingPathComponent("line.csv"))
        let steps = try descent(["landscape", "line.csv", "--steps", "-3"], in: folder)
        #expect(steps.status != 0)
        #expect(steps.standardError.contains("--steps must be at least 1, found -3"), "\(steps.standardError)")
        #expect(!steps.standardError.contains("Missing value"))
    }

    @Test func predictOnAHeaderOnlyCSVIsAnError() throws {
        let folder = try irisFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let train = try descent(["train", "iris.csv", "--epochs", "1", "--output", "m", "--quiet"], in: folder)
        try #require(train.status == 0, "\(train.standardError)")
        try Data("sepal_length,sepal_width,petal_length,petal_width\n".utf8).write(to: folder.appendingPathComponent("header.csv"))
        let result = try descent(["predict", "m", "header.csv"], in: folder)
        #expect(result.status == 1)  // reported, not a trap (which ends with a signal)
        #expect(result.standardError.contains("header.csv:2: the CSV file has a header but no data rows"), "\(result.standardError)")
    }

    /// A cost that overflows to infinity is `null` in `--json`'s line, which stays valid JSON
    /// (it was a raw `NSCocoaErrorDomain Code=3840` message).
    @Test func evaluateJSONWritesANonFiniteCostAsNull() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Finite weights whose outputs (1e30 · 1e30) overflow float32: the squared error is inf.
        var model = Sequential { Dense(inputCount: 1, outputCount: 1) }
        model.visitParameters { name, parameter in
            parameter = Tensor(doubles: [name.hasSuffix("weight") ? 1e30 : 0], shape: parameter.shape, dtype: parameter.dtype)
        }
        try model.save(to: folder.appendingPathComponent("m"), metadata: ModelMetadata(lossName: "mse", task: .regression))
        try Data("x,y\n1e30,1\n2e30,2\n".utf8).write(to: folder.appendingPathComponent("big.csv"))
        let result = try descent(["evaluate", "m", "big.csv", "--json"], in: folder)
        #expect(result.status == 0, "\(result.standardError)")
        let metrics = try jsonObject(result.standardOutput)
        #expect(metrics["loss"] is NSNull && metrics["count"] as? Double == 2, "\(result.standardOutput)")
    }

    /// Counts read "1 layer", not "1 layers".
    @Test func inspectCountsInTheRightNumber() throws {
        let folder = try irisFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let train = try descent(["train", "iris.csv", "--model", "linear", "--epochs", "1", "--output", "m", "--quiet"], in: folder)
        try #require(train.status == 0, "\(train.standardError)")
        let inspect = try descent(["inspect", "m"], in: folder)
        #expect(inspect.standardOutput.hasPrefix("Model folder m: 1 layer\n"), "\(inspect.standardOutput)")
        #expect(inspect.standardOutput.contains("2 tensors, 15 parameters, "), "\(inspect.standardOutput)")
    }

    /// Piped output is block-buffered unless flushed: each epoch's line must arrive while
    /// training goes on, not all at once when the process ends. Four epochs of about a second
    /// each (stochastic steps) write far less than a pipe's buffer, so unflushed lines would
    /// all come together at the end, the final line with them.
    @Test func withOutputPipedEachEpochLineArrivesAsItHappens() throws {
        let process = Process()
        process.executableURL = try descentBinary()
        process.arguments = ["train", "digits", "--epochs", "4", "--batch-size", "1", "--layers", "16"]
        process.currentDirectoryURL = scratchFolder
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
        var received = ""
        while !received.contains("epoch 1/4 ") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }  // the end of the output: the process is over
            received += String(decoding: chunk, as: UTF8.self)
        }
        #expect(received.contains("epoch 1/4 "))
        // It came on its own, three epochs before the rest.
        #expect(!received.contains("epoch 2/4") && !received.contains("Final"), "\(received)")
    }
}

@Suite struct CountedTests {
    @Test func nounsTakeTheNumberOfTheirCount() {
        #expect(counted(1, "layer") == "1 layer")
        #expect(counted(2, "layer") == "2 layers")
        #expect(counted(0, "example") == "0 examples")
        #expect(counted(1, "class", plural: "classes") == "1 class")
        #expect(counted(3, "class", plural: "classes") == "3 classes")
    }

    @Test func messagesCountInTheRightNumber() throws {
        let one = Sequential { Sequential { Dense(inputCount: 1, outputCount: 2) } }
        #expect(one.summary(inputShape: [1]).contains("Sequential(1 layer)"))
        let error = try #require(throws: LayerShapeError.self) { try Dense(inputCount: 1, outputCount: 2).outputShape(for: [3]) }
        #expect(error.expected == "inputs whose last axis has 1 value")
    }
}
