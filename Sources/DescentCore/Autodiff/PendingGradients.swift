/// The gradients that backpropagation has computed but not yet passed back: ∂C/∂(a node's
/// output), one entry per use of that output, until every use has reported.
///
/// A binary heap that hands out the node made last first. Every node is made after its inputs,
/// so when the node made last comes out, every node that uses it has already passed its
/// gradient back, and its entries — one per use — come out together, to be summed. This is the
/// order a topological sort would give, without the search, the set of visited nodes and the
/// dictionary of gradients a sort needs (PyTorch's engine orders its work by the same kind of
/// sequence number).
struct PendingGradients {
    private struct Entry {
        let node: GradientNode
        let gradient: Tensor
        /// How many entries came before this one: the uses of one node are summed in the order
        /// they reported, so the sum does not depend on the heap's layout.
        let arrival: Int

        /// Whether this entry comes out before `other`: the later node first, then the earlier
        /// arrival.
        func precedes(_ other: Entry) -> Bool {
            node.sequenceNumber != other.node.sequenceNumber
                ? node.sequenceNumber > other.node.sequenceNumber
                : arrival < other.arrival
        }
    }

    private var heap: [Entry] = []
    private var arrivals = 0

    init() {
        heap.reserveCapacity(16)
    }

    /// Adds ∂C/∂(`node`'s output) from one of its uses.
    mutating func add(_ gradient: Tensor, for node: GradientNode) {
        heap.append(Entry(node: node, gradient: gradient, arrival: arrivals))
        arrivals += 1
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// The node made last among those waiting, with the sum of its gradients from every use;
    /// `nil` when none is left.
    mutating func removeNext() -> (node: GradientNode, gradient: Tensor)? {
        guard let first = removeFirstEntry() else { return nil }
        var gradient = first.gradient
        // A tensor used several times receives the sum of its gradients.
        while let next = heap.first, next.node === first.node {
            gradient = gradient + removeFirstEntry()!.gradient
        }
        return (first.node, gradient)
    }

    private mutating func removeFirstEntry() -> Entry? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let first = heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var next = parent
            if left < heap.count, heap[left].precedes(heap[next]) { next = left }
            if right < heap.count, heap[right].precedes(heap[next]) { next = right }
            guard next != parent else { return first }
            heap.swapAt(parent, next)
            parent = next
        }
    }
}
