import Foundation

/// The examples that `Layer.evaluate(on:loss:metrics:batchSize:)` and
/// `Layer.predict(_:batchSize:)` compute at once unless told otherwise: enough for the matrix
/// multiply to run at full speed, few enough that a convolutional network's activations fit the
/// buffer pool and the caches. (With 1,024, each activation of 32 channels of 28×28 took 100 MB
/// of fresh memory, and evaluating a small MNIST CNN's test set took 0.8–1.0 s instead of
/// 0.5–0.6 s; with batch normalization, 2.5–3.5 s instead of 1.6–1.8 s.)
public let inferenceBatchSize = 256

extension Layer {
    /// Trains the model by gradient descent: for each batch, forward propagation, the cost,
    /// backpropagation, and an optimizer step θ ← θ − η∇C(θ); once per epoch, the metrics on the
    /// training and validation data.
    ///
    /// The three regimes of the tutorials are the `batching` argument: `.fullBatch` (one update
    /// per epoch from the whole training set), `.stochastic` (one example per update) and
    /// `.miniBatch(size:)`. With `shuffled`, the order is redrawn every epoch from `seed`, so the
    /// same seed gives the same run.
    ///
    /// Training runs on the model's device. On a GPU, the training and validation sets are moved
    /// there first, for the run, when together they take at most a quarter of its memory (image
    /// sets excepted: their batches are made on the CPU), so that batches are gathered on the GPU.
    ///
    /// - Parameters:
    ///   - training: The examples to learn from.
    ///   - validation: Examples to measure on after every epoch (`val_` metrics), never learned from.
    ///   - epochs: How many passes over the training data.
    ///   - loss: The cost C to minimize.
    ///   - optimizer: The update rule that turns gradients into steps.
    ///   - batching: How many examples each step's gradient comes from: full batch, stochastic or mini-batch.
    ///   - shuffled: Whether the examples are taken in a new random order every epoch.
    ///   - seed: The seed of the shuffling (and of dropout and augmentation): the same seed gives the same run.
    ///   - metrics: What to measure besides the cost after every epoch.
    ///   - maximumSteps: Stops after this many optimizer steps in all (epochs are then an upper
    ///     bound).
    ///   - schedule: Sets the learning rate at the start of every epoch.
    ///   - plateau: Lowers the learning rate when the validation cost (or, without validation
    ///     data, the training cost) stops improving; consulted after every epoch.
    ///   - gradientClipping: Limits the gradients before each step.
    ///   - callbacks: Code that runs after every step and epoch: progress, early stopping,
    ///     checkpoints (``TrainingCallback/trainingStateReached(_:model:)``), Ctrl-C
    ///     (``TrainingCallback/interruptsTraining``).
    ///   - resumed: Continues the run that a callback was given this state of (the model must
    ///     hold that moment's weights and buffers, and every other argument be the run's own,
    ///     `epochs` aside, which may grow): the result is bit for bit the uninterrupted run's.
    ///   - cudaGraphs: On a GPU, captures the training step as a CUDA graph at the second step
    ///     and replays it for every later batch of the same shape (`CUDATrainingGraph`): the
    ///     same numbers, far fewer launches. Needs a `cuda` model without buffers, no gradient
    ///     clipping, and an optimizer whose steps are fused kernels (any of Descent's own, with
    ///     `usesFusedStep` on).
    /// - Returns: Per-epoch cost, metrics and learning rate (a resumed run's from its first epoch).
    /// - Throws: ``TrainingError/nonFiniteCost(epoch:step:value:)`` when the cost becomes NaN or
    ///   infinite; ``TrainingInterrupted`` when a callback interrupted training;
    ///   ``TrainingError/incompatibleData(_:)`` and `OptimizerStateError` for a resumed state
    ///   that does not fit the model, the optimizer or the data; errors thrown by callbacks;
    ///   ``TrainingError/invalidSetting(_:)`` when CUDA graphs were asked for where they cannot
    ///   be used, or a step could not be captured or replayed.
    @discardableResult
    public mutating func fit(
        _ training: Dataset, validation: Dataset? = nil, epochs: Int, maximumSteps: Int? = nil,
        loss: Loss, optimizer: some Optimizer, batching: Batching = .miniBatch(size: 32),
        shuffled: Bool = true, seed: UInt64 = 0, metrics: [Metric] = [],
        schedule: (any LearningRateSchedule)? = nil, plateau: ReduceLROnPlateau? = nil,
        gradientClipping: GradientClipping? = nil,
        callbacks: [any TrainingCallback] = [], resumingFrom resumed: TrainingState? = nil, cudaGraphs: Bool = false
    ) throws -> History {
        guard !(schedule != nil && plateau != nil) else {
            throw TrainingError.invalidSetting("use either a learning-rate schedule or reduce-on-plateau, not both")
        }
        guard epochs >= 0 else { throw TrainingError.invalidSetting("epochs must be 0 or more, got \(epochs)") }
        guard training.count > 0 else { throw TrainingError.incompatibleData("the training set is empty") }
        // The chain of shapes, checked before anything runs: a layer that cannot take what the
        // one before it gives is named here rather than found by a trap in the first step.
        do {
            _ = try outputShape(for: Array(training.features.shape.dropFirst()))
        } catch let error as LayerShapeError {
            throw TrainingError.incompatibleData("the model does not fit the data: \(error)")
        }
        let smallestBatch = batching.smallestBatch(forCount: training.count)
        if smallestBatch == 1,
           let layer = batchNormalizationNeedingTwoExamples(exampleShape: Array(training.features.shape.dropFirst())) {
            let (batches, remedy) = batching == .stochastic
                ? ("stochastic gradient descent takes one example a step", "train in mini-batches")
                : ("the epoch's last batch has 1 example (\(training.count) in batches of \(batching.batchSize(forCount: training.count)))",
                   "choose a batch size that does not leave 1 example over")
            throw TrainingError.incompatibleData(
                "\(batches), and \(layer) cannot normalize a single value per feature in training (PyTorch refuses it too): \(remedy)")
        }
        // Denormal numbers take a slow path in the CPU and appear as training converges.
        return try Denormals.flushingToZero {
            try fitFlushingDenormals(training, validation: validation, epochs: epochs, maximumSteps: maximumSteps,
                                     loss: loss, optimizer: optimizer, batching: batching, shuffled: shuffled, seed: seed,
                                     metrics: metrics, schedule: schedule, plateau: plateau,
                                     gradientClipping: gradientClipping, callbacks: callbacks, resumed: resumed,
                                     cudaGraphs: cudaGraphs)
        }
    }

