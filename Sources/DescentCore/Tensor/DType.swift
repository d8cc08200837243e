/// The element type of a tensor.
///
/// Training uses ``float32``; ``float64`` exists for exact checks (finite differences) and
/// ``int32`` for class labels and indices.
public enum DType: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case float32
    case float64
    case int32

    /// Bytes per element.
    public var byteCount: Int {
        switch self {
        case .float32, .int32: 4
        case .float64: 8
        }
    }

    /// Whether values of this type can carry gradients.
    public var isFloatingPoint: Bool { self != .int32 }

    public var description: String { rawValue }
}
