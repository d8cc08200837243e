/// The gradient graph of one computation, recorded in full: every operation with its inputs, its
/// value and the gradient of the result with respect to it — what micrograd's `draw_dot` shows,
/// for drawing and for teaching.
///
/// Training never builds one: the nodes that `valueWithGradient` records keep only what
/// backpropagation needs. ``recordComputationalGraph(at:of:)`` runs a computation once more with
/// every value kept.
///
/// ```swift
/// let graph = recordComputationalGraph(at: [("w", w)]) { p in (p[0] * x).sum() }
/// for node in graph.nodes { print(node.operation, node.value.shape, node.gradient?.doubles() ?? []) }
/// ```
public struct ComputationalGraph: Sendable {
    /// One value of the computation: a tensor being differentiated, a constant, or the result of
    /// an operation.
    public struct Node: Sendable {
        /// What kind of value the node holds.
        public enum Role: String, Sendable, Codable {
            /// A tensor the result is differentiated with respect to (a weight, a bias).
            case parameter
            /// A value that is not differentiated: data, a target, a number in a formula.
            case constant
            /// The result of an operation on other nodes.
            case operation
        }

        /// The node's position in ``ComputationalGraph/nodes``.
        public var id: Int
        /// What the node is.
        public var role: Role
        /// The operation's name as the derivative rules know it (`linear`, `sigmoid`, `matmul`,
        /// `add` …); `parameter` or `constant` for the other roles.
        public var operation: String
        /// The name given to a parameter (`0.weight`), or to a constant by whoever recorded the
        /// graph (the example's `x` and `y`); `nil` for other nodes.
        public var name: String?
        /// The ids of the operation's inputs, in the operation's argument order.
        public var inputs: [Int]
        /// The node's value.
        public var value: Tensor
        /// ∂(result)/∂(this value); `nil` for a constant, which no gradient is computed for.
        public var gradient: Tensor?

        /// The value's shape.
        public var shape: [Int] { value.shape }
    }

    /// An input of an operation: the value flows `from` one node `to` another.
    public struct Edge: Sendable, Equatable {
        /// The input's node id.
        public var from: Int
        /// The operation's node id.
        public var to: Int

        /// The edge from the input `from` to the operation `to`.
        public init(from: Int, to: Int) {
            self.from = from
            self.to = to
        }
    }

    /// Every node, each after its inputs; the result is the last.
    public var nodes: [Node]

    /// The id of the result (the cost).
    public var result: Int { nodes.count - 1 }

    /// Every input of every operation, in node order.
    public var edges: [Edge] {
        nodes.flatMap { node in node.inputs.map { Edge(from: $0, to: node.id) } }
    }
}

/// Runs `body` on `leaves` and records its full gradient graph: every operation, its value, and
/// the gradient of the result (summed, if it has several elements) with respect to it.
///
/// Each leaf appears as a ``ComputationalGraph/Node/Role/parameter`` node under its name (a leaf
/// the result does not depend on does not appear); tensors that `body` captures appear as
/// ``ComputationalGraph/Node/Role/constant`` nodes where an operation uses them.
public func recordComputationalGraph(at leaves: [(name: String, value: Tensor)],
                                     of body: ([Tensor]) throws -> Tensor) rethrows -> ComputationalGraph {
    let tracked = leaves.map { leaf -> Tensor in
        let tensor = leaf.value.detached().asGradientLeaf()
        tensor.gradientNode?.keptValue = leaf.value.detached()
        return tensor
    }
    let names = Dictionary(zip(tracked.map { ObjectIdentifier($0.gradientNode!) }, leaves.map(\.name)),
                           uniquingKeysWith: { first, _ in first })
    let output = try GradientRecording.$mode.withValue(.keepingValues) { try body(tracked) }
    guard let root = output.gradientNode else {
        // Nothing was differentiated: the graph is the result alone.
        return ComputationalGraph(nodes: [.init(id: 0, role: .constant, operation: "constant", name: nil, inputs: [],
                                                value: output.detached(), gradient: nil)])
    }
    var order: [GradientNode] = []
    var gradients: [ObjectIdentifier: Tensor] = [:]
    Backpropagation.backpropagate(from: root, seed: Tensor.ones(like: output)) { node, gradient in
        order.append(node)
        gradients[ObjectIdentifier(node)] = gradient
    }
    order.reverse()  // every node after its inputs
    var nodes: [ComputationalGraph.Node] = []
    var ids: [ObjectIdentifier: Int] = [:]
    for node in order {
        var inputIDs: [Int] = []
        for (index, input) in node.inputs.enumerated() {
            if let input, let id = ids[ObjectIdentifier(input)] {
                inputIDs.append(id)
            } else if index < node.keptConstants.count, let constant = node.keptConstants[index] {
                inputIDs.append(nodes.count)
                nodes.append(.init(id: nodes.count, role: .constant, operation: "constant", name: nil, inputs: [],
                                   value: constant, gradient: nil))
            }
        }
        let isLeaf = node.inputs.isEmpty
        ids[ObjectIdentifier(node)] = nodes.count
        nodes.append(.init(id: nodes.count, role: isLeaf ? .parameter : .operation,
                           operation: isLeaf ? "parameter" : node.operation,
                           name: isLeaf ? names[ObjectIdentifier(node)] : nil, inputs: inputIDs,
                           value: node.keptValue ?? Tensor.zeros(node.shape),
                           gradient: gradients[ObjectIdentifier(node)]))
    }
    return ComputationalGraph(nodes: nodes)
}
