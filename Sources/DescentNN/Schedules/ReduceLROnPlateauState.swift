extension ReduceLROnPlateau {
    /// What reduce-on-plateau remembers between epochs, PyTorch's `state_dict()` names: saved in a
    /// training checkpoint, so that a resumed run lowers the rate when the uninterrupted one would.
    public struct State: Codable, Sendable, Equatable {
        /// The best value of the monitored quantity so far (±infinity before the first epoch).
        public var best: Double
        /// Epochs since the last improvement.
        public var numBadEpochs: Int
        /// Epochs left in which no reduction happens.
        public var cooldownCounter: Int

        enum CodingKeys: String, CodingKey {
            case best
            case numBadEpochs = "num_bad_epochs"
            case cooldownCounter = "cooldown_counter"
        }
    }

    /// The state to save, or to restore.
    public var state: State {
        get { State(best: best, numBadEpochs: badEpochCount, cooldownCounter: cooldownCounter) }
        set { (best, badEpochCount, cooldownCounter) = (newValue.best, newValue.numBadEpochs, newValue.cooldownCounter) }
    }
}
