/// An n-dimensional array of numbers: the one value type that every part of Descent computes with.
///
/// A tensor has a ``shape`` (row-major: the last axis varies fastest), a ``dtype`` and its
/// elements. It has value semantics: assigning a tensor copies it, cheaply, because the elements
/// are shared until one copy is mutated (copy-on-write).
///
/// Inside ``valueWithGradient(at:in:)-(Tensor,_)`` a tensor also remembers the operation that produced it,
/// which is how backpropagation finds its way back from the cost to every input.
public struct Tensor: @unchecked Sendable {
    /// The size of each axis; `[]` for a scalar.
    public let shape: [Int]
    @usableFromInline var storage: TensorStorage
    /// The node of the gradient graph that produced this tensor, if it is being differentiated.
    var gradientNode: GradientNode?

    @usableFromInline
    init(shape: [Int], storage: TensorStorage) {
        precondition(storage.count == shape.reduce(1, *),
                     "internal: storage of \(storage.count) elements for shape \(shape)")
        self.shape = shape
        self.storage = storage
        self.gradientNode = nil
    }

    /// The element type.
    public var dtype: DType { storage.dtype }
    /// The number of axes.
    public var rank: Int { shape.count }
    /// The number of elements.
    public var scalarCount: Int { storage.count }

    // MARK: Creating tensors from Swift values

    /// A tensor with the given shape holding `scalars` in row-major order, on `device`.
    ///
    /// - Precondition: `scalars.count` is the product of `shape`.
    public init<T: TensorScalar>(shape: [Int], scalars: [T], on device: Device = .cpu) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor(shape:scalars:): negative size in shape \(shape)")
        precondition(scalars.count == shape.reduce(1, *),
                     "Tensor(shape:scalars:): \(scalars.count) scalars do not fill shape \(shape)")
        let storage = TensorStorage(uninitializedCount: scalars.count, dtype: T.dtype, device: .cpu)
        scalars.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { storage.typed(T.self).initialize(from: base, count: scalars.count) }
        }
        self.init(shape: shape, storage: storage)
        if device != .cpu { self = device.backend.upload(self) }
    }

    /// A 1-D tensor of `scalars`.
    public init<T: TensorScalar>(_ scalars: [T]) {
        self.init(shape: [scalars.count], scalars: scalars)
    }

    /// A 2-D tensor from rows of equal length.
    public init<T: TensorScalar>(_ rows: [[T]]) {
        let columnCount = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == columnCount }, "Tensor(_ rows:): rows of different lengths")
        self.init(shape: [rows.count, columnCount], scalars: rows.flatMap { $0 })
    }

    /// A scalar (rank-0) tensor.
    public init<T: TensorScalar>(_ scalar: T) {
        self.init(shape: [], scalars: [scalar])
    }

    /// A tensor of the given shape and dtype on `device` whose every element is `value`
    /// (converted to the dtype; integers round toward zero and saturate).
    public init(repeating value: Double, shape: [Int], dtype: DType = .float32, on device: Device = .cpu) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor(repeating:shape:): negative size in shape \(shape)")
        if device != .cpu {
            self = device.backend.filled(with: value, shape: shape, dtype: dtype)
            return
        }
        let count = shape.reduce(1, *)
        let storage = TensorStorage(uninitializedCount: count, dtype: dtype, device: .cpu)
        func fill<T: TensorScalar>(_: T.Type) { storage.typed(T.self).initialize(repeating: T(fromDouble: value), count: count) }
        switch dtype {
        case .float32: fill(Float.self)
        case .float64: fill(Double.self)
        case .int32: fill(Int32.self)
        case .int64: fill(Int64.self)
        case .uint8: fill(UInt8.self)
        }
        self.init(shape: shape, storage: storage)
    }

    /// A CPU tensor of `shape` whose elements `initialize` writes, every one of them, into the
    /// uninitialized buffer it is given: for loaders that fill a large tensor in one pass, with
    /// no zero fill before it (188 MB for MNIST's training images).
    package init<T: TensorScalar>(shape: [Int], as type: T.Type,
                                  initializingWith initialize: (UnsafeMutableBufferPointer<T>) throws -> Void) rethrows {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor(shape:as:initializingWith:): negative size in shape \(shape)")
        let count = shape.reduce(1, *)
        let storage = TensorStorage(uninitializedCount: count, dtype: T.dtype, device: .cpu)
        try initialize(UnsafeMutableBufferPointer(start: storage.typed(T.self), count: count))
        self.init(shape: shape, storage: storage)
    }

    /// A tensor of zeros on `device`.
    public static func zeros(_ shape: [Int], dtype: DType = .float32, on device: Device = .cpu) -> Tensor {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor.zeros: negative size in shape \(shape)")
        if device != .cpu { return Tensor(repeating: 0, shape: shape, dtype: dtype, on: device) }
        return Tensor(shape: shape, storage: TensorStorage(zeroedCount: shape.reduce(1, *), dtype: dtype, device: .cpu))
    }

    /// A tensor of ones on `device`.
    public static func ones(_ shape: [Int], dtype: DType = .float32, on device: Device = .cpu) -> Tensor {
        Tensor(repeating: 1, shape: shape, dtype: dtype, on: device)
    }

    /// A tensor of zeros with the shape, dtype and device of `other`.
    public static func zeros(like other: Tensor) -> Tensor { zeros(other.shape, dtype: other.dtype, on: other.device) }

    /// A tensor of ones with the shape, dtype and device of `other`.
    public static func ones(like other: Tensor) -> Tensor { ones(other.shape, dtype: other.dtype, on: other.device) }

    /// The numbers `start, start + step, …` below `end` (NumPy's `arange`).
    public static func arange(from start: Double = 0, to end: Double, by step: Double = 1,
                              dtype: DType = .float32) -> Tensor {
        precondition(step != 0, "Tensor.arange: step must not be zero")
        let count = Swift.max(0, Int(((end - start) / step).rounded(.up)))
        let values = (0..<count).map { start + Double($0) * step }
        return Tensor(doubles: values, shape: [count], dtype: dtype)
    }

    /// `count` evenly spaced numbers from `start` to `end` inclusive (NumPy's `linspace`).
    public static func linspace(from start: Double, to end: Double, count: Int, dtype: DType = .float32) -> Tensor {
        precondition(count >= 0, "Tensor.linspace: negative count \(count)")
        let step = count > 1 ? (end - start) / Double(count - 1) : 0
        return Tensor(doubles: (0..<count).map { start + Double($0) * step }, shape: [count], dtype: dtype)
    }

    /// A tensor of the given dtype from `Double` values (rounded to that dtype; integers round
    /// toward zero and saturate).
    public init(doubles values: [Double], shape: [Int], dtype: DType = .float32, on device: Device = .cpu) {
        switch dtype {
        case .float32: self.init(shape: shape, scalars: values.map { Float($0) }, on: device)
        case .float64: self.init(shape: shape, scalars: values, on: device)
        case .int32: self.init(shape: shape, scalars: values.map { Int32(fromDouble: $0) }, on: device)
        case .int64: self.init(shape: shape, scalars: values.map { Int64(fromDouble: $0) }, on: device)
        case .uint8: self.init(shape: shape, scalars: values.map { UInt8(fromDouble: $0) }, on: device)
        }
    }

    // MARK: Reading values back

    /// The elements in row-major order, converted to `T` (copied to the host first when the
    /// tensor is on another device: one read-back).
    public func scalars<T: TensorScalar>(as type: T.Type = T.self) -> [T] {
        let host = to(.cpu)
        if T.dtype == dtype {
            return Array(UnsafeBufferPointer(start: host.storage.typed(T.self), count: scalarCount))
        }
        return host.doubles().map { T(fromDouble: $0) }
    }

    /// The elements in row-major order as `Double`s, whatever the dtype (copied to the host
    /// first when the tensor is on another device: one read-back).
    public func doubles() -> [Double] {
        let host = to(.cpu)
        func read<T: TensorScalar>(_: T.Type) -> [Double] {
            UnsafeBufferPointer(start: host.storage.typed(T.self), count: scalarCount).map(\.doubleValue)
        }
        switch dtype {
        case .float32: return read(Float.self)
        case .float64: return Array(UnsafeBufferPointer(start: host.storage.typed(Double.self), count: scalarCount))
        case .int32: return read(Int32.self)
        case .int64: return read(Int64.self)
        case .uint8: return read(UInt8.self)
        }
    }

    /// The only element of a one-element tensor, converted to `T`.
    public func scalar<T: TensorScalar>(as type: T.Type = T.self) -> T {
        precondition(scalarCount == 1, "Tensor.scalar: tensor of shape \(shape) has \(scalarCount) elements, not 1")
        return scalars(as: T.self)[0]
    }

    /// The only element of a one-element tensor as a `Double`.
    public var doubleValue: Double { scalar(as: Double.self) }
}