    private mutating func fitFlushingDenormals<Rule: Optimizer>(
        _ training: Dataset, validation: Dataset?, epochs: Int, maximumSteps: Int?,
        loss: Loss, optimizer: Rule, batching: Batching, shuffled: Bool, seed: UInt64, metrics: [Metric],
        schedule: (any LearningRateSchedule)?, plateau: ReduceLROnPlateau?, gradientClipping: GradientClipping?,
        callbacks: [any TrainingCallback], resumed: TrainingState?, cudaGraphs: Bool
    ) throws -> History {
        var initialLearningRate = optimizer.learningRate
        // Training runs where the parameters are: each batch moves there (no copy when it is
        // there already), and the step reads back only its cost. On a GPU with room for them,
        // the data move there first, once, and the batches are gathered there.
        let device = self.device
        let (training, validation) = Dataset.resident(training, validation, on: device)
        let hasBuffers = !buffers.isEmpty
        var history = History()
        var stepsTaken = 0
        var firstEpoch = 1
        var unfinished: TrainingState.UnfinishedEpoch?
        if let resumed {
            try restore(resumed, optimizer: optimizer, plateau: plateau, callbacks: callbacks, metricCount: metrics.count)
            initialLearningRate = resumed.initialLearningRate
            (history, stepsTaken, unfinished) = (resumed.history, resumed.stepsTaken, resumed.unfinishedEpoch)
            firstEpoch = resumed.completedEpochs + 1
            if resumed.stoppedByCallback { return history }
            if let maximumSteps, stepsTaken >= maximumSteps { return history }
        }
        // What a checkpoint holds besides the model, at the end of epoch `epoch` or part way
        // through epoch `epoch` + 1.
        func state(after epoch: Int, steps: Int, unfinished: TrainingState.UnfinishedEpoch?, stopped: Bool) -> TrainingState {
            TrainingState(
                completedEpochs: epoch, completedSteps: steps, stepsTaken: stepsTaken, epochCount: epochs,
                stoppedByCallback: stopped, history: history, unfinishedEpoch: unfinished, learningRate: optimizer.learningRate,
                initialLearningRate: initialLearningRate, plateau: plateau?.state,
                callbackStates: Dictionary(callbacks.compactMap { ($0 as? any StatefulTrainingCallback).map { ($0.stateName, $0.savedState) } },
                                           uniquingKeysWith: { first, _ in first }),
                randomStreams: Dictionary(randomStreams.map { ($0.name, $0.stream.key) }, uniquingKeysWith: { first, _ in first }),
                optimizerType: (optimizer as? any SavableOptimizer).map { type(of: $0).typeName } ?? "\(type(of: optimizer))",
                optimizerState: (optimizer as? any SavableOptimizer)?.stateDictionary() ?? [:])
        }
        setTraining(true)
        defer { setTraining(false) }
        // The graph trains a copy of the model; `self` takes its weights whenever someone else
        // looks at them (the end of an epoch, an interruption).
        let graph = cudaGraphs
            ? try trainingGraph(optimizer: optimizer, loss: loss, metrics: metrics, gradientClipping: gradientClipping)
            : nil

        epochLoop: for epoch in firstEpoch..<max(epochs + 1, firstEpoch) {
            // A resumed epoch keeps the rate it had (reduce-on-plateau may have changed it).
            if let schedule, unfinished == nil {
                optimizer.learningRate = schedule.learningRate(atEpoch: epoch - 1, initial: initialLearningRate)
            }
            let started = Date()
            // A collection that gathers each batch when it is reached, so at most one batch is
            // copied out of the training set at a time.
            let batches = training.batches(batching, shuffled: shuffled, seed: seed, epoch: epoch - 1)
            var costSum = unfinished?.costSum ?? 0, seen = unfinished?.exampleCount ?? 0
            // Σ metric × batch size, added up on the device and read once, after the epoch.
            var metricTotals = (unfinished?.metricSums ?? [Double](repeating: 0, count: metrics.count)).map {
                Tensor($0).to(device)
            }
            let firstStep = epoch == firstEpoch ? resumed?.completedSteps ?? 0 : 0
            guard firstStep <= batches.count else {
                throw TrainingError.incompatibleData(
                    "the resumed run stopped after step \(firstStep) of epoch \(epoch), but an epoch has \(batches.count) steps here: not the same data or batch size")
            }
            unfinished = nil
            for index in firstStep..<batches.count {
                let batch = batches[index]
                let (inputs, labels) = (batch.inputs.to(device), batch.labels.to(device))
                let value: Double
                // Each metric's value × the batch's size, in float64, ready to be added up.
                let batchMetrics: [Tensor]
                if let graph {
                    do {
                        try graph.step(inputs: inputs, labels: labels)
                    } catch {
                        throw TrainingError.invalidSetting("the training step's CUDA graph failed at step \(index + 1) of epoch \(epoch): \(error)")
                    }
                    let outputs = graph.lastOutputs
                    value = outputs[0].doubleValue  // the step's one read-back
                    guard value.isFinite else {
                        throw TrainingError.nonFiniteCost(epoch: epoch, step: index + 1, value: value)
                    }
                    batchMetrics = Array(outputs.dropFirst())
                } else {
                    var outputs = Tensor.zeros([0])
                    var updatedBuffers: [(name: String, value: Tensor)] = []
                    let (cost, gradients) = valueWithGradient(at: self) { model in
                        // A forward pass in training mode may update buffers (running statistics):
                        // on a copy here, written back to the model below.
                        var model = model
                        outputs = hasBuffers ? model.forwardUpdatingBuffers(inputs) : model(inputs)
                        if hasBuffers { updatedBuffers = model.buffers }
                        return loss(predicted: outputs, expected: labels)
                    }
                    if hasBuffers {
                        var index = 0
                        visitBuffers { _, buffer in
                            buffer = updatedBuffers[index].value.detached()
                            index += 1
                        }
                    }
                    // Let go of the gradient graph now: it holds the parameters, and while it lives
                    // the optimizer's in-place update would have to copy every one of them.
                    outputs = outputs.detached()
                    value = cost.doubleValue  // the step's one read-back
                    guard value.isFinite else {
                        throw TrainingError.nonFiniteCost(epoch: epoch, step: index + 1, value: value)
                    }
                    optimizer.update(&self, along: gradientClipping.map { $0.apply(to: gradients) } ?? gradients)
                    batchMetrics = metrics.map { metric in
                        Self.weighted(metric.valueTensor(outputs: outputs, labels: labels,
                                                         outputsAreProbabilities: loss.expectsProbabilities),
                                      by: inputs.shape[0])
                    }
                }

                let count = batch.inputs.shape[0]
                costSum += value * Double(count)
                seen += count
                for (m, weightedValue) in batchMetrics.enumerated() { metricTotals[m] = metricTotals[m] + weightedValue }
                stepsTaken += 1
                let elapsed = Date().timeIntervalSince(started)
                for callback in callbacks {
                    callback.handle(.stepEnded(epoch: epoch, epochCount: epochs, step: index + 1, stepCount: batches.count,
                                               cost: costSum / Double(seen),
                                               samplesPerSecond: Double(seen) / max(elapsed, 1e-9)))
                }
                if let maximumSteps, stepsTaken >= maximumSteps { break }
                if callbacks.contains(where: \.interruptsTraining) {
                    if let graph { self = graph.model }
                    let sums = TrainingState.UnfinishedEpoch(costSum: costSum, exampleCount: seen,
                                                             metricSums: metricTotals.map(\.doubleValue))
                    let stopped = state(after: epoch - 1, steps: index + 1, unfinished: sums, stopped: false)
                    for callback in callbacks { try callback.trainingStateReached(stopped, model: self) }
                    throw TrainingInterrupted(completedEpochs: epoch - 1, completedSteps: index + 1, stepCount: batches.count,
                                              epochCount: epochs)
                }
            }

            if let graph { self = graph.model }
            var values: [(String, Double)] = [("loss", costSum / Double(seen))]
            for (m, metric) in metrics.enumerated() { values.append((metric.name, metricTotals[m].doubleValue / Double(seen))) }
            if let validation {
                let evaluation = evaluate(on: validation, loss: loss, metrics: metrics)
                values.append(("val_loss", evaluation["loss"]!))
                for metric in metrics { values.append(("val_\(metric.name)", evaluation[metric.name]!)) }
            }
            values.append(("learning_rate", optimizer.learningRate))
            history.record(values)
            if let plateau, let monitored = history["val_loss"]?.last ?? history["loss"]?.last {
                plateau.step(metric: monitored, optimizer: optimizer)
            }
            let seconds = Date().timeIntervalSince(started)
            for callback in callbacks {
                callback.handle(.epochEnded(epoch: epoch, epochCount: epochs,
                                            values: Dictionary(uniqueKeysWithValues: values), seconds: seconds))
            }
            var stop = false
            for callback in callbacks where try callback.epochEnded(epoch: epoch, history: history, model: self) == .stop {
                stop = true
            }
            let ended = state(after: epoch, steps: 0, unfinished: nil, stopped: stop)
            for callback in callbacks { try callback.trainingStateReached(ended, model: self) }
            if stop { break epochLoop }
            if let maximumSteps, stepsTaken >= maximumSteps { break epochLoop }
        }
        return history
    }

