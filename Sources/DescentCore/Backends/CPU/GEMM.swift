import CDescentKernels
import Dispatch

/// General matrix multiply, C ← op(A)·op(B) + β·C, on row-major matrices with leading
/// dimensions (the distance between rows) `lda`, `ldb`, `ldc`. op(X) is X or Xᵀ.
///
/// This is the hot path of training: every Dense layer's forward and backward pass is one call.
/// The work happens in the C target (`descent_sgemm_fused`/`descent_dgemm_fused`: packed,
/// cache-blocked, with an AVX-512, AVX2 + FMA or NEON micro-kernel chosen at run time, which also
/// applies a dense layer's bias and ReLU); this file decides how to split it across threads.
enum GEMM {
    /// Multiply-adds one thread must have before another thread is worth waking (about 20 µs
    /// of work): smaller products stay on the calling thread. Measured on 2 Zen 2 cores: a
    /// 128×128×128 product (2 M) gains nothing from a second thread, 32×784×128 (3.2 M) gains
    /// 1.25×, 128×784×512 1.8×.
    static let multiplyAddsPerThread = 1 << 17

    /// Which micro-kernel the C code runs.
    enum Kernel: Sendable {
        /// The fastest one this CPU supports (AVX2 + FMA where present), chosen at run time.
        case fastest
        /// The portable C one that CPUs without AVX2 + FMA run (for tests on CPUs that have it).
        case portable
    }

