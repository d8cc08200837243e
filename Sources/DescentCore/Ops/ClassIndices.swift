extension Tensor {
    /// Stops with a message naming `operation` unless this is an int32 tensor `[examples]` of
    /// class indices in `0..<classCount`: the labels that a classifier's cost takes.
    ///
    /// The values are read where they are, without a copy to the host: on the CPU and the
    /// reference device their memory is this machine's. (A device with memory of its own checks
    /// them in its kernel instead, so that checking never waits for the device.)
    ///
    /// - Precondition: the labels are in range (a programmer's mistake otherwise: data from
    ///   files is checked when it is loaded, with a thrown error).
    public func requireClassIndices(examples: Int, classCount: Int, in operation: String) {
        precondition(dtype == .int32 && shape == [examples],
                     "\(operation): labels must be an int32 tensor [\(examples)] of class indices, not \(dtype) \(shape)")
        // A GPU's labels are checked by the kernel that reads them (a cost of NaN for a label
        // out of range), not here: reading them would wait for the GPU.
        guard device.isHost else { return }
        let labels = UnsafeBufferPointer(start: storage.typed(Int32.self), count: scalarCount)
        if let row = labels.firstIndex(where: { $0 < 0 || Int($0) >= classCount }) {
            preconditionFailure("\(operation): label \(labels[row]) of example \(row) is out of range 0..<\(classCount)")
        }
    }
}
