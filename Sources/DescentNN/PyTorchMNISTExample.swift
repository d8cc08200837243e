extension Sequential {
    /// The network of PyTorch's MNIST example (examples/mnist/main.py: conv 32×3, ReLU, conv 64×3,
    /// ReLU, max pool 2, dropout 0.25, flatten, dense 128, ReLU, dropout 0.5, dense 10), numbered
    /// as its `nn.Sequential` would be: W3 of both benchmark executables (kept here, in the package
    /// only, so that the statically linked GPU benchmark, which links DescentNN alone, shares it).
    package static func pyTorchMNISTExample(seed: UInt64) -> Sequential {
        var generator = RandomGenerator(seed: seed)
        return Sequential([
            Conv2d(inChannels: 1, outChannels: 32, kernelSize: 3, using: &generator), ReLU(),
            Conv2d(inChannels: 32, outChannels: 64, kernelSize: 3, using: &generator), ReLU(),
            MaxPool2d(kernelSize: 2), Dropout(rate: 0.25, using: &generator), Flatten(),
            Dense(inputCount: 9216, outputCount: 128, activation: .relu, using: &generator),
            Dropout(rate: 0.5, using: &generator),
            Dense(inputCount: 128, outputCount: 10, using: &generator),
        ])
    }
}
