import Foundation

// The update rules run one fused loop over a parameter and its state buffers, element by
// element, instead of composing tensor operations: no temporary tensors, one pass over memory.
// These helpers open the buffers of a gradient (read-only) and of several tensors (in place)
// at once, and split large parameters into chunks updated on several threads.

extension Tensor {
    /// Zeros shaped like `parameter` when `isNeeded`, otherwise an empty tensor: the state
    /// buffer of an option that is turned off (momentum 0, not centered…) costs no memory.
    static func stateBuffer(like parameter: Tensor, if isNeeded: Bool = true, filledWith value: Double = 0) -> Tensor {
        isNeeded ? Tensor(repeating: value, shape: parameter.shape, dtype: parameter.dtype)
                 : Tensor.zeros([0], dtype: parameter.dtype)
    }
}

/// Elements per chunk when a rule is split across threads: below this, waking a second thread
/// costs more than it saves (an update touches each element once, a few nanoseconds of work).
private let elementsPerChunk = 1 << 15

/// Calls `body` with the same chunk of every buffer, for disjoint chunks on several threads.
/// The rules are element-wise, so each chunk is updated independently; an empty state buffer
/// (an option that is off) is passed as empty.
private func forEachChunk<S: FloatingPointScalar>(
    _ gradient: UnsafeBufferPointer<S>, _ buffers: [UnsafeMutableBufferPointer<S>],
    _ body: (UnsafeBufferPointer<S>, [UnsafeMutableBufferPointer<S>]) -> Void
) {
    let shared = UncheckedBuffers(gradient: gradient, buffers: buffers)
    Parallel.forEachChunk(count: gradient.count, minimumChunk: elementsPerChunk) { range in
        let slices = shared.buffers.map { buffer in
            buffer.isEmpty ? buffer : UnsafeMutableBufferPointer(rebasing: buffer[range])
        }
        body(UnsafeBufferPointer(rebasing: shared.gradient[range]), slices)
    }
}

/// Buffer pointers handed to the chunks: each chunk touches only its own range.
private struct UncheckedBuffers<S>: @unchecked Sendable {
    let gradient: UnsafeBufferPointer<S>
    let buffers: [UnsafeMutableBufferPointer<S>]
}

func withScalars<S: FloatingPointScalar>(
    of gradient: Tensor, mutating a: inout Tensor, as type: S.Type,
    _ body: (UnsafeBufferPointer<S>, UnsafeMutableBufferPointer<S>) -> Void
) {
    gradient.withUnsafeBufferPointer(as: S.self) { g in
        a.withUnsafeMutableBufferPointer(as: S.self) { a in
            forEachChunk(g, [a]) { g, x in body(g, x[0]) }
        }
    }
}

func withScalars<S: FloatingPointScalar>(
    of gradient: Tensor, mutating a: inout Tensor, _ b: inout Tensor, as type: S.Type,
    _ body: (UnsafeBufferPointer<S>, UnsafeMutableBufferPointer<S>, UnsafeMutableBufferPointer<S>) -> Void
) {
    gradient.withUnsafeBufferPointer(as: S.self) { g in
        a.withUnsafeMutableBufferPointer(as: S.self) { a in
            b.withUnsafeMutableBufferPointer(as: S.self) { b in
                forEachChunk(g, [a, b]) { g, x in body(g, x[0], x[1]) }
            }
        }
    }
}

func withScalars<S: FloatingPointScalar>(
    of gradient: Tensor, mutating a: inout Tensor, _ b: inout Tensor, _ c: inout Tensor, as type: S.Type,
    _ body: (UnsafeBufferPointer<S>, UnsafeMutableBufferPointer<S>, UnsafeMutableBufferPointer<S>,
             UnsafeMutableBufferPointer<S>) -> Void
) {
    gradient.withUnsafeBufferPointer(as: S.self) { g in
        a.withUnsafeMutableBufferPointer(as: S.self) { a in
            b.withUnsafeMutableBufferPointer(as: S.self) { b in
                c.withUnsafeMutableBufferPointer(as: S.self) { c in
                    forEachChunk(g, [a, b, c]) { g, x in body(g, x[0], x[1], x[2]) }
                }
            }
        }
    }
}

func withScalars<S: FloatingPointScalar>(
    of gradient: Tensor, mutating a: inout Tensor, _ b: inout Tensor, _ c: inout Tensor, _ d: inout Tensor,
    as type: S.Type,
    _ body: (UnsafeBufferPointer<S>, UnsafeMutableBufferPointer<S>, UnsafeMutableBufferPointer<S>,
             UnsafeMutableBufferPointer<S>, UnsafeMutableBufferPointer<S>) -> Void
) {
    gradient.withUnsafeBufferPointer(as: S.self) { g in
        a.withUnsafeMutableBufferPointer(as: S.self) { a in
            b.withUnsafeMutableBufferPointer(as: S.self) { b in
                c.withUnsafeMutableBufferPointer(as: S.self) { c in
                    d.withUnsafeMutableBufferPointer(as: S.self) { d in
                        forEachChunk(g, [a, b, c, d]) { g, x in body(g, x[0], x[1], x[2], x[3]) }
                    }
                }
            }
        }
    }
}

// MARK: Eight elements at a time

