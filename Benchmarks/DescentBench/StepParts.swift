import Descent
import Foundation

/// W2's step taken apart (`--workloads w2-parts`), on synthetic data, so that a CPU's W2 figure
/// can be read as forward pass + backpropagation + update + the rest: microseconds for the
/// forward pass without recording, the cost and its gradients (forward and backward), the SGD
/// update alone, and the whole step, each the median of 15 runs of 1,000 calls. A step's
/// parameters stay the same between the timed calls of one part, except in `w2_parts_step_us`.
/// The difference between `w2_parts_step_us` and W2's own figure is the batch's gather and
/// whatever an iteration over real data adds.
@MainActor func w2Parts(json: Bool) {
    stepParts(name: "w2_parts", sizes: [784, 128, 10], batchSize: 32, dropout: 0,
              optimizer: SGD(learningRate: 0.01), callsPerRun: 1_000, json: json)
}

/// W1's step taken apart the same way (`--workloads w1-parts`): 784-512-512-10 with dropout 0.2,
/// a batch of 128 and RMSProp, medians of 15 runs of 20 calls. A W1 epoch is 469 such steps;
/// what the parts leave of the epoch's time is the batch's gather, the shuffling and the
/// evaluation.
@MainActor func w1Parts(json: Bool) {
    stepParts(name: "w1_parts", sizes: [784, 512, 512, 10], batchSize: 128, dropout: 0.2,
              optimizer: RMSProp(learningRate: 1e-3, alpha: 0.9, epsilon: 1e-7), callsPerRun: 20, json: json)
}

/// Times a training step's parts on synthetic data: `<name>_forward_us` (no recording),
/// `_gradients_us` (cost and gradients), `_update_us` (the optimizer alone) and `_step_us` (all
/// three), each the median of 15 runs of `callsPerRun` calls after a warm-up.
@MainActor private func stepParts(name: String, sizes: [Int], batchSize: Int, dropout: Double,
                                  optimizer: some Optimizer, callsPerRun: Int, json: Bool) {
    var model = mlp(sizes, dropout: dropout, seed: 0)
    let inputs = Tensor.randomNormal([batchSize, sizes[0]], seed: 1)
    let classes = Int32(sizes[sizes.count - 1])
    let labels = Tensor(shape: [batchSize], scalars: (0..<batchSize).map { Int32($0) % classes })
    func gradients(of model: Sequential) -> Gradients {
        valueWithGradient(at: model) { model in crossEntropy(logits: model(inputs), labels: labels) }.gradient
    }
    /// Median microseconds per call of `body`.
    func microseconds(_ body: () -> Void) -> Double {
        for _ in 0..<max(3, callsPerRun / 10) { body() }
        let runs = (0..<15).map { _ in
            seconds { for _ in 0..<callsPerRun { body() } } / Double(callsPerRun) * 1e6
        }
        return median(of: runs)
    }
    var scalars = 0
    record("\(name)_forward_us", microseconds { withoutGradients { scalars += model(inputs).scalarCount } }, json: json)
    record("\(name)_gradients_us", microseconds { scalars += gradients(of: model).byName.count }, json: json)
    let fixed = gradients(of: model)
    var updated = model
    record("\(name)_update_us", microseconds { optimizer.update(&updated, along: fixed) }, json: json)
    record("\(name)_step_us", microseconds { optimizer.update(&model, along: gradients(of: model)) }, json: json)
    precondition(scalars > 0)
}
