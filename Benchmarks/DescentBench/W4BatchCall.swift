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
    timeW4Calls(batch: 1000, warmUp: 2, calls: w4BatchCalls, name: "w4_batch", json: json, callgrindW4BatchCall)
}
