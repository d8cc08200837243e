import Foundation
import Testing

/// XOR with class names, twice over: 8 rows, 2 features, classes "no" and "yes".
private let xorCSV = "a,b,label\n0,0,no\n0,1,yes\n1,0,yes\n1,1,no\n0,0,no\n0,1,yes\n1,0,yes\n1,1,no\n"

/// A fresh folder holding `files` (name → contents).
private func folder(with files: [String: String]) throws -> URL {
    let folder = try temporaryFolder()
    for (name, text) in files {
        try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
    return folder
}

/// Runs `descent` and expects it to fail with `text` on standard error.
private func expectRejected(_ arguments: [String], mentioning texts: String..., in directory: URL,
                            environment: [String: String] = [:]) throws {
    let result = try descent(arguments, in: directory, environment: environment)
    #expect(result.status != 0, "\(arguments) succeeded")
    for text in texts {
        #expect(result.standardError.contains(text), "\(arguments): \(result.standardError)")
    }
}

/// Runs `descent train … --json` and returns the final metrics.
private func trained(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws -> [String: Any] {
    let result = try descent(["train"] + arguments + ["--json"], in: directory, environment: environment)
    try #require(result.status == 0, "\(arguments): \(result.standardError)")
    return try jsonObject(result.standardOutput)
}

/// The layers of a saved model folder: `dense:UNITS` for linear layers, else the layer's type.
private func layerKinds(inModel folder: URL) throws -> [String] {
    let data = try Data(contentsOf: folder.appendingPathComponent("model.json"))
    let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let layers = try #require(json["layers"] as? [[String: Any]])
    return layers.map { layer in
        let kind = layer["type"] as? String ?? "?"
        if kind == "linear", let units = layer["out_features"] as? Int { return "dense:\(units)" }
        return kind
    }
}

@Suite struct ModelOptionTests {
    /// XOR has two classes, so its output layer is one logit for binary cross-entropy.
    @Test func presetsChooseTheLayers() throws {
        let directory = try folder(with: ["xor.csv": xorCSV])
        defer { try? FileManager.default.removeItem(at: directory) }
        let mlp = try trained(["xor.csv", "--model", "mlp", "--epochs", "2", "--output", "mlp"], in: directory)
        #expect(mlp["epochs"] as? Double == 2)
        #expect(try layerKinds(inModel: directory.appendingPathComponent("mlp"))
                == ["dense:512", "relu", "dropout", "dense:512", "relu", "dropout", "dense:1"])
        _ = try trained(["xor.csv", "--model", "linear", "--epochs", "1", "--output", "linear"], in: directory)
        #expect(try layerKinds(inModel: directory.appendingPathComponent("linear")) == ["dense:1"])
        // Neither --model nor --layers: the small preset.
        _ = try trained(["xor.csv", "--epochs", "1", "--output", "small"], in: directory)
        #expect(try layerKinds(inModel: directory.appendingPathComponent("small"))
                == ["dense:64", "relu", "dense:64", "relu", "dense:1"])
    }

    @Test func aJSONModelFileAndASavedModelJSON() throws {
        let network = """
            { "layers": [
                { "dense": { "inputCount": 2, "outputCount": 6, "activation": { "tanh": {} }, "useBias": true } },
                { "dense": { "inputCount": 6, "outputCount": 1, "activation": { "identity": {} }, "useBias": true } }
            ] }
            """
        let directory = try folder(with: ["xor.csv": xorCSV, "net.json": network])
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try trained(["xor.csv", "--model", "net.json", "--epochs", "2", "--output", "m"], in: directory)
        #expect(try layerKinds(inModel: directory.appendingPathComponent("m")) == ["dense:6", "dense:1"])
        // The model.json just saved describes the same network.
        _ = try trained(["xor.csv", "--model", "m/model.json", "--epochs", "1", "--output", "again"], in: directory)
        #expect(try layerKinds(inModel: directory.appendingPathComponent("again")) == ["dense:6", "dense:1"])
    }

    @Test func aJSONModelThatDoesNotFitTheDataIsRejected() throws {
        let wide = #"{ "layers": [ { "dense": { "inputCount": 3, "outputCount": 2, "activation": { "identity": {} }, "useBias": true } } ] }"#
        let directory = try folder(with: ["xor.csv": xorCSV, "wide.json": wide, "broken.json": #"{ "layers": [ { "conv": {} } ] }"#])
        defer { try? FileManager.default.removeItem(at: directory) }
        try expectRejected(["train", "xor.csv", "--model", "wide.json", "--output", "m"],
                           mentioning: "wide.json", "expects 3 input features", "the data have 2", in: directory)
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("m").path))
        try expectRejected(["train", "xor.csv", "--model", "broken.json"], mentioning: "broken.json", "layers[0]", in: directory)
        try expectRejected(["train", "xor.csv", "--model", "missing.json"], mentioning: "missing.json", "does not exist",
                           in: directory)
    }
}

