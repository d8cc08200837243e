import _DescentTestSupport
import Descent
import Foundation
import Testing

/// `--model cnn`, the network of PyTorch's MNIST example, against PyTorch: the fixture in
/// Fixtures/cnn is made by make_cnn_fixture.py (random weights of the example's `Net`, renamed
/// `conv1.` → `0.`, `conv2.` → `2.`, `fc1.` → `7.`, `fc2.` → `10.`).
@Suite struct CNNPresetTests {
    /// The preset's model for MNIST's images, with the fixture's weights.
    static func model() throws -> Sequential {
        let layers = try ModelArchitecture(model: "cnn", layers: nil).layers(inputShape: [1, 28, 28], outputCount: 10)
        var model = try Sequential(layers: layers, seed: 0)
        try model.loadParameters(contentsOf: fixtureURL("cnn/cnn_weights.safetensors", in: Bundle.module))
        model.setTraining(false)
        return model
    }

    @Test func theExamplesWeightsLoadUnderTheDocumentedNames() throws {
        let model = try Self.model()
        #expect(model.parameters.map(\.name) == ["0.weight", "0.bias", "2.weight", "2.bias",
                                                 "7.weight", "7.bias", "10.weight", "10.bias"])
        #expect(model.parameters.map(\.value.shape) == [[32, 1, 3, 3], [32], [64, 32, 3, 3], [64],
                                                        [128, 9216], [128], [10, 128], [10]])
        let io = try SafeTensorsFile(contentsOf: fixtureURL("cnn/cnn_io.safetensors", in: Bundle.module))
        let input = try #require(io.tensors["input"]), logits = try #require(io.tensors["logits"])
        expectClose(model(input), logits, relative: 1e-4, absolute: 1e-6)
    }

    /// check_cnn_descent_written.py loads what Descent saves with `strict=True`; with
    /// DESCENT_WRITE_FIXTURES set, this test leaves the file for it and prints its path.
    @Test func descentSavesWhatPyTorchLoads() throws {
        let model = try Self.model()
        let folder = scratchFolder.appendingPathComponent("descent-cnn-\(UUID().uuidString)")
        try model.save(to: folder, inputShape: [1, 28, 28])
        defer {
            if ProcessInfo.processInfo.environment["DESCENT_WRITE_FIXTURES"] == nil {
                try? FileManager.default.removeItem(at: folder)
            } else {
                print("check_cnn_descent_written.py \(folder.appendingPathComponent("model.safetensors").path)")
            }
        }
        let written = try SafeTensorsFile(contentsOf: folder.appendingPathComponent("model.safetensors"))
        let fixture = try SafeTensorsFile(contentsOf: fixtureURL("cnn/cnn_weights.safetensors", in: Bundle.module))
        #expect(written.tensors.keys.sorted() == fixture.tensors.keys.sorted())
        for (name, tensor) in fixture.tensors {
            let other = try #require(written.tensors[name])
            #expect(other.dtype == .float32 && other.shape == tensor.shape, "\(name)")
            expectClose(other.cast(to: .float64), tensor.cast(to: .float64), "\(name)")
        }
        // The saved folder rebuilds the same network.
        let architecture = try Sequential.architecture(contentsOf: folder.appendingPathComponent("model.json"))
        #expect(architecture.inputShape == [1, 28, 28])
        #expect(architecture.layers == (try ModelArchitecture(model: "cnn", layers: nil).layers(inputShape: [1, 28, 28], outputCount: 10)))
    }

    /// The command line trains it, on the digits as [1, 8, 8] images (MNIST's files are not
    /// always there; `datasets fetch`'s test trains on them), and words a bad item's error.
    @Test func theCommandLineTrainsIt() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let train = try descent(["train", "digits", "--model", "cnn", "--steps", "1", "--json", "--output", "model"], in: folder)
        #expect(train.status == 0, "\(train.standardError)")
        #expect(try jsonObject(train.standardOutput)["val_accuracy"] is Double)
        let evaluation = try descent(["evaluate", "model", "digits", "--json"], in: folder)
        #expect(evaluation.status == 0, "\(evaluation.standardError)")
        let bad = try descent(["train", "digits", "--layers", "conv=8x3,relu,conv=0x3"], in: folder)
        #expect(bad.status != 0)
        #expect(bad.standardError.contains(#"item 3 "conv=0x3" is not understood: the output channels must be 1 to 65536, found 0"#))
    }
}