extension Tensor {
    /// Calls `body` with the elements for reading. Valid only inside `body`.
    ///
    /// - Precondition: the tensor is on the CPU (move it with `to(.cpu)`).
    @inlinable
    public func withUnsafeBufferPointer<T: TensorScalar, R>(
        as type: T.Type, _ body: (UnsafeBufferPointer<T>) throws -> R
    ) rethrows -> R {
        precondition(storage.device == .cpu, "withUnsafeBufferPointer: the tensor is on \(storage.device); move it with .to(.cpu)")
        return try body(UnsafeBufferPointer(start: storage.typed(T.self), count: storage.count))
    }

    /// Calls `body` with the elements for writing in place, copying them first if another tensor
    /// shares them (copy-on-write). Not recorded for differentiation.
    ///
    /// - Precondition: the tensor is on the CPU (move it with `to(.cpu)`).
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<T: TensorScalar, R>(
        as type: T.Type, _ body: (UnsafeMutableBufferPointer<T>) throws -> R
    ) rethrows -> R {
        precondition(storage.device == .cpu, "withUnsafeMutableBufferPointer: the tensor is on \(storage.device); move it with .to(.cpu)")
        makeUnique()
        return try body(UnsafeMutableBufferPointer(start: storage.typed(T.self), count: storage.count))
    }

    /// Gives this tensor its own copy of the elements if another tensor shares them, before they
    /// are written in place (copy-on-write).
    @inlinable
    mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }
}
