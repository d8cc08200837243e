// descent-bench: the speed workloads of BENCHMARKS.md, one line per figure (or --json).
//
//   swift run -c release descent-bench [--workloads w1,w2,w3,w3bn,w4,sgemm,gather] [--epochs 1] [--threads N]
//                                      [--seed 0] [--data-dir ../shared/data/mnist] [--json]
//
// --seed S starts W1's and W3's training from another draw (initial weights, shuffling,
// dropout): accuracy after an epoch varies with it by a few tenths of a percent, so comparisons
// of accuracy take several seeds (Benchmarks/compare.py passes the round's number).
//
// W1  the Keras mnist_mlp recipe: 784-512-512-10, ReLU, dropout 0.2, RMSprop(lr 1e-3, alpha 0.9,
//     eps 1e-7), batch 128 — seconds per epoch, samples/s, test accuracy
// W2  small-batch overhead: 784-128-10, ReLU, SGD(lr 0.1), batch 32 — steps/s
// W3  PyTorch's MNIST example: conv 32×3, relu, conv 64×3, relu, maxpool 2, dropout 0.25,
//     flatten, dense 128, relu, dropout 0.5, dense 10; inputs (x − 0.1307)/0.3081; Adadelta(lr
//     1.0), γ 0.7 per epoch, batch 64 — seconds per epoch, samples/s, test accuracy
//     (not in the default set: an epoch takes about a minute)
// W3bn  W3 with BatchNorm2d after each convolution, before its ReLU (not in the default set)
// W4  inference with the W1 model: batch-1 latency (median), batch-1000 throughput
// sgemm  matrix-multiply GFLOP/s on the MLP's shapes and on squares
// gather  W2's batch of 32 random rows alone, microseconds per batch
// w2-parts  W2's step taken apart on synthetic data: forward pass, gradients, update, whole step (µs)
// w1-parts  W1's step taken apart the same way (784-512-512-10, dropout, batch 128, RMSProp; µs)
// w2-overhead  W2's step with layers 4-4-2: what a step costs besides its arithmetic (µs; set
//     W2_STEP_CALLS=20000 for a steady figure; Benchmarks/callgrind.sh counts its instructions)
// csv  loading a CSV file (--csv FILE): seconds, MB/s, rows; run alone for its peak memory
// fusions  fused operations (linear with its bias, a convolution with its ReLU) against the
//     operations they replace, microseconds per call
// convolutions  one convolution layer's training step on shapes where the CPU's ways of
//     convolving compete, microseconds per step (ConvolutionSteps.swift)
import Descent
import Foundation

struct Options {
    var workloads: Set<String> = ["w1", "w2", "w4", "sgemm"]
    var epochs = 1
    var threads = ThreadCount.defaultValue
    var dataDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../shared/data/mnist").standardized.path
    var json = false
    var csv: String?
    var seed: UInt64 = 0

