/// A layer that draws random numbers while it trains (``Dropout``, ``Dropout2d``): its stream's
/// position is part of a training checkpoint, so that a resumed run draws the masks the
/// uninterrupted one would have.
public protocol DrawsRandomNumbers {
    /// Where the layer's numbers come from; shared by the layer's copies.
    var randomness: RandomStream { get }
}

extension Dropout: DrawsRandomNumbers {}
extension Dropout2d: DrawsRandomNumbers {}

extension Layer {
    /// The random streams of the layers that draw random numbers, named by their place in the
    /// model as parameters are ("2" for layer 2 of a ``Sequential``, "1.0" inside a nested one,
    /// "" for the layer itself).
    public var randomStreams: [(name: String, stream: RandomStream)] {
        if let sequential = self as? Sequential {
            return sequential.layers.enumerated().flatMap { index, layer in
                layer.randomStreams.map { (name: $0.name.isEmpty ? "\(index)" : "\(index).\($0.name)", stream: $0.stream) }
            }
        }
        if let layer = self as? any DrawsRandomNumbers { return [(name: "", stream: layer.randomness)] }
        return []
    }
}
