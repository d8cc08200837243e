// Reductions and movement.

extension CUDABackend {
    func reduce(_ operation: ReductionOperation, _ x: Tensor, axes: [Int]) -> Tensor {
        let shape = x.shape.indices.map { axes.contains($0) ? 1 : x.shape[$0] }
        let reducedShape = x.shape.indices.map { axes.contains($0) ? x.shape[$0] : 1 }
        let y = empty(shape, x.dtype)
        let (outputs, reduced) = (y.scalarCount, reducedShape.reduce(1, *))
        let code = Int32(ReductionOperation.allCases.firstIndex(of: operation)!)
        // One block of 256 threads per output element (the kernel's REDUCE_THREADS).
        context.launch("reduce_\(Self.suffix(x.dtype))", in: .reduction, count: outputs, threads: 256,
                       blocks: Swift.min(outputs, 65_535 * 8),
                       [.int32(code), x.cudaArgument, y.cudaArgument, .int64(Int64(outputs)), .int64(Int64(reduced)),
                        CUDALayout.dims(shape, [CUDALayout.strides(x.shape), reducedShape])])
        return y
    }

    func argReduce(_ operation: ArgReductionOperation, _ x: Tensor, axis: Int) -> Tensor {
        var shape = x.shape
        let length = shape.remove(at: axis)
        let inner = x.shape[(axis + 1)...].reduce(1, *)
        let y = empty(shape, .int32)
        let code = Int32(ArgReductionOperation.allCases.firstIndex(of: operation)!)
        context.launch("arg_reduce_\(Self.suffix(x.dtype))", in: .reduction, count: y.scalarCount,
                       [.int32(code), x.cudaArgument, y.cudaArgument, .int64(Int64(y.scalarCount)), .int64(Int64(length)),
                        .int64(Int64(inner))])
        return y
    }

    /// Copies `x`, read at `sourceStrides` over `shape`, into `destination` at `destinationOffset`
    /// elements and `destinationStrides`.
    private func copyStrided(_ x: Tensor, shape: [Int], sourceStrides: [Int], into destination: Tensor,
                             destinationOffset: Int = 0, destinationStrides: [Int]) {
        let count = shape.reduce(1, *)
        let target = destination.storage.address + UInt64(destinationOffset * x.dtype.byteCount)
        context.launch("copy_strided_\(Self.widthSuffix(x.dtype))", in: .movement, count: count,
                       [x.cudaArgument, .pointer(target), .int64(Int64(count)),
                        CUDALayout.dims(shape, [sourceStrides, destinationStrides])])
    }

    func permute(_ x: Tensor, _ permutation: [Int]) -> Tensor {
        let shape = permutation.map { x.shape[$0] }
        let y = empty(shape, x.dtype)
        let strides = CUDALayout.strides(x.shape)
        copyStrided(x, shape: shape, sourceStrides: permutation.map { strides[$0] }, into: y,
                    destinationStrides: CUDALayout.strides(shape))
        return y
    }

    func broadcast(_ x: Tensor, to shape: [Int]) -> Tensor {
        let y = empty(shape, x.dtype)
        copyStrided(x, shape: shape, sourceStrides: CUDALayout.broadcastStrides(x.shape, to: shape), into: y,
                    destinationStrides: CUDALayout.strides(shape))
        return y
    }

    func concatenate(_ tensors: [Tensor], axis: Int) -> Tensor {
        var shape = tensors[0].shape
        shape[axis] = tensors.map { $0.shape[axis] }.reduce(0, +)
        let y = empty(shape, tensors[0].dtype)
        let strides = CUDALayout.strides(shape)
        var start = 0
        for tensor in tensors {
            copyStrided(tensor, shape: tensor.shape, sourceStrides: CUDALayout.strides(tensor.shape), into: y,
                        destinationOffset: start * strides[axis], destinationStrides: strides)
            start += tensor.shape[axis]
        }
        return y
    }

    func gather(_ x: Tensor, indices: [Int], axis: Int) -> Tensor {
        var shape = x.shape
        shape[axis] = indices.count
        let y = empty(shape, x.dtype)
        // A run of consecutive rows (a slice, a batch of unshuffled examples) is one block of
        // memory: copied on the device, with no index table to upload.
        let outer = x.shape[..<axis].reduce(1, *)
        if outer == 1, let first = indices.first, indices.indices.allSatisfy({ indices[$0] == first + $0 }) {
            let rowBytes = x.shape[(axis + 1)...].reduce(1, *) * x.dtype.byteCount
            context.copy(y.storage.address, from: x.storage.address + UInt64(first * rowBytes), byteCount: indices.count * rowBytes)
            return y
        }
        let table = deviceIndices(indices)
        context.launch("gather_\(Self.widthSuffix(x.dtype))", in: .movement, count: y.scalarCount,
                       [x.cudaArgument, y.cudaArgument, table.cudaArgument, .int64(Int64(y.scalarCount)),
                        .int64(Int64(indices.count)), .int64(Int64(x.shape[(axis + 1)...].reduce(1, *))), .int64(Int64(x.shape[axis]))])
        return y
    }

    func scatterAdd(_ x: Tensor, indices: [Int], axis: Int, shape: [Int]) -> Tensor {
        let y = zeros(shape, x.dtype)
        let table = deviceIndices(indices)
        context.launch("scatter_add_\(Self.suffix(x.dtype))", in: .movement, count: x.scalarCount,
                       [x.cudaArgument, y.cudaArgument, table.cudaArgument, .int64(Int64(x.scalarCount)),
                        .int64(Int64(indices.count)), .int64(Int64(x.shape[(axis + 1)...].reduce(1, *))), .int64(Int64(shape[axis]))])
        return y
    }
}