    /// A CUDA graph of this model's training step whose outputs are the cost and each metric's
    /// value on the batch, for `fit(…cudaGraphs: true)`.
    ///
    /// - Throws: ``TrainingError/invalidSetting(_:)`` where a graph cannot be used.
    private func trainingGraph<Rule: Optimizer>(optimizer: Rule, loss: Loss, metrics: [Metric],
                                                gradientClipping: GradientClipping?) throws -> CUDATrainingGraph<Self, Rule> {
        guard case .cuda = device else {
            throw TrainingError.invalidSetting("CUDA graphs need the model on a cuda device; it is on \(device)")
        }
        guard buffers.isEmpty else {
            throw TrainingError.invalidSetting("CUDA graphs cannot capture a model with buffers yet (batch normalization's running statistics)")
        }
        guard gradientClipping == nil else {
            throw TrainingError.invalidSetting("CUDA graphs cannot capture gradient clipping yet: train without one or the other")
        }
        do {
            // The metrics are weighted inside the graph: one launch a step fewer for each, outside.
            return try CUDATrainingGraph(self, optimizer: optimizer, on: device) { model, inputs, labels in
                let outputs = model(inputs)
                return [loss(predicted: outputs, expected: labels)] + metrics.map { metric in
                    Self.weighted(metric.valueTensor(outputs: outputs, labels: labels,
                                                     outputsAreProbabilities: loss.expectsProbabilities),
                                  by: inputs.shape[0])
                }
            }
        } catch {
            throw TrainingError.invalidSetting("\(error)")
        }
    }

