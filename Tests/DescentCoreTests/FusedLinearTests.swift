@testable import DescentCore
import Descent
import _DescentTestSupport
import Testing

/// The bias and the activation applied by the matrix multiply's micro-kernels (the epilogue)
/// against the unfused path: C set to the bias, the product accumulated onto it, then ReLU.
@Suite struct FusedLinearTests {
    /// Shapes (m rows, n columns, k inner) that reach every path of the C driver: the
    /// vector–matrix product (one row, one column), exact and ragged micro-tiles of 6×16,
    /// 12×32 and 6×8 (doubles), an inner dimension of several cache blocks (the bias goes with
    /// the first, the activation with the last), and shapes large enough to split across
    /// threads by rows and by columns.
    static let shapes: [(m: Int, n: Int, k: Int)] = [
        (1, 37, 5), (37, 1, 5), (1, 1, 1), (6, 16, 8), (12, 32, 3), (7, 13, 17), (13, 33, 300),
        (25, 70, 1000), (64, 300, 40), (300, 20, 64),
    ]

    /// The bits of a multiply with `bias` and `activation` fused, and of the unfused path.
    static func fusedAndUnfused<T: FloatingPointScalar>(
        _ shape: (m: Int, n: Int, k: Int), _: T.Type, activation: LinearActivation, threads: Int,
        kernel: GEMM.Kernel
    ) -> (fused: [T], unfused: [T]) {
        let (m, n, k) = shape
        var random = RandomGenerator(seed: UInt64(m * 7919 + n * 31 + k))
        func randomMatrix(_ count: Int) -> [T] { (0..<count).map { _ in T(random.nextUnitDouble() * 2 - 1) } }
        var a = randomMatrix(m * k)
        let b = randomMatrix(n * k), bias = randomMatrix(n)
        // A NaN in row 0 of A (when there are other rows): that row's sums are NaN, which ReLU
        // turns into +0 on both paths.
        if m > 1 { a[0] = .nan }
        var fused = [T](repeating: .nan, count: m * n)
        fused.withUnsafeMutableBufferPointer { c in
            GEMM.multiply(transposeA: false, transposeB: true, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: k,
                          c: c.baseAddress!, ldc: n, beta: 0, bias: bias, activation: activation,
                          threads: threads, kernel: kernel)
        }
        var unfused = (0..<m).flatMap { _ in bias }
        unfused.withUnsafeMutableBufferPointer { c in
            GEMM.multiply(transposeA: false, transposeB: true, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: k,
                          c: c.baseAddress!, ldc: n, beta: 1, threads: threads, kernel: kernel)
        }
        if activation == .relu { unfused = unfused.map { $0 > 0 ? $0 : 0 } }
        return (fused, unfused)
    }

