import Foundation

extension Layer {
    /// The parameters as a safetensors file, named as PyTorch's `state_dict()` names them.
    public func parametersFile(metadata: [String: String] = [:]) -> SafeTensorsFile {
        SafeTensorsFile(tensors: Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.value) }),
                        metadata: metadata)
    }

    /// Replaces every parameter with the tensor of the same name in `file` — for example a
    /// PyTorch `nn.Sequential` saved with `safetensors.torch.save_file(model.state_dict(), …)`.
    ///
    /// Every name must be present with the same shape; float tensors are converted to the
    /// parameter's dtype. Nothing changes unless everything fits.
    /// - Throws: ``ModelFileError/parameterMismatch(path:missing:unexpected:mismatched:)``
    ///   listing every missing, unexpected and mismatched name.
    public mutating func loadParameters(from file: SafeTensorsFile, path: String = "weights") throws {
        let expected = parameters
        let expectedNames = Set(expected.map(\.name))
        let missing = expected.map(\.name).filter { file.tensors[$0] == nil }
        let unexpected = file.tensors.keys.filter { !expectedNames.contains($0) }.sorted()
        let mismatched = expected.compactMap { name, value -> String? in
            guard let found = file.tensors[name] else { return nil }
            if found.shape != value.shape { return "\(name) is \(found.shape) in the file, \(value.shape) in the model" }
            if !found.dtype.isFloatingPoint { return "\(name) is \(found.dtype) in the file, \(value.dtype) in the model" }
            return nil
        }
        guard missing.isEmpty, unexpected.isEmpty, mismatched.isEmpty else {
            throw ModelFileError.parameterMismatch(path: path, missing: missing, unexpected: unexpected,
                                                   mismatched: mismatched)
        }
        // Each parameter keeps its dtype and its device, as PyTorch's `load_state_dict` copies
        // into the tensors a module already has.
        visitParameters { name, parameter in
            parameter = file.tensors[name]!.cast(to: parameter.dtype).to(parameter.device)
        }
    }

    /// Replaces every parameter with those in the safetensors file at `url`.
    public mutating func loadParameters(contentsOf url: URL) throws {
        try loadParameters(from: SafeTensorsFile(contentsOf: url), path: url.path)
    }
}
