import Descent
import Foundation
import Testing
import _DescentTestSupport

/// 60 points on three spiral arms, and 30 more to validate on.
private let spirals = Dataset.spirals(count: 60, classes: 3, seed: 1)
private let validation = Dataset.spirals(count: 30, classes: 3, seed: 2)

/// A network with dropout, so that the random streams' state matters.
private func network() -> Sequential {
    var generator = RandomGenerator(seed: 5)
    return Sequential {
        Dense(inputCount: 2, outputCount: 16, activation: .relu, using: &generator)
        Dropout(rate: 0.3, using: &generator)
        Dense(inputCount: 16, outputCount: 3, using: &generator)
    }
}

/// One way of training: an optimizer and what changes its rate, made fresh for every run.
struct Recipe: CustomTestStringConvertible, Sendable {
    var name: String
    var makeOptimizer: @Sendable () -> any Optimizer
    var schedule: (any LearningRateSchedule & Sendable)?
    var makePlateau: (@Sendable () -> ReduceLROnPlateau)?
    var testDescription: String { name }
}

private let recipes: [Recipe] = [
    Recipe(name: "SGD with momentum, step schedule", makeOptimizer: { SGD(learningRate: 0.1, momentum: 0.9) },
           schedule: StepLR(stepSize: 2, gamma: 0.5)),
    Recipe(name: "Adam (AMSGrad), reduce on plateau", makeOptimizer: { Adam(learningRate: 0.01, amsgrad: true) },
           makePlateau: { ReduceLROnPlateau(factor: 0.5, patience: 0) }),
    Recipe(name: "RMSprop centered with momentum", makeOptimizer: { RMSProp(learningRate: 0.01, momentum: 0.5, centered: true) },
           schedule: StepLR(stepSize: 1, gamma: 0.8)),
    Recipe(name: "Adadelta", makeOptimizer: { Adadelta() }, schedule: StepLR(stepSize: 2, gamma: 0.7)),
    Recipe(name: "Adagrad", makeOptimizer: { Adagrad(learningRate: 0.05) }),
    Recipe(name: "NAdam", makeOptimizer: { NAdam() }),
    Recipe(name: "Adamax", makeOptimizer: { Adamax() }),
    Recipe(name: "AdamW", makeOptimizer: { AdamW(learningRate: 0.01) }),
]

/// Saves the model folder with its checkpoint whenever `fit` has a state for it, and can stop
/// training after a given number of steps, as Ctrl-C does.
private final class FolderCheckpoints: TrainingCallback {
    let folder: URL
    var stopAfterSteps: Int?
    private var steps = 0

    init(folder: URL, stopAfterSteps: Int? = nil) {
        (self.folder, self.stopAfterSteps) = (folder, stopAfterSteps)
    }

    func handle(_ event: TrainingEvent) {
        if case .stepEnded = event { steps += 1 }
    }

    var interruptsTraining: Bool { stopAfterSteps.map { steps >= $0 } ?? false }

    func trainingStateReached(_ state: TrainingState, model: any Layer) throws {
        try #require(model as? Sequential).save(to: folder, additionalFiles: try TrainingCheckpoint.files(for: state))
    }
}

/// Trains `network()` as `recipe` says for `epochs` in all, from the checkpoint in `folder`
/// when `resuming`, saving checkpoints there; returns the weights file's bytes.
private func train(_ recipe: Recipe, epochs: Int, folder: URL, resuming: Bool = false, stopAfterSteps: Int? = nil,
                   earlyStopping: EarlyStopping? = nil, makeNetwork: () -> Sequential = network) throws
    -> (weights: Data, history: History) {
    var model = makeNetwork()
    var state: TrainingState?
    if resuming {
        try model.loadParameters(contentsOf: folder.appendingPathComponent(Sequential.weightsFileName))
        state = try TrainingCheckpoint.read(from: folder)
    }
    let history = try model.fit(
        spirals, validation: validation, epochs: epochs, loss: .crossEntropy(), optimizer: recipe.makeOptimizer(),
        batching: .miniBatch(size: 8), seed: 3, metrics: [.accuracy], schedule: recipe.schedule, plateau: recipe.makePlateau?(),
        callbacks: [FolderCheckpoints(folder: folder, stopAfterSteps: stopAfterSteps)] + (earlyStopping.map { [$0] } ?? []),
        resumingFrom: state)
    return (try model.parametersFile().serialized(), history)
}

