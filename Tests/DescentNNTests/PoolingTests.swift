// The pooling layers against PyTorch (Fixtures/pool.json, written by make_pool_fixtures.py):
// forward and backward on every device in float32 and float64; their shapes, their model.json
// entries and the errors a bad entry gives.
import _DescentTestSupport
import Descent
import Foundation
import Testing

struct MaxPoolFixture: Decodable {
    var name: String
    var kernelSize, stride, padding, dilation: [Int]
    var ceilMode: Bool
    var input, output, upstream, inputGradient: TensorFixture
}

struct AvgPoolFixture: Decodable {
    var name: String
    var kernelSize, stride, padding: [Int]
    var ceilMode, countIncludePad: Bool
    var input, output, upstream, inputGradient: TensorFixture
}

struct AdaptiveAvgPoolFixture: Decodable {
    var name: String
    var outputSize: [Int]
    var input, output, upstream, inputGradient: TensorFixture
}

struct PoolFixtures: Decodable {
    var maxPool: [MaxPoolFixture]
    var avgPool: [AvgPoolFixture]
    var adaptiveAvgPool: [AdaptiveAvgPoolFixture]

    static func load() throws -> PoolFixtures {
        try JSONDecoder().decode(PoolFixtures.self, from: Data(contentsOf: fixtureURL("pool.json", in: Bundle.module)))
    }
}

private func extent(_ pair: [Int]) -> Size2D { Size2D(pair[0], pair[1]) }

/// Expects `layer` on `input` to give PyTorch's output and input gradient (of Σ output ⊙
/// upstream), on `device` and in both floating-point dtypes.
private func expectMatchesPyTorch(_ layer: some Layer, _ name: String, on device: Device, input: TensorFixture,
                                  output: TensorFixture, upstream: TensorFixture, inputGradient: TensorFixture,
                                  sourceLocation: SourceLocation = #_sourceLocation) {
    // An average adds at most one image's plane; its gradient, as many windows as overlap.
    let sumLength = input.shape.suffix(2).reduce(1, *)
    for dtype in floatingPointTypes {
        let tolerance = dtype == .float32 ? 1e-5 : 1e-12
        let upstreamTensor = upstream.tensor(dtype).to(device)
        let gradient = gradient(at: input.tensor(dtype).to(device)) { x in (layer(x) * upstreamTensor).sum() }
        let forward = withoutGradients { layer(input.tensor(dtype).to(device)) }
        expectClose(forward, output.tensor(dtype), on: device, sumLength: sumLength, relative: tolerance,
                    absolute: tolerance, "\(name) forward, \(dtype)", sourceLocation: sourceLocation)
        expectClose(gradient, inputGradient.tensor(dtype), on: device, sumLength: sumLength, relative: tolerance,
                    absolute: tolerance, "\(name) backward, \(dtype)", sourceLocation: sourceLocation)
    }
}

