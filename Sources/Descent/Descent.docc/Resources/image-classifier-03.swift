import Descent
import Foundation

// The folder of photos: its path as the program's argument, or faces here.
let folder = URL(fileURLWithPath: CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "faces")
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
