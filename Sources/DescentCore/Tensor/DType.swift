/// The element type of a tensor.
///
/// Training uses ``float32``; ``float64`` exists for exact checks (finite differences);
/// ``int32`` holds class labels and indices, ``int64`` counters and labels as PyTorch stores them
/// (`num_batches_tracked`, `torch.long`), and ``uint8`` raw pixels.
public enum DType: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case float32
    case float64
    case int32
    case int64
    case uint8

    /// Bytes per element.
    public var byteCount: Int {
        switch self {
        case .uint8: 1
        case .float32, .int32: 4
        case .float64, .int64: 8
        }
    }

    /// Whether values of this type can carry gradients.
    public var isFloatingPoint: Bool { self == .float32 || self == .float64 }

    public var description: String { rawValue }
}