@Suite struct PoolingLayerTests {
    @Test(arguments: try testDevices())
    func maxPoolingMatchesPyTorchWithTies(device: Device) throws {
        for fixture in try PoolFixtures.load().maxPool {
            let layer = MaxPool2d(kernelSize: extent(fixture.kernelSize), stride: extent(fixture.stride),
                                  padding: extent(fixture.padding), dilation: extent(fixture.dilation),
                                  ceilMode: fixture.ceilMode)
            expectMatchesPyTorch(layer, fixture.name, on: device, input: fixture.input, output: fixture.output,
                                 upstream: fixture.upstream, inputGradient: fixture.inputGradient)
            #expect(try layer.outputShape(for: Array(fixture.input.shape.dropFirst()))
                    == Array(fixture.output.shape.dropFirst()), "\(fixture.name)")
        }
    }

    @Test(arguments: try testDevices())
    func averagePoolingMatchesPyTorch(device: Device) throws {
        let fixtures = try PoolFixtures.load().avgPool
        #expect(Set(fixtures.map(\.countIncludePad)) == [true, false])
        for fixture in fixtures {
            let layer = AvgPool2d(kernelSize: extent(fixture.kernelSize), stride: extent(fixture.stride),
                                  padding: extent(fixture.padding), ceilMode: fixture.ceilMode,
                                  countIncludePad: fixture.countIncludePad)
            expectMatchesPyTorch(layer, "\(fixture.name), count_include_pad \(fixture.countIncludePad)", on: device,
                                 input: fixture.input, output: fixture.output,
                                 upstream: fixture.upstream, inputGradient: fixture.inputGradient)
            #expect(try layer.outputShape(for: Array(fixture.input.shape.dropFirst()))
                    == Array(fixture.output.shape.dropFirst()), "\(fixture.name)")
        }
    }

    @Test(arguments: try testDevices())
    func adaptiveAveragePoolingMatchesPyTorch(device: Device) throws {
        for fixture in try PoolFixtures.load().adaptiveAvgPool {
            let layer = AdaptiveAvgPool2d(outputSize: extent(fixture.outputSize))
            expectMatchesPyTorch(layer, fixture.name, on: device, input: fixture.input, output: fixture.output,
                                 upstream: fixture.upstream, inputGradient: fixture.inputGradient)
            #expect(try layer.outputShape(for: Array(fixture.input.shape.dropFirst()))
                    == Array(fixture.output.shape.dropFirst()), "\(fixture.name)")
        }
    }

    @Test func shapesAreCheckedBeforeRunning() throws {
        #expect(try MaxPool2d(kernelSize: 2).outputShape(for: [3, 28, 28]) == [3, 14, 14])
        #expect(try AvgPool2d(kernelSize: 3, stride: 2, padding: 1, ceilMode: true).outputShape(for: [2, 8, 9]) == [2, 5, 5])
        #expect(try AdaptiveAvgPool2d(outputSize: 1).outputShape(for: [64, 7, 5]) == [64, 1, 1])
        // Flatten takes what pooling gives: one axis per example.
        #expect(try Flatten().outputShape(for: [64, 1, 1]) == [64])
        #expect(try Flatten().outputShape(for: [3, 14, 14]) == [588])
        #expect(throws: LayerShapeError.self) { try MaxPool2d(kernelSize: 2).outputShape(for: [784]) }
        #expect(throws: LayerShapeError.self) { try MaxPool2d(kernelSize: 5).outputShape(for: [1, 4, 4]) }
        #expect(throws: LayerShapeError.self) { try AdaptiveAvgPool2d(outputSize: 2).outputShape(for: [1, 5, 4]) }
        let error = try #require(throws: LayerShapeError.self) {
            try Sequential { MaxPool2d(kernelSize: 2); Flatten(); MaxPool2d(kernelSize: 2) }.outputShape(for: [1, 4, 4])
        }
        #expect(error.index == 2)
    }
}