    @Test(arguments: shapes.indices)
    func epilogueHasTheUnfusedBits(shapeIndex: Int) {
        let shape = Self.shapes[shapeIndex]
        for activation in LinearActivation.allCases {
            for threads in [1, 2, 3] {
                for kernel in [GEMM.Kernel.fastest, .portable] {
                    let floats = Self.fusedAndUnfused(shape, Float.self, activation: activation, threads: threads,
                                                      kernel: kernel)
                    #expect(floats.fused.map(\.bitPattern) == floats.unfused.map(\.bitPattern),
                            "Float \(shape) \(activation), \(threads) threads, \(kernel)")
                    let doubles = Self.fusedAndUnfused(shape, Double.self, activation: activation, threads: threads,
                                                       kernel: kernel)
                    #expect(doubles.fused.map(\.bitPattern) == doubles.unfused.map(\.bitPattern),
                            "Double \(shape) \(activation), \(threads) threads, \(kernel)")
                }
            }
        }
    }

    /// Values written out by hand: z = x·Wᵀ + b = [[−0.5, 3], [4, −3]], so ReLU gives
    /// [[0, 3], [4, 0]], on the CPU and on the reference backend, in both precisions.
    @Test(arguments: [DType.float32, .float64])
    func eachActivationGivesItsValues(dtype: DType) {
        for device in [Device.cpu, .reference] {
            let x = Tensor(doubles: [1, -2, 0.5, 3], shape: [2, 2], dtype: dtype, on: device)
            let weight = Tensor(doubles: [1, 1, 2, -1], shape: [2, 2], dtype: dtype, on: device)
            let bias = Tensor(doubles: [0.5, -1], shape: [2], dtype: dtype, on: device)
            #expect(linear(x, weight: weight, bias: bias, activation: .identity).doubles() == [-0.5, 3, 4, -3])
            #expect(linear(x, weight: weight, bias: bias, activation: .relu).doubles() == [0, 3, 4, 0])
            #expect(linear(x, weight: weight, activation: .relu).doubles() == [0, 4, 3.5, 0])
        }
    }

    /// ReLU in the epilogue is the `relu` primitive exactly: NaN and −0 become +0.
    @Test func reluTreatsNaNAndNegativeZeroAsTheReluPrimitive() {
        let x = Tensor(doubles: [Double.nan, 0, 2], shape: [3, 1], dtype: .float32)
        let weight = Tensor(doubles: [1, -1], shape: [2, 1], dtype: .float32)
        let bias = Tensor(doubles: [-0.0, -0.0], shape: [2], dtype: .float32)
        let fused = linear(x, weight: weight, bias: bias, activation: .relu).scalars(as: Float.self)
        let composed = relu(linear(x, weight: weight, bias: bias)).scalars(as: Float.self)
        #expect(fused.map(\.bitPattern) == composed.map(\.bitPattern))
        #expect(fused == [0, 0, 0, 0, 2, 0] && fused.allSatisfy { $0.sign == .plus })
    }

    /// Through the public operation, fused ReLU has the bits of `relu(linear(…))`, forward and
    /// backward: the rule's mask from the output (y > 0) is the mask from the input (z > 0).
    @Test(arguments: [DType.float32, .float64])
    func fusedReLUHasTheComposedValuesAndGradients(dtype: DType) {
        for (rows, inputs, outputs) in [(1, 37, 19), (7, 13, 17), (130, 33, 19), (128, 784, 512)] {
            let x = Tensor.randomNormal([rows, inputs], dtype: dtype, seed: 90)
            let weight = Tensor.randomNormal([outputs, inputs], dtype: dtype, seed: 91)
            let bias = Tensor.randomNormal([outputs], dtype: dtype, seed: 92)
            let upstream = Tensor.randomNormal([rows, outputs], dtype: dtype, seed: 93)
            let fused = valueWithGradient(at: [x, weight, bias]) { xs in
                (linear(xs[0], weight: xs[1], bias: xs[2], activation: .relu) * upstream).sum()
            }
            let composed = valueWithGradient(at: [x, weight, bias]) { xs in
                (relu(linear(xs[0], weight: xs[1], bias: xs[2])) * upstream).sum()
            }
            #expect(linear(x, weight: weight, bias: bias, activation: .relu).doubles()
                    == relu(linear(x, weight: weight, bias: bias)).doubles(), "\(dtype) [\(rows), \(inputs)] values")
            for index in 0..<3 {
                #expect(fused.gradients[index].doubles() == composed.gradients[index].doubles(),
                        "\(dtype) [\(rows), \(inputs)] gradient \(index)")
            }
        }
    }

    /// The fused rule against finite differences (inputs away from the kink at 0).
    @Test func fusedReLUGradientsMatchFiniteDifferences() {
        let (x, weight, bias) = (sample([3, 4], seed: 94), sample([5, 4], seed: 95), sample([5], seed: 96))
        expectGradients(at: [x, weight, bias]) { xs in linear(xs[0], weight: xs[1], bias: xs[2], activation: .relu) }
        expectGradients(at: [x, weight]) { xs in linear(xs[0], weight: xs[1], activation: .relu) }
    }

    /// A recorded graph keeps the textbook's two steps, z = x·Wᵀ + b then a = relu(z), each
    /// with its value; training records one node.
    @Test func recordedGraphShowsLinearThenReLU() {
        let x = Tensor(doubles: [1, -2], shape: [1, 2], dtype: .float64)
        let weight = Tensor(doubles: [1, 1, 2, -1], shape: [2, 2], dtype: .float64)
        let graph = recordComputationalGraph(at: [("weight", weight)]) { leaves in
            linear(x, weight: leaves[0], activation: .relu).sum()
        }
        let operations = graph.nodes.filter { $0.role == .operation }.map(\.operation)
        #expect(Array(operations.prefix(2)) == ["linear", "relu"])
        let z = graph.nodes.first { $0.operation == "linear" }
        #expect(z?.value.doubles() == [-1, 4])
        let y = linear(x, weight: weight.asGradientLeaf(), activation: .relu)
        #expect(y.gradientNode?.operation == "linear+relu")
        #expect(y.gradientNode?.inputs.count == 2)
    }
}
