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
    var model = mlp([784, 128, 10], dropout: 0, seed: 0)
    let optimizer = SGD(learningRate: 0.01)
    let inputs = Tensor.randomNormal([32, 784], seed: 1)
    let labels = Tensor(shape: [32], scalars: (0..<32).map { Int32($0 % 10) })
    func gradients(of model: Sequential) -> Gradients {
        valueWithGradient(at: model) { model in crossEntropy(logits: model(inputs), labels: labels) }.gradient
    }
    /// Median microseconds per call of `body`, over 15 runs of 1,000 calls.
    func microseconds(_ body: () -> Void) -> Double {
        for _ in 0..<100 { body() }
        let runs = (0..<15).map { _ in seconds { for _ in 0..<1_000 { body() } } / 1_000 * 1e6 }
        return runs.sorted()[runs.count / 2]
    }
    var scalars = 0
    record("w2_parts_forward_us", microseconds { withoutGradients { scalars += model(inputs).scalarCount } }, json: json)
    record("w2_parts_gradients_us", microseconds { scalars += gradients(of: model).byName.count }, json: json)
    let fixed = gradients(of: model)
    var updated = model
    record("w2_parts_update_us", microseconds { optimizer.update(&updated, along: fixed) }, json: json)
    record("w2_parts_step_us", microseconds { optimizer.update(&model, along: gradients(of: model)) }, json: json)
    precondition(scalars > 0)
}
