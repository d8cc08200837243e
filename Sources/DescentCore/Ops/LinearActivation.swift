/// An activation that ``linear(_:weight:bias:activation:)`` applies to its output in the same
/// pass as the matrix product: on the CPU, to each tile of the output while it is still in the
/// micro-kernel's registers, so that a dense layer writes its output once.
///
/// Only activations whose derivative the output alone determines are here, so that training
/// keeps one tensor per layer: ReLU's derivative is 1 where y = relu(z) > 0, which is exactly
/// where z > 0. Other activations are applied after `linear`, as operations of their own.
public enum LinearActivation: Sendable, Equatable, CaseIterable, CustomStringConvertible {
    /// f(z) = z: the affine map alone.
    case identity
    /// f(z) = z > 0 ? z : 0, the same values as ``relu(_:)`` (NaN and −0 give +0).
    case relu

    /// "identity" or "relu".
    public var description: String {
        switch self {
        case .identity: "identity"
        case .relu: "relu"
        }
    }
}
