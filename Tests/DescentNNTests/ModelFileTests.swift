import Descent
import Foundation
import Testing
import _DescentTestSupport

@Suite struct ModelFileTests {
    private func temporaryFolder() throws -> URL {
        let url = scratchFolder.appendingPathComponent("descent-model-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    private func makeModel(seed: UInt64) -> Sequential {
        var generator = RandomGenerator(seed: seed)
        return Sequential {
            Dense(inputCount: 4, outputCount: 8, activation: .relu, using: &generator)
            Dropout(rate: 0.2, using: &generator)
            Dense(inputCount: 8, outputCount: 3, activation: .tanh, useBias: false, using: &generator)
            LeakyReLU(negativeSlope: 0.1)
            Softmax()
        }
    }

    @Test func saveThenLoadGivesTheSameModel() throws {
        let folder = try temporaryFolder().appendingPathComponent("model")
        let model = makeModel(seed: 3)
        try model.save(to: folder, metadata: ["classes": "a,b,c"])
        let saved = try Sequential.loadFolder(from: folder)
        let loaded = saved.model
        #expect(saved.metadata == ["classes": "a,b,c"])
        #expect(loaded.layerConfigurations == model.layerConfigurations)
        #expect(loaded.parameters.map(\.name) == ["0.weight", "0.bias", "2.weight"])
        let x = Tensor.randomNormal([5, 4], seed: 1)
        expectClose(loaded(x), model.training(false)(x), relative: 0, absolute: 0)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(names == ["model.json", "model.safetensors"])
    }

    @Test func savingAgainReplacesTheFolderWhole() throws {
        let folder = try temporaryFolder().appendingPathComponent("model")
        try makeModel(seed: 1).save(to: folder)
        let second = makeModel(seed: 2)
        try second.save(to: folder)
        let loaded = try Sequential.load(from: folder)
        let x = Tensor.randomNormal([2, 4], seed: 5)
        expectClose(loaded(x), second.training(false)(x), relative: 0, absolute: 0)
    }

    @Test func weightsThatDoNotFitAreListed() throws {
        var model = makeModel(seed: 1)
        let file = SafeTensorsFile(tensors: [
            "0.weight": Tensor.zeros([8, 5]),
            "0.bias": Tensor.zeros([8]),
            "9.weight": Tensor.zeros([1]),
        ])
        #expect(throws: ModelFileError.parameterMismatch(
            path: "weights", missing: ["2.weight"], unexpected: ["9.weight"],
            mismatched: ["0.weight is [8, 5] in the file, [8, 4] in the model"])) {
            try model.loadParameters(from: file)
        }
    }

    @Test func aFolderWithoutModelJSONIsAClearError() throws {
        let folder = try temporaryFolder()
        #expect {
            _ = try Sequential.load(from: folder)
        } throws: { error in
            "\(error)".contains("model.json") && "\(error)".contains("cannot be read")
        }
    }

    @Test func corruptModelJSONIsAClearError() throws {
        let folder = try temporaryFolder()
        try Data("{\"format\": \"descent.sequential\", \"layers\": [{\"dense\": 3}]}".utf8)
            .write(to: folder.appendingPathComponent("model.json"))
        #expect(throws: ModelFileError.self) { _ = try Sequential.load(from: folder) }
    }

    /// A number beyond double's range is a thrown error that says where, not a bare "the data
    /// isn't in the correct format".
    @Test func aNumberBeyondDoubleIsAClearError() throws {
        let folder = try temporaryFolder()
        try Data("{\"format\": \"descent.sequential\", \"layers\": [{\"type\": \"elu\", \"alpha\": 1e400}]}".utf8)
            .write(to: folder.appendingPathComponent("model.json"))
        #expect {
            _ = try Sequential.load(from: folder)
        } throws: { error in
            "\(error)".contains("model.json") && "\(error)".contains("alpha") && "\(error)".contains("1.8e308")
        }
    }

    @Test func truncatedWeightsAreAClearError() throws {
        let folder = try temporaryFolder().appendingPathComponent("model")
        try makeModel(seed: 1).save(to: folder)
        let weights = folder.appendingPathComponent("model.safetensors")
        let data = try Data(contentsOf: weights)
        try data.prefix(data.count / 2).write(to: weights)
        #expect(throws: SafeTensorsError.self) { _ = try Sequential.load(from: folder) }
    }

    @Test func modelsWithCustomLayersRefuseToSave() throws {
        struct Doubling: Layer { func callAsFunction(_ input: Tensor) -> Tensor { input * 2 } }
        let folder = try temporaryFolder().appendingPathComponent("model")
        #expect(throws: ModelFileError.unsupportedLayer(index: 0, type: "Doubling")) {
            try Sequential([Doubling()]).save(to: folder)
        }
        #expect(!FileManager.default.fileExists(atPath: folder.path))
    }
}
