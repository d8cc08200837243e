import Descent
import Foundation
import Testing

/// Every Swift snippet of the README, kept compiling and working here: each test holds one
/// snippet line for line (``everySwiftSnippetOfTheReadmeIsHere`` checks that), but for the few
/// lines that ``ReadmeSnippets/substitutions`` lists.
@Suite struct ReadmeExampleTests {
    /// The README's "A first look": gradient descent on XOR by hand, then the gradient check.
    @Test func theFirstLookRunsAndItsGradientsAgree() {
        let x = Tensor([[0, 0], [0, 1], [1, 0], [1, 1]] as [[Float]])
        let y = Tensor([[0], [1], [1], [0]] as [[Float]])
        var w = Tensor.randomNormal([2, 1], seed: 7)

        let (cost, slope) = valueWithGradient(at: w) { w in
            (sigmoid(matmul(x, w)) - y).squared().mean()
        }
        w = w - 0.5 * slope        // one step of gradient descent

        let (x64, y64) = (x.cast(to: .float64), y.cast(to: .float64))
        print(checkGradients(at: [w]) { p in (sigmoid(matmul(x64, p[0])) - y64).squared().mean() })

        #expect(cost.doubleValue > 0)
        let report = checkGradients(at: [w]) { p in (sigmoid(matmul(x64, p[0])) - y64).squared().mean() }
        #expect(report.inputs[0].largestAbsoluteError < 1e-8)
    }

