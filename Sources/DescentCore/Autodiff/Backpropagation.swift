/// Backpropagation: the chain rule applied from the cost back to every input.
enum Backpropagation {
    /// ∂(sum of `output`)/∂leaf for each leaf in `leaves` (zeros for a leaf the output does not
    /// depend on).
    static func gradients(of output: Tensor, withRespectTo leaves: [Tensor]) -> [Tensor] {
        guard let root = output.gradientNode else {
            return leaves.map { Tensor.zeros(like: $0) }
        }
        let gradients = backpropagate(from: root, seed: Tensor.ones(like: output), keepingEvery: false).gradients
        return leaves.map { leaf in
            guard let node = leaf.gradientNode, let gradient = gradients[ObjectIdentifier(node)] else {
                return Tensor.zeros(like: leaf)
            }
            return gradient
        }
    }

    /// Passes `seed` (∂C/∂root) back through every node below `root`. Returns the nodes with
    /// every node after its inputs, and the gradients: of the leaves only, or, with
    /// `keepingEvery` (to draw the graph), of every node.
    static func backpropagate(from root: GradientNode, seed: Tensor, keepingEvery: Bool)
        -> (order: [GradientNode], gradients: [ObjectIdentifier: Tensor]) {
        let order = topologicalOrder(from: root)
        var gradients: [ObjectIdentifier: Tensor] = [ObjectIdentifier(root): seed]
        withoutGradients {
            // Each node, visited after every node that uses it, passes its gradient back.
            for node in order.reversed() {
                guard let upstream = gradients[ObjectIdentifier(node)], !node.inputs.isEmpty else { continue }
                if !keepingEvery { gradients[ObjectIdentifier(node)] = nil }  // no longer needed: free it early
                let inputGradients = node.pullback(upstream)
                for (input, gradient) in zip(node.inputs, inputGradients) {
                    guard let input, let gradient else { continue }
                    precondition(gradient.shape == input.shape,
                                 "internal: \(node.operation) pullback gave shape \(gradient.shape) for input \(input.shape)")
                    let key = ObjectIdentifier(input)
                    // A tensor used several times receives the sum of its gradients.
                    if let existing = gradients[key] {
                        gradients[key] = existing + gradient
                    } else {
                        gradients[key] = gradient
                    }
                }
            }
        }
        return (order, gradients)
    }

    /// Nodes ordered so that every node comes after its inputs (iterative depth-first search, so
    /// deep graphs do not overflow the stack).
    private static func topologicalOrder(from root: GradientNode) -> [GradientNode] {
        var order: [GradientNode] = []
        var visited: Set<ObjectIdentifier> = [ObjectIdentifier(root)]
        var stack: [(node: GradientNode, nextInput: Int)] = [(root, 0)]
        while let top = stack.last {
            if top.nextInput < top.node.inputs.count {
                stack[stack.count - 1].nextInput += 1
                if let input = top.node.inputs[top.nextInput], visited.insert(ObjectIdentifier(input)).inserted {
                    stack.append((input, 0))
                }
            } else {
                order.append(top.node)
                stack.removeLast()
            }
        }
        return order
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
