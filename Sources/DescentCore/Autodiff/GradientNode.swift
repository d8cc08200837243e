import Synchronization

/// One executed operation in the gradient graph.
///
/// Reverse-mode automatic differentiation, the way PyTorch does it: while a tensor that needs a
/// gradient flows through operations, each operation leaves a node that remembers its inputs and
/// its *pullback*: how to turn ∂C/∂output into ∂C/∂input for each input (the chain rule).
/// Backpropagation then walks these nodes from the cost back to the inputs.
final class GradientNode: @unchecked Sendable {
    /// The op's name, for error messages and debugging ("matmul", "relu" …).
    let operation: String
    /// When the node was made, counted over the whole process: every node is made after the
    /// nodes of its inputs, so visiting nodes from the highest sequence number down visits each
    /// node after every node that uses it — the order backpropagation needs, without a search.
    let sequenceNumber: UInt64
    /// The nodes of the inputs that need gradients (`nil` for inputs that do not).
    private(set) var inputs: [GradientNode?]
    /// Maps ∂C/∂output to ∂C/∂input for every input whose node is non-nil.
    private var pullback: DerivativeRules.Pullback
    /// The output's shape, which backpropagation checks each gradient passed back against.
    let shape: [Int]
    /// The output's value, kept only while a ``ComputationalGraph`` is recorded (training never
    /// pays for it): the graph shows every node's value.
    var keptValue: Tensor?
    /// The inputs that are not part of the graph (data, constants), kept only while a
    /// ``ComputationalGraph`` is recorded, so that the drawing can show them too; one entry per
    /// input, `nil` where the input has a node.
    var keptConstants: [Tensor?] = []

    init(operation: String, inputs: [GradientNode?], shape: [Int], pullback: @escaping DerivativeRules.Pullback) {
        self.operation = operation
        self.sequenceNumber = GradientNode.nodesMade.wrappingAdd(1, ordering: .relaxed).oldValue
        self.inputs = inputs
        self.shape = shape
        self.pullback = pullback
    }

    /// How many nodes this process has made (an atomic: graphs are recorded on many threads).
    private static let nodesMade = Atomic<UInt64>(0)

    /// Releases the graph below this node one node at a time. Released the ordinary way, a node
    /// releases its inputs from inside its own deinit, one stack frame deeper per node, and a
    /// chain of 100,000 operations overflowed the stack. Here each input that nothing else holds
    /// gives up its own inputs first, so that its deinit finds nothing left to release.
    deinit {
        var orphans = releasingInputs()
        while var node = orphans.popLast() {
            // Unique: freed at the end of this turn, once its inputs are taken out here.
            if isKnownUniquelyReferenced(&node), let orphan = node {
                orphans.append(contentsOf: orphan.releasingInputs())
            }
        }
    }

    /// The inputs, which this node no longer holds: neither in `inputs` nor in its pullback,
    /// which may have captured them.
    private func releasingInputs() -> [GradientNode?] {
        pullback = { _, _ in [] }
        defer { inputs = [] }
        return inputs
    }

    /// A leaf: a tensor we differentiate with respect to.
    convenience init(leafShape shape: [Int]) {
        self.init(operation: "leaf", inputs: [], shape: shape, pullback: { _, _ in [] })
    }

    /// ∂C/∂input for each input, from `upstream`, ∂C/∂output (`nil` for inputs without a node).
    func pullBack(_ upstream: Tensor) -> [Tensor?] {
        pullback(upstream, NeededGradients(inputs: inputs))
    }
}

/// Which inputs of an operation need a gradient; a pullback computes only those. It reads the
/// node's own list of inputs, so that recording an operation builds no list of its own.
struct NeededGradients {
    fileprivate let inputs: [GradientNode?]

    /// Whether input `index` (in the operation's argument order) needs a gradient.
    subscript(index: Int) -> Bool { inputs[index] != nil }

    /// The number of inputs.
    var count: Int { inputs.count }
}

/// Whether operations record themselves for differentiation: off inside
/// ``withoutGradients(_:)``; keeping every value inside ``recordComputationalGraph(at:of:)``.
/// One task-local value, so that an operation asks once.
enum GradientRecording {
    enum Mode {
        /// Nothing is recorded.
        case off
        /// Operations on tensors that need gradients leave nodes (the default).
        case on
        /// As `on`, and each node also keeps its value and its constant inputs, for drawing.
        case keepingValues
    }

    @TaskLocal static var mode = Mode.on

    static var isEnabled: Bool { mode != .off }
}

/// Runs `body` without recording any operation for differentiation: for inference, metrics and
/// optimizer updates, where gradients are not wanted and recording would cost time and memory.
public func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
    try GradientRecording.$mode.withValue(.off, operation: body)
}

extension Tensor {
    /// Whether this tensor is part of a gradient computation (it depends on a tensor being
    /// differentiated).
    public var requiresGradient: Bool { gradientNode != nil }

    /// The same values, cut off from the gradient graph: gradients do not flow through it.
    public func detached() -> Tensor {
        var result = self
        result.gradientNode = nil
        return result
    }

    /// This tensor as a new leaf of a gradient graph.
    func asGradientLeaf() -> Tensor {
        var result = self
        result.gradientNode = GradientNode(leafShape: shape)
        return result
    }

    /// Attaches to `self` (the output of `operation` applied to `inputs`) the node that lets
    /// backpropagation pass through the operation. `pullback` receives ∂C/∂self and returns
    /// ∂C/∂input for each input, in order; it is called only if some input needs a gradient, and
    /// only the entries for inputs that need one are used (`needs[i]`).
    func recorded(_ operation: String, _ inputs: [Tensor],
                  pullback: @escaping DerivativeRules.Pullback) -> Tensor {
        guard inputs.contains(where: { $0.gradientNode != nil }) else { return self }
        let mode = GradientRecording.mode
        guard mode != .off else { return self }
        var result = self
        let node = GradientNode(operation: operation, inputs: inputs.map(\.gradientNode), shape: shape,
                                pullback: pullback)
        if mode == .keepingValues {
            node.keptValue = detached()
            node.keptConstants = inputs.map { $0.gradientNode == nil ? $0.detached() : nil }
        }
        result.gradientNode = node
        return result
    }

    /// `recorded` for one input.
    func recorded(_ operation: String, _ input: Tensor, pullback: @escaping (Tensor) -> Tensor) -> Tensor {
        recorded(operation, [input]) { upstream, _ in [pullback(upstream)] }
    }
}
