// Conv2d against PyTorch's nn.Conv2d (Fixtures/conv.json, written by
// Fixtures/make_conv_fixtures.py), its initialization, its shapes and its model.json entry.
import _DescentTestSupport
import Descent
import DescentCore
import Foundation
import Testing

struct ConvFixture: Decodable {
    var name: String
    var inChannels, outChannels, groups: Int
    var kernelSize, stride, dilation: [Int]
    var padding: Padding
    var input, weight, output, upstream, inputGradient, weightGradient: TensorFixture
    var bias, biasGradient: TensorFixture?

    /// `[height, width]` or "same".
    enum Padding: Decodable {
        case sizes([Int]), same
        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                guard text == "same" else { throw DecodingError.dataCorruptedError(in: container, debugDescription: text) }
                self = .same
            } else {
                self = .sizes(try container.decode([Int].self))
            }
        }
    }

    var layerPadding: Conv2dPadding {
        switch padding {
        case .same: .same
        case .sizes(let sizes): .explicit(Size2D(sizes[0], sizes[1]))
        }
    }

    func layer(weight: Tensor, bias: Tensor?) -> Conv2d {
        Conv2d(weight: weight, bias: bias, stride: Size2D(stride[0], stride[1]), padding: layerPadding,
               dilation: Size2D(dilation[0], dilation[1]), groups: groups)
    }

    /// The most terms any element of the output or a gradient adds: a window of the input's
    /// channels (output), of the output's channels (input gradient), or every output position of
    /// the batch (weight and bias gradients).
    var longestSum: Int {
        let window = kernelSize[0] * kernelSize[1]
        let positions = output.shape[0] * output.shape[2] * output.shape[3]
        return max(inChannels / groups * window, outChannels / groups * window, positions)
    }

    static func load() throws -> [ConvFixture] {
        struct File: Decodable { var cases: [ConvFixture] }
        let data = try Data(contentsOf: fixtureURL("conv.json", in: Bundle.module))
        return try JSONDecoder().decode(File.self, from: data).cases
    }
}

@Suite struct Conv2dTests {
    /// Forward output and the gradients of sum(output · upstream) for input, weight and bias
    /// agree with PyTorch's, for every case, in both dtypes, on every device under test; on a
    /// GPU also with each example unfolded on its own (the chunks of a large batch).
    @Test(arguments: floatingPointTypes, try testDevices())
    func matchesPyTorch(dtype: DType, device: Device) throws {
        try checkAgainstPyTorch(dtype: dtype, device: device)
        if case .cuda = device {
            try CUDAConvolutionLimits.$columnsBudget.withValue(1) { try checkAgainstPyTorch(dtype: dtype, device: device) }
        }
    }

