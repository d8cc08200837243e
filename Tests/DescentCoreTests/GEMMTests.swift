@testable import DescentCore
import Foundation
import Descent
import _DescentTestSupport
import Testing

/// The fast matrix multiply (packed C kernels, threads) against `GEMM.reference`.
@Suite struct GEMMTests {
    /// One product to check: op(A) is m×k, op(B) is k×n; `padding` is added to every leading
    /// dimension so that the matrices are strided views of wider ones.
    struct Case: CustomStringConvertible {
        var m: Int, n: Int, k: Int
        var transposeA = false, transposeB = false
        var padding = 0
        var beta = 0.0
        var threads = 1
        var kernel = GEMM.Kernel.fastest
        var description: String {
            "\(m)×\(k)\(transposeA ? "ᵀ" : "")·\(k)×\(n)\(transposeB ? "ᵀ" : "") pad \(padding) β \(beta) threads \(threads) \(kernel)"
        }
    }

    /// Runs `testCase` through `GEMM.multiply` and `GEMM.reference` and expects them to agree
    /// within `relative` of Σₚ|op(A)ᵢₚ·op(B)ₚⱼ| + |β·Cᵢⱼ|, the scale of the rounding errors of
    /// any summation order.
    static func check<T: FloatingPointScalar>(_ testCase: Case, _: T.Type, relative: Double,
                                              sourceLocation: SourceLocation = #_sourceLocation) {
        let (m, n, k) = (testCase.m, testCase.n, testCase.k)
        let (rowsA, columnsA) = testCase.transposeA ? (k, m) : (m, k)
        let (rowsB, columnsB) = testCase.transposeB ? (n, k) : (k, n)
        let lda = columnsA + testCase.padding, ldb = columnsB + testCase.padding, ldc = n + testCase.padding
        var random = RandomGenerator(seed: UInt64(m * 1_000_003 + n * 1009 + k))
        func randomMatrix(_ count: Int) -> [T] { (0..<count).map { _ in T(random.nextUnitDouble() * 2 - 1) } }
        let a = randomMatrix(max(1, rowsA * lda)), b = randomMatrix(max(1, rowsB * ldb))
        let beta = T(testCase.beta)
        // With β = 0, C must only be written: NaN in it must not leak into the result.
        let countC = max(1, m * ldc)
        let initialC = testCase.beta == 0 ? [T](repeating: .nan, count: countC) : randomMatrix(countC)

        var fast = initialC, expected = initialC, bound = initialC.map { Swift.abs($0) }
        let absA = a.map { Swift.abs($0) }, absB = b.map { Swift.abs($0) }
        fast.withUnsafeMutableBufferPointer { c in
            GEMM.multiply(transposeA: testCase.transposeA, transposeB: testCase.transposeB, m: m, n: n, k: k,
                          a: a, lda: lda, b: b, ldb: ldb, c: c.baseAddress!, ldc: ldc, beta: beta,
                          threads: testCase.threads, kernel: testCase.kernel)
        }
        expected.withUnsafeMutableBufferPointer { c in
            GEMM.reference(transposeA: testCase.transposeA, transposeB: testCase.transposeB, m: m, n: n, k: k,
                           a: a, lda: lda, b: b, ldb: ldb, c: c.baseAddress!, ldc: ldc, beta: beta)
        }
        bound.withUnsafeMutableBufferPointer { c in
            GEMM.reference(transposeA: testCase.transposeA, transposeB: testCase.transposeB, m: m, n: n, k: k,
                           a: absA, lda: lda, b: absB, ldb: ldb, c: c.baseAddress!, ldc: ldc,
                           beta: Swift.abs(beta))
        }
        var mismatches = 0, first = ""
        for i in 0..<m {
            for j in 0..<n {
                let index = i * ldc + j
                let error = Swift.abs(Double(fast[index]) - Double(expected[index]))
                if !(error <= relative * Double(bound[index])) {
                    mismatches += 1
                    if first.isEmpty { first = "C[\(i), \(j)] = \(fast[index]), expected \(expected[index])" }
                }
            }
            // The padding between rows of C is not part of C: it must be left alone.
            for j in n..<ldc where i * ldc + j < fast.count {
                let index = i * ldc + j
                if !(fast[index] == initialC[index] || (fast[index].isNaN && initialC[index].isNaN)) {
                    mismatches += 1
                    if first.isEmpty { first = "padding C[\(i), \(j)] changed" }
                }
            }
        }
        #expect(mismatches == 0, "\(T.self) \(testCase): \(mismatches) wrong; first \(first)",
                sourceLocation: sourceLocation)
    }

    static let transposes = [(false, false), (false, true), (true, false), (true, true)]

    /// With a bias, every row of C starts as the bias and the product accumulates onto it, on
    /// one thread or split by rows or by columns; whatever C held before is overwritten.
    @Test(arguments: [(1, 37, 5), (7, 13, 17), (1, 600, 40), (64, 300, 40), (300, 20, 64)])
    func biasIsAddedToEveryRow(m: Int, n: Int, k: Int) {
        var random = RandomGenerator(seed: UInt64(m * 31 + n * 7 + k))
        func randomMatrix(_ count: Int) -> [Float] { (0..<count).map { _ in Float(random.nextUnitDouble() * 2 - 1) } }
        let a = randomMatrix(m * k), b = randomMatrix(n * k), bias = randomMatrix(n)
        var expected = (0..<m).flatMap { _ in bias }
        expected.withUnsafeMutableBufferPointer { c in
            GEMM.reference(transposeA: false, transposeB: true, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: k,
                           c: c.baseAddress!, ldc: n, beta: 1)
        }
        for threads in [1, 2, 3] {
            var fast = [Float](repeating: .nan, count: m * n)
            fast.withUnsafeMutableBufferPointer { c in
                GEMM.multiply(transposeA: false, transposeB: true, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: k,
                              c: c.baseAddress!, ldc: n, beta: 0, bias: bias, threads: threads)
            }
            let worst = zip(fast, expected).map { Swift.abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-5 * Float(k), "\(m)×\(n)×\(k), \(threads) threads: error \(worst)")
        }
    }

    /// Where the AVX-512 kernels read an untransposed B in place (on Zen 4, or wherever
    /// DESCENT_GEMM_B_IN_PLACE=1; at most two blocks of MC rows of A, full-width panels, the
    /// ragged last panel packed), the sums are those of a packed B, in the same order: the same
    /// bits as the product with B stored transposed, which is always packed. With and without a
    /// bias and ReLU, on one thread and split among three.
    @Test(arguments: [(12, 64, 40), (37, 96, 300), (128, 512, 100), (192, 70, 33), (200, 64, 20), (5, 40, 1000)])
    func bReadInPlaceGivesTheBitsOfBPacked(m: Int, n: Int, k: Int) {
        var random = RandomGenerator(seed: UInt64(m * 131 + n * 7 + k))
        func randomMatrix(_ count: Int) -> [Float] { (0..<count).map { _ in Float(random.nextUnitDouble() * 2 - 1) } }
        let a = randomMatrix(m * k), b = randomMatrix(k * n), bias = randomMatrix(n)
        let bTransposed = (0..<n).flatMap { j in (0..<k).map { p in b[p * n + j] } }
        for (withBias, activation) in [(false, LinearActivation.identity), (true, .relu)] {
            for threads in [1, 3] {
                var inPlace = [Float](repeating: .nan, count: m * n), packed = inPlace
                inPlace.withUnsafeMutableBufferPointer { c in
                    GEMM.multiply(transposeA: false, transposeB: false, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n,
                                  c: c.baseAddress!, ldc: n, beta: 0, bias: withBias ? bias : nil,
                                  activation: activation, threads: threads)
                }
                packed.withUnsafeMutableBufferPointer { c in
                    GEMM.multiply(transposeA: false, transposeB: true, m: m, n: n, k: k, a: a, lda: k, b: bTransposed,
                                  ldb: k, c: c.baseAddress!, ldc: n, beta: 0, bias: withBias ? bias : nil,
                                  activation: activation, threads: threads)
                }
                let differing = zip(inPlace, packed).filter { $0.bitPattern != $1.bitPattern }.count
                #expect(differing == 0, "\(m)×\(n)×\(k), bias \(withBias), \(activation), \(threads) threads: \(differing) differ")
            }
        }
    }

    /// The kernels run on a thread with a small stack (512 KB, what macOS gives a secondary
    /// thread), in a debug build too: there every inlined copy of a micro-tile used to keep its
    /// own stack slots, and the AVX-512 epilogue kernel's frame was 4.2 MB. Full-width and
    /// narrow panels, with a bias and ReLU, against the reference.
    @Test func kernelsRunOnASmallStack() async {
        let results = await withCheckedContinuation { (continuation: CheckedContinuation<[Float], Never>) in
            let thread = Thread {
                var worst: [Float] = []
                for (m, n, k) in [(30, 70, 20), (25, 10, 33)] {
                    var random = RandomGenerator(seed: UInt64(m * 31 + n))
                    func randomMatrix(_ count: Int) -> [Float] { (0..<count).map { _ in Float(random.nextUnitDouble() * 2 - 1) } }
                    let a = randomMatrix(m * k), b = randomMatrix(n * k), bias = randomMatrix(n)
                    var expected = (0..<m).flatMap { _ in bias }
                    expected.withUnsafeMutableBufferPointer { c in
                        GEMM.reference(transposeA: false, transposeB: true, m: m, n: n, k: k, a: a, lda: k, b: b,
                                       ldb: k, c: c.baseAddress!, ldc: n, beta: 1)
                    }
                    var fast = [Float](repeating: .nan, count: m * n)
                    fast.withUnsafeMutableBufferPointer { c in
                        GEMM.multiply(transposeA: false, transposeB: true, m: m, n: n, k: k, a: a, lda: k, b: b,
                                      ldb: k, c: c.baseAddress!, ldc: n, beta: 0, bias: bias, activation: .relu,
                                      threads: 1)
                    }
                    worst.append(zip(fast, expected).map { Swift.abs($0 - Swift.max($1, 0)) }.max() ?? .nan)
                }
                continuation.resume(returning: worst)
            }
            thread.stackSize = 512 * 1024
            thread.start()
        }
        #expect(results.count == 2 && results.allSatisfy { $0 <= 1e-5 * 33 }, "errors \(results)")
    }

    /// Odd shapes: single elements, vectors, primes, exact and ragged micro-tiles (6×16 floats,
    /// 6×8 doubles), single rows and columns (the vector–matrix path), and an inner dimension
    /// split into several cache blocks; with the fastest micro-kernel and with the portable one.
    static let shapes: [(m: Int, n: Int, k: Int)] = [
        (1, 1, 1), (7, 13, 17), (1, 37, 5), (37, 1, 5), (5, 9, 1), (6, 16, 8), (12, 32, 3), (8, 20, 9),
        (1, 600, 40), (600, 1, 40), (13, 33, 300), (3, 5, 600), (0, 4, 3), (4, 3, 0),
    ]

    @Test(arguments: 0..<4)
    func oddShapesMatchTheReference(transposeIndex: Int) {
        let (transposeA, transposeB) = Self.transposes[transposeIndex]
        for shape in Self.shapes {
            for (padding, beta, kernel) in [(0, 0.0, GEMM.Kernel.fastest), (3, 0.0, .fastest), (0, 1.0, .fastest),
                                            (5, 0.5, .fastest), (2, 0.0, .portable), (0, 0.5, .portable)] {
                let testCase = Case(m: shape.m, n: shape.n, k: shape.k, transposeA: transposeA,
                                    transposeB: transposeB, padding: padding, beta: beta, kernel: kernel)
                Self.check(testCase, Float.self, relative: 1e-5)
                Self.check(testCase, Double.self, relative: 1e-13)
            }
        }
    }

    /// Products large enough to be split across threads, along columns (n ≥ m) and rows, into
    /// 2 and 3 parts that do not fall on whole micro-tiles; and the same on one thread.
    @Test(arguments: [(129, 65, 300), (150, 97, 250), (70, 257, 200), (40, 300, 180)])
    func threadedProductsMatchTheReference(shape: (Int, Int, Int)) {
        var cases = Self.transposes.map { transposeA, transposeB in
            Case(m: shape.0, n: shape.1, k: shape.2, transposeA: transposeA, transposeB: transposeB, padding: 2,
                 threads: 2)
        }
        cases.append(Case(m: shape.0, n: shape.1, k: shape.2, beta: 1, threads: 3))
        cases.append(Case(m: shape.0, n: shape.1, k: shape.2, transposeA: true, beta: 0.5, threads: 1))
        for testCase in cases {
            Self.check(testCase, Float.self, relative: 1e-5)
            Self.check(testCase, Double.self, relative: 1e-13)
        }
    }

    /// Where a product is cut between threads: at the tile boundary nearest to an even share.
    /// W1's and W2's 784-column weight gradients in the AVX-512 kernel's 32-column tiles are cut
    /// 384 + 400, not 416 + 368; and for every length, tile and number of parts, each cut is a
    /// whole number of tiles within half a tile of p·length/parts, in order, from 0 to the length.
    @Test func threadCutsAreTheTileBoundariesNearestToEvenShares() {
        func cuts(_ length: Int, _ unit: Int, _ parts: Int) -> [Int] {
            (0...parts).map { GEMM.cut(before: $0, of: parts, length: length, unit: unit) }
        }
        #expect(cuts(784, 32, 2) == [0, 384, 784])
        #expect(cuts(784, 16, 2) == [0, 400, 784])
        #expect(cuts(512, 32, 2) == [0, 256, 512])
        #expect(cuts(1000, 12, 2) == [0, 504, 1000])
        #expect(cuts(128, 12, 3) == [0, 48, 84, 128])
        var wrong: [String] = []
        for length in 1...400 {
            for unit in [6, 8, 12, 16, 32] {
                for parts in 1...min(4, (length + unit - 1) / unit) {
                    let points = cuts(length, unit, parts)
                    let inner = points.dropFirst().dropLast().enumerated().allSatisfy { index, point in
                        let even = Double((index + 1) * length) / Double(parts)
                        return point % unit == 0 && Swift.abs(Double(point) - even) <= Double(unit) / 2
                    }
                    if points.first != 0 || points.last != length || points != points.sorted() || !inner {
                        wrong.append("\(length) by \(unit) in \(parts): \(points)")
                    }
                }
            }
        }
        #expect(wrong.isEmpty, "\(wrong.count) wrong, first \(wrong.first ?? "")")
    }

    /// A product cut between threads has the bits of the same product on one thread: each part
    /// runs the same micro-kernels over the same blocks of the inner dimension. W2's weight
    /// gradient (784 columns, cut by columns) and a dense layer on 1000 examples, like W4's
    /// batch-1000 first layer (cut by rows), both with a bias and ReLU.
    @Test func threadsDoNotChangeABit() {
        var random = RandomGenerator(seed: 17)
        for (m, n, k, transposeA, transposeB) in [(128, 784, 32, true, false), (1000, 512, 60, false, true)] {
            func randomMatrix(_ count: Int) -> [Float] { (0..<count).map { _ in Float(random.nextUnitDouble() * 2 - 1) } }
            let a = randomMatrix(m * k), b = randomMatrix(n * k), bias = randomMatrix(n)
            var results: [[Float]] = []
            for threads in [1, 2, 3] {
                var c = [Float](repeating: .nan, count: m * n)
                c.withUnsafeMutableBufferPointer { c in
                    GEMM.multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                  a: a, lda: transposeA ? m : k, b: b, ldb: transposeB ? k : n,
                                  c: c.baseAddress!, ldc: n, beta: 0, bias: bias, activation: .relu, threads: threads)
                }
                results.append(c)
            }
            #expect(results[1].map(\.bitPattern) == results[0].map(\.bitPattern), "\(m)×\(n)×\(k), 2 threads")
            #expect(results[2].map(\.bitPattern) == results[0].map(\.bitPattern), "\(m)×\(n)×\(k), 3 threads")
        }
    }

    /// Wider than one column block of the packed B (4080 floats, 2040 doubles), and taller than
    /// one row block of the packed A.
    @Test func blockEdgesMatchTheReference() {
        for (transposeA, transposeB) in Self.transposes {
            Self.check(Case(m: 2, n: 4100, k: 3, transposeA: transposeA, transposeB: transposeB, padding: 1),
                       Float.self, relative: 1e-5)
            Self.check(Case(m: 2, n: 2100, k: 3, transposeA: transposeA, transposeB: transposeB, padding: 1),
                       Double.self, relative: 1e-13)
            Self.check(Case(m: 300, n: 3, k: 5, transposeA: transposeA, transposeB: transposeB, beta: 1),
                       Float.self, relative: 1e-5)
            Self.check(Case(m: 300, n: 3, k: 5, transposeA: transposeA, transposeB: transposeB, beta: 1),
                       Double.self, relative: 1e-13)
        }
    }

    /// The public `matmul`, batched on both sides or on one, with transposes, against sums
    /// written out by hand.
    @Test(arguments: [DType.float32, .float64])
    func batchedMatmulMatchesWrittenOutSums(dtype: DType) {
        var random = RandomGenerator(seed: 42)
        for (transposeA, transposeB) in Self.transposes {
            for batchB in [true, false] {
                let (batch, m, n, k) = (3, 7, 18, 11)
                let a = Tensor.randomUniform(transposeA ? [batch, k, m] : [batch, m, k], lowerBound: -1,
                                             upperBound: 1, dtype: dtype, using: &random)
                let shapeB = transposeB ? [n, k] : [k, n]
                let b = Tensor.randomUniform(batchB ? [batch] + shapeB : shapeB, lowerBound: -1, upperBound: 1,
                                             dtype: dtype, using: &random)
                let y = matmul(a, b, transposeA: transposeA, transposeB: transposeB)
                #expect(y.shape == [batch, m, n])
                let av = a.doubles(), bv = b.doubles()
                var expected = [Double](repeating: 0, count: batch * m * n)
                for s in 0..<batch {
                    let offsetB = batchB ? s * k * n : 0
                    for i in 0..<m {
                        for j in 0..<n {
                            var sum = 0.0
                            for p in 0..<k {
                                let x = transposeA ? av[s * k * m + p * m + i] : av[s * m * k + i * k + p]
                                let w = transposeB ? bv[offsetB + j * k + p] : bv[offsetB + p * n + j]
                                sum += x * w
                            }
                            expected[(s * m + i) * n + j] = sum
                        }
                    }
                }
                expectClose(y.doubles(), expected, relative: dtype == .float32 ? 1e-5 : 1e-12,
                            absolute: dtype == .float32 ? 1e-5 : 1e-12)
            }
        }
    }
}
