/// Backpropagation: the chain rule applied from the cost back to every input.
enum Backpropagation {
    /// ∂(sum of `output`)/∂leaf for each leaf in `leaves` (zeros for a leaf the output does not
    /// depend on).
    static func gradients(of output: Tensor, withRespectTo leaves: [Tensor]) -> [Tensor] {
        guard let root = output.gradientNode else {
            return leaves.map { Tensor.zeros(like: $0) }
        }
        // The leaves reached, as they come: the later-made first.
        var reached: [(node: GradientNode, gradient: Tensor)] = []
        reached.reserveCapacity(leaves.count)
        backpropagate(from: root, seed: Tensor.ones(like: output)) { node, gradient in
            if node.inputs.isEmpty { reached.append((node, gradient)) }
        }
        return leaves.map { leaf in
            guard let node = leaf.gradientNode, let gradient = gradient(of: node, in: reached) else {
                return Tensor.zeros(like: leaf)
            }
            return gradient
        }
    }

    /// The gradient of `node` among `reached`, which is ordered by falling sequence number: a
    /// binary search, so that a model with many parameters needs no dictionary.
    private static func gradient(of node: GradientNode, in reached: [(node: GradientNode, gradient: Tensor)])
        -> Tensor? {
        var low = 0, high = reached.count
        while low < high {
            let middle = (low + high) / 2
            if reached[middle].node.sequenceNumber > node.sequenceNumber { low = middle + 1 } else { high = middle }
        }
        return low < reached.count && reached[low].node === node ? reached[low].gradient : nil
    }

    /// Passes `seed` (∂C/∂root) back through every node below `root`, and calls `visit` with
    /// each node and its gradient (summed over all its uses), every node before its inputs.
    static func backpropagate(from root: GradientNode, seed: Tensor,
                              visit: (_ node: GradientNode, _ gradient: Tensor) -> Void) {
        var pending = PendingGradients()
        pending.add(seed, for: root)
        withoutGradients {
            // Each node comes out after every node that uses it, and passes its gradient back.
            while let (node, gradient) = pending.removeNext() {
                visit(node, gradient)
                guard !node.inputs.isEmpty else { continue }
                let inputGradients = node.pullBack(gradient)
                for (input, inputGradient) in zip(node.inputs, inputGradients) {
                    guard let input, let inputGradient else { continue }
                    precondition(inputGradient.shape == input.shape,
                                 "internal: \(node.operation) pullback gave shape \(inputGradient.shape) for input \(input.shape)")
                    pending.add(inputGradient, for: input)
                }
            }
        }
    }
}

// MARK: - Public entry points

/// The value of `body` at `x` and the gradient of that value with respect to `x`.
///
/// Operations inside `body` are recorded as they run; the gradient is then computed by
/// backpropagation. If the value has more than one element, the gradient is that of their sum.
///
/// ```swift
/// let (cost, slope) = valueWithGradient(at: w) { w in (w * x - y).squared().mean() }
/// ```
public func valueWithGradient(at x: Tensor, in body: (Tensor) throws -> Tensor) rethrows
    -> (value: Tensor, gradient: Tensor) {
    let leaf = x.asGradientLeaf()
    let value = try GradientRecording.$mode.withValue(.on) { try body(leaf) }
    return (value.detached(), Backpropagation.gradients(of: value, withRespectTo: [leaf])[0])
}

/// The value of `body` at `(x, y)` and its gradients with respect to `x` and `y`.
public func valueWithGradient(at x: Tensor, _ y: Tensor, in body: (Tensor, Tensor) throws -> Tensor) rethrows
    -> (value: Tensor, gradient: (Tensor, Tensor)) {
    let (value, gradients) = try valueWithGradient(at: [x, y]) { try body($0[0], $0[1]) }
    return (value, (gradients[0], gradients[1]))
}

/// The value of `body` at `xs` and its gradient with respect to each tensor of `xs`.
public func valueWithGradient(at xs: [Tensor], in body: ([Tensor]) throws -> Tensor) rethrows
    -> (value: Tensor, gradients: [Tensor]) {
    let leaves = xs.map { $0.asGradientLeaf() }
    let value = try GradientRecording.$mode.withValue(.on) { try body(leaves) }
    return (value.detached(), Backpropagation.gradients(of: value, withRespectTo: leaves))
}

/// The gradient of `body` at `x`.
public func gradient(at x: Tensor, in body: (Tensor) throws -> Tensor) rethrows -> Tensor {
    try valueWithGradient(at: x, in: body).gradient
}

/// The gradients of `body` at `(x, y)`.
public func gradient(at x: Tensor, _ y: Tensor, in body: (Tensor, Tensor) throws -> Tensor) rethrows
    -> (Tensor, Tensor) {
    try valueWithGradient(at: x, y, in: body).gradient
}

/// The gradients of `body` with respect to each tensor of `xs`.
public func gradient(at xs: [Tensor], in body: ([Tensor]) throws -> Tensor) rethrows -> [Tensor] {
    try valueWithGradient(at: xs, in: body).gradients
}