    /// The README's training example (with fewer epochs).
    @Test func theDigitsExampleLearns() throws {
        var model = Sequential {
            Dense(inputCount: 64, outputCount: 64, activation: .relu)
            Dropout(rate: 0.2)
            Dense(inputCount: 64, outputCount: 10)
        }
        let (train, test) = try Dataset.digits().split(validationFraction: 0.2, seed: 1)

        let optimizer = SGD(learningRate: 0.05, momentum: 0.9)
        var costs: [Double] = []
        for batch in train.batches(.miniBatch(size: 32), shuffled: true, seed: 7) {
            let (cost, gradients) = valueWithGradient(at: model) { model in
                crossEntropy(logits: model(batch.inputs), labels: batch.labels)
            }
            optimizer.update(&model, along: gradients)
            costs.append(cost.doubleValue)
        }
        #expect(costs.suffix(5).reduce(0, +) < costs.prefix(5).reduce(0, +))

        let history = try model.fit(train, validation: test, epochs: 5, loss: .crossEntropy(),
                                    optimizer: RMSProp(learningRate: 1e-3), batching: .miniBatch(size: 32),
                                    metrics: [.accuracy])
        #expect(history["val_accuracy"]!.last! > 0.9)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("digits-mlp-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try model.save(to: folder.path)
        let loaded = try Sequential.load(from: folder.path)
        #expect(loaded.evaluate(on: test, loss: .crossEntropy(), metrics: [.accuracy])["accuracy"]!
                == history["val_accuracy"]!.last!)
    }

    /// The README's `TrainingJob` example, as it is there but for the folder (a temporary one
    /// here, not `digits-model` in the working directory).
    @Test func theTrainingJobExampleLearns() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("digits-model-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }

        var job = TrainingJob(dataset: "digits")      // or the path of a CSV file
        job.epochs = 20
        job.standardize = true
        job.optimizer = OptimizerSettings(name: .sgd, learningRate: 0.1, momentum: 0.9)
        job.schedule = ScheduleSettings(name: .cosine)
        job.output = folder                           // model.json, model.safetensors, history.csv, history.svg
        let outcome = try job.run()
        print(outcome.finalMetrics["accuracy"]!)      // on the 20 % held out: 0.983

        let saved = try SavedModel(folder: folder)
        print(try saved.evaluate(on: "digits").values["accuracy"]!)   // on all 1,797 digits

        #expect(outcome.finalMetrics["accuracy"]! > 0.97)
        #expect(try saved.evaluate(on: "digits").values["accuracy"]! > 0.97)
    }

    /// The README's devices example: the same model on the CPU's kernels and on the textbook
    /// loops.
    @Test func theDevicesExampleAgrees() {
        let model = Sequential {
            Dense(inputCount: 64, outputCount: 32, activation: .relu, seed: 1)
            Dense(inputCount: 32, outputCount: 10, seed: 2)
        }
        let x = Tensor.randomNormal([5, 64], seed: 3)
        let fast = model(x)
        let textbook = model.to(.reference)(x.to(.reference))
        print(textbook.device, (fast - textbook.to(.cpu)).abs().max())
        #expect(textbook.device == .reference)
        #expect((fast - textbook.to(.cpu)).abs().max().doubleValue < 1e-5)
    }

    /// The README's CUDA graph: the forward pass of a model on the GPU, replayed from a host
    /// array to a host array, gives what the model gives (on a machine with a GPU).
    @Test(.enabled(if: (try? Device.cuda(0).checkAvailable()) != nil, "no GPU here (Device.cuda(0).checkAvailable() throws)"))
    func theGraphExampleGivesTheModelsOutput() throws {
        let model = Sequential {
            Dense(inputCount: 784, outputCount: 32, activation: .relu, seed: 1)
            Dense(inputCount: 32, outputCount: 10, seed: 2)
        }.to(.cuda(0))
        let pixels = (0..<784).map { Float($0 % 29) / 28 }
        let graph = try CUDAInferenceGraph(model, inputShape: [1, 784], on: .cuda(0))
        let logits: [Float] = try graph(hostInput: pixels)
        #expect(logits == model(Tensor(shape: [1, 784], scalars: pixels, on: .cuda(0))).scalars(as: Float.self))
    }

    /// The README's training graph: 100 steps replayed from a CUDA graph, with a schedule,
    /// train the model as the same steps without the graph do (on a machine with a GPU).
    @Test(.enabled(if: (try? Device.cuda(0).checkAvailable()) != nil, "no GPU here (Device.cuda(0).checkAvailable() throws)"))
    func theTrainingGraphExampleTrainsAsUngraphedStepsDo() throws {
        let start = Sequential {
            Dense(inputCount: 784, outputCount: 32, activation: .relu, seed: 1)
            Dense(inputCount: 32, outputCount: 10, seed: 2)
        }.to(.cuda(0))
        let features = Tensor.randomUniform([3200, 784], seed: 5).to(.cuda(0))
        let labels = Tensor(shape: [3200], scalars: (0..<3200).map { Int32($0 * 7 % 10) }, on: .cuda(0))
        let batches = (0..<100).map { (inputs: features[($0 * 32)..<($0 * 32 + 32)], labels: labels[($0 * 32)..<($0 * 32 + 32)]) }
        var model = start

        let optimizer = Adam(learningRate: 1e-3)
        let graph = try CUDATrainingGraph(model, optimizer: optimizer, on: .cuda(0)) { model, inputs, labels in
            crossEntropy(logits: model(inputs), labels: labels)
        }
        for step in 0..<100 {
            optimizer.learningRate = step < 50 ? 1e-3 : 5e-4      // a schedule works as usual
            try graph.step(inputs: batches[step].inputs, labels: batches[step].labels)
        }
        let trained = graph.model                                   // a copy of the trained network

        let plain = Adam(learningRate: 1e-3)
        for step in 0..<100 {
            plain.learningRate = step < 50 ? 1e-3 : 5e-4
            let (_, gradients) = valueWithGradient(at: model) { crossEntropy(logits: $0(batches[step].inputs), labels: batches[step].labels) }
            plain.update(&model, along: gradients)
        }
        for (a, b) in zip(trained.parameters, model.parameters) {
            #expect((a.value - b.value).abs().max().doubleValue <= 1e-6, "\(a.name)")
        }
    }

    /// The README's weights from PyTorch: a state dict's safetensors file loaded into the
    /// matching model (here one that Descent saved, in a temporary folder).
    @Test func theWeightsExampleLoads() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("weights-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let saved = Sequential { Dense(inputCount: 3, outputCount: 4, activation: .relu, seed: 1); Dense(inputCount: 4, outputCount: 2, seed: 2) }
        try saved.save(to: folder)
        let weights = folder.appendingPathComponent("model.safetensors").path

        var model = Sequential { Dense(inputCount: 3, outputCount: 4, activation: .relu); Dense(inputCount: 4, outputCount: 2) }
        try model.loadParameters(contentsOf: URL(fileURLWithPath: weights))

        let x = Tensor.randomNormal([2, 3], seed: 3)
        #expect(model(x).doubles() == saved(x).doubles())
    }

    /// The README's `descent explain` from Swift: the step and its graph (in a temporary
    /// folder).
    @Test func theExplainExampleShowsTheStep() throws {
        let svg = FileManager.default.temporaryDirectory.appendingPathComponent("step-\(UUID().uuidString).svg").path
        defer { try? FileManager.default.removeItem(atPath: svg) }

        let explainer = try StepExplainer(input: [1, 0], target: [1], cost: .halfSquared, learningRate: 0.5)
        let step = try explainer.explain()                  // every number, as `descent explain --json` has them
        print(step.text())
        print(step.parameters[0].chainRule, step.agreement.agrees)   // -0.0041846629…, true
        try GraphDrawing(explainer.computationalGraph(unfused: true)).write(to: svg)

        #expect(abs(step.parameters[0].chainRule - -0.008369325890942959 / 2) < 1e-12)
        #expect(step.agreement.agrees)
        #expect(try String(contentsOfFile: svg, encoding: .utf8).contains("matmul"))
    }

    /// The README's resume example: a checkpoint saved after 10 epochs, continued to 20, gives
    /// the weights of 20 epochs at once.
    @Test func theResumeExampleContinuesBitForBit() throws {
        func makeModel() -> Sequential {
            var generator = RandomGenerator(seed: 4)
            return Sequential {
                Dense(inputCount: 2, outputCount: 8, activation: .relu, using: &generator)
                Dropout(rate: 0.2, using: &generator)
                Dense(inputCount: 8, outputCount: 3, using: &generator)
            }
        }
        let train = Dataset.spirals(count: 60, classes: 3, seed: 1)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("run-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }

        /// Saves the model and the checkpoint together, after every epoch.
        final class SaveEveryEpoch: TrainingCallback {
            let folder: URL
            init(folder: URL) { self.folder = folder }
            func trainingStateReached(_ state: TrainingState, model: any Layer) throws {
                guard let model = model as? Sequential else { return }
                try model.save(to: folder, additionalFiles: try TrainingCheckpoint.files(for: state))
            }
        }
        var uninterrupted = makeModel()
        try uninterrupted.fit(train, epochs: 20, loss: .crossEntropy(), optimizer: SGD(learningRate: 0.1, momentum: 0.9), seed: 7)
        var firstHalf = makeModel()
        try firstHalf.fit(train, epochs: 10, loss: .crossEntropy(), optimizer: SGD(learningRate: 0.1, momentum: 0.9),
                          seed: 7, callbacks: [SaveEveryEpoch(folder: folder)])

        var model = makeModel()
        try model.loadParameters(contentsOf: folder.appendingPathComponent("model.safetensors"))
        let state = try TrainingCheckpoint.read(from: folder)
        try model.fit(train, epochs: 20, loss: .crossEntropy(), optimizer: SGD(learningRate: 0.1, momentum: 0.9),
                      seed: 7, callbacks: [SaveEveryEpoch(folder: folder)], resumingFrom: state)
        #expect(try model.parametersFile().serialized() == uninterrupted.parametersFile().serialized())
    }

    /// Every Swift snippet's code lines appear in this file (comments, blank lines and imports
    /// aside), so a snippet added to or changed in the README without a test here fails.
    @Test func everySwiftSnippetOfTheReadmeIsHere() throws {
        let here = URL(fileURLWithPath: #filePath)
        let readme = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("README.md")
        let snippets = ReadmeSnippets.swiftBlocks(in: try String(contentsOf: readme, encoding: .utf8))
        #expect(snippets.count == 9)
        let tested = Set(ReadmeSnippets.codeLines(of: try String(contentsOf: here, encoding: .utf8)))
        for (index, snippet) in snippets.enumerated() {
            let missing = ReadmeSnippets.codeLines(of: snippet).filter { line in
                !tested.contains(ReadmeSnippets.substitutions[line] ?? line)
            }
            #expect(missing.isEmpty, "README Swift snippet \(index + 1) has lines no test here runs: \(missing)")
        }
    }
}

/// Reading the README's Swift snippets.
enum ReadmeSnippets {
    /// README lines that a test runs in another form, and why: the test's form.
    static let substitutions: [String: String] = [
        // 5 epochs keep the test quick; the README's 20 are what a reader runs.
        "let history = try model.fit(train, validation: test, epochs: 20, loss: .crossEntropy(),":
            "let history = try model.fit(train, validation: test, epochs: 5, loss: .crossEntropy(),",
        // Folders and files in a temporary directory, not the working directory.
        "try model.save(to: \"digits-mlp\")": "try model.save(to: folder.path)",
        "job.output = \"digits-model\"": "job.output = folder",
        "let saved = try SavedModel(folder: \"digits-model\")": "let saved = try SavedModel(folder: folder)",
        "try GraphDrawing(explainer.computationalGraph(unfused: true)).write(to: \"step.svg\")":
            "try GraphDrawing(explainer.computationalGraph(unfused: true)).write(to: svg)",
        "let folder = URL(fileURLWithPath: \"run\")":
            "let folder = FileManager.default.temporaryDirectory.appendingPathComponent(\"run-\\(UUID().uuidString)\")",
        "try model.loadParameters(contentsOf: URL(fileURLWithPath: \"weights.safetensors\"))":
            "try model.loadParameters(contentsOf: URL(fileURLWithPath: weights))",
    ]

    /// The text of each ```swift block.
    static func swiftBlocks(in markdown: String) -> [String] {
        var blocks: [String] = []
        var current: [Substring]?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line.trimmingCharacters(in: .whitespaces) == "```swift" {
                current = []
            } else if let lines = current, line.trimmingCharacters(in: .whitespaces) == "```" {
                blocks.append(lines.joined(separator: "\n"))
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    /// The lines of Swift source that do something: trimmed, trailing comments removed; blank
    /// lines, comment lines and imports left out.
    static func codeLines(of source: String) -> [String] {
        source.split(separator: "\n").compactMap { line -> String? in
            var code = String(line)
            if let comment = code.range(of: " //") { code = String(code[..<comment.lowerBound]) }
            code = code.trimmingCharacters(in: .whitespaces)
            guard !code.isEmpty, !code.hasPrefix("//"), !code.hasPrefix("import ") else { return nil }
            return code
        }
    }
}
