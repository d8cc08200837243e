import Descent
import Testing

/// Layers know their output shapes, so a model that does not fit its data is an error before
/// anything runs, naming the layer and the shapes.
@Suite struct ShapeCheckTests {
    @Test func fitNamesTheLayerThatCannotTakeItsInput() {
        var model = Sequential {
            Dense(inputCount: 5, outputCount: 8, activation: .relu, seed: 1)
            Dropout(rate: 0.1, seed: 2)
            Dense(inputCount: 7, outputCount: 2, seed: 3)
        }
        let data = Dataset(features: .zeros([6, 5]), labels: Tensor(shape: [6], scalars: [Int32](repeating: 0, count: 6)))
        #expect {
            try model.fit(data, epochs: 1, loss: .crossEntropy(), optimizer: SGD())
        } throws: { error in
            "\(error)".contains("layer 2 (Dense(7 → 2)) expects inputs whose last axis has 7 values, but its input is [8]")
        }
    }

    @Test func shapesFlowThroughEveryLayer() throws {
        let model = Sequential {
            Flatten()
            Dense(inputCount: 12, outputCount: 4, seed: 1)
            Softmax(axis: 1)
        }
        #expect(try model.outputShapes(for: [3, 4]) == [[12], [4], [4]])
        #expect(throws: LayerShapeError.self) { try Softmax(axis: 3).outputShape(for: [4]) }
        #expect(model.summary(inputShape: [3, 4]).contains("[batch, 12]"))
    }
}
