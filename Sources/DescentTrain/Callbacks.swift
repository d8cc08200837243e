/// What a callback wants after an epoch.
public enum TrainingDecision: Sendable {
    case proceed
    case stop
}

/// Something that happened during training, as a progress reporter sees it.
public enum TrainingEvent: Sendable {
    /// One optimisation step finished: `step` of `stepCount` in `epoch` (both counted from 1),
    /// with the running mean cost of the epoch so far and the throughput.
    case stepEnded(epoch: Int, epochCount: Int, step: Int, stepCount: Int, cost: Double, samplesPerSecond: Double)
    /// An epoch finished, with its values (cost, metrics, `val_` values, learning rate).
    case epochEnded(epoch: Int, epochCount: Int, values: [String: Double], seconds: Double)
}

/// Code that runs during `fit`
/// at the end of each step and each epoch: progress display, early stopping, checkpoints.
public protocol TrainingCallback: AnyObject {
    /// Called after each optimisation step and each epoch.
    func handle(_ event: TrainingEvent)
    /// Called after each epoch with the model as it is; `.stop` ends training.
    func epochEnded(epoch: Int, history: History, model: any Layer) throws -> TrainingDecision
    /// Called with everything needed to continue training later (see ``TrainingState``) and the
    /// model as it is: at the end of every epoch, after ``epochEnded(epoch:history:model:)``, and
    /// mid-epoch when a callback ``interruptsTraining``. Where checkpoints are written.
    func trainingStateReached(_ state: TrainingState, model: any Layer) throws
    /// Asked after every step: true ends training after this step — mid-epoch, once
    /// ``trainingStateReached(_:model:)`` has had the state — and `fit` throws
    /// ``TrainingInterrupted``. Where Ctrl-C is heard.
    var interruptsTraining: Bool { get }
}

extension TrainingCallback {
    public func handle(_ event: TrainingEvent) {}
    public func epochEnded(epoch: Int, history: History, model: any Layer) throws -> TrainingDecision { .proceed }
    public func trainingStateReached(_ state: TrainingState, model: any Layer) throws {}
    public var interruptsTraining: Bool { false }
}

/// Passes every ``TrainingEvent`` to a closure: the hook a progress bar or a log hangs on.
public final class ProgressReporter: TrainingCallback {
    private let report: (TrainingEvent) -> Void

    public init(_ report: @escaping (TrainingEvent) -> Void) {
        self.report = report
    }

    public func handle(_ event: TrainingEvent) { report(event) }
}

/// Stops training when a monitored value has stopped improving for `patience` epochs.
public final class EarlyStopping: TrainingCallback {
    public let monitor: String
    public let patience: Int
    public let minimumDelta: Double
    public let lowerIsBetter: Bool
    /// The best value seen so far and its epoch.
    public internal(set) var best: (value: Double, epoch: Int)?

    /// - Parameters:
    ///   - monitor: The ``History`` series to watch, e.g. "val_loss" or "val_accuracy".
    ///   - patience: How many epochs without improvement to tolerate.
    ///   - minimumDelta: The smallest change that counts as an improvement.
    ///   - lowerIsBetter: `true` for costs, `false` for accuracies. Default: inferred from the
    ///     name (anything with "accuracy" in it is higher-is-better).
    public init(monitor: String = "val_loss", patience: Int = 5, minimumDelta: Double = 0, lowerIsBetter: Bool? = nil) {
        self.monitor = monitor
        self.patience = patience
        self.minimumDelta = minimumDelta
        self.lowerIsBetter = lowerIsBetter ?? !monitor.contains("accuracy")
    }

    public func epochEnded(epoch: Int, history: History, model: any Layer) throws -> TrainingDecision {
        guard let value = history[monitor]?.last else {
            throw TrainingError.invalidSetting(
                "early stopping watches \"\(monitor)\", which training does not record; recorded: \(history.names.joined(separator: ", "))")
        }
        let improved: Bool = if let best {
            lowerIsBetter ? value < best.value - minimumDelta : value > best.value + minimumDelta
        } else { true }
        if improved { best = (value, epoch) }
        return epoch - (best?.epoch ?? epoch) >= patience ? .stop : .proceed
    }
}

/// Calls `save` with the model after epochs `interval`, 2·`interval`, … (the last only if it is one of them):
/// for checkpoints that survive a crash or a stop.
public final class Checkpoint: TrainingCallback {
    public let interval: Int
    private let save: (_ model: any Layer, _ epoch: Int) throws -> Void

    public init(every interval: Int, save: @escaping (_ model: any Layer, _ epoch: Int) throws -> Void) {
        precondition(interval > 0, "Checkpoint(every:): the interval must be positive, got \(interval)")
        self.interval = interval
        self.save = save
    }

    public func epochEnded(epoch: Int, history: History, model: any Layer) throws -> TrainingDecision {
        if epoch % interval == 0 { try save(model, epoch) }
        return .proceed
    }
}
