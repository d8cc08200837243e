import DescentCore
import DescentData

extension Dataset {
    /// The share of a GPU's memory that a dataset may take to live there during training.
    static let residentShareOfGPUMemory = 4

    /// This dataset with its features and labels moved to `device` for the length of a training
    /// run, when that is a GPU with room for them: then every batch is gathered there (an upload
    /// of its row numbers and one kernel) instead of being gathered on the CPU and copied from
    /// pageable memory at every step, and a full batch or an unshuffled one is a copy on the
    /// device. Unchanged on the CPU, for image sets (their batches become floats, and are
    /// augmented, on the CPU) and for a dataset larger than a quarter of the GPU's memory.
    func resident(on device: Device) -> Dataset {
        guard case .cuda = device, imageInputs == nil, features.device == .cpu, labels.device == .cpu,
              let memory = device.cudaDeviceInfo?.memoryBytes else { return self }
        let bytes = features.scalarCount * features.dtype.byteCount + labels.scalarCount * labels.dtype.byteCount
        guard bytes <= memory / Self.residentShareOfGPUMemory else { return self }
        var moved = self
        moved.features = features.to(device)
        moved.labels = labels.to(device)
        return moved
    }
}
