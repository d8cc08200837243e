// Moving tensors to and from the GPU, and the elementwise primitives.

extension CUDABackend {
    func upload(_ host: Tensor) -> Tensor {
        let result = empty(host.shape, host.dtype)
        context.copyToDevice(result.storage.address, from: host.storage.pointer, byteCount: host.scalarCount * host.dtype.byteCount)
        return result
    }

    /// Four-byte and one-byte elements by the driver's memset, eight-byte ones (which it cannot
    /// set) by a kernel that takes the value as its argument: no copy from the host, so that a
    /// CUDA graph can hold it (a scalar such as a mean's divisor joins most training steps).
    func filled(with value: Double, shape: [Int], dtype: DType) -> Tensor {
        let y = empty(shape, dtype)
        switch dtype {
        case .float32: context.fill(y.storage.address, with: Float(fromDouble: value).bitPattern, count: y.scalarCount)
        case .int32: context.fill(y.storage.address, with: UInt32(bitPattern: Int32(fromDouble: value)), count: y.scalarCount)
        case .uint8: context.fill(y.storage.address, with: UInt8(fromDouble: value), count: y.scalarCount)
        case .float64:
            context.launch("fill_b8", in: .movement, count: y.scalarCount,
                           [y.cudaArgument, .int64(Int64(y.scalarCount)), .uint64(value.bitPattern)])
        case .int64:
            context.launch("fill_b8", in: .movement, count: y.scalarCount,
                           [y.cudaArgument, .int64(Int64(y.scalarCount)), .uint64(UInt64(bitPattern: Int64(fromDouble: value)))])
        }
        return y
    }

    func download(_ x: Tensor) -> Tensor {
        Self.readBacks.wrappingAdd(1, ordering: .relaxed)
        ReadBackCounter.recordReadBack()
        let storage = TensorStorage(uninitializedCount: x.scalarCount, dtype: x.dtype, device: .cpu)
        context.copyToHost(storage.pointer, from: x.storage.address, byteCount: x.scalarCount * x.dtype.byteCount)
        return Tensor(shape: x.shape, storage: storage)
    }

    func unary(_ operation: UnaryOperation, _ x: Tensor) -> Tensor {
        let y = empty(x.shape, x.dtype)
        let code = Int32(UnaryOperation.allCases.firstIndex(of: operation)!)
        context.launch("unary_\(Self.suffix(x.dtype))", in: .elementwise, count: x.scalarCount,
                       [.int32(code), x.cudaArgument, y.cudaArgument, .int64(Int64(x.scalarCount))])
        return y
    }

    func binary(_ operation: BinaryOperation, _ a: Tensor, _ b: Tensor, shape: [Int]) -> Tensor {
        let y = empty(shape, a.dtype)
        let code = Int32(BinaryOperation.allCases.firstIndex(of: operation)!)
        let dims = CUDALayout.dims(shape, [CUDALayout.broadcastStrides(a.shape, to: shape), CUDALayout.broadcastStrides(b.shape, to: shape)])
        context.launch("binary_\(Self.suffix(a.dtype))", in: .elementwise, count: y.scalarCount,
                       [.int32(code), a.cudaArgument, b.cudaArgument, y.cudaArgument, .int64(Int64(y.scalarCount)), dims])
        return y
    }

    func activation(_ function: ParametricActivation, _ x: Tensor) -> Tensor {
        let y = empty(x.shape, x.dtype)
        let (kind, p, q) = function.kernelArguments
        context.launch("activation_\(Self.suffix(x.dtype))", in: .elementwise, count: x.scalarCount,
                       [.int32(kind), .double(p), .double(q), x.cudaArgument, y.cudaArgument, .int64(Int64(x.scalarCount))])
        return y
    }

    func activationBackward(_ function: ParametricActivation, _ upstream: Tensor, input x: Tensor) -> Tensor {
        let y = empty(x.shape, x.dtype)
        let (kind, p, q) = function.kernelArguments
        context.launch("activation_backward_\(Self.suffix(x.dtype))", in: .elementwise, count: x.scalarCount,
                       [.int32(kind), .double(p), .double(q), upstream.cudaArgument, x.cudaArgument, y.cudaArgument,
                        .int64(Int64(x.scalarCount))])
        return y
    }

    func select(_ condition: Tensor, _ a: Tensor, _ b: Tensor, shape: [Int]) -> Tensor {
        let y = empty(shape, a.dtype)
        let dims = CUDALayout.dims(shape, [condition, a, b].map { CUDALayout.broadcastStrides($0.shape, to: shape) })
        context.launch("select_\(Self.suffix(a.dtype))", in: .elementwise, count: y.scalarCount,
                       [condition.cudaArgument, a.cudaArgument, b.cudaArgument, y.cudaArgument, .int64(Int64(y.scalarCount)), dims])
        return y
    }

    func cast(_ x: Tensor, to dtype: DType) -> Tensor {
        let y = empty(x.shape, dtype)
        context.launch("cast_\(Self.suffix(x.dtype))_\(Self.suffix(dtype))", in: .elementwise, count: x.scalarCount,
                       [x.cudaArgument, y.cudaArgument, .int64(Int64(x.scalarCount))])
        return y
    }
}

extension ParametricActivation {
    /// The kernels' `kind` (0 leaky ReLU, 1 ELU, 2 softplus) and its parameters, p and q.
    var kernelArguments: (kind: Int32, p: Double, q: Double) {
        switch self {
        case .leakyReLU(let slope): (0, slope, 0)
        case .elu(let alpha): (1, alpha, 0)
        case .softplus(let beta, let threshold): (2, beta, threshold)
        }
    }
}