    private func checkAgainstPyTorch(dtype: DType, device: Device) throws {
        let cases = try ConvFixture.load()
        #expect(cases.count >= 10)
        let (relative, absolute) = dtype == .float32 ? (1e-5, 1e-5) : (1e-10, 1e-12)
        for fixture in cases {
            let x = fixture.input.tensor(dtype).to(device), upstream = fixture.upstream.tensor(dtype).to(device)
            var inputs = [x, fixture.weight.tensor(dtype).to(device)]
            if let bias = fixture.bias { inputs.append(bias.tensor(dtype).to(device)) }
            let (_, gradients) = valueWithGradient(at: inputs) { p in
                (fixture.layer(weight: p[1], bias: p.count > 2 ? p[2] : nil)(p[0]) * upstream).sum()
            }
            let layer = fixture.layer(weight: inputs[1], bias: inputs.count > 2 ? inputs[2] : nil)
            #expect(layer.inChannels == fixture.inChannels && layer.outChannels == fixture.outChannels, "\(fixture.name)")
            func check(_ actual: Tensor, _ expected: TensorFixture, _ what: String) {
                expectClose(actual, expected.tensor(dtype), on: device, sumLength: fixture.longestSum,
                            relative: relative, absolute: absolute, "\(fixture.name): \(what)")
            }
            check(layer(x), fixture.output, "output")
            check(gradients[0], fixture.inputGradient, "input gradient")
            check(gradients[1], fixture.weightGradient, "weight gradient")
            if let biasGradient = fixture.biasGradient { check(gradients[2], biasGradient, "bias gradient") }
            #expect(try layer.outputShape(for: Array(fixture.input.shape.dropFirst())) == Array(fixture.output.shape.dropFirst()),
                    "\(fixture.name)")
        }
    }

    @Test func parametersAreNamedLikeNNConv2d() {
        var layer = Conv2d(inChannels: 4, outChannels: 6, kernelSize: Size2D(3, 2), groups: 2, seed: 1)
        #expect(layer.weight.shape == [6, 2, 3, 2] && layer.bias?.shape == [6])
        var names: [String] = []
        layer.visitParameters { name, _ in names.append(name) }
        #expect(names == ["weight", "bias"])
        let noBias = Conv2d(inChannels: 4, outChannels: 6, kernelSize: 3, bias: false, seed: 1)
        #expect(noBias.bias == nil)
    }

    /// kaiming_uniform_(a = √5) and PyTorch's bias: both U(±1/√fanIn), fanIn = in/groups·kH·kW;
    /// one seed, one layer.
    @Test func initializesAsPyTorch() {
        let layer = Conv2d(inChannels: 6, outChannels: 32, kernelSize: Size2D(3, 2), groups: 2, seed: 7)
        let bound = 1 / Double(3 * 3 * 2).squareRoot()
        let weights = layer.weight.doubles(), biases = layer.bias!.doubles()
        #expect(weights.allSatisfy { abs($0) <= bound } && biases.allSatisfy { abs($0) <= bound })
        // Spread over the whole range, not a narrower one.
        #expect(weights.max()! > 0.9 * bound && weights.min()! < -0.9 * bound)
        let again = Conv2d(inChannels: 6, outChannels: 32, kernelSize: Size2D(3, 2), groups: 2, seed: 7)
        #expect(again.weight.doubles() == weights && again.bias!.doubles() == biases)
    }

    @Test func outputShapes() throws {
        let layer = Conv2d(inChannels: 3, outChannels: 8, kernelSize: 3, stride: 2, padding: 1, seed: 1)
        #expect(try layer.outputShape(for: [3, 32, 31]) == [8, 16, 16])
        let same = Conv2d(inChannels: 3, outChannels: 8, kernelSize: Size2D(4, 2), padding: .same, dilation: 3, seed: 1)
        #expect(try same.outputShape(for: [3, 5, 7]) == [8, 5, 7])
        #expect(same(Tensor.zeros([2, 3, 5, 7])).shape == [2, 8, 5, 7])
        #expect(throws: LayerShapeError.self) { try layer.outputShape(for: [4, 32, 32]) }
        #expect(throws: LayerShapeError.self) { try layer.outputShape(for: [3, 32]) }
        let dilated = Conv2d(inChannels: 1, outChannels: 1, kernelSize: 3, dilation: 4, seed: 1)
        do {
            _ = try dilated.outputShape(for: [1, 8, 20])
            Issue.record("an image smaller than the dilated kernel was accepted")
        } catch let error as LayerShapeError {
            #expect(error.expected.contains("at least as large as the kernel 3 dilated by 4"), "\(error)")
        }
        #expect(try dilated.outputShape(for: [1, 9, 20]) == [1, 1, 12])
        #expect("\(layer)" == "Conv2d(3, 8, kernel_size=3, stride=2, padding=1)")
    }

    @Test func configurationRoundTrips() throws {
        let layers = [
            Conv2d(inChannels: 3, outChannels: 8, kernelSize: 3, seed: 1),
            Conv2d(inChannels: 4, outChannels: 4, kernelSize: Size2D(3, 1), stride: Size2D(2, 1),
                   padding: .explicit(Size2D(1, 0)), dilation: 2, groups: 4, bias: false, seed: 1),
            Conv2d(inChannels: 2, outChannels: 2, kernelSize: 2, padding: .same, seed: 1),
        ]
        #expect(layers[0].configuration.description
                == #"{"type": "conv2d", "in_channels": 3, "out_channels": 8, "kernel_size": 3}"#)
        #expect(layers[1].configuration.description
                == #"{"type": "conv2d", "in_channels": 4, "out_channels": 4, "kernel_size": [3, 1], "stride": [2, 1], "padding": [1, 0], "dilation": 2, "groups": 4, "bias": false}"#)
        for layer in layers {
            var generator = RandomGenerator(seed: 0)
            let rebuilt = try Conv2d(configuration: layer.configuration, using: &generator)
            #expect(rebuilt.configuration == layer.configuration)
            #expect(rebuilt.weight.shape == layer.weight.shape && (rebuilt.bias == nil) == (layer.bias == nil))
        }
    }

    @Test func aSavedModelLoadsWithTheSameOutputs() throws {
        var generator = RandomGenerator(seed: 5)
        let model = Sequential {
            Conv2d(inChannels: 2, outChannels: 4, kernelSize: 3, padding: .same, using: &generator)
            ReLU()
            Conv2d(inChannels: 4, outChannels: 6, kernelSize: Size2D(3, 2), stride: 2, dilation: Size2D(1, 2), groups: 2,
                   bias: false, using: &generator)
            Flatten()
            Dense(inputCount: 6 * 3 * 3, outputCount: 3, using: &generator)
        }
        let folder = scratchFolder.appendingPathComponent("descent-conv-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try model.save(to: folder, inputShape: [2, 7, 8])
        let loaded = try Sequential.load(from: folder)
        #expect(loaded.layerConfigurations == model.layerConfigurations)
        #expect(loaded.parameters.map(\.name) == ["0.weight", "0.bias", "2.weight", "4.weight", "4.bias"])
        let x = Tensor.randomNormal([3, 2, 7, 8], seed: 9)
        expectClose(loaded(x), model(x), relative: 0, absolute: 0)
    }

    /// Every bad value in a conv2d entry is an error naming layers[i].field.
    @Test func badValuesAreErrorsNamingTheirPlace() throws {
        let good: [String: Any] = ["type": "conv2d", "in_channels": 4, "out_channels": 6, "kernel_size": 3]
        let cases: [(String, Any?, String)] = [
            ("kernel_size", 0, "layers[1].kernel_size"),
            ("kernel_size", [3, 0], "layers[1].kernel_size"),
            ("kernel_size", [3, 3, 3], "layers[1].kernel_size"),
            ("kernel_size", nil, "layers[1].kernel_size"),
            ("in_channels", 0, "layers[1].in_channels"),
            ("out_channels", "six", "layers[1].out_channels"),
            ("groups", 4, "layers[1].groups"),
            ("groups", 0, "layers[1].groups"),
            ("stride", 0, "layers[1].stride"),
            ("padding", -1, "layers[1].padding"),
            ("padding", "full", "layers[1].padding"),
            ("dilation", [1, 0], "layers[1].dilation"),
            ("bias", "yes", "layers[1].bias"),
            ("padding_mode", "reflect", "layers[1].padding_mode"),
            ("kernel_size", 1 << 40, "layers[1].kernel_size"),
            ("out_channels", Int64.max, "layers[1]"),
            ("in_channels", 1 << 40, "layers[1]"),
        ]
        for (key, value, place) in cases {
            var entry = good
            entry[key] = value
            try expectError(naming: place, layer: entry, "\(key): \(String(describing: value))")
        }
        var same = good
        same["padding"] = "same"
        same["stride"] = 2
        try expectError(naming: "layers[1].padding", layer: same, "padding same with stride 2")
    }

    private func expectError(naming place: String, layer: [String: Any], _ comment: String) throws {
        let json: [String: Any] = ["input_shape": [4, 8, 8], "layers": [["type": "relu"], layer]]
        let url = scratchFolder.appendingPathComponent("conv-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try JSONSerialization.data(withJSONObject: json).write(to: url)
        do {
            _ = try Sequential.architecture(contentsOf: url)
            Issue.record("\(comment): no error")
        } catch let error as ModelFileError {
            guard case let .invalidValue(_, location, _, _) = error else {
                Issue.record("\(comment): \(error)")
                return
            }
            #expect(location == place, "\(comment): \(error)")
        }
    }
}
