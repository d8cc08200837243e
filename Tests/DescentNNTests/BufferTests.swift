import Descent
import Foundation
import Testing
import _DescentTestSupport

/// A layer with buffers, as batch norm has them: a running mean of its inputs (float) and the
/// number of batches seen (int64, as PyTorch's `num_batches_tracked`). Its output is the input
/// minus the running mean, so the buffers matter.
private struct RunningMean: SavableLayer {
    static let typeName = "runningmean"
    var runningMean: Tensor
    var batchesTracked = Tensor.zeros([], dtype: .int64)
    var isTraining = true

    init(features: Int) { runningMean = .zeros([features]) }

    var configuration: LayerConfiguration {
        LayerConfiguration(type: Self.typeName, fields: [(key: "num_features", value: .integer(Int64(runningMean.scalarCount)))])
    }

    init(configuration: LayerConfiguration, using generator: inout RandomGenerator) throws {
        try configuration.requireOnly(["num_features"])
        self.init(features: try configuration.integer("num_features", in: 1...1_000_000))
    }

    func callAsFunction(_ input: Tensor) -> Tensor { input - runningMean }

    mutating func forwardUpdatingBuffers(_ input: Tensor) -> Tensor {
        if isTraining {
            // PyTorch's convention: momentum 0.1 is the weight of the new statistic.
            runningMean = (0.9 * runningMean + 0.1 * input.detached().mean(squeezingAxes: [0])).detached()
            batchesTracked = (batchesTracked.cast(to: .float64) + 1).cast(to: .int64)
        }
        return self(input)
    }

    mutating func visitBuffers(_ body: (_ name: String, _ buffer: inout Tensor) throws -> Void) rethrows {
        try body("running_mean", &runningMean)
        try body("num_batches_tracked", &batchesTracked)
    }

    mutating func setTraining(_ isTraining: Bool) { self.isTraining = isTraining }
}

@Suite struct BufferTests {
    private let batch = Tensor([[1, 2], [3, 4]] as [[Float]])

    @Test func trainingUpdatesBuffersAndInferenceLeavesThemAlone() {
        var layer = RunningMean(features: 2)
        _ = layer.forwardUpdatingBuffers(batch)
        _ = layer.forwardUpdatingBuffers(batch)
        // 0 → 0.1·[2, 3] → 0.9·0.1·[2, 3] + 0.1·[2, 3]
        expectClose(layer.runningMean, Tensor([Float(0.38), 0.57]))
        #expect(layer.batchesTracked.scalars(as: Int64.self) == [2])

        layer.setTraining(false)
        _ = layer.forwardUpdatingBuffers(batch)
        _ = layer(batch)
        expectClose(layer.runningMean, Tensor([Float(0.38), 0.57]))
        #expect(layer.batchesTracked.scalars(as: Int64.self) == [2])
    }

    @Test func aCopyDoesNotShareBuffers() {
        let original = Sequential { RunningMean(features: 2) }
        var copy = original
        _ = copy.forwardUpdatingBuffers(batch)
        #expect(original.buffers.map(\.name) == ["0.running_mean", "0.num_batches_tracked"])
        #expect(original.buffers[0].value.scalars(as: Float.self) == [0, 0])
        #expect(copy.buffers[0].value.scalars(as: Float.self) != [0, 0])
    }

    @Test func fitUpdatesBuffersOncePerStep() throws {
        var model = Sequential {
            RunningMean(features: 2)
            Dense(inputCount: 2, outputCount: 1, seed: 1)
        }
        let data = Dataset(features: Tensor([[1, 2], [3, 4], [5, 6], [7, 8]] as [[Float]]),
                           labels: Tensor([[1], [2], [3], [4]] as [[Float]]))
        try model.fit(data, epochs: 3, loss: .meanSquaredError, optimizer: SGD(learningRate: 0.01),
                      batching: .miniBatch(size: 2))
        #expect(model.buffers[1].value.scalars(as: Int64.self) == [6])
        #expect(model.buffers[0].value.scalars(as: Float.self).allSatisfy { $0 > 0 })
        // Buffers are not parameters: the optimizer never sees them.
        #expect(model.parameters.map(\.name) == ["1.weight", "1.bias"])
    }

    @Test func buffersAreSavedAndLoadedUnderTheirNames() throws {
        var model = Sequential {
            RunningMean(features: 2)
            Dense(inputCount: 2, outputCount: 1, seed: 1)
        }
        _ = model.forwardUpdatingBuffers(batch)
        let folder = scratchFolder.appendingPathComponent("descent-buffers-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try model.save(to: folder)
        let weights = try SafeTensorsFile(contentsOf: folder.appendingPathComponent("model.safetensors"))
        #expect(Set(weights.tensors.keys) == ["0.running_mean", "0.num_batches_tracked", "1.weight", "1.bias"])

        #expect(throws: ModelFileError.self) { _ = try Sequential.load(from: folder) }  // an unknown type
        let loaded = try Sequential.load(from: folder, layerTypes: [RunningMean.self])
        #expect(loaded.buffers[1].value.dtype == DType.int64)
        #expect(loaded.buffers[1].value.scalars(as: Int64.self) == [1])
        expectClose(loaded.buffers[0].value, model.buffers[0].value, relative: 0, absolute: 0)
        expectClose(loaded(batch), model.training(false)(batch), relative: 0, absolute: 0)
    }
}
