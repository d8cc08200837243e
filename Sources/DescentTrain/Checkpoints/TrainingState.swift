/// Everything `fit` needs, besides the model's weights and buffers and the data, to continue a
/// run exactly where it stopped: the position (epoch and step), the optimizer's state, the
/// learning rate and what the schedule and reduce-on-plateau remember, the callbacks' state
/// (early stopping), every random stream's position (dropout; shuffling and augmentation are
/// drawn from the seed and the epoch), and the history so far.
///
/// `fit` hands one to ``TrainingCallback/trainingStateReached(_:model:)`` at the end of every
/// epoch and when interrupted; `fit(…, resumingFrom:)` continues from one. ``TrainingCheckpoint``
/// writes it to files and reads it back.
public struct TrainingState: Sendable {
    /// The epochs finished.
    public var completedEpochs: Int
    /// The steps finished in the epoch after those: 0 at the end of an epoch.
    public var completedSteps: Int
    /// The steps taken in all (what `Layer/fit(_:validation:epochs:maximumSteps:loss:optimizer:batching:shuffled:seed:metrics:schedule:plateau:gradientClipping:callbacks:resumingFrom:)`'s
    /// `maximumSteps` counts).
    public var stepsTaken: Int
    /// The number of epochs the run was asked for.
    public var epochCount: Int
    /// Whether a callback (early stopping) ended the run: a resumed run then trains no more.
    public var stoppedByCallback: Bool
    /// The cost, the metrics and the learning rate of every finished epoch.
    public var history: History
    /// The running sums of an epoch stopped part way; nil at the end of an epoch.
    public var unfinishedEpoch: UnfinishedEpoch?
    /// The learning rate of the next step.
    public var learningRate: Double
    /// The rate the run started with, from which a schedule computes every epoch's.
    public var initialLearningRate: Double
    /// Reduce-on-plateau's state, when the run has one.
    public var plateau: ReduceLROnPlateau.State?
    /// The state of the callbacks that have one (``StatefulTrainingCallback``), by their
    /// ``StatefulTrainingCallback/stateName``.
    public var callbackStates: [String: [String: Double]]
    /// The random streams of the layers (see `Layer/randomStreams`), by layer name.
    public var randomStreams: [String: RandomKey]
    /// PyTorch's name of the optimizer's class ("Adam"; see `SavableOptimizer`).
    public var optimizerType: String
    /// The optimizer's state, as `SavableOptimizer/stateDictionary()` names it.
    public var optimizerState: [String: Tensor]
    /// The settings the run was started with, as the program that started it describes them
    /// (``TrainingJob`` saves its own); checked when a run is resumed.
    public var settings: [String: String] = [:]
    /// The command line that started the run, for `descent train --resume`.
    public var commandLine: [String]?

    /// The running sums of an unfinished epoch, from which its cost and metrics are finished.
    public struct UnfinishedEpoch: Sendable, Codable, Equatable {
        /// Σ cost × batch size.
        public var costSum: Double
        /// The examples seen.
        public var exampleCount: Int
        /// Σ metric × batch size, per metric in order.
        public var metricSums: [Double]

        public init(costSum: Double, exampleCount: Int, metricSums: [Double]) {
            (self.costSum, self.exampleCount, self.metricSums) = (costSum, exampleCount, metricSums)
        }

        enum CodingKeys: String, CodingKey {
            case costSum = "cost_sum"
            case exampleCount = "examples"
            case metricSums = "metric_sums"
        }
    }
}
