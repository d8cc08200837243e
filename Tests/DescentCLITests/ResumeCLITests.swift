import Foundation
import Testing

/// 90 rows of four features and three classes, the same every time.
private func writeTable(in folder: URL) throws {
    var lines = ["a,b,c,d,kind"]
    for row in 0..<90 {
        let x = Double(row % 30) / 30, kind = ["low", "mid", "high"][row / 30]
        lines.append("\(x),\(Double(row / 30) + x * 0.5),\(sin(Double(row))),\(Double(row % 7) / 7),\(kind)")
    }
    try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: folder.appendingPathComponent("table.csv"))
}

/// Dropout and a step schedule, so that the random streams and the schedule must be resumed.
private let settings = ["table.csv", "--layers", "16,relu,dropout=0.3", "--optimizer", "sgd", "--learning-rate", "0.05",
                        "--momentum", "0.9", "--schedule", "step", "--step-size", "2", "--gamma", "0.5", "--quiet"]

private func weights(_ folder: URL, _ name: String) throws -> Data {
    try Data(contentsOf: folder.appendingPathComponent(name).appendingPathComponent("model.safetensors"))
}

@Suite struct ResumeCLITests {
    @Test func threeEpochsResumedToSixGiveTheSixEpochModel() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try writeTable(in: folder)
        #expect(try descent(["train"] + settings + ["--epochs", "6", "--output", "whole"], in: folder).status == 0)
        #expect(try descent(["train"] + settings + ["--epochs", "3", "--output", "split"], in: folder).status == 0)
        #expect(try weights(folder, "split") != weights(folder, "whole"))
        let resumed = try descent(["train", "--resume", "split", "--epochs", "6", "--quiet"], in: folder)
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(try weights(folder, "split") == weights(folder, "whole"))
        for file in ["history.csv", "checkpoint/optimizer.safetensors"] {
            #expect(try Data(contentsOf: folder.appendingPathComponent("split/\(file)"))
                == Data(contentsOf: folder.appendingPathComponent("whole/\(file)")), "\(file)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["split", "table.csv", "whole"])
    }

    /// Ctrl-C once the first epoch is saved: the step finishes, the checkpoint is written, the
    /// command to continue is printed and the status is 130; continuing gives the model of the
    /// run that was never interrupted.
    @Test func ctrlCSavesACheckpointThatResumesToTheUninterruptedModel() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try writeTable(in: folder)
        let arguments = ["train"] + settings + ["--batch-size", "1", "--epochs", "16"]
        #expect(try descent(arguments + ["--output", "whole"], in: folder).status == 0)

        let process = try startDescent(arguments + ["--output", "stopped"], in: folder)
        let state = folder.appendingPathComponent("stopped/checkpoint/state.json")
        while !FileManager.default.fileExists(atPath: state.path) && process.isRunning { usleep(2_000) }
        process.interrupt()  // SIGINT, as Ctrl-C sends
        let result = finish(process)
        #expect(result.status == 130, "\(result.standardError)")
        #expect(result.standardError.contains("Stopping after this step (Ctrl-C again to quit at once)"))
        #expect(result.standardError.contains("Saved the model and a checkpoint in stopped.\nTo continue: descent train --resume stopped\n"))
        let saved = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: state)) as? [String: Any])
        #expect((saved["epoch"] as? Int).map { $0 < 16 } == true)

        let resumed = try descent(["train", "--resume", "stopped"], in: folder)
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(resumed.standardOutput.contains("Saved the model, history.csv, history.svg and a checkpoint in stopped"))
        #expect(try weights(folder, "stopped") == weights(folder, "whole"))
    }

    @Test func resumeRefusesAFolderWithoutACheckpointAndChangedSettings() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try writeTable(in: folder)
        let missing = try descent(["train", "--resume", "nothing"], in: folder)
        #expect(missing.status != 0)
        #expect(missing.standardError.contains("'\(folder.path)/nothing/checkpoint/state.json': expected a training checkpoint"))

        #expect(try descent(["train"] + settings + ["--epochs", "1", "--output", "m"], in: folder).status == 0)
        let changed = try descent(["train", "--resume", "m", "--learning-rate", "0.5"], in: folder)
        #expect(changed.status != 0)
        #expect(changed.standardError.contains("--learning-rate cannot change"))
    }
}

/// Starts `.build/debug/descent` without waiting for it.
private func startDescent(_ arguments: [String], in directory: URL) throws -> Process {
    let binary = try descentBinary()
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    process.currentDirectoryURL = directory
    process.standardOutput = Pipe()
    process.standardError = Pipe()
    try process.run()
    return process
}

/// Waits for a started process and collects what it printed.
private func finish(_ process: Process) -> CommandResult {
    let output = (process.standardOutput as! Pipe).fileHandleForReading.readDataToEndOfFile()
    let error = (process.standardError as! Pipe).fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CommandResult(status: process.terminationStatus, standardOutput: String(decoding: output, as: UTF8.self),
                         standardError: String(decoding: error, as: UTF8.self))
}
