import Foundation
import Testing

/// A model folder's `model.json` with a bad value is an error naming the place, never a crash,
/// for every command that reads one; a folder from the previous release (format 1) still works.
@Suite struct ModelFileErrorTests {
    private static let fixtures = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/format1")

    /// A change to a model.json object, what the error must mention, and whether `train --model`
    /// reads the changed part (it ignores preprocessing and metadata).
    private struct Mutation: Sendable, CustomStringConvertible {
        var description: String
        var mention: String
        var readByTrain = true
        var change: @Sendable (inout [String: Any]) -> Void
    }

    private static func layer(_ index: Int, _ key: String, _ value: Any?) -> @Sendable (inout [String: Any]) -> Void {
        nonisolated(unsafe) let value = value
        return { json in
            var layers = json["layers"] as! [[String: Any]]
            layers[index][key] = value
            json["layers"] = layers
        }
    }

    private static let mutations: [Mutation] = [
        Mutation(description: "in_features of the wrong type", mention: "layers[0].in_features", change: layer(0, "in_features", "four")),
        Mutation(description: "in_features 0", mention: "layers[0].in_features", change: layer(0, "in_features", 0)),
        Mutation(description: "in_features −64", mention: "layers[0].in_features", change: layer(0, "in_features", -64)),
        Mutation(description: "in_features missing", mention: "layers[0].in_features", change: layer(0, "in_features", nil)),
        // Refused on the weights file's size when a folder is read, on memory when only model.json is.
        Mutation(description: "out_features 1e12", mention: "layers[0]", change: layer(0, "out_features", 1e12)),
        Mutation(description: "out_features Int64.max", mention: "layers[0]", change: layer(0, "out_features", Int64.max)),
        Mutation(description: "out_features 2.5", mention: "layers[0].out_features", change: layer(0, "out_features", 2.5)),
        Mutation(description: "a dropout rate of 1.5", mention: "layers[2].p", change: layer(2, "p", 1.5)),
        Mutation(description: "an unknown activation", mention: "layers[0].activation", change: layer(0, "activation", "swish")),
        Mutation(description: "an unknown layer type", mention: "layers[1].type", change: layer(1, "type", "conv9")),
        Mutation(description: "an unknown setting", mention: "layers[0].units", change: layer(0, "units", 8)),
        Mutation(description: "a softmax dim of 99", mention: "layers[1].dim", change: { json in
            var layers = json["layers"] as! [[String: Any]]
            layers[1] = ["type": "softmax", "dim": 99]
            json["layers"] = layers
        }),
        Mutation(description: "layers that do not fit together", mention: "layers[3]", change: layer(3, "in_features", 5)),
        Mutation(description: "no layers", mention: "layers", change: { $0["layers"] = [] }),
        Mutation(description: "version 99", mention: "version", change: { $0["version"] = 99 }),
        Mutation(description: "an input shape of 0", mention: "input_shape[0]", change: { $0["input_shape"] = [0] }),
        Mutation(description: "an input shape that does not fit", mention: "layers[0]", change: { $0["input_shape"] = [5] }),
        Mutation(description: "a standard deviation of 0", mention: "preprocessing[0].std[1]", readByTrain: false, change: { json in
            json["preprocessing"] = [["type": "standardize", "mean": [0, 0, 0, 0], "std": [1, 0, 1, 1]]]
        }),
        Mutation(description: "too few means", mention: "preprocessing[0].mean", readByTrain: false, change: { json in
            json["preprocessing"] = [["type": "standardize", "mean": [0, 0], "std": [1, 1, 1, 1]]]
        }),
        Mutation(description: "class names as a string", mention: "metadata.class_names", readByTrain: false, change: { json in
            var metadata = json["metadata"] as! [String: Any]
            metadata["class_names"] = "setosa"
            json["metadata"] = metadata
        }),
        Mutation(description: "an unknown task", mention: "metadata.task", readByTrain: false, change: { json in
            var metadata = json["metadata"] as! [String: Any]
            metadata["task"] = "ranking"
            json["metadata"] = metadata
        }),
    ]

    @Test func everyBadValueIsAnErrorNamingItsPlace() throws {
        let directory = try temporaryFolder()
        try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent("iris.csv"),
                                         to: directory.appendingPathComponent("iris.csv"))
        let base = try descent(["train", "iris.csv", "--layers", "8,relu,tanh,dropout=0.2", "--standardize", "--epochs", "1",
                                "--output", "base", "--quiet"], in: directory)
        try #require(base.status == 0, "\(base.standardError)")
        let original = try Data(contentsOf: directory.appendingPathComponent("base/model.json"))
        for mutation in Self.mutations {
            var json = try #require(try JSONSerialization.jsonObject(with: original) as? [String: Any])
            mutation.change(&json)
            let folder = directory.appendingPathComponent("m")
            try? FileManager.default.removeItem(at: folder)
            try FileManager.default.copyItem(at: directory.appendingPathComponent("base"), to: folder)
            try JSONSerialization.data(withJSONObject: json).write(to: folder.appendingPathComponent("model.json"))
            var commands = [["evaluate", "m", "iris.csv"], ["predict", "m", "iris.csv"], ["inspect", "m"]]
            if mutation.readByTrain { commands.append(["train", "iris.csv", "--model", "m/model.json", "--epochs", "1"]) }
            for command in commands {
                let result = try descent(command, in: directory)
                // 1 is a reported error; a trap would end with a signal (exit status above 128).
                #expect(result.status == 1, "\(mutation), \(command[0]): status \(result.status)")
                #expect(result.standardError.contains(mutation.mention) && result.standardError.contains("model.json"),
                        "\(mutation), \(command[0]): \(result.standardError)")
            }
        }
    }

    /// The previous release's folder predicts what that release predicted: the same classes, and
    /// probabilities within one unit of their last printed digit (GELU's kernel has changed in
    /// its last bits since).
    @Test func aFormatOneFolderPredictsTheSameNumbers() throws {
        let directory = try temporaryFolder()
        for name in ["iris-model", "iris.csv"] {
            try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent(name), to: directory.appendingPathComponent(name))
        }
        let result = try descent(["predict", "iris-model", "iris.csv", "--output", "predictions.csv"], in: directory)
        try #require(result.status == 0, "\(result.standardError)")
        func rows(_ file: URL) throws -> [[String]] {
            try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        }
        let expected = try rows(Self.fixtures.appendingPathComponent("predictions.csv"))
        let actual = try rows(directory.appendingPathComponent("predictions.csv"))
        #expect(actual.count == expected.count && actual.first == expected.first)
        for (row, wanted) in zip(actual, expected).dropFirst() {
            #expect(row.first == wanted.first && row.count == wanted.count, "\(row) vs \(wanted)")
            for (value, wantedValue) in zip(row.dropFirst(), wanted.dropFirst()) {
                #expect(Swift.abs(Double(value)! - Double(wantedValue)!) <= 1.5e-6, "\(row) vs \(wanted)")
            }
        }
        // Saved again, it is format 2, and still the same model.
        let again = try descent(["train", "iris.csv", "--model", "iris-model/model.json", "--epochs", "1", "--output", "again",
                                 "--quiet"], in: directory)
        #expect(again.status == 0, "\(again.standardError)")
        let json = try String(contentsOf: directory.appendingPathComponent("again/model.json"), encoding: .utf8)
        #expect(json.contains("\"version\": 2") && json.contains("\"type\": \"gelu\""))
    }
}
