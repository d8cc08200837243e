/// A callback that remembers something between epochs (``EarlyStopping``'s best value), saved
/// in a training checkpoint and restored when training resumes.
public protocol StatefulTrainingCallback: TrainingCallback {
    /// The name of its state in a checkpoint ("early_stopping").
    var stateName: String { get }
    /// What it remembers, as named numbers.
    var savedState: [String: Double] { get }
    /// Takes back what ``savedState`` gave.
    ///
    /// - Throws: ``TrainingError/invalidSetting(_:)`` for state that does not fit.
    func restoreState(_ state: [String: Double]) throws
}

extension EarlyStopping: StatefulTrainingCallback {
    public var stateName: String { "early_stopping" }

    public var savedState: [String: Double] {
        guard let best else { return [:] }
        return ["best": best.value, "best_epoch": Double(best.epoch)]
    }

    public func restoreState(_ state: [String: Double]) throws {
        if state.isEmpty {
            best = nil
            return
        }
        guard let value = state["best"], let epoch = state["best_epoch"], epoch >= 0, epoch == epoch.rounded() else {
            throw TrainingError.invalidSetting("early stopping's saved state: expected \"best\" and \"best_epoch\" (a whole number), found \(state)")
        }
        best = (value, Int(epoch))
    }
}
