import Foundation

extension TrainingJob {
    /// The picture of the decision regions saved beside `history.svg` when the examples have
    /// two features and the task is classification (see ``TrainingOutcome/decisionRegions(resolution:maximumExamples:)``).
    public static let decisionRegionsFileName = "decision-boundary.svg"

    /// The pictures a model folder holds besides `history.svg`: the decision regions, for a
    /// classifier of two features; none otherwise.
    static func pictureFiles(of outcome: TrainingOutcome, dataset: String) -> [(path: String, contents: Data)] {
        guard let regions = outcome.decisionRegions() else { return [] }
        let title = "Decision regions of the trained network on \(URL(fileURLWithPath: dataset).lastPathComponent)"
        return [(decisionRegionsFileName, Data(regions.svg(title: title, subtitle: outcome.decisionRegionsSubtitle).utf8))]
    }
}
