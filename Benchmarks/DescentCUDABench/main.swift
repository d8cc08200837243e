// descent-cuda-bench: BENCHMARKS.md's W1, W2 and W4 on any device, with the data on that device —
// the GPU half of Benchmarks/cuda.sh. It links DescentNN and DescentCore only (no downloads, no
// resource bundle), so a `--static-swift-stdlib` build is one file that runs on a GPU machine
// without Swift.
//
//   descent-cuda-bench [--device cuda] [--workloads w1,w2,w4,w3,w1g,w2g,w3g] [--epochs 3] [--steps N] [--json]
//
// --steps N stops each timed epoch of W1 and W3 after N steps: a short run, for
// DESCENT_CUDA_PROFILE=1 (each operation's own GPU time, printed at exit).
//
// The data are MNIST-shaped (60,000 × 784 in [0, 1), labels 0…9) but random: speed does not
// depend on the values, and the GPU machine needs no data set.
//
// W1  784-512-512-10, ReLU, dropout 0.2, RMSprop(lr 1e-3, α 0.9, ε 1e-7), batch 128, shuffled:
//     seconds per epoch (median over --epochs, after one warm-up epoch), the cost read back every
//     step as `fit` does
// W2  784-128-10, ReLU, SGD(lr 0.1), batch 32: steps per second over 3 s, nothing read back
//     until the end
// W4  the W1 network in inference: batch-1 latency from a host array to a host array (median of
//     2,000), the same through a CUDA graph (on a GPU; its outputs must equal the forward pass's
//     bit for bit, or the exit status is 1), and batch-1000 throughput
// W3  PyTorch's MNIST example (conv 32×3, relu, conv 64×3, relu, maxpool 2, dropout 0.25,
//     flatten, dense 128, relu, dropout 0.5, dense 10), Adadelta(lr 1.0), batch 64, shuffled, on
//     [60,000, 1, 28, 28] images: seconds per epoch (one timed epoch after 20 warm-up steps), the
//     cost read back every step as `fit` does
// agree  (not in the default set) 100 steps of a 784-64-10 network with dropout 0.2, Adam and a
//     step learning-rate schedule, on the device and on the CPU from the same start: the largest
//     parameter difference and the costs of both; exit status 1 when they part (the whole stack —
//     layers, cost, backpropagation, dropout masks, optimizer — on the device, against the CPU).
//     On a GPU, the same 100 steps through a CUDATrainingGraph against the ungraphed ones
//     (graph_agree_*; exit status 1 beyond 1e-5)
// w1g, w2g, w3g  W1, W2 and W3 with each training step replayed from a CUDATrainingGraph
//     (w1_graph_epoch_seconds, …; on a GPU only, and not under DESCENT_CUDA_PROFILE=1)
import DescentCore
import DescentNN
import Foundation

struct Options {
    var device = Device.cuda(0)
    var workloads: Set<String> = ["w1", "w2", "w4", "w3", "w1g", "w2g", "w3g"]
    var epochs = 3
    var steps = Int.max
    var json = false

    init(_ arguments: [String]) {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            func value() -> String {
                guard let value = iterator.next() else { fail("\(argument) needs a value") }
                return value
            }
            switch argument {
            case "--device":
                let name = value()
                guard let device = Device(rawValue: name) else { fail("unknown device '\(name)': cpu, reference, cuda or cuda:N") }
                self.device = device
            case "--workloads": workloads = Set(value().split(separator: ",").map(String.init))
            case "--epochs": epochs = max(1, Int(value()) ?? 3)
            case "--steps":
                let text = value()
                guard let number = Int(text), number >= 1 else { fail("--steps needs a whole number ≥ 1, not '\(text)'") }
                steps = number
            case "--json": json = true
            case "-h", "--help":
                print("usage: descent-cuda-bench [--device cuda|cuda:N|cpu] [--workloads w1,w2,w4,w3,w1g,w2g,w3g,agree] [--epochs N] [--steps N] [--json]")
                exit(0)
            default: fail("unknown option \(argument); try --help")
            }
        }
    }
}

