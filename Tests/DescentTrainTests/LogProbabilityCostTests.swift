import Descent
import Foundation
import Testing
import _DescentTestSupport

/// NLL and KL divergence take log-probabilities: on raw scores they fall below 0 without end
/// (issue 12: "run away to −176 with no warning").
@Suite struct LogProbabilityCostTests {
    /// A three-class table of 30 rows, easy to separate.
    private func table() throws -> URL {
        let file = scratchFolder.appendingPathComponent("descent-nll-\(UUID().uuidString).csv")
        let rows = (0..<30).map { "\(Double($0 % 3) + Double($0) * 0.01),\(["a", "b", "c"][$0 % 3])" }
        try Data(("x,kind\n" + rows.joined(separator: "\n") + "\n").utf8).write(to: file)
        return file
    }

    private func run(_ job: TrainingJob) throws -> (TrainingOutcome, [String]) {
        var warnings: [String] = []
        let outcome = try job.run { event in
            if case .started(let plan) = event { warnings = plan.warnings }
        }
        return (outcome, warnings)
    }

    @Test(arguments: [Loss.negativeLogLikelihood, .klDivergence])
    func aLayerListGetsALogSoftmaxAndACostThatStaysPositive(loss: Loss) throws {
        let file = try table()
        defer { try? FileManager.default.removeItem(at: file) }
        var job = TrainingJob(dataset: file.path)
        job.loss = loss
        job.epochs = 30
        let (outcome, warnings) = try run(job)
        #expect(warnings.isEmpty)
        #expect(outcome.model.layerConfigurations?.last?.type == "logsoftmax")
        #expect(try #require(outcome.history["loss"]).allSatisfy { $0 >= 0 })
    }

    @Test func aModelFileWithoutALogSoftmaxIsWarnedAbout() throws {
        let file = try table()
        let model = file.deletingPathExtension().appendingPathExtension("json")
        defer { for url in [file, model] { try? FileManager.default.removeItem(at: url) } }
        try Data(#"{"format": "descent.sequential", "version": 2, "layers": [{"type": "linear", "in_features": 1, "out_features": 3}]}"#.utf8)
            .write(to: model)
        var job = TrainingJob(dataset: file.path)
        job.loss = .negativeLogLikelihood
        job.architecture = .file(path: model.path)
        job.epochs = 1
        let (_, warnings) = try run(job)
        #expect(warnings == ["the cost nll takes log-probabilities, but the model's outputs are not log-probabilities "
                + "(its last layer is 'linear', not 'logsoftmax'); the cost can fall below 0 without end. "
                + "End the model file with a logsoftmax layer, or use cross-entropy, which takes raw scores"])
    }
}