@Suite struct ScheduleOptionTests {
    /// Every schedule, over three epochs of full-batch SGD: the learning rate of the last epoch.
    @Test(arguments: [
        (["--schedule", "step", "--step-size", "1", "--gamma", "0.5"], 0.1, 0.025),
        (["--schedule", "multistep", "--milestones", "1,2", "--gamma", "0.5"], 0.1, 0.025),
        (["--schedule", "exponential", "--gamma", "0.5"], 0.1, 0.025),
        (["--schedule", "cosine"], 0.1, 0.025),  // T_max = 3 epochs: η₀(1 + cos(2π/3))/2
        (["--schedule", "linear", "--start-factor", "0.25", "--end-factor", "0.5", "--total-iters", "2"], 0.1, 0.05),
        // A rate so small that the cost cannot improve by the threshold: halved after epoch 2.
        (["--schedule", "plateau", "--factor", "0.5", "--patience", "0"], 1e-6, 5e-7),
    ])
    func everyScheduleSetsTheRate(options: [String], learningRate: Double, finalRate: Double) throws {
        let directory = try folder(with: ["xor.csv": xorCSV])
        defer { try? FileManager.default.removeItem(at: directory) }
        let metrics = try trained(["xor.csv", "--epochs", "3", "--optimizer", "sgd", "--learning-rate", "\(learningRate)",
                                   "--batch-size", "full", "--validation-split", "0"] + options, in: directory)
        let rate = try #require(metrics["learning_rate"] as? Double)
        #expect(abs(rate - finalRate) <= 1e-12 * max(1, finalRate), "\(options): \(rate)")
    }

    @Test func theHistoryRecordsTheRateOfEveryEpoch() throws {
        let directory = try folder(with: ["xor.csv": xorCSV])
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try trained(["xor.csv", "--epochs", "4", "--learning-rate", "0.1", "--schedule", "step", "--step-size", "2",
                         "--gamma", "0.5", "--output", "m"], in: directory)
        let history = try String(contentsOf: directory.appendingPathComponent("m/history.csv"), encoding: .utf8)
        let rows = history.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        let column = try #require(rows.first?.firstIndex(of: "learning_rate"))
        #expect(rows.dropFirst().map { Double($0[column]) } == [0.1, 0.1, 0.05, 0.05])
    }
}

