/// Thrown by `fit` when a callback interrupted training (Ctrl-C): the state it stopped in went
/// to the callbacks first.
public struct TrainingInterrupted: Error, CustomStringConvertible, Sendable {
    /// The epochs finished.
    public var completedEpochs: Int
    /// The steps finished in the epoch after those.
    public var completedSteps: Int
    /// The steps of that epoch.
    public var stepCount: Int
    /// The number of epochs the run was asked for.
    public var epochCount: Int

    public init(completedEpochs: Int, completedSteps: Int, stepCount: Int, epochCount: Int) {
        (self.completedEpochs, self.completedSteps) = (completedEpochs, completedSteps)
        (self.stepCount, self.epochCount) = (stepCount, epochCount)
    }

    public var description: String {
        "training was interrupted in epoch \(completedEpochs + 1) of \(epochCount), after step \(completedSteps) of \(stepCount)"
    }
}
