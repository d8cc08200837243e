import Descent
import Foundation
import Testing
import _DescentTestSupport

/// A model folder's `model.json` cannot declare more parameters than its weights file can hold:
/// found fuzzing the model-folder reader (issue 12), where a few bytes of JSON built gigabytes
/// of layers before the weights were read.
@Suite struct DeclaredSizeTests {
    /// A folder holding `json` as model.json and an empty safetensors file (16 bytes).
    private func folder(json: String) throws -> URL {
        let url = scratchFolder.appendingPathComponent("descent-declared-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try Data(json.utf8).write(to: url.appendingPathComponent("model.json"))
        try SafeTensorsFile().write(to: url.appendingPathComponent("model.safetensors"))
        return url
    }

    @Test func layersDeclaringMoreThanTheWeightsFileHoldsAreRefusedBeforeTheyAreBuilt() throws {
        // 100,000 × 10,000 weights and 10,000 biases: 4 GB of float32, in 16 bytes of weights.
        let url = try folder(json: #"{"layers": [{"type": "linear", "in_features": 100000, "out_features": 10000}]}"#)
        defer { try? FileManager.default.removeItem(at: url) }
        let error = try #require(throws: ModelFileError.self) { try Sequential.load(from: url) }
        #expect(error.description == """
            '\(url.appendingPathComponent("model.json").path)': layers[0]: expected at most 8 parameters in all, as many as \
            model.safetensors (16 bytes) can hold at 2 bytes each, found 1000010000 up to this layer
            """)
    }

    @Test func convolutionsCountTheirKernels() throws {
        let json = #"{"input_shape": [3, 8, 8], "layers": [{"type": "conv2d", "in_channels": 3, "out_channels": 4, "kernel_size": [3, 2], "bias": false}]}"#
        let url = try folder(json: json)
        defer { try? FileManager.default.removeItem(at: url) }
        let error = try #require(throws: ModelFileError.self) { try Sequential.load(from: url) }
        #expect(error.description.hasSuffix("found 72 up to this layer"))
    }

    /// A folder whose weights file is large enough gets as far as the weights themselves.
    @Test func aModelThatFitsIsCheckedAgainstItsWeights() throws {
        let url = try folder(json: #"{"layers": [{"type": "linear", "in_features": 2, "out_features": 1}]}"#)
        defer { try? FileManager.default.removeItem(at: url) }
        try SafeTensorsFile(tensors: ["0.weight": Tensor(shape: [1, 2], scalars: [Float(1), 2]),
                                      "0.bias": Tensor(shape: [1], scalars: [Float(3)])])
            .write(to: url.appendingPathComponent("model.safetensors"))
        let model = try Sequential.load(from: url)
        #expect(model(Tensor(shape: [1, 2], scalars: [Float(1), 1])).scalars(as: Float.self) == [6])
    }
}