    init(_ arguments: [String]) throws {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            func value() throws -> String {
                guard let value = iterator.next() else { throw BenchError("\(argument) needs a value") }
                return value
            }
            switch argument {
            case "--workloads": workloads = Set(try value().split(separator: ",").map(String.init))
            case "--epochs": epochs = Int(try value()) ?? 1
            case "--threads": threads = Int(try value()) ?? threads
            case "--data-dir": dataDirectory = try value()
            case "--json": json = true
            case "--csv": csv = try value()
            case "--seed":
                let text = try value()
                guard let number = UInt64(text) else { throw BenchError("--seed needs a whole number ≥ 0, not '\(text)'") }
                seed = number
            case "--help", "-h":
                print("usage: descent-bench [--workloads w1,w2,w3,w3bn,w4,sgemm,gather] [--epochs N] [--threads N] [--seed S] [--data-dir DIR] [--json]")
                exit(0)
            default: throw BenchError("unknown option \(argument); try --help")
            }
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Figures in the order measured.
var results: [(String, Double)] = []
@MainActor func record(_ name: String, _ value: Double, json: Bool) {
    results.append((name, value))
    if !json { print(name.padding(toLength: 40, withPad: " ", startingAt: 0), String(format: "%.4g", value)) }
}

func peakResidentMegabytes() -> Double {
    var usage = rusage()
    #if os(Linux)
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    return Double(usage.ru_maxrss) / 1024  // kilobytes on Linux
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// The median of `values`, as Python's `statistics.median` takes it (the mean of the two middle
/// values when there is an even number), so that a figure here and PyTorch's in
/// `Benchmarks/pytorch_bench.py` are the same statistic. Taking the upper middle value instead
/// made W1's figure over two epochs the slower epoch, against the mean of PyTorch's two.
func median(of values: [Double]) -> Double {
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

func mlp(_ sizes: [Int], dropout: Double, seed: UInt64) -> Sequential {
    var generator = RandomGenerator(seed: seed)
    var layers: [any Layer] = []
    for i in 0..<(sizes.count - 1) {
        let hidden = i < sizes.count - 2
        layers.append(Dense(inputCount: sizes[i], outputCount: sizes[i + 1], activation: hidden ? .relu : .identity,
                            using: &generator))
        if hidden && dropout > 0 { layers.append(Dropout(rate: dropout, using: &generator)) }
    }
    return Sequential(layers)
}

@MainActor func w1(train: Dataset, test: Dataset, epochs: Int, seed: UInt64, json: Bool) throws -> Sequential {
    var model = mlp([784, 512, 512, 10], dropout: 0.2, seed: seed)
    let optimizer = RMSProp(learningRate: 1e-3, alpha: 0.9, epsilon: 1e-7)
    var epochSeconds: [Double] = []
    for epoch in 0..<epochs {
        epochSeconds.append(try seconds {
            try model.fit(train, epochs: 1, loss: .crossEntropy(), optimizer: optimizer,
                          batching: .miniBatch(size: 128), seed: seed &* 1000 &+ UInt64(epoch))
        })
        if !json && epochs > 1 { print("  epoch \(epoch + 1): \(String(format: "%.2f", epochSeconds.last!)) s") }
    }
    let epochTime = median(of: epochSeconds)
    record("w1_epoch_seconds", epochTime, json: json)
    record("w1_samples_per_second", Double(train.count) / epochTime, json: json)
    let accuracy = model.evaluate(on: test, loss: .crossEntropy(), metrics: [.accuracy])["accuracy"]!
    record("w1_test_accuracy", accuracy, json: json)
    return model.training(false)
}

/// MNIST as the example feeds it: [N, 1, 28, 28], normalized by the training set's mean and
/// standard deviation, 0.1307 and 0.3081 (the example's transforms.Normalize).
func mnistImages(_ dataset: Dataset) -> Dataset {
    let images = ((dataset.features - 0.1307) / 0.3081).reshaped(to: [dataset.count, 1, 28, 28])
    return Dataset(features: images, labels: dataset.labels, classCount: 10)
}

/// PyTorch's MNIST example with batch normalization after each convolution, before its ReLU
/// (W3 with BatchNorm2d, `--workloads w3bn`), as `pytorch_bench.py` builds it.
func mnistExampleWithBatchNorm(seed: UInt64) -> Sequential {
    var generator = RandomGenerator(seed: seed)
    return Sequential([
        Conv2d(inChannels: 1, outChannels: 32, kernelSize: 3, using: &generator), BatchNorm2d(featureCount: 32), ReLU(),
        Conv2d(inChannels: 32, outChannels: 64, kernelSize: 3, using: &generator), BatchNorm2d(featureCount: 64), ReLU(),
        MaxPool2d(kernelSize: 2), Dropout(rate: 0.25, using: &generator), Flatten(),
        Dense(inputCount: 9216, outputCount: 128, activation: .relu, using: &generator),
        Dropout(rate: 0.5, using: &generator),
        Dense(inputCount: 128, outputCount: 10, using: &generator),
    ])
}

/// W3 (or, with `batchNorm`, W3 with BatchNorm2d: figures named w3bn_…).
@MainActor func w3(train: Dataset, test: Dataset, epochs: Int, seed: UInt64, batchNorm: Bool = false, json: Bool) throws {
    let (train, test) = (mnistImages(train), mnistImages(test))
    let name = batchNorm ? "w3bn" : "w3"
    var model = batchNorm ? mnistExampleWithBatchNorm(seed: seed) : Sequential.pyTorchMNISTExample(seed: seed)
    let optimizer = Adadelta(learningRate: 1.0)
    // The example's StepLR(step_size=1, gamma=0.7), stepped after each epoch; set here because
    // each epoch is its own fit call (to time it alone).
    let schedule = StepLR(stepSize: 1, gamma: 0.7)
    var epochSeconds: [Double] = []
    for epoch in 0..<epochs {
        optimizer.learningRate = schedule.learningRate(atEpoch: epoch, initial: 1.0)
        epochSeconds.append(try seconds {
            try model.fit(train, epochs: 1, loss: .crossEntropy(), optimizer: optimizer,
                          batching: .miniBatch(size: 64), seed: seed &* 1000 &+ UInt64(epoch))
        })
        if !json && epochs > 1 { print("  epoch \(epoch + 1): \(String(format: "%.2f", epochSeconds.last!)) s") }
    }
    let epochTime = median(of: epochSeconds)
    record("\(name)_epoch_seconds", epochTime, json: json)
    record("\(name)_samples_per_second", Double(train.count) / epochTime, json: json)
    let accuracy = model.evaluate(on: test, loss: .crossEntropy(), metrics: [.accuracy])["accuracy"]!
    record("\(name)_test_accuracy", accuracy, json: json)
}

@MainActor func w2(train: Dataset, json: Bool) {
    var model = mlp([784, 128, 10], dropout: 0, seed: 0)
    let optimizer = SGD(learningRate: 0.1)
    var steps = 0
    let elapsed = seconds {
        let start = Date()
        var epoch = 0
        outer: while true {
            for batch in train.batches(.miniBatch(size: 32), shuffled: true, seed: 0, epoch: epoch) {
                let (_, gradients) = valueWithGradient(at: model) { model in
                    crossEntropy(logits: model(batch.inputs), labels: batch.labels)
                }
                optimizer.update(&model, along: gradients)
                steps += 1
                if Date().timeIntervalSince(start) > 3 { break outer }
            }
            epoch += 1
        }
    }
    record("w2_steps_per_second", Double(steps) / elapsed, json: json)
}

/// W2's batches alone: each is 32 rows at random places of the 188 MB training set, gathered into
/// a new [32, 784] tensor (and their labels), as every W2 step does before its forward pass.
/// Microseconds per batch, the median of 20 runs of 500 batches.
@MainActor func gather(train: Dataset, json: Bool) {
    let batches = train.batches(.miniBatch(size: 32), shuffled: true, seed: 0, epoch: 0)
    var times: [Double] = []
    var scalars = 0
    for run in 0..<20 {
        let first = run * 500 % (batches.count - 500)
        times.append(seconds {
            for position in first..<(first + 500) { scalars += batches[position].inputs.scalarCount }
        } / 500)
    }
    precondition(scalars == 20 * 500 * 32 * 784)
    record("gather_batch32_us", median(of: times) * 1e6, json: json)
}

@MainActor func w4(model: Sequential, test: Dataset, json: Bool) {
    withoutGradients {
        var latencies: [Double] = []
        for i in 0..<2200 {
            let example = test.features[(i % test.count)..<(i % test.count + 1)]
            let time = seconds { _ = model(example) }
            if i >= 200 { latencies.append(time) }
        }
        record("w4_batch1_latency_us", median(of: latencies) * 1e6, json: json)
        let batch = test.features[0..<1000]
        _ = model(batch)
        var count = 0
        let elapsed = seconds {
            let start = Date()
            while Date().timeIntervalSince(start) < 2 {
                _ = model(batch)
                count += 1000
            }
        }
        record("w4_batch1000_samples_per_second", Double(count) / elapsed, json: json)
    }
}

/// Fused operations against the operations they replace, on the MLP's shapes, on a batch of
/// 64 MNIST-sized images through each CPU path of a convolution with its ReLU, and through batch
/// normalization with its ReLU, forward and backward: microseconds per call (medians), fused and
/// composed.
@MainActor func fusions(json: Bool) {
    func microsecondsPerCall(_ body: () -> Void) -> Double {
        var times: [Double] = []
        for _ in 0..<200 { times.append(seconds(body)) }
        return median(of: times) * 1e6
    }
    for (rows, inputs, outputs) in [(1, 784, 512), (128, 784, 512), (1000, 784, 512), (1000, 512, 512), (1000, 512, 10), (32, 784, 128)] {
        let x = Tensor.randomNormal([rows, inputs], seed: 1)
        let weight = Tensor.randomNormal([outputs, inputs], seed: 2), bias = Tensor.randomNormal([outputs], seed: 3)
        let name = "linear_\(rows)x\(inputs)x\(outputs)"
        record(name + "_fused_us", microsecondsPerCall { _ = linear(x, weight: weight, bias: bias) }, json: json)
        record(name + "_composed_us", microsecondsPerCall { _ = matmul(x, weight, transposeB: true) + bias }, json: json)
    }
    // (name, input, weight, padding, groups): im2col's matrix multiply (one input channel),
    // the depthwise kernels, a 1×1 product and Winograd's.
    let convolutions: [(String, [Int], [Int], Int, Int)] = [
        ("conv_relu_1to32_3x3_28", [64, 1, 28, 28], [32, 1, 3, 3], 1, 1),
        ("conv_relu_depthwise32_3x3_28", [64, 32, 28, 28], [32, 1, 3, 3], 1, 32),
        ("conv_relu_32to64_1x1_14", [64, 32, 14, 14], [64, 32, 1, 1], 0, 1),
        ("conv_relu_32to64_3x3_14", [64, 32, 14, 14], [64, 32, 3, 3], 1, 1),
    ]
    for (name, input, weightShape, padding, groups) in convolutions {
        let x = Tensor.randomNormal(input, seed: 1)
        let weight = Tensor.randomNormal(weightShape, seed: 2), bias = Tensor.randomNormal([weightShape[0]], seed: 3)
        let padding = Conv2dPadding.explicit(Size2D(padding, padding))
        record(name + "_fused_us", microsecondsPerCall {
            _ = conv2d(x, weight: weight, bias: bias, padding: padding, groups: groups, activation: .relu)
        }, json: json)
        record(name + "_composed_us", microsecondsPerCall {
            _ = relu(conv2d(x, weight: weight, bias: bias, padding: padding, groups: groups))
        }, json: json)
    }
    // Batch normalization and its ReLU, forward and backward (the cost Σ u ⊙ y, u fixed).
    for (name, shape) in [("bn_relu_32x28x28", [64, 32, 28, 28]), ("bn_relu_64x14x14", [64, 64, 14, 14])] {
        let x = Tensor.randomNormal(shape, seed: 1), upstream = Tensor.randomNormal(shape, seed: 4)
        let parameters = [x, Tensor.randomNormal([shape[1]], seed: 2), Tensor.randomNormal([shape[1]], seed: 3)]
        for (kind, fused) in [("fused", true), ("composed", false)] {
            record(name + "_\(kind)_us", microsecondsPerCall {
                _ = valueWithGradient(at: parameters) { p in
                    let y = fused ? batchNormalization(p[0], weight: p[1], bias: p[2], activation: .relu).output
                        : relu(batchNormalization(p[0], weight: p[1], bias: p[2]).output)
                    return (y * upstream).sum()
                }
            }, json: json)
        }
    }
}

/// Dropout in training mode on one of W1's activations ([128, 512]): microseconds per call
/// (median), mask and product.
@MainActor func dropout(json: Bool) {
    let layer = Dropout(rate: 0.2, seed: 1)
    let x = Tensor.randomNormal([128, 512], seed: 1)
    var times: [Double] = []
    for _ in 0..<500 { times.append(seconds { _ = layer(x) }) }
    record("dropout_128x512_us", median(of: times) * 1e6, json: json)
}

/// (name, m, k, n, transpose A, transpose B): C[m, n] = op(A)·op(B)
let sgemmShapes: [(String, Int, Int, Int, Bool, Bool)] = [
    ("sgemm_512", 512, 512, 512, false, false),
    ("sgemm_1024", 1024, 1024, 1024, false, false),
    ("sgemm_2048", 2048, 2048, 2048, false, false),
    ("sgemm_128x784x512", 128, 784, 512, false, false),
    ("sgemm_128x512x512", 128, 512, 512, false, false),
    ("sgemm_128x512x784_bT", 128, 512, 784, false, true),
    ("sgemm_784x128x512_aT", 784, 128, 512, true, false),
    // W2's two large products: the first layer's forward pass and its weight gradient (K = 32).
    ("sgemm_32x784x128", 32, 784, 128, false, false),
    ("sgemm_784x32x128_aT", 784, 32, 128, true, false),
]

@MainActor func sgemm(json: Bool) {
    for (name, m, k, n, transposeA, transposeB) in sgemmShapes {
        let a = Tensor.randomNormal(transposeA ? [k, m] : [m, k], seed: 1)
        let b = Tensor.randomNormal(transposeB ? [n, k] : [k, n], seed: 2)
        _ = matmul(a, b, transposeA: transposeA, transposeB: transposeB)
        var repetitions = 0
        let elapsed = seconds {
            let start = Date()
            while Date().timeIntervalSince(start) < 1 {
                _ = matmul(a, b, transposeA: transposeA, transposeB: transposeB)
                repetitions += 1
            }
        }
        record(name + "_gflops", 2 * Double(m * n * k * repetitions) / elapsed / 1e9, json: json)
    }
}

// MARK: Callgrind workloads (Benchmarks/callgrind.sh)
//
// `--workloads w2-step` and `--workloads w4-call`: synthetic data (no MNIST), 20 warm-up calls,
// then exactly `callgrindCalls` calls of one @inline(never) function, whose instructions
// `valgrind --tool=callgrind --toggle-collect='*callgrindW2Step*'` (or W4Call) counts.
// Run them with `--threads 1`: callgrind only counts the thread that enters the function.

let callgrindCalls = 10

/// The whole number the environment variable `name` holds, or `defaultValue` where it is unset;
/// anything other than a number of at least 1 stops the program with a message.
func positiveSetting(_ name: String, default defaultValue: Int) -> Int {
    guard let text = ProcessInfo.processInfo.environment[name] else { return defaultValue }
    guard let value = Int(text), value >= 1 else {
        FileHandle.standardError.write(Data("descent-bench: \(name) must be a whole number of at least 1, found \"\(text)\"\n".utf8))
        exit(2)
    }
    return value
}

/// One W2 training step: forward, backpropagation, SGD update.
func w2TrainingStep(_ model: inout Sequential, _ optimizer: SGD, _ inputs: Tensor, _ labels: Tensor) {
    let (_, gradients) = valueWithGradient(at: model) { model in
        crossEntropy(logits: model(inputs), labels: labels)
    }
    optimizer.update(&model, along: gradients)
}

@inline(never) func callgrindW2Step(_ model: inout Sequential, _ optimizer: SGD, _ inputs: Tensor, _ labels: Tensor) {
    w2TrainingStep(&model, optimizer, inputs, labels)
}

/// One W3 training step: forward, backpropagation, Adadelta update.
func w3TrainingStep(_ model: inout Sequential, _ optimizer: Adadelta, _ inputs: Tensor, _ labels: Tensor) {
    let (_, gradients) = valueWithGradient(at: model) { model in
        crossEntropy(logits: model(inputs), labels: labels)
    }
    optimizer.update(&model, along: gradients)
}

// Not optimized (the step it calls is): optimized, Swift merges this wrapper with
// callgrindW2Step's identical one, and the calls go to the merged body under W2's name, which
// callgrind's --toggle-collect='*callgrindW3Step*' never sees.
@_optimize(none) @inline(never) func callgrindW3Step(_ model: inout Sequential, _ optimizer: Adadelta, _ inputs: Tensor, _ labels: Tensor) {
    w3TrainingStep(&model, optimizer, inputs, labels)
}

@inline(never) func callgrindW4Call(_ model: Sequential, _ input: Tensor) -> Tensor {
    model(input)
}

/// W2's step, or with `sizes` too small for the products to matter (`--workloads w2-overhead`,
/// layers 4-4-2), what a step costs besides its arithmetic: recording and freeing the graph,
/// allocations, dispatch. `W2_STEP_CALLS` sets how many calls are timed (callgrind's 10 by
/// default; thousands give a steadier time).
@MainActor func w2Step(sizes: [Int] = [784, 128, 10], json: Bool) {
    var model = mlp(sizes, dropout: 0, seed: 0)
    let optimizer = SGD(learningRate: 0.1)
    let inputs = Tensor.randomNormal([32, sizes[0]], seed: 1)
    let labels = Tensor(shape: [32], scalars: (0..<32).map { Int32($0 % sizes[2]) })
    for _ in 0..<20 { w2TrainingStep(&model, optimizer, inputs, labels) }
    let calls = positiveSetting("W2_STEP_CALLS", default: callgrindCalls)
    let elapsed = seconds {
        for _ in 0..<calls { callgrindW2Step(&model, optimizer, inputs, labels) }
    }
    record("w2_step_calls", Double(calls), json: json)
    record("w2_step_us", elapsed / Double(calls) * 1e6, json: json)
}

/// W3's step on a reduced batch of 8 synthetic images (callgrind runs about 50× slower than
/// the CPU): the same layers and shapes per example as W3.
@MainActor func w3Step(json: Bool) {
    let w3StepBatch = positiveSetting("W3_STEP_BATCH", default: 8)
    var model = Sequential.pyTorchMNISTExample(seed: 0)
    let optimizer = Adadelta(learningRate: 1.0)
    let inputs = Tensor.randomNormal([w3StepBatch, 1, 28, 28], seed: 1)
    let labels = Tensor(shape: [w3StepBatch], scalars: (0..<w3StepBatch).map { Int32($0 % 10) })
    for _ in 0..<3 { w3TrainingStep(&model, optimizer, inputs, labels) }
    let calls = positiveSetting("W3_STEP_CALLS", default: 3)
    let elapsed = seconds {
        for _ in 0..<calls { callgrindW3Step(&model, optimizer, inputs, labels) }
    }
    record("w3_step_calls", Double(calls), json: json)
    record("w3_step_us", elapsed / Double(calls) * 1e6, json: json)
}

@MainActor func w4Call(json: Bool) {
    timeW4Calls(batch: 1, warmUp: 20, calls: callgrindCalls, name: "w4_call", json: json, callgrindW4Call)
}

/// Times `calls` calls of the W1 model in inference on one random [batch, 784] input, after
/// `warmUp` uncounted ones, through `call` (a wrapper callgrind can find by name), and records
/// NAME_calls and NAME_us.
@MainActor func timeW4Calls(batch: Int, warmUp: Int, calls: Int, name: String, json: Bool,
                            _ call: (Sequential, Tensor) -> Tensor) {
    let model = mlp([784, 512, 512, 10], dropout: 0.2, seed: 0).training(false)
    let input = Tensor.randomNormal([batch, 784], seed: 1)
    var outputs: [Tensor] = []
    withoutGradients {
        for _ in 0..<warmUp { outputs.append(model(input)) }
        let elapsed = seconds {
            for _ in 0..<calls { outputs.append(call(model, input)) }
        }
        record("\(name)_calls", Double(calls), json: json)
        record("\(name)_us", elapsed / Double(calls) * 1e6, json: json)
    }
    precondition(outputs.count == warmUp + calls)
}

do {
    let options = try Options(Array(CommandLine.arguments.dropFirst()))
    ThreadCount.current = options.threads
    if !options.json {
        let perCore = CPUKernels.threadsPerCore.map { ", \($0) thread\($0 == 1 ? "" : "s") per core" } ?? ""
        print("descent-bench, \(options.threads) threads; \(CPUKernels.processorName)\(perCore); kernels: \(CPUKernels.variant)")
    }
    let needsData = !options.workloads.isDisjoint(with: ["w1", "w2", "w3", "w3bn", "w4", "gather"])
    let (train, test): (Dataset?, Dataset?) = needsData
        ? try Dataset.mnist(directory: URL(fileURLWithPath: options.dataDirectory)) : (nil, nil)
    var model: Sequential?
    if options.workloads.contains("w1") { model = try w1(train: train!, test: test!, epochs: options.epochs, seed: options.seed,
                                                             json: options.json) }
    if options.workloads.contains("w2") { w2(train: train!, json: options.json) }
    if options.workloads.contains("gather") { gather(train: train!, json: options.json) }
    if options.workloads.contains("w3") { try w3(train: train!, test: test!, epochs: options.epochs, seed: options.seed, json: options.json) }
    if options.workloads.contains("w3bn") {
        try w3(train: train!, test: test!, epochs: options.epochs, seed: options.seed, batchNorm: true, json: options.json)
    }
    if options.workloads.contains("w4") {
        w4(model: model ?? mlp([784, 512, 512, 10], dropout: 0.2, seed: 0).training(false), test: test!, json: options.json)
    }
    if options.workloads.contains("sgemm") { sgemm(json: options.json) }
    if options.workloads.contains("fusions") { fusions(json: options.json) }
    if options.workloads.contains("convolutions") { convolutionSteps(json: options.json) }
    if options.workloads.contains("dropout") { dropout(json: options.json) }
    if options.workloads.contains("w2-step") { w2Step(json: options.json) }
    if options.workloads.contains("w2-parts") { w2Parts(json: options.json) }
    if options.workloads.contains("w1-parts") { w1Parts(json: options.json) }
    if options.workloads.contains("w2-overhead") { w2Step(sizes: [4, 4, 2], json: options.json) }
    if options.workloads.contains("w4-call") { w4Call(json: options.json) }
    if options.workloads.contains("w4-batch") { w4BatchCall(json: options.json) }
    if options.workloads.contains("w3-step") { w3Step(json: options.json) }
    if options.workloads.contains("csv") {
        guard let path = options.csv else { throw BenchError("the csv workload needs --csv FILE") }
        try csvLoading(path: path, json: options.json)
    }
    record("peak_rss_mb", peakResidentMegabytes(), json: options.json)
    if options.json {
        var object: [String: Any] = ["framework": "descent", "threads": options.threads,
                                     "cpu": CPUKernels.processorName, "kernels": CPUKernels.variant]
        for (name, value) in results { object[name] = value }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
} catch {
    FileHandle.standardError.write(Data("descent-bench: \(error)\n".utf8))
    exit(1)
}