    /// A batch's mean `value` × its `count` examples, in float64: what an epoch's total adds up.
    private static func weighted(_ value: Tensor, by count: Int) -> Tensor {
        value.cast(to: .float64) * Double(count)
    }

    /// The cost and metrics of the model on a dataset, in inference mode (dropout off), computed
    /// in batches of `batchSize` on the model's device without recording gradients. The sums
    /// stay on the device until the end: one read-back per value.
    public func evaluate(on dataset: Dataset, loss: Loss, metrics: [Metric] = [],
                         batchSize: Int = inferenceBatchSize) -> [String: Double] {
        let model = training(false)
        let device = self.device
        // Σ value × batch size for the cost, then each metric.
        var totals = [Tensor](repeating: Tensor.zeros([], dtype: .float64, on: device), count: metrics.count + 1)
        withoutGradients {
            for batch in dataset.batches(.miniBatch(size: batchSize), shuffled: false, seed: 0, epoch: 0) {
                let (inputs, labels) = (batch.inputs.to(device), batch.labels.to(device))
                let outputs = model(inputs)
                let values = [loss(predicted: outputs, expected: labels)] + metrics.map { metric in
                    metric.valueTensor(outputs: outputs, labels: labels, outputsAreProbabilities: loss.expectsProbabilities)
                }
                for (index, value) in values.enumerated() {
                    totals[index] = totals[index] + Self.weighted(value, by: inputs.shape[0])
                }
            }
        }
        let total = Double(max(dataset.count, 1))
        var result = ["loss": totals[0].doubleValue / total]
        for (m, metric) in metrics.enumerated() { result[metric.name] = totals[m + 1].doubleValue / total }
        return result
    }

