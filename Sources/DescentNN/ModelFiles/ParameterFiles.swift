import Foundation

extension Layer {
    /// The parameters and buffers as a safetensors file, named as PyTorch's `state_dict()`
    /// names them (weights, biases, and buffers such as running statistics).
    public func parametersFile(metadata: [String: String] = [:]) -> SafeTensorsFile {
        SafeTensorsFile(tensors: Dictionary(uniqueKeysWithValues: (parameters + buffers).map { ($0.name, $0.value) }),
                        metadata: metadata)
    }

    /// Replaces every parameter and buffer with the tensor of the same name in `file` — for
    /// example a PyTorch `nn.Sequential` saved with
    /// `safetensors.torch.save_file(model.state_dict(), …)`.
    ///
    /// Every name must be present with the same shape; parameters need floating-point tensors.
    /// Each tensor is converted to the dtype, and moved to the device, that the layer's own
    /// tensor has (as `load_state_dict` copies into a module's tensors). Nothing changes unless
    /// everything fits.
    /// - Throws: ``ModelFileError/parameterMismatch(path:missing:unexpected:mismatched:)``
    ///   listing every missing, unexpected and mismatched name.
    public mutating func loadParameters(from file: SafeTensorsFile, path: String = "weights") throws {
        let parameterNames = Set(parameters.map(\.name))
        let expected = parameters + buffers
        let expectedNames = Set(expected.map(\.name))
        let missing = expected.map(\.name).filter { file.tensors[$0] == nil }
        let unexpected = file.tensors.keys.filter { !expectedNames.contains($0) }.sorted()
        let mismatched = expected.compactMap { name, value -> String? in
            guard let found = file.tensors[name] else { return nil }
            if found.shape != value.shape { return "\(name) is \(found.shape) in the file, \(value.shape) in the model" }
            if parameterNames.contains(name) && !found.dtype.isFloatingPoint {
                return "\(name) is \(found.dtype) in the file, \(value.dtype) in the model"
            }
            return nil
        }
        guard missing.isEmpty, unexpected.isEmpty, mismatched.isEmpty else {
            throw ModelFileError.parameterMismatch(path: path, missing: missing, unexpected: unexpected,
                                                   mismatched: mismatched)
        }
        func replace(_ name: String, _ tensor: inout Tensor) {
            tensor = file.tensors[name]!.cast(to: tensor.dtype).to(tensor.device)
        }
        visitParameters(replace)
        visitBuffers(replace)
    }

    /// Replaces every parameter and buffer with those in the safetensors file at `url`.
    public mutating func loadParameters(contentsOf url: URL) throws {
        try loadParameters(from: SafeTensorsFile(contentsOf: url), path: url.path)
    }
}