@Suite struct PoolingModelFileTests {
    private func temporaryFolder() throws -> URL {
        let url = scratchFolder.appendingPathComponent("descent-pool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func aModelWithPoolingLayersSavesAndLoads() throws {
        var generator = RandomGenerator(seed: 5)
        let model = Sequential {
            MaxPool2d(kernelSize: 2, stride: 1, padding: 1, dilation: Size2D(1, 2), ceilMode: true)
            ReLU()
            AvgPool2d(kernelSize: Size2D(3, 2), stride: 2, padding: 1, countIncludePad: false)
            AvgPool2d(kernelSize: 1)
            AdaptiveAvgPool2d(outputSize: 1)
            Flatten()
            Dense(inputCount: 3, outputCount: 2, using: &generator)
        }
        let folder = try temporaryFolder().appendingPathComponent("model")
        try model.save(to: folder)
        let loaded = try Sequential.load(from: folder)
        #expect(loaded.layerConfigurations == model.layerConfigurations)
        let x = Tensor.randomNormal([2, 3, 9, 8], seed: 6)
        expectClose(loaded(x), model(x), relative: 0, absolute: 0)
        // Defaults are left out; a non-square size is a pair, as PyTorch prints it.
        let text = try String(contentsOf: folder.appendingPathComponent("model.json"), encoding: .utf8)
        #expect(text.contains(#"{"type": "avgpool2d", "kernel_size": 1}"#), "\(text)")
        #expect(text.contains(#""dilation": [1, 2]"#), "\(text)")
        #expect(text.contains(#""count_include_pad": false"#), "\(text)")
        #expect(text.contains(#"{"type": "adaptiveavgpool2d", "output_size": 1}"#), "\(text)")
    }

    /// Each bad entry, and the place the error must name.
    @Test(arguments: [
        (#"{"type": "maxpool2d", "kernel_size": 0}"#, "layers[0].kernel_size"),
        (#"{"type": "maxpool2d"}"#, "layers[0].kernel_size"),
        (#"{"type": "maxpool2d", "kernel_size": [2]}"#, "layers[0].kernel_size"),
        (#"{"type": "maxpool2d", "kernel_size": 2.5}"#, "layers[0].kernel_size"),
        (#"{"type": "maxpool2d", "kernel_size": 3, "padding": 2}"#, "layers[0].padding"),
        (#"{"type": "maxpool2d", "kernel_size": 3, "stride": 0}"#, "layers[0].stride"),
        (#"{"type": "maxpool2d", "kernel_size": 3, "dilation": -1}"#, "layers[0].dilation"),
        (#"{"type": "maxpool2d", "kernel_size": 9223372036854775807}"#, "layers[0].kernel_size"),
        (#"{"type": "maxpool2d", "kernel_size": 2, "return_indices": true}"#, "layers[0].return_indices"),
        (#"{"type": "avgpool2d", "kernel_size": [2, 1000000000]}"#, "layers[0].kernel_size"),
        (#"{"type": "avgpool2d", "kernel_size": 2, "padding": [0, 3]}"#, "layers[0].padding"),
        (#"{"type": "avgpool2d", "kernel_size": 2, "count_include_pad": 1}"#, "layers[0].count_include_pad"),
        (#"{"type": "avgpool2d", "kernel_size": 2, "ceil_mode": "yes"}"#, "layers[0].ceil_mode"),
        (#"{"type": "avgpool2d", "kernel_size": 2, "divisor_override": 3}"#, "layers[0].divisor_override"),
        (#"{"type": "adaptiveavgpool2d", "output_size": 0}"#, "layers[0].output_size"),
        (#"{"type": "adaptiveavgpool2d"}"#, "layers[0].output_size"),
        (#"{"type": "adaptiveavgpool2d", "output_size": [1, 2, 3]}"#, "layers[0].output_size"),
    ])
    func aBadValueIsAnErrorNamingItsPlace(entry: String, location: String) throws {
        let url = try temporaryFolder().appendingPathComponent("model.json")
        try #"{"input_shape": [1, 8, 8], "layers": [\#(entry)]}"#.write(to: url, atomically: true, encoding: .utf8)
        let error = try #require(throws: ModelFileError.self) { _ = try Sequential.architecture(contentsOf: url) }
        guard case let .invalidValue(_, found, _, _) = error else {
            Issue.record("expected an invalid value, got \(error)")
            return
        }
        #expect(found == location, "\(error)")
    }

    @Test func layersThatDoNotFitTheImageAreRefused() throws {
        let url = try temporaryFolder().appendingPathComponent("model.json")
        try #"{"input_shape": [1, 3, 3], "layers": [{"type": "maxpool2d", "kernel_size": 4}]}"#
            .write(to: url, atomically: true, encoding: .utf8)
        let error = try #require(throws: ModelFileError.self) { _ = try Sequential.architecture(contentsOf: url) }
        #expect("\(error)".contains("layers[0]"), "\(error)")
    }
}
