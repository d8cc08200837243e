import Descent
import Foundation
import Testing
import _DescentTestSupport

/// A folder with a small CSV table (60 rows, 3 features, 3 classes), removed afterwards.
private func withTable<R>(_ body: (URL) throws -> R) throws -> R {
    let folder = scratchFolder.appendingPathComponent("descent-job-resume-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
    defer { try? FileManager.default.removeItem(at: folder) }
    var lines = ["x,y,z,kind"]
    for row in 0..<60 {
        lines.append("\(Double(row % 20) / 20),\(cos(Double(row))),\(Double(row / 20)),\(["a", "b", "c"][row / 20])")
    }
    try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: folder.appendingPathComponent("table.csv"))
    return try body(folder)
}

/// A job with dropout, momentum and a cosine schedule whose length is the number of epochs.
private func job(in folder: URL, epochs: Int, output: String) -> TrainingJob {
    var job = TrainingJob(dataset: folder.appendingPathComponent("table.csv").path)
    job.architecture = .layerList("12,relu,dropout=0.25")
    job.optimizer = OptimizerSettings(name: .sgd, learningRate: 0.05, momentum: 0.9)
    job.schedule = ScheduleSettings(name: .cosine)
    job.batching = .miniBatch(size: 8)
    job.epochs = epochs
    job.output = folder.appendingPathComponent(output).path
    return job
}

@Suite struct TrainingJobResumeTests {
    /// The job's checkpoint, resumed to more epochs, gives the model of the job that trained
    /// them at once with the first part's schedule: a cosine schedule keeps its saved length.
    @Test func aResumedJobContinuesTheSavedRunBitForBit() throws {
        try withTable { folder in
            _ = try job(in: folder, epochs: 2, output: "first").run()
            var longer = job(in: folder, epochs: 4, output: "first")
            let outcome = try longer.run(resumingFrom: folder.appendingPathComponent("first"))
            #expect(outcome.history.epochCount == 4)
            longer.schedule.tMax = 2
            longer.output = folder.appendingPathComponent("whole").path
            let whole = try longer.run()
            #expect(outcome.history == whole.history)
            let weights = { (name: String) in try Data(contentsOf: folder.appendingPathComponent("\(name)/model.safetensors")) }
            #expect(try weights("first") == weights("whole"))
        }
    }

    @Test func aJobWithOtherSettingsOrFewerEpochsIsRefused() throws {
        try withTable { folder in
            _ = try job(in: folder, epochs: 2, output: "saved").run()
            let checkpoint = folder.appendingPathComponent("saved")
            var reseeded = job(in: folder, epochs: 3, output: "saved")
            reseeded.seed = 9
            let seedError = try #require(throws: CheckpointError.self) { try reseeded.run(resumingFrom: checkpoint) }
            #expect(seedError.description == "'\(checkpoint.path)': expected a run with the saved seed '0', found '9' in the resumed run")
            var wider = job(in: folder, epochs: 3, output: "saved")
            wider.architecture = .layerList("24,relu,dropout=0.25")
            let layerError = try #require(throws: CheckpointError.self) { try wider.run(resumingFrom: checkpoint) }
            #expect(layerError.expected.contains("architecture"))
            let fewer = try #require(throws: CheckpointError.self) {
                try job(in: folder, epochs: 1, output: "saved").run(resumingFrom: checkpoint)
            }
            #expect(fewer.found == "2 already trained")

            // An optimizer file whose tensors do not fit the model is named, with the tensor.
            let optimizerFile = checkpoint.appendingPathComponent("checkpoint/optimizer.safetensors")
            var file = try SafeTensorsFile(contentsOf: optimizerFile)
            file.tensors["0.weight.momentum_buffer"] = Tensor.zeros([2, 2])
            try file.write(to: optimizerFile)
            let damaged = try #require(throws: CheckpointError.self) {
                try job(in: folder, epochs: 3, output: "saved").run(resumingFrom: checkpoint)
            }
            #expect(damaged.description == "'\(optimizerFile.path)': expected for '0.weight.momentum_buffer' float32 [12, 3], as the parameter, found float32 [2, 2]")
        }
    }
}
