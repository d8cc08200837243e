import Descent
import Foundation
import Testing
import _DescentTestSupport

/// `Documentation/ModelFormat.md`'s checkpoint section stays true: its `state.json` reads, and
/// its table names every optimizer's state entries.
@Suite struct CheckpointDocumentTests {
    private let document: String = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Documentation/ModelFormat.md")
        return (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }()

    @Test func theExampleStateReads() throws {
        let example = try #require(document.components(separatedBy: "```json checkpoint\n").dropFirst().first?
            .components(separatedBy: "\n```").first)
        let folder = scratchFolder.appendingPathComponent("checkpoint-example-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try AtomicFile.writeFolder(at: folder, files: [
            ("checkpoint/state.json", Data(example.utf8)),
            ("checkpoint/optimizer.safetensors", try SafeTensorsFile(metadata: ["optimizer": "SGD"]).serialized()),
        ])
        let state = try TrainingCheckpoint.read(from: folder)
        #expect(state.completedEpochs == 2 && state.completedSteps == 0 && state.stepsTaken == 8)
        #expect(state.history.epochCount == 2 && state.history["learning_rate"] == [0.1, 0.1])
        #expect(state.randomStreams["2"] == RandomKey(seed: 53187721974697961, offset: 3840))
        #expect(state.commandLine?.first == "iris.csv")
    }

    @Test func everyOptimizersEntriesAreInTheTable() {
        let parameter = Tensor.zeros([2])
        let optimizers: [any SavableOptimizer] = [
            SGD(momentum: 0.9), RMSProp(momentum: 0.9, centered: true), Adam(amsgrad: true), AdamW(), Adamax(), NAdam(),
            Adadelta(), Adagrad(),
        ]
        for optimizer in optimizers {
            var parameters = ["p": parameter]
            optimizer.update(&parameters, along: Gradients(["p": Tensor.zeros([2])]))
            let entries = optimizer.stateDictionary().keys.map { $0.replacingOccurrences(of: "p.", with: "") }
            let row = document.components(separatedBy: "\n").first { $0.hasPrefix("| \(type(of: optimizer).typeName)") || $0.contains(", \(type(of: optimizer).typeName) |") }
            #expect(row != nil, "\(type(of: optimizer).typeName) has no row")
            for entry in entries { #expect(row?.contains("`\(entry)`") == true, "\(type(of: optimizer).typeName): \(entry)") }
        }
    }
}
