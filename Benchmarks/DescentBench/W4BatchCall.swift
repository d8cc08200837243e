// `--workloads w4-batch`: one W4 batch-1000 inference call (784-512-512-10, ReLU, synthetic
// inputs) for Benchmarks/callgrind.sh, whose instructions
// `valgrind --tool=callgrind --toggle-collect='*callgrindW4BatchCall*'` counts: the matrix
// products with their bias and activation, and whatever passes over the outputs remain.
import Descent

/// Calls counted by callgrind (each is about 1.3 GFLOP: valgrind runs it in seconds).
let w4BatchCalls = 3

// Not optimized (the model call it makes is): optimized, Swift merges this wrapper with
// callgrindW4Call's identical one, and callgrind would never see this name.
@_optimize(none) @inline(never) func callgrindW4BatchCall(_ model: Sequential, _ input: Tensor) -> Tensor {
    model(input)
}

@MainActor func w4BatchCall(json: Bool) {
    let model = mlp([784, 512, 512, 10], dropout: 0.2, seed: 0).training(false)
    let input = Tensor.randomNormal([1000, 784], seed: 1)
    var outputs: [Tensor] = []
    withoutGradients {
        for _ in 0..<2 { outputs.append(model(input)) }
        let elapsed = seconds {
            for _ in 0..<w4BatchCalls { outputs.append(callgrindW4BatchCall(model, input)) }
        }
        record("w4_batch_calls", Double(w4BatchCalls), json: json)
        record("w4_batch_us", elapsed / Double(w4BatchCalls) * 1e6, json: json)
    }
    precondition(outputs.count == 2 + w4BatchCalls)
}