// The common rules are also written on SIMD8 vectors. A scalar loop with a square root does not
// vectorize (Swift's `squareRoot()` on one Float keeps C's errno semantics: a call to `sqrtf`
// for negative inputs), and RMSProp and Adam are then several times slower than memory allows.
// Written on vectors, the same formulas compile to packed instructions. The last few elements
// are padded with zeros, computed, and not stored.

/// Calls `body` on `gradient` and `a`, eight elements at a time; `body` updates `a` in place.
@inline(__always)
func forEachVector<S: FloatingPointScalar>(
    _ gradient: UnsafeBufferPointer<S>, _ a: UnsafeMutableBufferPointer<S>,
    _ body: (SIMD8<S>, inout SIMD8<S>) -> Void
) {
    forEachVector(gradient, a, nil, nil) { g, a, _, _ in body(g, &a) }
}

/// Calls `body` on `gradient`, `a` and `b`, eight elements at a time; `body` updates `a` and
/// `b` in place.
@inline(__always)
func forEachVector<S: FloatingPointScalar>(
    _ gradient: UnsafeBufferPointer<S>, _ a: UnsafeMutableBufferPointer<S>, _ b: UnsafeMutableBufferPointer<S>,
    _ body: (SIMD8<S>, inout SIMD8<S>, inout SIMD8<S>) -> Void
) {
    forEachVector(gradient, a, b, nil) { g, a, b, _ in body(g, &a, &b) }
}

/// Calls `body` on `gradient`, `a`, `b` and `c`, eight elements at a time; `body` updates
/// them in place. `b` and `c` may be absent (left at zero).
@inline(__always)
func forEachVector<S: FloatingPointScalar>(
    _ gradient: UnsafeBufferPointer<S>, _ a: UnsafeMutableBufferPointer<S>, _ b: UnsafeMutableBufferPointer<S>?,
    _ c: UnsafeMutableBufferPointer<S>?,
    _ body: (SIMD8<S>, inout SIMD8<S>, inout SIMD8<S>, inout SIMD8<S>) -> Void
) {
    let count = gradient.count
    var (va, vb, vc) = (SIMD8<S>.zero, SIMD8<S>.zero, SIMD8<S>.zero)
    var start = 0
    while start + 8 <= count {
        va = load(a, start)
        if let b { vb = load(b, start) }
        if let c { vc = load(c, start) }
        body(load(gradient, start), &va, &vb, &vc)
        store(va, a, start)
        if let b { store(vb, b, start) }
        if let c { store(vc, c, start) }
        start += 8
    }
    guard start < count else { return }
    // The tail: padded with zeros, computed, and only the real elements stored.
    func padded(_ buffer: UnsafeBufferPointer<S>?) -> SIMD8<S> {
        var vector = SIMD8<S>.zero
        if let buffer { for i in start..<count { vector[i - start] = buffer[i] } }
        return vector
    }
    func unpad(_ vector: SIMD8<S>, _ buffer: UnsafeMutableBufferPointer<S>?) {
        if let buffer { for i in start..<count { buffer[i] = vector[i - start] } }
    }
    (va, vb, vc) = (padded(UnsafeBufferPointer(a)), padded(b.map(UnsafeBufferPointer.init)),
                    padded(c.map(UnsafeBufferPointer.init)))
    body(padded(gradient), &va, &vb, &vc)
    unpad(va, a)
    unpad(vb, b)
    unpad(vc, c)
}

@inline(__always)
private func load<S: FloatingPointScalar>(_ buffer: UnsafeBufferPointer<S>, _ start: Int) -> SIMD8<S> {
    UnsafeRawPointer(buffer.baseAddress! + start).loadUnaligned(as: SIMD8<S>.self)
}

@inline(__always)
private func load<S: FloatingPointScalar>(_ buffer: UnsafeMutableBufferPointer<S>, _ start: Int) -> SIMD8<S> {
    UnsafeRawPointer(buffer.baseAddress! + start).loadUnaligned(as: SIMD8<S>.self)
}

@inline(__always)
private func store<S: FloatingPointScalar>(_ vector: SIMD8<S>, _ buffer: UnsafeMutableBufferPointer<S>, _ start: Int) {
    UnsafeMutableRawPointer(buffer.baseAddress! + start).storeBytes(of: vector, as: SIMD8<S>.self)
}

/// ``lerp(_:_:weight:)`` on eight elements at once.
@inline(__always)
func lerp<S: FloatingPointScalar>(_ a: SIMD8<S>, _ b: SIMD8<S>, weight: S) -> SIMD8<S> {
    abs(weight) < 0.5 ? a + weight * (b - a) : b - (b - a) * (1 - weight)
}

/// Linear interpolation a + w(b − a), computed the way PyTorch's `lerp_` does so that moving
/// averages round the same: from `a` for small weights, from `b` for large ones.
@inline(__always)
func lerp<S: FloatingPointScalar>(_ a: S, _ b: S, weight: S) -> S {
    abs(weight) < 0.5 ? a + weight * (b - a) : b - (b - a) * (1 - weight)
}

/// xⁿ for a step count n, in `Double` like Python's `beta ** step`.
@inline(__always)
func power(_ x: Double, _ n: Int) -> Double {
    Foundation.pow(x, Double(n))
}
