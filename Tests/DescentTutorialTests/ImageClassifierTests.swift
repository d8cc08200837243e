import Descent
import Foundation
import Testing

/// The tutorial "An image classifier": a small convolutional network on a folder of photos, one
/// subfolder per class. Its code, line for line (``TutorialCodeTests``), on the shared `faces`
/// folder (200 gray 25×25 photos, face and not-face).
@Suite struct ImageClassifierTests {
    @Test func theConvolutionalNetworkTellsFaces() throws {
        guard let facesPath = SharedTutorialData.path("faces") else {
            print("skipped: the shared faces folder is not here (set DESCENT_SHARED_DATA)")
            return
        }
        // The folder of photos: its path as the program's argument, or faces here.
        let folder = URL(fileURLWithPath: facesPath)
        // One class per subfolder, in name order; pixels kept as bytes, [N, channels, height, width].
        let photos = try Dataset.imageFolder(at: folder)
        print(photos.count, "photos of shape", photos.features.shape.dropFirst(), "classes:", photos.classNames!)
        let (train, validation) = try photos.split(validationFraction: 0.2, seed: 0)

        // A convolution finds small patterns (edges, an eye's corner) anywhere in the picture;
        // pooling keeps the strongest of each 2×2; a dense layer weighs what was found.
        var model = Sequential {
            Conv2d(inChannels: 1, outChannels: 8, kernelSize: 3, padding: 1, seed: 1)
            ReLU()
            MaxPool2d(kernelSize: 2)
            Flatten()
            Dense(inputCount: 8 * 12 * 12, outputCount: 2, seed: 2)
        }
        print("shapes:", try model.outputShape(for: [1, 25, 25]))

        // Each batch's bytes become floats in [0, 1] as it is taken; the cost is the cross-entropy.
        let history = try model.fit(train, validation: validation, epochs: 5, loss: .crossEntropy(),
                                    optimizer: Adam(learningRate: 0.001), batching: .miniBatch(size: 16),
                                    seed: 1, metrics: [.accuracy])
        print("validation accuracy per epoch:", history["val_accuracy"]!)

        // The class of each held-out photo: the larger of the two outputs.
        let inputs = validation.batches(.fullBatch, shuffled: false)[0].inputs
        let predicted = model(inputs).argmax(alongAxis: 1).scalars(as: Int32.self)
        let truth = validation.labels.scalars(as: Int32.self)
        let right = Double(zip(predicted, truth).filter { $0 == $1 }.count) / Double(truth.count)
        print("right on \(Int((right * 100).rounded())) % of \(validation.count) photos it never trained on")

        #expect(photos.count == 200 && photos.classNames! == ["face", "not-face"])
        #expect(photos.features.shape == [200, 1, 25, 25])
        #expect(try model.outputShape(for: [1, 25, 25]) == [2])
        #expect(history["loss"]!.last! < history["loss"]!.first!)
        #expect(history["val_accuracy"]!.last! > 0.85)
        #expect(abs(right - history["val_accuracy"]!.last!) < 1e-9)
    }
}
