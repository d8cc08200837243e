import Descent
import Foundation
import Testing
import _DescentTestSupport

/// Layer lists on images: each item is one layer, its sizes found from the shape the items
/// before it give.
@Suite struct LayerListShapeTests {
    private func parse(_ list: String, _ shape: [Int] = [1, 28, 28], outputs: Int = 10) throws -> [LayerConfiguration] {
        try LayerList.parse(list, inputShape: shape, outputCount: outputs)
    }

    private func conv(_ fields: [(key: String, value: JSONValue)]) -> LayerConfiguration {
        LayerConfiguration(type: "conv2d", fields: fields)
    }

    @Test func convolutionItems() throws {
        #expect(try parse("conv=32x3,flatten,10") == [
            conv([(key: "in_channels", value: 1), (key: "out_channels", value: 32), (key: "kernel_size", value: 3)]),
            .flatten, .dense(inputCount: 32 * 26 * 26, outputCount: 10),
        ])
        #expect(try parse("conv=64x3s2p1", [3, 8, 8]).first == conv([
            (key: "in_channels", value: 3), (key: "out_channels", value: 64), (key: "kernel_size", value: 3),
            (key: "stride", value: 2), (key: "padding", value: 1),
        ]))
        #expect(try parse("conv=8x3d2g2", [4, 9, 9]).first == conv([
            (key: "in_channels", value: 4), (key: "out_channels", value: 8), (key: "kernel_size", value: 3),
            (key: "dilation", value: 2), (key: "groups", value: 2),
        ]))
        // "same" padding keeps the size: 6 × 5 × 5 into the output layer (after an added flatten).
        let same = try parse("conv=6x3psame", [2, 5, 5], outputs: 3)
        #expect(same == [
            conv([(key: "in_channels", value: 2), (key: "out_channels", value: 6), (key: "kernel_size", value: 3),
                  (key: "padding", value: "same")]),
            .flatten, .dense(inputCount: 150, outputCount: 3),
        ])
    }

    @Test func poolingNormalizationAndDropoutItems() throws {
        let layers = try parse("maxpool=2,avgpool=3s1,batchnorm,dropout2d=0.25,globalavgpool,flatten,batchnorm,4", outputs: 4)
        let model = try Sequential(layers: layers)
        #expect(model.layers.map { String(describing: type(of: $0)) } == [
            "MaxPool2d", "AvgPool2d", "BatchNorm2d", "Dropout2d", "AdaptiveAvgPool2d", "Flatten", "BatchNorm1d", "Dense",
        ])
        #expect(layers[0] == MaxPool2d(kernelSize: 2).configuration)
        #expect(layers[1] == AvgPool2d(kernelSize: 3, stride: 1).configuration)
        #expect(layers[2] == BatchNorm2d(featureCount: 1).configuration)
        #expect(layers[3] == Dropout2d(rate: 0.25).configuration)
        #expect(layers[4] == AdaptiveAvgPool2d(outputSize: 1).configuration)
        #expect(layers[6] == BatchNorm1d(featureCount: 1).configuration)
        #expect(try model.outputShapes(for: [1, 28, 28]) == [[1, 14, 14], [1, 12, 12], [1, 12, 12], [1, 12, 12], [1, 1, 1],
                                                             [1], [1], [4]])
        // batchnorm is 1-d on features.
        #expect(try parse("batchnorm", [5], outputs: 2).first == BatchNorm1d(featureCount: 5).configuration)
    }

    @Test func denseLayersOnImages() throws {
        // A list that starts with a dense layer gets a flatten first; so does the output layer.
        #expect(try parse("16,relu") == [.flatten, .dense(inputCount: 784, outputCount: 16), .activation(.relu),
                                        .dense(inputCount: 16, outputCount: 10)])
        #expect(try parse("") == [.flatten, .dense(inputCount: 784, outputCount: 10)])
        #expect(try parse("maxpool=2,relu").suffix(2) == [.flatten, .dense(inputCount: 196, outputCount: 10)])
        // The features keep their shape, as before.
        #expect(try parse("8", [4], outputs: 3) == [.dense(inputCount: 4, outputCount: 8), .dense(inputCount: 8, outputCount: 3)])
    }

    @Test func thePresetIsPyTorchsExample() throws {
        let layers = try ModelArchitecture(model: "cnn", layers: nil).layers(inputShape: [1, 28, 28], outputCount: 10)
        #expect(layers.count == 11)
        let model = try Sequential(layers: layers)
        #expect(model.parameters.map(\.name) == ["0.weight", "0.bias", "2.weight", "2.bias", "7.weight", "7.bias",
                                                 "10.weight", "10.bias"])
        #expect(try model.outputShapes(for: [1, 28, 28]).map { $0 } == [
            [32, 26, 26], [32, 26, 26], [64, 24, 24], [64, 24, 24], [64, 12, 12], [64, 12, 12], [9216], [128], [128], [128], [10],
        ])
    }

    @Test(arguments: [
        ("conv=0x3", [1, 28, 28], #"item 1 "conv=0x3" is not understood: the output channels must be 1 to 65536, found 0"#),
        ("conv=8x0", [1, 28, 28], "the kernel size must be 1 to 65536, found 0"),
        ("relu,conv=8x3s0", [1, 28, 28], #"item 2 "conv=8x3s0" is not understood: the stride must be 1 to 65536, found 0"#),
        ("conv=8x3s2psame", [1, 28, 28], #"padding "same" needs stride 1 (as PyTorch), found stride 2"#),
        ("conv=8x3p1s2", [1, 28, 28], "in that order"),
        ("conv=8", [1, 28, 28], "expected conv=OUTxK"),
        ("conv=8x3q", [1, 28, 28], "expected conv=OUTxK"),
        ("conv=8x3g3", [1, 28, 28], "the groups (3) must divide the input channels (1) and the output channels (8)"),
        ("conv=8x3", [64], #"item 1 "conv=8x3" does not fit: a convolution takes images [channels, height, width], but the data give [64]"#),
        ("conv=8x5", [1, 3, 3], "does not fit: expected images [1, height, width] at least as large as the kernel"),
        ("maxpool=0", [1, 28, 28], #"item 1 "maxpool=0" is not understood: the kernel size must be 1 to 65536, found 0"#),
        ("avgpool=2s0", [1, 28, 28], "the stride must be 1 to 65536, found 0"),
        ("maxpool=2", [4], #"item 1 "maxpool=2" does not fit: expected inputs [channels, height, width], but the data give [4]"#),
        ("dropout2d=1.5", [1, 28, 28], #"item 1 "dropout2d=1.5" is not understood: the dropout rate must be a number at least 0 and below 1"#),
        ("globalavgpool", [4], #"item 1 "globalavgpool" does not fit"#),
        ("batchnorm", [1, 2, 3, 4], #"item 1 "batchnorm" does not fit: batch normalization takes features [C], sequences [C, L] or images [C, H, W], but the layers before it give [1, 2, 3, 4]"#),
        ("conv=8x3,relu,16", [1, 28, 28], #"item 3 "16" does not fit: a dense layer takes examples of one axis, but the layers before it give [8, 26, 26]; put flatten before it"#),
        ("conv=8x3,,16", [1, 28, 28], #"item 2 "" is not understood"#),
        ("flatten=2", [1, 28, 28], "expected a number of units, an activation"),
    ] as [(String, [Int], String)])
    func badItemsAreNamed(list: String, shape: [Int], message: String) {
        #expect {
            try LayerList.parse(list, inputShape: shape, outputCount: 10)
        } throws: { error in
            guard case let TrainingError.invalidSetting(text) = error else { return false }
            let matches = text.hasPrefix("the layer list: item ") && text.contains(message) && !text.contains("--")
            if !matches { Issue.record("\(list): \(text)") }
            return matches
        }
    }

    @Test func imageNetworksGetImages() throws {
        let digits = try Dataset.digits()
        let cnn = try ModelArchitecture(model: "cnn", layers: nil)
        #expect(try cnn.exampleShape(of: digits, source: "digits") == [1, 8, 8])
        #expect(try ModelArchitecture.default.exampleShape(of: digits, source: "digits") == [64])
        #expect(try cnn.exampleShape(of: digits, source: "data.csv") == [64])

        var job = TrainingJob(dataset: "digits")
        job.architecture = cnn
        job.maximumSteps = 2
        job.output = scratchFolder.appendingPathComponent("descent-cnn-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: job.output ?? "") }
        let outcome = try job.run()
        #expect(outcome.plan.training.features.shape.dropFirst() == [1, 8, 8])
        // Evaluation reads the digits' rows and gives the model images.
        let saved = try SavedModel(folder: try #require(job.output))
        #expect(saved.inputShape == [1, 8, 8])
        #expect(try saved.prepare(.zeros([3, 64]), source: "test").shape == [3, 1, 8, 8])
    }
}
