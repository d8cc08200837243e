import DescentCore
import DescentData

extension Dataset {
    /// The share of a GPU's memory that a run's datasets may take to live there during training.
    static let residentShareOfGPUMemory = 4

    /// The training and validation sets moved to `device` for the length of a training run, when
    /// that is a GPU with room for both: then every batch is gathered there (an upload of its row
    /// numbers and one kernel) instead of being gathered on the CPU and copied from pageable
    /// memory at every step, and a full batch or an unshuffled one is a copy on the device.
    /// Unchanged on the CPU, for image sets (their batches become floats, and are augmented, on
    /// the CPU) and for data larger than a quarter of the GPU's memory.
    static func resident(_ training: Dataset, _ validation: Dataset?, on device: Device) -> (Dataset, Dataset?) {
        guard case .cuda = device, let memory = device.cudaDeviceInfo?.memoryBytes,
              training.canLiveOnAGPU, validation?.canLiveOnAGPU ?? true,
              training.byteCount + (validation?.byteCount ?? 0) <= memory / residentShareOfGPUMemory
        else { return (training, validation) }
        return (training.moved(to: device), validation?.moved(to: device))
    }

    /// Whether batches can be made on a GPU: on the CPU now, and not an image set.
    private var canLiveOnAGPU: Bool { imageInputs == nil && features.device == .cpu && labels.device == .cpu }

    private var byteCount: Int {
        features.scalarCount * features.dtype.byteCount + labels.scalarCount * labels.dtype.byteCount
    }

    private func moved(to device: Device) -> Dataset {
        var moved = self
        moved.features = features.to(device)
        moved.labels = labels.to(device)
        return moved
    }
}
