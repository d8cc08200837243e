extension CUDAInferenceGraph {
    /// `model`'s forward pass in inference mode (dropout off), captured on `device` as a CUDA
    /// graph for inputs of `inputShape`.
    ///
    /// The graph keeps its own copy of `model`: training or changing the original afterwards
    /// leaves the graph's weights as they were (they are shared until the original is changed,
    /// then copied), and a graph that should use new weights is made again.
    ///
    /// - Parameters:
    ///   - model: the network, its parameters on `device` (``Layer/to(_:)``).
    ///   - inputShape: the input's shape, batch axis included (`[1, 784]`).
    ///   - device: a `Device.cuda(_:)` device.
    /// - Throws: `CUDAGraphError`, also when the model is on another device.
    public convenience init(_ model: some Layer, inputShape: [Int], on device: Device) throws(CUDAGraphError) {
        let model = model.training(false)
        if let elsewhere = (model.parameters + model.buffers).first(where: { $0.value.device != device }) {
            // A device that is not a GPU is named as such first, whatever the model's.
            guard case .cuda = device else { throw CUDAGraphError(.notCUDA(device)) }
            throw CUDAGraphError(.modelDevice(elsewhere.value.device))
        }
        try self.init(inputShape: inputShape, on: device) { model($0) }
    }
}
