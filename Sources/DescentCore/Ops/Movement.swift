// Reshaping, transposing, slicing, gathering, joining. Tensors are always stored contiguous
// (row-major); reshape shares the storage, the others copy.

extension Tensor {
    /// The same elements with another shape of the same count; one size may be −1 (inferred).
    public func reshaped(to newShape: [Int]) -> Tensor {
        var target = newShape
        if let unknown = target.firstIndex(of: -1) {
            let known = target.enumerated().filter { $0.offset != unknown }.map(\.element).reduce(1, *)
            precondition(known > 0 && scalarCount % known == 0,
                         "reshape: cannot reshape \(shape) (\(scalarCount) elements) to \(newShape)")
            target[unknown] = scalarCount / known
        }
        precondition(target.allSatisfy { $0 >= 0 } && target.reduce(1, *) == scalarCount,
                     "reshape: cannot reshape \(shape) (\(scalarCount) elements) to \(newShape)")
        if target == shape { return self }
        let y = Tensor(shape: target, storage: storage)
        guard gradientNode != nil else { return y }
        return y.recorded("reshape", self, pullback: DerivativeRules.reshape(self))
    }

    /// All elements in one axis.
    public func flattened() -> Tensor { reshaped(to: [scalarCount]) }

    /// A size-1 axis inserted at `axis`.
    public func expandingShape(at axis: Int) -> Tensor {
        let position = axis < 0 ? axis + rank + 1 : axis
        precondition(position >= 0 && position <= rank, "expandingShape: axis \(axis) out of range for \(shape)")
        var newShape = shape
        newShape.insert(1, at: position)
        return reshaped(to: newShape)
    }

    /// The size-1 axes at `axes` removed (all size-1 axes if `axes` is empty).
    public func squeezingShape(at axes: [Int] = []) -> Tensor {
        let removed = axes.isEmpty ? Set(shape.indices.filter { shape[$0] == 1 })
                                   : Set(normalized(axes: axes, op: "squeezingShape"))
        for axis in removed {
            precondition(shape[axis] == 1, "squeezingShape: axis \(axis) of \(shape) has size \(shape[axis]), not 1")
        }
        return reshaped(to: shape.indices.filter { !removed.contains($0) }.map { shape[$0] })
    }

    /// The axes reordered: axis `i` of the result is axis `permutation[i]` of `self`.
    public func permuted(_ permutation: [Int]) -> Tensor {
        precondition(permutation.sorted() == Array(0..<rank),
                     "permuted: \(permutation) is not a permutation of the axes of \(shape)")
        if permutation == Array(0..<rank) { return self }
        let y = device.backend.permute(self, permutation)
        guard gradientNode != nil else { return y }
        return y.recorded("permute", self, pullback: DerivativeRules.permute(permutation))
    }

    /// The last two axes swapped (the matrix transpose for a 2-D tensor).
    public func transposed() -> Tensor {
        precondition(rank >= 2, "transposed: needs at least 2 axes, got shape \(shape)")
        var permutation = Array(0..<rank)
        permutation.swapAt(rank - 1, rank - 2)
        return permuted(permutation)
    }

    /// The elements at `range` along `axis`.
    public func slice(alongAxis axis: Int = 0, _ range: Range<Int>) -> Tensor {
        let axis = normalized(axis: axis, op: "slice")
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[axis],
                     "slice: range \(range) is out of bounds for axis \(axis) of \(shape)")
        return gathering(atIndices: Array(range), alongAxis: axis)
    }

    /// The elements at `range` of the first axis.
    public subscript(_ range: Range<Int>) -> Tensor { slice(alongAxis: 0, range) }

    /// The element (or sub-tensor) at `index` of the first axis, with that axis removed.
    public subscript(_ index: Int) -> Tensor {
        precondition(rank > 0 && index >= -shape[0] && index < shape[0],
                     "subscript: index \(index) is out of range for shape \(shape)")
        let i = index < 0 ? index + shape[0] : index
        return slice(alongAxis: 0, i..<(i + 1)).squeezingShape(at: [0])
    }

    /// The elements at `indices` along `axis` (rows by default): how a batch is taken from a
    /// dataset. Indices may repeat; their gradients add up.
    public func gathering(atIndices indices: [Int], alongAxis axis: Int = 0) -> Tensor {
        let axis = normalized(axis: axis, op: "gathering")
        for index in indices {
            precondition(index >= 0 && index < shape[axis],
                         "gathering: index \(index) out of range 0..<\(shape[axis]) along axis \(axis) of \(shape)")
        }
        let y = device.backend.gather(self, indices: indices, axis: axis)
        guard gradientNode != nil else { return y }
        return y.recorded("gather", self, pullback: DerivativeRules.gather(self, indices: indices, axis: axis))
    }

    /// The elements at the integer `indices` (any shape) along `axis`.
    public func gathering(atIndices indices: Tensor, alongAxis axis: Int = 0) -> Tensor {
        let flat = indices.scalars(as: Int32.self).map(Int.init)
        let y = gathering(atIndices: flat, alongAxis: axis)
        let axis = normalized(axis: axis, op: "gathering")
        return y.reshaped(to: Array(shape[..<axis]) + indices.shape + Array(shape[(axis + 1)...]))
    }

    /// Tensors joined along an existing axis; all other sizes must agree.
    public init(concatenating tensors: [Tensor], alongAxis axis: Int = 0) {
        precondition(!tensors.isEmpty, "concatenating: no tensors")
        let first = tensors[0]
        let axis = first.normalized(axis: axis, op: "concatenating")
        for tensor in tensors {
            precondition(tensor.dtype == first.dtype && tensor.rank == first.rank
                         && tensor.shape.indices.allSatisfy { $0 == axis || tensor.shape[$0] == first.shape[$0] },
                         "concatenating: \(tensor.dtype) \(tensor.shape) does not match \(first.dtype) \(first.shape) along axis \(axis)")
        }
        let y = commonDevice("concatenating", tensors).backend.concatenate(tensors, axis: axis)
        self = y.recorded("concatenate", tensors, pullback: DerivativeRules.concatenate(tensors, axis: axis))
    }

    /// Tensors of equal shape joined along a new axis.
    public init(stacking tensors: [Tensor], alongAxis axis: Int = 0) {
        precondition(!tensors.isEmpty, "stacking: no tensors")
        self.init(concatenating: tensors.map { $0.expandingShape(at: axis) }, alongAxis: axis)
    }

    /// `self` repeated along broadcast axes to `shape` (NumPy's `broadcast_to`).
    public func broadcasted(to target: [Int]) -> Tensor {
        if target == shape { return self }
        precondition(Broadcasting.shape(shape, target) == target,
                     "broadcasted: shape \(shape) cannot be broadcast to \(target)")
        let y = device.backend.broadcast(self, to: target)
        guard gradientNode != nil else { return y }
        return y.recorded("broadcast", self, pullback: DerivativeRules.broadcast(self))
    }

    /// One-hot rows: for integer class `indices` of shape `s`, a tensor of shape `s + [depth]`
    /// with 1 at each index and 0 elsewhere.
    public init(oneHotAtIndices indices: Tensor, depth: Int, dtype: DType = .float32) {
        let classes = indices.scalars(as: Int32.self)
        var values = [Double](repeating: 0, count: classes.count * depth)
        for (row, index) in classes.enumerated() {
            precondition(index >= 0 && Int(index) < depth, "oneHot: class \(index) is out of range 0..<\(depth)")
            values[row * depth + Int(index)] = 1
        }
        self.init(doubles: values, shape: indices.shape + [depth], dtype: dtype, on: indices.device)
    }
}
