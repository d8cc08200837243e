@testable import DescentTrain
import Descent
import Testing

/// A layer list whose weights fit can still need more memory per training step than the machine
/// has: a convolution's outputs, kept for the backward pass with their gradients, grow with the
/// channels and the batch (issue 11: `--layers conv=65536x3` was accepted).
@Suite struct ActivationMemoryTests {
    private func network(_ list: String) throws -> Sequential {
        try Sequential(layers: LayerList.parse(list, inputShape: [1, 28, 28], outputCount: 10))
    }

    @Test func wideConvolutionsAreRefusedWithTheBytesABatchNeeds() throws {
        // 65536 channels of 26×26 = 44,302,336 outputs per example, beside the 784 inputs, the
        // pooled and flattened 65,536 twice and the 10 outputs:
        // (784 + 44,302,336 + 2 × 65,536 + 10) × 64 examples × 8 bytes.
        let model = try network("conv=65536x3,globalavgpool")
        let error = try #require(throws: TrainingError.self) {
            try LayerMemory.checkActivations(of: model, inputShape: [1, 28, 28], batchSize: 64, available: 16e9)
        }
        #expect(error.description == """
            a training step on batches of 64 needs at least 22,750,311,424 bytes (22.8 GB) for the layers' outputs \
            and their gradients, more than this machine's 16.0 GB of memory; the largest is layer 0 (Conv2d), \
            [65536, 26, 26] per example: use a smaller --batch-size or smaller layers
            """)
    }

    @Test func theSameNetworkFitsWithSmallerBatches() throws {
        let model = try network("conv=65536x3,globalavgpool")
        try LayerMemory.checkActivations(of: model, inputShape: [1, 28, 28], batchSize: 16, available: 16e9)
    }

    @Test func mnistsConvolutionalExampleFitsEasily() throws {
        let model = try network("conv=32x3,relu,conv=64x3,relu,maxpool=2,dropout=0.25,flatten,128,relu,dropout=0.5")
        try LayerMemory.checkActivations(of: model, inputShape: [1, 28, 28], batchSize: 64, available: 1e9)
    }
}