private func temporaryFolder() -> URL {
    scratchFolder.appendingPathComponent("descent-resume-\(UUID().uuidString)")
}

@Suite struct ResumeTests {
    /// 3 epochs, then resumed to 6, give the bytes of 6 epochs at once: the optimizer's state,
    /// the schedule (or plateau), dropout's random stream and the shuffles all continue.
    @Test(arguments: recipes)
    func resumingAfterAnEpochGivesTheUninterruptedWeights(recipe: Recipe) throws {
        let (whole, split) = (temporaryFolder(), temporaryFolder())
        defer { for folder in [whole, split] { try? FileManager.default.removeItem(at: folder) } }
        let uninterrupted = try train(recipe, epochs: 6, folder: whole)
        let firstPart = try train(recipe, epochs: 3, folder: split)
        #expect(firstPart.weights != uninterrupted.weights)
        #expect(try TrainingCheckpoint.read(from: split).completedEpochs == 3)
        let resumed = try train(recipe, epochs: 6, folder: split, resuming: true)
        #expect(resumed.weights == uninterrupted.weights)
        #expect(resumed.history == uninterrupted.history)
        #expect(try Data(contentsOf: split.appendingPathComponent("checkpoint/optimizer.safetensors"))
            == Data(contentsOf: whole.appendingPathComponent("checkpoint/optimizer.safetensors")))
    }

    /// Stopped after step 19 (epoch 3 of 6, 8 steps an epoch), the checkpoint is mid-epoch, and
    /// resuming it gives the uninterrupted weights and history.
    @Test(arguments: recipes)
    func resumingMidEpochGivesTheUninterruptedWeights(recipe: Recipe) throws {
        let (whole, split) = (temporaryFolder(), temporaryFolder())
        defer { for folder in [whole, split] { try? FileManager.default.removeItem(at: folder) } }
        let uninterrupted = try train(recipe, epochs: 6, folder: whole)
        let interruption = try #require(throws: TrainingInterrupted.self) {
            try train(recipe, epochs: 6, folder: split, stopAfterSteps: 19)
        }
        #expect(interruption.completedEpochs == 2 && interruption.completedSteps == 3 && interruption.stepCount == 8)
        let state = try TrainingCheckpoint.read(from: split)
        #expect(state.completedEpochs == 2 && state.completedSteps == 3 && state.stepsTaken == 19)
        #expect(state.unfinishedEpoch?.exampleCount == 24)
        #expect(state.optimizerState.keys.contains("0.weight.step"))
        let resumed = try train(recipe, epochs: 6, folder: split, resuming: true)
        #expect(resumed.weights == uninterrupted.weights)
        #expect(resumed.history == uninterrupted.history)
    }

    /// Batch normalization's running statistics (and, with a cumulative average, its batch
    /// count) are buffers saved with the model, so they continue too.
    @Test func aNetworkWithBatchNormResumesMidEpoch() throws {
        func normalized() -> Sequential {
            var generator = RandomGenerator(seed: 5)
            return Sequential {
                Dense(inputCount: 2, outputCount: 16, using: &generator)
                BatchNorm1d(featureCount: 16, momentum: nil)
                ReLU()
                Dropout(rate: 0.2, using: &generator)
                Dense(inputCount: 16, outputCount: 3, using: &generator)
            }
        }
        let (whole, split) = (temporaryFolder(), temporaryFolder())
        defer { for folder in [whole, split] { try? FileManager.default.removeItem(at: folder) } }
        let uninterrupted = try train(recipes[1], epochs: 4, folder: whole, makeNetwork: normalized)
        _ = try #require(throws: TrainingInterrupted.self) {
            try train(recipes[1], epochs: 4, folder: split, stopAfterSteps: 13, makeNetwork: normalized)
        }
        let resumed = try train(recipes[1], epochs: 4, folder: split, resuming: true, makeNetwork: normalized)
        #expect(resumed.weights == uninterrupted.weights)
        #expect(resumed.history == uninterrupted.history)
    }

    /// Early stopping's best value and epoch are in the checkpoint, so the resumed run stops
    /// where the uninterrupted one does.
    @Test func earlyStoppingStateIsResumed() throws {
        let recipe = recipes[0]
        let (whole, split) = (temporaryFolder(), temporaryFolder())
        defer { for folder in [whole, split] { try? FileManager.default.removeItem(at: folder) } }
        let stopping = { EarlyStopping(monitor: "val_accuracy", patience: 1) }
        let uninterrupted = try train(recipe, epochs: 12, folder: whole, earlyStopping: stopping())
        _ = try #require(throws: TrainingInterrupted.self) {
            try train(recipe, epochs: 12, folder: split, stopAfterSteps: 12, earlyStopping: stopping())
        }
        #expect(try TrainingCheckpoint.read(from: split).callbackStates["early_stopping"]?["best_epoch"] == 1)
        let resumed = try train(recipe, epochs: 12, folder: split, resuming: true, earlyStopping: stopping())
        #expect(resumed.history.epochCount == uninterrupted.history.epochCount)
        #expect(resumed.weights == uninterrupted.weights)
    }

    @Test func aStateForAnotherOptimizerIsRefused() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try train(recipes[0], epochs: 1, folder: folder)
        let error = try #require(throws: TrainingError.self) { try train(recipes[4], epochs: 2, folder: folder, resuming: true) }
        #expect("\(error)".contains("the saved training state is for the optimizer SGD, but it is resumed with Adagrad"))
    }

    @Test func optimizerStateThatDoesNotFitTheModelIsRefused() throws {
        let optimizer = SGD(learningRate: 0.1, momentum: 0.9)
        let parameters = network().parameters
        let wrongShape = ["0.weight.step": Tensor(Int64(1)), "0.weight.momentum_buffer": Tensor.zeros([2, 2])]
        let error = try #require(throws: OptimizerStateError.self) {
            try optimizer.loadStateDictionary(wrongShape, parameters: parameters)
        }
        #expect(error.description == "optimizer state '0.weight.momentum_buffer': expected float32 [16, 2], as the parameter, found float32 [2, 2]")
        let unknown = try #require(throws: OptimizerStateError.self) {
            try optimizer.loadStateDictionary(["5.weight.step": Tensor(Int64(1))], parameters: parameters)
        }
        #expect(unknown.tensor == "5.weight.step")
        let missing = try #require(throws: OptimizerStateError.self) {
            try optimizer.loadStateDictionary(["0.weight.step": Tensor(Int64(1))], parameters: parameters)
        }
        #expect(missing.description == "optimizer state '0.weight.momentum_buffer': expected a tensor, found none")
        #expect(optimizer.states.isEmpty)
    }

    @Test func aFolderWithoutACheckpointOrWithADamagedOneIsNamed() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = try #require(throws: CheckpointError.self) { try TrainingCheckpoint.read(from: folder) }
        #expect(missing.path == folder.path + "/checkpoint/state.json")
        #expect(missing.found == "no such folder")
        _ = try train(recipes[0], epochs: 1, folder: folder)
        let stateFile = folder.appendingPathComponent("checkpoint/state.json")
        var text = try String(contentsOf: stateFile, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"steps_taken\"", with: "\"steps\"")
        try Data(text.utf8).write(to: stateFile)
        let damaged = try #require(throws: CheckpointError.self) { try TrainingCheckpoint.read(from: folder) }
        #expect(damaged.description == "'\(stateFile.path)': expected a checkpoint's state (version 1), found no \"steps_taken\"")
        try Data("{\"format\": \"descent-model\"}".utf8).write(to: stateFile)
        let other = try #require(throws: CheckpointError.self) { try TrainingCheckpoint.read(from: folder) }
        #expect(other.description == "'\(stateFile.path)': expected format \"descent-checkpoint\", found \"descent-model\"")
    }
}
