import CDescentKernels
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
    Parallel.forEachChunk(count: gradient.count, minimumChunk: elementsPerChunk) { range in
        let slices = buffers.map { buffer in
            buffer.isEmpty ? buffer : UnsafeMutableBufferPointer(rebasing: buffer[range])
        }
        body(UnsafeBufferPointer(rebasing: gradient[range]), slices)
    }
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

// MARK: The C kernels

// The plain settings of SGD, RMSProp and Adam run as C kernels (`optimizer_steps.c`): the same
// formulas, compiled with AVX2 where the CPU has it. RMSProp and Adam are bound by a square root
// and a division per element, which 8-wide AVX instructions do twice as fast as the 4-wide SSE
// ones Swift code gets. (Swift's scalar `squareRoot()` would also keep C's errno check, which
// stops the loop from vectorizing at all.)

/// SGD's plain rule, θ ← θ − η·g, on every element.
func sgdStep<S: FloatingPointScalar>(_ g: UnsafeBufferPointer<S>, _ θ: UnsafeMutableBufferPointer<S>, η: Double) {
    guard !θ.isEmpty else { return }
    if S.self == Float.self {
        descent_sgd_step_f32(pointer(g), pointer(θ), θ.count, Float(η))
    } else {
        descent_sgd_step_f64(pointer(g), pointer(θ), θ.count, η)
    }
}

/// RMSProp's plain rule, v ← α·v + (1 − α)·g² and θ ← θ − η·g / (√v + ε), on every element.
func rmsPropStep<S: FloatingPointScalar>(_ g: UnsafeBufferPointer<S>, _ θ: UnsafeMutableBufferPointer<S>,
                                         _ v: UnsafeMutableBufferPointer<S>, α: Double, η: Double, ε: Double) {
    guard !θ.isEmpty else { return }
    if S.self == Float.self {
        descent_rmsprop_step_f32(pointer(g), pointer(θ), pointer(v), θ.count, Float(α), Float(1 - α), Float(η), Float(ε))
    } else {
        descent_rmsprop_step_f64(pointer(g), pointer(θ), pointer(v), θ.count, α, 1 - α, η, ε)
    }
}

/// Adam's rule without AMSGrad (see ``Adam``), on every element.
func adamStep<S: FloatingPointScalar>(_ g: UnsafeBufferPointer<S>, _ θ: UnsafeMutableBufferPointer<S>,
                                      _ m: UnsafeMutableBufferPointer<S>, _ v: UnsafeMutableBufferPointer<S>,
                                      settings: descent_adam_settings) {
    guard !θ.isEmpty else { return }
    withUnsafePointer(to: settings) { settings in
        if S.self == Float.self {
            descent_adam_step_f32(pointer(g), pointer(θ), pointer(m), pointer(v), θ.count, settings)
        } else {
            descent_adam_step_f64(pointer(g), pointer(θ), pointer(m), pointer(v), θ.count, settings)
        }
    }
}

/// A buffer of `S` as the C kernel's element type (the caller has checked that they are the same).
@inline(__always)
private func pointer<S, C>(_ buffer: UnsafeBufferPointer<S>) -> UnsafePointer<C> {
    UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: C.self)
}

@inline(__always)
private func pointer<S, C>(_ buffer: UnsafeMutableBufferPointer<S>) -> UnsafeMutablePointer<C> {
    UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: C.self)
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
