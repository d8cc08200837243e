extension Layer {
    /// Puts back what `fit` needs from a saved ``TrainingState`` into the optimizer, the
    /// plateau, the callbacks and the model's random streams, after checking that each fits.
    func restore(_ state: TrainingState, optimizer: some Optimizer, plateau: ReduceLROnPlateau?,
                 callbacks: [any TrainingCallback], metricCount: Int) throws {
        guard let savable = optimizer as? any SavableOptimizer else {
            throw TrainingError.invalidSetting("\(type(of: optimizer)) cannot resume training: its state cannot be saved (it is not a SavableOptimizer)")
        }
        let typeName = type(of: savable).typeName
        guard typeName == state.optimizerType else {
            throw TrainingError.incompatibleData(
                "the saved training state is for the optimizer \(state.optimizerType), but it is resumed with \(typeName)")
        }
        if (plateau == nil) != (state.plateau == nil) {
            throw TrainingError.incompatibleData(
                "the saved training state \(state.plateau == nil ? "has no" : "has a") reduce-on-plateau state, but it is resumed \(plateau == nil ? "without" : "with") reduce-on-plateau")
        }
        if let sums = state.unfinishedEpoch, sums.metricSums.count != metricCount {
            throw TrainingError.incompatibleData(
                "the saved training state has \(sums.metricSums.count) metrics, but it is resumed with \(metricCount)")
        }
        let streams = randomStreams
        let names = streams.map(\.name).sorted()
        guard names == state.randomStreams.keys.sorted() else {
            throw TrainingError.incompatibleData(
                "the saved training state has random streams for layers [\(state.randomStreams.keys.sorted().joined(separator: ", "))], but the model's layers that draw random numbers are [\(names.joined(separator: ", "))]")
        }
        let stateful = callbacks.compactMap { $0 as? any StatefulTrainingCallback }
        for callback in stateful where state.callbackStates[callback.stateName] == nil {
            throw TrainingError.incompatibleData("the saved training state has no state for the callback \"\(callback.stateName)\"")
        }

        // Everything checked but the optimizer's tensors, which are checked as they are read.
        try savable.loadStateDictionary(state.optimizerState, parameters: parameters)
        optimizer.learningRate = state.learningRate
        if let saved = state.plateau { plateau?.state = saved }
        for callback in stateful { try callback.restoreState(state.callbackStates[callback.stateName]!) }
        for (name, stream) in streams { stream.key = state.randomStreams[name]! }
    }
}