    /// With a `bias` (n values) and an `activation`, C ← activation(op(A)·op(B) + β·C + bias),
    /// the bias added to every row: the micro-kernels apply both to each tile of C before they
    /// store it, so a dense layer's activation(x·Wᵀ + b) costs no extra pass. The result has the
    /// same bits as C set to the bias, the product accumulated onto it, then the activation.
    static func multiply<T: FloatingPointScalar>(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
        c: UnsafeMutablePointer<T>, ldc: Int, beta: T, bias: UnsafePointer<T>? = nil,
        activation: LinearActivation = .identity
    ) {
        multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                 a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc, beta: beta, bias: bias, activation: activation,
                 threads: ThreadCount.current)
    }

    /// ``multiply(transposeA:transposeB:m:n:k:a:lda:b:ldb:c:ldc:beta:bias:activation:)`` on at
    /// most `threads` threads, with the given micro-kernel.
    ///
    /// A large product is cut into one independent product per thread along its longer side
    /// (column blocks of B and C, or row blocks of A and C); each part packs its own panels, so
    /// the threads share nothing but read-only inputs. Cuts fall on the micro-tile boundaries
    /// nearest to even shares (``cut(before:of:length:unit:)``), so that no part wastes a ragged
    /// edge in the middle of C.
    static func multiply<T: FloatingPointScalar>(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
        c: UnsafeMutablePointer<T>, ldc: Int, beta: T, bias: UnsafePointer<T>? = nil,
        activation: LinearActivation = .identity, threads: Int, kernel: Kernel = .fastest
    ) {
        guard m > 0, n > 0 else { return }
        // In Double, so that huge shapes cannot overflow the count.
        let work = Double(m) * Double(n) * Double(max(k, 1)) / Double(multiplyAddsPerThread)
        let splitColumns = n >= m
        let (length, unit) = splitColumns ? (n, tileColumns(T.self)) : (m, tileRows(T.self))
        let units = (length + unit - 1) / unit
        let parts = min(max(1, threads), units, max(1, Int(min(work, Double(threads)))))
        guard parts > 1 else {
            onCallingThread(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                            a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc, beta: beta, bias: bias,
                            activation: activation, kernel: kernel)
            return
        }
        // The parts write disjoint blocks of C and only read A and B, so sharing the pointers
        // across threads is free of races.
        let pointers = UncheckedSendable((a, b, c, bias))
        WorkerPool.shared.run(parts) { part in
            let (a, b, c, bias) = pointers.value
            let start = cut(before: part, of: parts, length: length, unit: unit)
            let count = cut(before: part + 1, of: parts, length: length, unit: unit) - start
            guard count > 0 else { return }
            if splitColumns {
                onCallingThread(transposeA: transposeA, transposeB: transposeB, m: m, n: count, k: k,
                                a: a, lda: lda, b: transposeB ? b + start * ldb : b + start, ldb: ldb,
                                c: c + start, ldc: ldc, beta: beta, bias: bias.map { $0 + start },
                                activation: activation, kernel: kernel)
            } else {
                onCallingThread(transposeA: transposeA, transposeB: transposeB, m: count, n: n, k: k,
                                a: transposeA ? a + start : a + start * lda, lda: lda, b: b, ldb: ldb,
                                c: c + start * ldc, ldc: ldc, beta: beta, bias: bias,
                                activation: activation, kernel: kernel)
            }
        }
    }

    /// Where part `part` of `parts` starts along a side of `length`: at the tile boundary (a
    /// multiple of `unit`) nearest to an even share, `part`·`length`/`parts`, so that no part is
    /// more than a tile away from an even share. W1's and W2's first weight gradients are 784
    /// columns wide, 24½ of the AVX-512 kernel's 32-column tiles: they are cut at 384, 12 tiles
    /// and 12½. Handing out whole shares of ⌈24½ / 2⌉ tiles cut them at 416, 13 tiles and 11½,
    /// and the thread with 11½ waited for the other for a tile and a half's work.
    static func cut(before part: Int, of parts: Int, length: Int, unit: Int) -> Int {
        guard part < parts else { return length }
        let nearest = (part * length + parts * unit / 2) / (parts * unit) * unit
        return min(nearest, length)
    }

    /// The C kernel for `T`, on the calling thread.
    private static func onCallingThread<T: FloatingPointScalar>(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
        c: UnsafeMutablePointer<T>, ldc: Int, beta: T, bias: UnsafePointer<T>?,
        activation: LinearActivation, kernel: Kernel
    ) {
        let variant = Int32(kernel == .fastest ? DESCENT_KERNELS_BEST : DESCENT_KERNELS_PORTABLE)
        let cActivation = Int32(activation == .relu ? DESCENT_ACTIVATION_RELU : DESCENT_ACTIVATION_IDENTITY)
        // T is Float or Double here, so the memory is already bound to the C type.
        if T.self == Float.self {
            descent_sgemm_fused(variant, transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k,
                                UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), lda,
                                UnsafeRawPointer(b).assumingMemoryBound(to: Float.self), ldb,
                                UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), ldc, Float(beta),
                                bias.map { UnsafeRawPointer($0).assumingMemoryBound(to: Float.self) }, cActivation)
        } else if T.self == Double.self {
            descent_dgemm_fused(variant, transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k,
                                UnsafeRawPointer(a).assumingMemoryBound(to: Double.self), lda,
                                UnsafeRawPointer(b).assumingMemoryBound(to: Double.self), ldb,
                                UnsafeMutableRawPointer(c).assumingMemoryBound(to: Double.self), ldc, Double(beta),
                                bias.map { UnsafeRawPointer($0).assumingMemoryBound(to: Double.self) }, cActivation)
        } else {
            var beta = beta
            if let bias {
                for row in 0..<m { (c + row * ldc).update(from: bias, count: n) }
                beta = 1
            }
            reference(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                      a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc, beta: beta)
            if activation == .relu {
                for row in 0..<m {
                    for j in 0..<n where !(c[row * ldc + j] > 0) { c[row * ldc + j] = 0 }
                }
            }
        }
    }

    /// The micro-tile's width and height in the C kernels (DESCENT_SGEMM_NR/MR, or the AVX-512
    /// tile's, and the dgemm pair): thread cuts fall on multiples of these.
    private static let usesWideTile = String(cString: descent_kernel_variant()) == "avx512"
    private static func tileColumns<T>(_: T.Type) -> Int { T.self == Double.self ? 8 : usesWideTile ? 32 : 16 }
    private static func tileRows<T>(_: T.Type) -> Int { T.self == Double.self || !usesWideTile ? 6 : 12 }

    /// The textbook definition, Cᵢⱼ = Σₚ op(A)ᵢₚ·op(B)ₚⱼ: the yardstick the fast kernels are
    /// tested against.
    static func reference<T: FloatingPointScalar>(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
        c: UnsafeMutablePointer<T>, ldc: Int, beta: T
    ) {
        for i in 0..<m {
            let row = c + i * ldc
            for j in 0..<n { row[j] = beta == 0 ? 0 : beta * row[j] }
            for p in 0..<k {
                let aip = transposeA ? a[p * lda + i] : a[i * lda + p]
                if transposeB {
                    for j in 0..<n { row[j] += aip * b[j * ldb + p] }
                } else {
                    let bRow = b + p * ldb
                    for j in 0..<n { row[j] += aip * bRow[j] }
                }
            }
        }
    }
}
