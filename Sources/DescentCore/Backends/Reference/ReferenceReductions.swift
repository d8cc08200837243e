// Reductions and movement: each output element found by walking the input positions it
// stands for.

extension ReferenceBackend {
    func reduce(_ operation: ReductionOperation, _ x: Tensor, axes: [Int]) -> Tensor {
        func run<T: FloatingPointScalar>(_: T.Type) -> Tensor {
            let shape = x.shape.indices.map { axes.contains($0) ? 1 : x.shape[$0] }
            var result = [T](repeating: operation == .sum ? 0 : (operation == .max ? -T.infinity : T.infinity),
                             count: shape.reduce(1, *))
            for i in 0..<x.scalarCount {
                let target = Positions.broadcastSource(of: Positions.multiIndex(of: i, in: x.shape), from: shape)
                let value = x.element(i, as: T.self)
                switch operation {
                case .sum: result[target] += value
                case .max: result[target] = result[target].isNaN || result[target] > value ? result[target] : value
                case .min: result[target] = result[target].isNaN || result[target] < value ? result[target] : value
                }
            }
            return make(shape, T.self) { result[$0] }
        }
        return floating(x.dtype) { run($0) }
    }

    func argReduce(_ operation: ArgReductionOperation, _ x: Tensor, axis: Int) -> Tensor {
        func run<T: FloatingPointScalar>(_: T.Type) -> Tensor {
            var shape = x.shape
            let length = shape.remove(at: axis)
            return make(shape, Int32.self) { i in
                var position = Positions.multiIndex(of: i, in: shape)
                position.insert(0, at: axis)
                var best = x.element(Positions.linearIndex(of: position, in: x.shape), as: T.self), bestIndex = 0
                for candidate in 1..<length where !best.isNaN {
                    position[axis] = candidate
                    let value = x.element(Positions.linearIndex(of: position, in: x.shape), as: T.self)
                    if value.isNaN || (operation == .argmax ? value > best : value < best) {
                        (best, bestIndex) = (value, candidate)
                    }
                }
                return Int32(bestIndex)
            }
        }
        return floating(x.dtype) { run($0) }
    }

    /// A tensor of `shape` and `x`'s dtype whose element `i` is `x`'s element `source(i)`:
    /// every movement is one of these, for any dtype.
    private func moving(_ x: Tensor, to shape: [Int], _ source: (Int) -> Int) -> Tensor {
        func run<T: TensorScalar>(_: T.Type) -> Tensor { make(shape, T.self) { x.element(source($0), as: T.self) } }
        switch x.dtype {
        case .float32: return run(Float.self)
        case .float64: return run(Double.self)
        case .int32: return run(Int32.self)
        case .int64: return run(Int64.self)
        case .uint8: return run(UInt8.self)
        }
    }

    func permute(_ x: Tensor, _ permutation: [Int]) -> Tensor {
        let shape = permutation.map { x.shape[$0] }
        return moving(x, to: shape) { i in
            let position = Positions.multiIndex(of: i, in: shape)
            var source = [Int](repeating: 0, count: shape.count)
            for (axis, inputAxis) in permutation.enumerated() { source[inputAxis] = position[axis] }
            return Positions.linearIndex(of: source, in: x.shape)
        }
    }

    func broadcast(_ x: Tensor, to shape: [Int]) -> Tensor {
        moving(x, to: shape) { i in Positions.broadcastSource(of: Positions.multiIndex(of: i, in: shape), from: x.shape) }
    }

    func gather(_ x: Tensor, indices: [Int], axis: Int) -> Tensor {
        var shape = x.shape
        shape[axis] = indices.count
        return moving(x, to: shape) { i in
            var position = Positions.multiIndex(of: i, in: shape)
            position[axis] = indices[position[axis]]
            return Positions.linearIndex(of: position, in: x.shape)
        }
    }

    func scatterAdd(_ x: Tensor, indices: [Int], axis: Int, shape: [Int]) -> Tensor {
        func run<T: FloatingPointScalar>(_: T.Type) -> Tensor {
            var result = [T](repeating: 0, count: shape.reduce(1, *))
            for i in 0..<x.scalarCount {
                var position = Positions.multiIndex(of: i, in: x.shape)
                position[axis] = indices[position[axis]]
                result[Positions.linearIndex(of: position, in: shape)] += x.element(i, as: T.self)
            }
            return make(shape, T.self) { result[$0] }
        }
        return floating(x.dtype) { run($0) }
    }

    func concatenate(_ tensors: [Tensor], axis: Int) -> Tensor {
        var shape = tensors[0].shape
        shape[axis] = tensors.map { $0.shape[axis] }.reduce(0, +)
        // Which tensor, and where in it, each position along `axis` comes from.
        var owners: [(tensor: Int, index: Int)] = []
        for (t, tensor) in tensors.enumerated() {
            for index in 0..<tensor.shape[axis] { owners.append((t, index)) }
        }
        func run<T: TensorScalar>(_: T.Type) -> Tensor {
            make(shape, T.self) { i in
                var position = Positions.multiIndex(of: i, in: shape)
                let owner = owners[position[axis]]
                position[axis] = owner.index
                let tensor = tensors[owner.tensor]
                return tensor.element(Positions.linearIndex(of: position, in: tensor.shape), as: T.self)
            }
        }
        switch tensors[0].dtype {
        case .float32: return run(Float.self)
        case .float64: return run(Double.self)
        case .int32: return run(Int32.self)
        case .int64: return run(Int64.self)
        case .uint8: return run(UInt8.self)
        }
    }
}