@Suite struct ValidationAndTaskOptionTests {
    @Test func aValidationFileIsTheValidationData() throws {
        let validation = "a,b,label\n1,0,yes\n1,1,no\n0,1,yes\n"
        let directory = try folder(with: ["xor.csv": xorCSV, "v.csv": validation,
                                          "odd.csv": "a,b,label\n1,0,yes\n1,1,maybe\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let metrics = try trained(["xor.csv", "--validation-file", "v.csv", "--epochs", "3", "--output", "m"], in: directory)
        let validationCost = try #require(metrics["val_loss"] as? Double)
        // The last epoch's validation cost is the saved model's cost on the file.
        let evaluation = try descent(["evaluate", "m", "v.csv", "--json"], in: directory)
        let evaluated = try jsonObject(evaluation.standardOutput)
        #expect(evaluated["count"] as? Double == 3)
        let cost = try #require(evaluated["loss"] as? Double)
        #expect(abs(cost - validationCost) <= 1e-6 * cost)

        try expectRejected(["train", "xor.csv", "--validation-file", "odd.csv"],
                           mentioning: "odd.csv:3", "class 'maybe'", in: directory)
    }

    @Test func aValidationSplitOfZeroMeansNone() throws {
        let directory = try folder(with: ["xor.csv": xorCSV])
        defer { try? FileManager.default.removeItem(at: directory) }
        let metrics = try trained(["xor.csv", "--validation-split", "0", "--epochs", "2"], in: directory)
        #expect(metrics["val_loss"] == nil && metrics["loss"] != nil)
        let plain = try descent(["train", "xor.csv", "--validation-split", "0", "--epochs", "1"], in: directory)
        #expect(plain.standardOutput.contains("8 training, 0 validation examples"), "\(plain.standardOutput)")
        #expect(plain.standardOutput.contains("Final training:"))
    }

    @Test func theTaskCanBeOverridden() throws {
        // Whole numbers 0–3: classes unless told otherwise.
        let levels = "x,level\n" + (0..<12).map { "\(Double($0) / 4),\($0 % 4)" }.joined(separator: "\n") + "\n"
        let measures = "x,y\n" + (0..<12).map { "\($0),\(Double($0) + 0.5)" }.joined(separator: "\n") + "\n"
        let directory = try folder(with: ["levels.csv": levels, "measures.csv": measures])
        defer { try? FileManager.default.removeItem(at: directory) }
        let inferred = try trained(["levels.csv", "--epochs", "1"], in: directory)
        #expect(inferred["accuracy"] != nil && inferred["mae"] == nil)

        let regression = try trained(["levels.csv", "--task", "regression", "--epochs", "1", "--output", "m"], in: directory)
        #expect(regression["mae"] != nil && regression["accuracy"] == nil)
        #expect(try layerKinds(inModel: directory.appendingPathComponent("m")).last == "dense:1")
        // The saved task makes evaluate read the column as numbers too.
        let evaluation = try descent(["evaluate", "m", "levels.csv", "--json"], in: directory)
        #expect(evaluation.status == 0, "\(evaluation.standardError)")
        #expect(try jsonObject(evaluation.standardOutput)["mae"] != nil)

        let classes = try trained(["measures.csv", "--task", "classification", "--epochs", "1", "--output", "c"], in: directory)
        #expect(classes["accuracy"] != nil)
        #expect(try layerKinds(inModel: directory.appendingPathComponent("c")).last == "dense:12")

        try expectRejected(["train", "levels.csv", "--task", "binary"], mentioning: "needs two classes", "has 4", in: directory)
        try expectRejected(["train", "levels.csv", "--task", "regression", "--loss", "cross-entropy"],
                           mentioning: "needs class labels", in: directory)
        try expectRejected(["train", "levels.csv", "--loss", "bce"], mentioning: "needs two classes", in: directory)
    }
}

@Suite struct MNISTLookupTests {
    /// Writes a tiny MNIST look-alike (2×2 images) in IDX files under `folder`.
    private func writeFakeMNIST(in folder: URL) throws {
        func idx(_ dimensions: [Int], _ bytes: [UInt8]) -> Data {
            var data = Data([0, 0, 8, UInt8(dimensions.count)])
            for dimension in dimensions {
                data.append(contentsOf: withUnsafeBytes(of: UInt32(dimension).bigEndian, Array.init))
            }
            data.append(contentsOf: bytes)
            return data
        }
        for (prefix, count) in [("train", 20), ("t10k", 10)] {
            let images = (0..<count * 4).map { UInt8(($0 * 37) % 256) }
            try idx([count, 2, 2], images).write(to: folder.appendingPathComponent("\(prefix)-images-idx3-ubyte"))
            try idx([count], (0..<count).map { UInt8($0 % 10) }).write(to: folder.appendingPathComponent("\(prefix)-labels-idx1-ubyte"))
        }
    }

    @Test func mnistIsFoundThroughDescentData() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data/mnist"), cache = root.appendingPathComponent("cache")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try writeFakeMNIST(in: data)
        let environment = ["DESCENT_DATA": root.appendingPathComponent("data").path, "XDG_CACHE_HOME": cache.path]
        let metrics = try trained(["mnist", "--model", "linear", "--epochs", "1"], in: root, environment: environment)
        #expect(metrics["val_accuracy"] != nil)

        // An empty $DESCENT_DATA and cache: an error naming where it looked and how to get MNIST.
        let empty = ["DESCENT_DATA": cache.path, "XDG_CACHE_HOME": cache.path]
        try expectRejected(["train", "mnist"], mentioning: "MNIST was not found", "\(cache.path) ($DESCENT_DATA)",
                           "the per-user cache", "descent datasets fetch mnist", "--data-dir", in: root, environment: empty)
        // --data-dir is the only place looked at when given.
        let given = try trained(["mnist", "--data-dir", "data", "--model", "linear", "--epochs", "1"], in: root, environment: empty)
        #expect(given["val_accuracy"] != nil)
    }
}

@Suite struct BadOptionValueTests {
    @Test func badModelScheduleTaskAndValidationOptions() throws {
        let directory = try folder(with: ["xor.csv": xorCSV, "v.csv": "a,b,label\n1,0,yes\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let cases: [([String], String)] = [
            (["--model", "resnet"], "expected a preset (small, mlp, linear, cnn) or a .json model file"),
            (["--model", "mlp", "--layers", "8"], "use either --model or --layers, not both"),
            (["--gamma", "0.5"], "--gamma needs --schedule"),
            (["--schedule", "step"], "--schedule step needs --step-size"),
            (["--schedule", "step", "--step-size", "2", "--factor", "0.5"], "--factor applies to --schedule plateau, not step"),
            (["--schedule", "cosine", "--t-max", "0"], "--t-max must be a whole number of at least 1, found 0"),
            (["--schedule", "multistep", "--milestones", "3,x"], "--milestones must be whole numbers"),
            (["--schedule", "plateau", "--patience=-1"], "--patience must be a whole number of at least 0, found -1"),
            (["--validation-split", "1.5"], "--validation-split must be at least 0 and below 1, found 1.5"),
            (["xor", "--validation-file", "v.csv"], "--validation-file needs training data from a CSV file"),
            (["xor.csv", "--validation-file", "v.csv", "--validation-split", "0.1"], "not both"),
            (["xor.csv", "--validation-file", "nowhere.csv"], "the validation file 'nowhere.csv' does not exist"),
        ]
        for (arguments, message) in cases {
            try expectRejected(["train"] + arguments, mentioning: message, in: directory)
        }
    }
}