func fail(_ message: String, code: Int32 = 2) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(code)
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// The median as Python's `statistics.median` takes it (the two middle values' mean for an even
/// count), the statistic `Benchmarks/pytorch_cuda_bench.py` reports.
func median(of values: [Double]) -> Double {
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

nonisolated(unsafe) var figures: [(String, Double)] = []
nonisolated(unsafe) var agreementFailed = false
func record(_ name: String, _ value: Double, json: Bool) {
    figures.append((name, value))
    if !json { print(name.padding(toLength: 40, withPad: " ", startingAt: 0), String(format: "%.4g", value)) }
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

/// MNIST's shapes with random values, on `device`.
func syntheticMNIST(count: Int, on device: Device) -> (features: Tensor, labels: Tensor) {
    let features = Tensor.randomUniform([count, 784], key: RandomKey(seed: 7), on: device)
    var generator = RandomGenerator(seed: 8)
    let labels = (0..<count).map { _ in Int32(generator.nextUnitDouble() * 10) }
    return (features, Tensor(shape: [count], scalars: labels, on: device))
}

/// One epoch of shuffled mini-batches (or its first `limit` steps), each trained by `step`,
/// which gives its cost, read back as `fit` does: the last step's cost.
///
/// The epoch's order is applied once, on the device (one gather of the whole set, one upload of
/// its indices); the batches are then runs of consecutive rows, copied on the device — as
/// PyTorch's loop indexes with a permutation that lives on the GPU.
func epoch(features: Tensor, labels: Tensor, batchSize: Int, seed: UInt64, limit: Int = .max,
           step: (_ inputs: Tensor, _ labels: Tensor) throws -> Tensor) rethrows -> Double {
    var generator = RandomGenerator(seed: seed)
    var order = Array(0..<features.shape[0])
    order.shuffle(using: &generator)
    let shuffledFeatures = features.gathering(atIndices: order), shuffledLabels = labels.gathering(atIndices: order)
    var cost = 0.0
    for start in stride(from: 0, to: order.count, by: batchSize).prefix(limit) {
        let rows = start..<min(start + batchSize, order.count)
        cost = try step(shuffledFeatures[rows], shuffledLabels[rows]).doubleValue
    }
    return cost
}

/// One ungraphed training step of `model` on a batch: its cost.
func trainingStep(_ model: inout Sequential, _ optimizer: some Optimizer, _ inputs: Tensor, _ labels: Tensor) -> Tensor {
    let (value, gradients) = valueWithGradient(at: model) { model in crossEntropy(logits: model(inputs), labels: labels) }
    optimizer.update(&model, along: gradients)
    return value
}

/// A CUDA graph of `model`'s training step with `optimizer` on `device`; nil (said on standard
/// error) where no graph can be captured: not a GPU, or DESCENT_CUDA_PROFILE=1 / DESCENT_CUDA_SYNC=1.
func trainingGraph<Rule: Optimizer>(_ model: Sequential, _ optimizer: Rule, on device: Device) -> CUDATrainingGraph<Sequential, Rule>? {
    do {
        return try CUDATrainingGraph(model, optimizer: optimizer, on: device) { model, inputs, labels in
            crossEntropy(logits: model(inputs), labels: labels)
        }
    } catch where error.kind == .synchronizesEveryLaunch || error.kind == .notCUDA(device) {
        FileHandle.standardError.write(Data("no training graph: \(error)\n".utf8))
        return nil
    } catch {
        fail("the training graph could not be made: \(error)", code: 1)
    }
}

/// One step of `graph`: its cost (nil when none), or the exit status 1 with the graph's error.
func graphStep<Rule: Optimizer>(_ graph: CUDATrainingGraph<Sequential, Rule>, _ inputs: Tensor, _ labels: Tensor) -> Tensor {
    do {
        try graph.step(inputs: inputs, labels: labels)
    } catch {
        fail("a graphed training step failed: \(error)", code: 1)
    }
    return graph.lastCost!
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
let device = options.device
do {
    try device.checkAvailable()
} catch {
    fail("\(device) cannot be used: \(error)", code: 3)
}
if !options.json { print("device: \(device.cudaDeviceInfo.map(String.init(describing:)) ?? device.rawValue)") }
let data = syntheticMNIST(count: 60_000, on: device)

var w1Model = mlp([784, 512, 512, 10], dropout: 0.2, seed: 0).to(device)
if options.workloads.contains("w1") || options.workloads.contains("w4") {
    let optimizer = RMSProp(learningRate: 1e-3, alpha: 0.9, epsilon: 1e-7)
    let firstCost = epoch(features: data.features, labels: data.labels, batchSize: 128, seed: 0) { inputs, labels in
        trainingStep(&w1Model, optimizer, inputs, labels)
    }
    if options.workloads.contains("w1") {
        var times: [Double] = []
        var cost = firstCost
        for index in 0..<options.epochs {
            times.append(seconds {
                cost = epoch(features: data.features, labels: data.labels, batchSize: 128, seed: UInt64(index + 1),
                             limit: options.steps) { inputs, labels in trainingStep(&w1Model, optimizer, inputs, labels) }
            })
        }
        record("w1_epoch_seconds", median(of: times), json: options.json)
        record("w1_first_epoch_cost", firstCost, json: options.json)
        record("w1_last_epoch_cost", cost, json: options.json)
    }
}

// W1 with the training step captured as a CUDA graph: the same recipe from the same start.
if options.workloads.contains("w1g"), let graph = trainingGraph(mlp([784, 512, 512, 10], dropout: 0.2, seed: 0).to(device),
                                                                RMSProp(learningRate: 1e-3, alpha: 0.9, epsilon: 1e-7), on: device) {
    let firstCost = epoch(features: data.features, labels: data.labels, batchSize: 128, seed: 0) { graphStep(graph, $0, $1) }
    var times: [Double] = []
    var cost = firstCost
    for index in 0..<options.epochs {
        times.append(seconds {
            cost = epoch(features: data.features, labels: data.labels, batchSize: 128, seed: UInt64(index + 1),
                         limit: options.steps) { graphStep(graph, $0, $1) }
        })
    }
    record("w1_graph_epoch_seconds", median(of: times), json: options.json)
    record("w1_graph_first_epoch_cost", firstCost, json: options.json)
    record("w1_graph_last_epoch_cost", cost, json: options.json)
}

if options.workloads.contains("w2") {
    var model = mlp([784, 128, 10], dropout: 0, seed: 0).to(device)
    let optimizer = SGD(learningRate: 0.1)
    var steps = 0
    let batches = (0..<(60_000 / 32)).map { Array(($0 * 32)..<($0 * 32 + 32)) }
    func step(_ indices: [Int]) {
        let inputs = data.features.gathering(atIndices: indices), targets = data.labels.gathering(atIndices: indices)
        let (_, gradients) = valueWithGradient(at: model) { model in crossEntropy(logits: model(inputs), labels: targets) }
        optimizer.update(&model, along: gradients)
    }
    for indices in batches.prefix(50) { step(indices) }
    _ = model(data.features[0..<1]).scalars(as: Float.self)
    let elapsed = seconds {
        let start = Date()
        while Date().timeIntervalSince(start) < 3 {
            step(batches[steps % batches.count])
            steps += 1
        }
        // Wait for the queued steps: read one number back.
        _ = model(data.features[0..<1]).scalars(as: Float.self)
    }
    record("w2_steps_per_second", Double(steps) / elapsed, json: options.json)
}

// W2 with the training step captured as a CUDA graph.
if options.workloads.contains("w2g"), let graph = trainingGraph(mlp([784, 128, 10], dropout: 0, seed: 0).to(device),
                                                                SGD(learningRate: 0.1), on: device) {
    let batches = (0..<(60_000 / 32)).map { Array(($0 * 32)..<($0 * 32 + 32)) }
    func step(_ indices: [Int]) {
        _ = graphStep(graph, data.features.gathering(atIndices: indices), data.labels.gathering(atIndices: indices))
    }
    for indices in batches.prefix(50) { step(indices) }
    _ = graph.lastCost!.doubleValue
    var steps = 0
    let elapsed = seconds {
        let start = Date()
        while Date().timeIntervalSince(start) < 3 {
            step(batches[steps % batches.count])
            steps += 1
        }
        _ = graph.lastCost!.doubleValue
    }
    record("w2_graph_steps_per_second", Double(steps) / elapsed, json: options.json)
}

if options.workloads.contains("w4") {
    let model = w1Model.training(false)
    withoutGradients {
        let host = data.features[0..<1000].to(.cpu).scalars(as: Float.self)
        var latencies: [Double] = []
        for i in 0..<2200 {
            let row = Array(host[(i % 1000) * 784..<((i % 1000) + 1) * 784])
            let time = seconds {
                let input = Tensor(shape: [1, 784], scalars: row, on: device)
                _ = model(input).scalars(as: Float.self)
            }
            if i >= 200 { latencies.append(time) }
        }
        record("w4_batch1_latency_us", median(of: latencies) * 1e6, json: options.json)
        if case .cuda = device { graphedInference(model, rows: host, on: device, json: options.json) }
        let batch = data.features[0..<1000]
        _ = model(batch).scalars(as: Float.self)
        var count = 0
        let elapsed = seconds {
            let start = Date()
            while Date().timeIntervalSince(start) < 2 {
                _ = model(batch)
                count += 1000
            }
            _ = model(batch[0..<1]).scalars(as: Float.self)
        }
        record("w4_batch1000_samples_per_second", Double(count) / elapsed, json: options.json)
    }
}

/// W4 batch-1 through a CUDA graph: the latency (median of 2,000, host array to host array, as
/// `w4_batch1_latency_us`), and the graph's outputs against the ungraphed forward pass's for a few
/// inputs, which must be equal bit for bit (exit status 1 otherwise).
func graphedInference(_ model: Sequential, rows host: [Float], on device: Device, json: Bool) {
    func row(_ i: Int) -> [Float] { Array(host[(i % 1000) * 784..<((i % 1000) + 1) * 784]) }
    let graph: CUDAInferenceGraph
    do {
        graph = try CUDAInferenceGraph(model, inputShape: [1, 784], on: device)
    } catch where error.kind == .synchronizesEveryLaunch {
        // Profiling or DESCENT_CUDA_SYNC=1: no graph, and nothing wrong.
        FileHandle.standardError.write(Data("W4 without a CUDA graph: \(error)\n".utf8))
        return
    } catch {
        fail("the W4 graph could not be made: \(error)", code: 1)
    }
    do {
        var latencies: [Double] = []
        for i in 0..<2200 {
            let input = row(i)
            let time = try seconds { _ = try graph(hostInput: input) }
            if i >= 200 { latencies.append(time) }
        }
        record("w4_batch1_graph_latency_us", median(of: latencies) * 1e6, json: json)
        var largest: Float = 0, differing = 0
        for i in [0, 1, 7, 500, 999] {
            let graphed = try graph(hostInput: row(i))
            let plain = model(Tensor(shape: [1, 784], scalars: row(i), on: device)).scalars(as: Float.self)
            for (a, b) in zip(graphed, plain) where a.bitPattern != b.bitPattern {
                differing += 1
                largest = max(largest, abs(a - b).isNaN ? .infinity : abs(a - b))
            }
            if graphed.count != plain.count { differing += 1 }
        }
        record("w4_graph_largest_difference", Double(largest), json: json)
        if differing > 0 {
            FileHandle.standardError.write(Data("the W4 graph's outputs differ from the forward pass's: \(differing) values, by up to \(largest)\n".utf8))
            agreementFailed = true
        }
    } catch {
        fail("the W4 graph failed: \(error)", code: 1)
    }
}

if options.workloads.contains("w3") {
    // The example's inputs, normalized by 0.1307 and 0.3081; random values do for speed.
    let images = ((data.features - 0.1307) / 0.3081).reshaped(to: [60_000, 1, 28, 28])
    var model = Sequential.pyTorchMNISTExample(seed: 0).to(device)
    let optimizer = Adadelta(learningRate: 1.0)
    let warmUpCost = epoch(features: images, labels: data.labels, batchSize: 64, seed: 0, limit: 20) {
        trainingStep(&model, optimizer, $0, $1)
    }
    var cost = warmUpCost
    let time = seconds {
        cost = epoch(features: images, labels: data.labels, batchSize: 64, seed: 1, limit: options.steps) {
            trainingStep(&model, optimizer, $0, $1)
        }
    }
    record("w3_epoch_seconds", time, json: options.json)
    record("w3_warm_up_cost", warmUpCost, json: options.json)
    record("w3_last_cost", cost, json: options.json)
}

// W3 with the training step captured as a CUDA graph.
if options.workloads.contains("w3g"), let graph = trainingGraph(Sequential.pyTorchMNISTExample(seed: 0).to(device), Adadelta(learningRate: 1.0), on: device) {
    let images = ((data.features - 0.1307) / 0.3081).reshaped(to: [60_000, 1, 28, 28])
    let warmUpCost = epoch(features: images, labels: data.labels, batchSize: 64, seed: 0, limit: 20) { graphStep(graph, $0, $1) }
    var cost = warmUpCost
    let time = seconds {
        cost = epoch(features: images, labels: data.labels, batchSize: 64, seed: 1, limit: options.steps) { graphStep(graph, $0, $1) }
    }
    record("w3_graph_epoch_seconds", time, json: options.json)
    record("w3_graph_warm_up_cost", warmUpCost, json: options.json)
    record("w3_graph_last_cost", cost, json: options.json)
}

if options.workloads.contains("agree") {
    /// 100 steps on `device`, through a CUDA training graph or not; the costs and the final
    /// parameters, on the host.
    func train(on device: Device, graphed: Bool = false) -> (costs: [Double], parameters: [[Float]]) {
        var model = mlp([784, 64, 10], dropout: 0.2, seed: 3).to(device)
        let optimizer = Adam(learningRate: 1e-3)
        let schedule = StepLR(stepSize: 25, gamma: 0.5)
        let features = data.features[0..<3200].to(device), labels = data.labels[0..<3200].to(device)
        let graph = graphed ? trainingGraph(model, optimizer, on: device) : nil
        var costs: [Double] = []
        for step in 0..<100 {
            // The schedule's "epoch" is the step here: the rate halves every 25 steps.
            optimizer.learningRate = schedule.learningRate(atEpoch: step, initial: 1e-3)
            let rows = (step % 100) * 32..<((step % 100) * 32 + 32)
            let cost = if let graph {
                graphStep(graph, features[rows], labels[rows])
            } else {
                trainingStep(&model, optimizer, features[rows], labels[rows])
            }
            costs.append(cost.doubleValue)
        }
        return (costs, (graph?.model ?? model).parameters.map { $0.value.scalars(as: Float.self) })
    }
    /// The largest differences of parameters and of costs between two runs.
    func gaps(_ a: (costs: [Double], parameters: [[Float]]), _ b: (costs: [Double], parameters: [[Float]])) -> (Double, Double) {
        var largest = 0.0
        for (x, y) in zip(a.parameters, b.parameters) {
            for (u, v) in zip(x, y) { largest = max(largest, Double(abs(u - v))) }
        }
        return (largest, zip(a.costs, b.costs).map { abs($0 - $1) }.max() ?? 0)
    }
    let onDevice = train(on: device), onCPU = train(on: .cpu)
    let (largest, costGap) = gaps(onDevice, onCPU)
    record("agree_largest_parameter_difference", largest, json: options.json)
    record("agree_largest_cost_difference", costGap, json: options.json)
    record("agree_first_cost", onDevice.costs.first ?? .nan, json: options.json)
    record("agree_last_cost", onDevice.costs.last ?? .nan, json: options.json)
    if !(largest < 1e-3 && costGap < 1e-3) {
        FileHandle.standardError.write(Data("the device and the CPU parted: parameters differ by \(largest), costs by \(costGap)\n".utf8))
        agreementFailed = true
    }
    // The same 100 steps through a CUDA training graph (captured at step 2, replayed from step 3),
    // against the ungraphed run on the same GPU: the same kernels, so the same numbers.
    if case .cuda = device, (try? CUDAStepGraph.checkCapturable(on: device)) != nil {
        let graphed = train(on: device, graphed: true)
        let (largest, costGap) = gaps(graphed, onDevice)
        record("graph_agree_largest_parameter_difference", largest, json: options.json)
        record("graph_agree_largest_cost_difference", costGap, json: options.json)
        record("graph_agree_last_cost", graphed.costs.last ?? .nan, json: options.json)
        if !(largest <= 1e-5 && costGap <= 1e-5) {
            FileHandle.standardError.write(Data("graphed and ungraphed training parted: parameters differ by \(largest), costs by \(costGap)\n".utf8))
            agreementFailed = true
        }
    }
}

if options.json {
    let object = Dictionary(uniqueKeysWithValues: figures) as [String: Double]
    let text = String(data: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), encoding: .utf8)!
    print(text)
}
exit(agreementFailed ? 1 : 0)