    /// The model's outputs for `inputs`, in inference mode, computed in batches on the model's
    /// device and returned on the inputs' device.
    public func predict(_ inputs: Tensor, batchSize: Int = inferenceBatchSize) -> Tensor {
        let model = training(false)
        let device = self.device
        return withoutGradients {
            let count = inputs.shape.first ?? 0
            let parts = stride(from: 0, to: count, by: batchSize).map { start in
                model(inputs[start..<min(count, start + batchSize)].to(device))
            }
            return (parts.isEmpty ? model(inputs.to(device)) : Tensor(concatenating: parts, alongAxis: 0)).to(inputs.device)
        }
    }
}

/// How gradients are limited before each optimizer step, against exploding gradients.
public enum GradientClipping: Sendable, Equatable {
    /// Scales all gradients together so that their global L2 norm is at most this value.
    case globalNorm(Double)
    /// Clamps every gradient element to ±this value.
    case value(Double)

    func apply(to gradients: Gradients) -> Gradients {
        switch self {
        case let .globalNorm(maximum): gradients.clipped(byGlobalNorm: maximum)
        case let .value(limit): gradients.clipped(byValue: limit)
        }
    }
}

extension Loss {
    /// Whether the model's outputs are probabilities (for thresholding binary predictions).
    var expectsProbabilities: Bool { self == .binaryCrossEntropy }
}
