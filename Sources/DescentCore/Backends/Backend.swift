/// What a device must compute: a small, enumerated set of primitive kernels.
///
/// Everything Descent does — the operations of ``Tensor``, the derivative rules, the layers,
/// the cost functions, the optimizers — is written in terms of these primitives, so a new
/// backend (a GPU, a new family of CPU kernels) is this protocol implemented once, and checked
/// primitive by primitive against the ``ReferenceBackend`` by ``BackendCrossCheck``.
///
/// Backends compute values only: they never see gradients, layers or optimizers' state
/// objects. Operations validate shapes, dtypes and devices before they call a primitive, so a
/// primitive may assume its operands are consistent and on its own device. Every primitive
/// returns new tensors, except ``optimizerStep(_:parameter:gradient:buffers:)``, which updates
/// storages that its caller has made unique.
///
/// Each requirement is one case of ``Primitive``; a new primitive is a new requirement (a
/// compile error in every backend until it is written) and a new case (a compile error in the
/// cross-check until it is tested).
protocol Backend: Sendable {
    /// The device whose storages this backend reads and writes.
    var device: Device { get }

    // MARK: Moving data between the host and the device

    /// `host` (a CPU tensor) copied to this device.
    func upload(_ host: Tensor) -> Tensor
    /// `x` (on this device) copied to the CPU: a read-back.
    func download(_ x: Tensor) -> Tensor
    /// A tensor of `shape` on this device whose every element is `value` converted to `dtype`
    /// (as `Tensor(repeating:)` converts it); the default uploads one made on the host, a GPU
    /// fills its memory itself (a mean's divisor and backpropagation's seed need no copy).
    func filled(with value: Double, shape: [Int], dtype: DType) -> Tensor

    // MARK: Elementwise

    /// y = f(x) for each element of a floating-point tensor.
    func unary(_ operation: UnaryOperation, _ x: Tensor) -> Tensor
    /// y = f(a, b) with broadcasting to `shape`, for floating-point tensors of one dtype.
    func binary(_ operation: BinaryOperation, _ a: Tensor, _ b: Tensor, shape: [Int]) -> Tensor
    /// `condition ≠ 0 ? a : b` with broadcasting to `shape`; `condition` has `a`'s dtype.
    func select(_ condition: Tensor, _ a: Tensor, _ b: Tensor, shape: [Int]) -> Tensor
    /// The same values in another dtype (to integers: toward zero, saturating, NaN → 0).
    func cast(_ x: Tensor, to dtype: DType) -> Tensor

    // MARK: Reductions

    /// `x` reduced over `axes` (ascending, without repeats: a handful at most, so a list), which
    /// are kept with size 1.
    func reduce(_ operation: ReductionOperation, _ x: Tensor, axes: [Int]) -> Tensor
    /// The int32 index of the largest (or smallest) element along `axis`, the first one on
    /// ties (NaN counts as the largest and the smallest), with `axis` removed.
    func argReduce(_ operation: ArgReductionOperation, _ x: Tensor, axis: Int) -> Tensor

    // MARK: Movement (exact for every dtype)

    /// Axes reordered: output axis `i` is input axis `permutation[i]`.
    func permute(_ x: Tensor, _ permutation: [Int]) -> Tensor
    /// `x` repeated along its broadcast axes to `shape`.
    func broadcast(_ x: Tensor, to shape: [Int]) -> Tensor
    /// The slices at `indices` (each in range) along `axis`.
    func gather(_ x: Tensor, indices: [Int], axis: Int) -> Tensor
    /// A zero tensor of `shape` into which the slices of `x` are added at `indices` along
    /// `axis` (repeated indices accumulate): the gradient of a gather.
    func scatterAdd(_ x: Tensor, indices: [Int], axis: Int, shape: [Int]) -> Tensor
    /// Tensors of one dtype joined along `axis` (all other sizes equal).
    func concatenate(_ tensors: [Tensor], axis: Int) -> Tensor

    // MARK: Matrix products

    /// op(a)·op(b) for the (batched) product that `product` describes.
    func matmul(_ a: Tensor, _ b: Tensor, _ product: MatrixProduct) -> Tensor
    /// activation(x·Wᵀ + b) for x [n, k], W [m, k] and b [m]: a dense layer, the bias and the
    /// activation fused into the product. With an activation, the result must be the same as
    /// the activation's own primitive applied to the result without one (bit for bit on the
    /// CPU, where the micro-kernels apply both to each tile of the product).
    func linear(_ x: Tensor, weight: Tensor, bias: Tensor?, activation: LinearActivation) -> Tensor

    // MARK: Convolution

    /// activation(the 2-D convolution, PyTorch's cross-correlation, of `input` [N, C, H, W]
    /// with `weight` [O, C/groups, kH, kW], plus `bias` [O] if any), as `geometry` describes:
    /// [N, O, H′, W′]. As for ``linear(_:weight:bias:activation:)``, with an activation the
    /// result must be the activation's own primitive applied to the result without one.
    func conv2d(_ input: Tensor, weight: Tensor, bias: Tensor?, _ geometry: Conv2dGeometry,
                activation: LinearActivation) -> Tensor
    /// ∂C/∂input of ``conv2d(_:weight:bias:_:)`` for the upstream gradient ḡ [N, O, H′, W′]:
    /// each ḡ element's weights added back where its window read the input (a transposed
    /// convolution), [N, C, H, W].
    func conv2dInputGradient(_ upstream: Tensor, weight: Tensor, _ geometry: Conv2dGeometry) -> Tensor
    /// ∂C/∂weight of ``conv2d(_:weight:bias:_:)``: each weight's ḡ-weighted sum of the inputs
    /// it met, over the batch and every output position, [O, C/groups, kH, kW].
    func conv2dWeightGradient(_ upstream: Tensor, input: Tensor, _ geometry: Conv2dGeometry) -> Tensor
    /// For `upstream` and `output` of one shape [N, C, …] (rank at least 2): the upstream gradient
    /// kept where the output is positive (``BinaryOperation/keepWherePositive``, ReLU's
    /// derivative, for a layer whose ReLU was fused into it), and its sums over every axis but
    /// the channels, axis 1 (the bias's gradient, [C]), in one pass.
    func keepWherePositiveWithChannelSums(_ upstream: Tensor, output: Tensor) -> (kept: Tensor, channelSums: Tensor)
    // MARK: Pooling (NCHW, over the last two axes)

    /// For x [N, C, H, W]: the largest element of each window ([N, C, H', W']) and the int32
    /// position h·W + w of it within its plane — the first one in row-major order on ties, the
    /// last NaN if there is one, as PyTorch — with padding as −∞. With `pooling.appliesReLU`
    /// each element is read as relu(x) (x > 0 ? x : 0), as if a ReLU had run before.
    func maxPool2d(_ x: Tensor, _ pooling: Pooling2d) -> (values: Tensor, indices: Tensor)
    /// A zero tensor of `inputShape` [N, C, H, W] into which each element of `upstream`
    /// [N, C, H', W'] is added, in output order, at the position in its plane that `indices`
    /// gives (positions may repeat when windows overlap): max pooling's derivative rule.
    /// `pooling` is the forward pass's, for a backend that gathers by window rather than scatters.
    func maxPool2dBackward(_ upstream: Tensor, indices: Tensor, inputShape: [Int], _ pooling: Pooling2d) -> Tensor
    /// For x [N, C, H, W]: the sum of each window divided by PyTorch's divisor ([N, C, H', W']),
    /// with padding as 0.
    func avgPool2d(_ x: Tensor, _ pooling: Pooling2d) -> Tensor
    /// Each element of `upstream` [N, C, H', W'] divided by its divisor and added to every input
    /// position of its window ([N, C, H, W]): average pooling's derivative rule.
    func avgPool2dBackward(_ upstream: Tensor, _ pooling: Pooling2d) -> Tensor

    // MARK: The fused cost of classifiers

    /// For logits [n, C] and int32 labels [n] in 0..<C: each row's logΣeˣ − x[label] ([n])
    /// and its softmax probabilities ([n, C]).
    func softmaxCrossEntropy(logits: Tensor, labels: Tensor) -> (losses: Tensor, probabilities: Tensor)
    /// (p − onehot(label))·ḡ for each row: its derivative rule.
    func softmaxCrossEntropyGradient(probabilities: Tensor, labels: Tensor, upstream: Tensor) -> Tensor

    // MARK: Activations with a parameter

    /// y = f(x) for each element of a floating-point tensor.
    func activation(_ function: ParametricActivation, _ x: Tensor) -> Tensor
    /// ḡ·f′(x) for each element (f′ at 0 as PyTorch's: the slope, α): its derivative rule.
    func activationBackward(_ function: ParametricActivation, _ upstream: Tensor, input: Tensor) -> Tensor

    // MARK: Batch normalization

    /// For x [N, C, …] in training: each channel's mean μ and biased variance σ² over the batch
    /// and every axis after the channels ([C] each), and y = activation((x − μ)/√(σ² + ε)·γ + β)
    /// (x's shape), with γ = `weight` and β = `bias` ([C]; 1 and 0 where nil). As for
    /// ``linear(_:weight:bias:activation:)``, with an activation y must be the activation's own
    /// primitive applied to y without one.
    func batchNormalization(_ x: Tensor, weight: Tensor?, bias: Tensor?, epsilon: Double,
                            activation: LinearActivation) -> (output: Tensor, mean: Tensor, variance: Tensor)
    /// Its derivative rule, from the upstream gradient ḡ (x's shape) and the forward pass's μ and
    /// σ²: x̄ = γ/√(σ² + ε)·(ḡ − mean(ḡ) − x̂·mean(ḡ·x̂)) with x̂ = (x − μ)/√(σ² + ε), γ̄ = Σ ḡ·x̂
    /// and β̄ = Σ ḡ, the sums and means taken per channel ([C] each). With ReLU, ḡ is first kept
    /// only where the forward pass's output before ReLU, recomputed from x, μ, σ², γ and β, is
    /// positive, where that output was (the gradient of the two steps).
    func batchNormalizationBackward(_ upstream: Tensor, input: Tensor, mean: Tensor, variance: Tensor,
                                    weight: Tensor?, bias: Tensor?, epsilon: Double, activation: LinearActivation)
        -> (input: Tensor, weight: Tensor, bias: Tensor)

    // MARK: Random numbers

    /// Uniform numbers in [0, 1) of `dtype`, element `i` from the counter-based generator's
    /// output for (`key`, `key.offset + i`) — see ``CounterRandom``: the same bits on every
    /// backend, whatever the number of threads.
    func randomUniform(shape: [Int], dtype: DType, key: RandomKey) -> Tensor
    /// `value` where the 16-bit number at (`key`, `key.offset + i`) is below
    /// `CounterRandom.threshold16(probability:)`, 0 elsewhere: a dropout mask in one pass.
    func bernoulli(shape: [Int], dtype: DType, probability: Double, value: Double, key: RandomKey) -> Tensor

    // MARK: Optimizers

    /// One step of a fused update rule on `parameter`, in place, with its state `buffers`
    /// (see ``OptimizerStep`` for their order; an empty storage for an option that is off).
    /// The caller has made every storage it passes unique.
    func optimizerStep(_ step: OptimizerStep, parameter: Tensor, gradient: Tensor, buffers: [Tensor])
}

/// The primitives a `Backend` implements, one case per requirement: what the cross-check
/// iterates over.
public enum Primitive: String, Sendable, CaseIterable {
    case upload, download
    case unary, binary, select, cast
    case reduce, argReduce
    case permute, broadcast, gather, scatterAdd, concatenate
    case matmul, linear
    case conv2d, conv2dInputGradient, conv2dWeightGradient, keepWherePositiveWithChannelSums
    case maxPool2d, maxPool2dBackward, avgPool2d, avgPool2dBackward
    case softmaxCrossEntropy, softmaxCrossEntropyGradient
    case activation, activationBackward
    case batchNormalization, batchNormalizationBackward
    case randomUniform, bernoulli
    case optimizerStep
}

/// Elementwise operations of one input.
public enum UnaryOperation: String, Sendable, CaseIterable {
    case negate, exp, log, sqrt, abs, tanh, sigmoid, relu, sign, log1p, erf, reciprocal, square
    /// x·Φ(x), Φ the standard normal CDF: ``gelu(_:approximation:)`` in one pass, where the
    /// formula written with tensor operations takes several.
    case gelu
    /// x·½(1 + tanh(√(2/π)(x + 0.044715x³))), GELU's tanh approximation, in one pass.
    case geluTanh
}

/// Elementwise activations with a parameter, each one primitive forward and one backward: composed
/// of `select`, each took several passes forward and more backward.
enum ParametricActivation: Sendable, Hashable, CustomStringConvertible {
    /// x > 0 ? x : negativeSlope·x.
    case leakyReLU(negativeSlope: Double)
    /// x > 0 ? x : α·(eˣ − 1).
    case elu(alpha: Double)
    /// βx > threshold ? x : ln(1 + e^(βx))/β.
    case softplus(beta: Double, threshold: Double)

    /// "leakyReLU(0.01)", "elu(1.0)", "softplus(1.0, 20.0)": the operation's name in a graph.
    var description: String {
        switch self {
        case .leakyReLU(let slope): "leakyReLU(\(slope))"
        case .elu(let alpha): "elu(\(alpha))"
        case .softplus(let beta, let threshold): "softplus(\(beta), \(threshold))"
        }
    }
}

/// Elementwise operations of two inputs (with broadcasting).
public enum BinaryOperation: String, Sendable, CaseIterable {
    case add, subtract, multiply, divide, maximum, minimum, pow
    case equal, notEqual, less, lessOrEqual, greater, greaterOrEqual
    /// `b > 0 ? a : 0`: ReLU's backward pass (ḡ where the input was positive) in one pass.
    case keepWherePositive
    /// a·GELU′(b) = a·(Φ(b) + b·φ(b)): GELU's backward pass (ḡ and the input) in one pass.
    case geluBackward
    /// a·f′(b) for f the tanh approximation of GELU: its backward pass in one pass.
    case geluTanhBackward
    /// a·(1 − b)(1 + b) = a·(1 − b²) for b = tanh x: tanh's backward pass in one pass.
    case tanhBackward
    /// a·b·(1 − b) for b = σ(x): the sigmoid's backward pass in one pass.
    case sigmoidBackward

    /// Whether the result is 1 or 0 (a comparison), never differentiated.
    var isComparison: Bool {
        switch self {
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual: true
        default: false
        }
    }
}

/// Reductions over axes.
public enum ReductionOperation: String, Sendable, CaseIterable {
    case sum, max, min
}

/// Reductions to the position of an extreme element.
public enum ArgReductionOperation: String, Sendable, CaseIterable {
    case argmax, argmin
}

/// The shape of a (batched) matrix product op(A)·op(B), worked out once by ``matmul(_:_:transposeA:transposeB:)``.
struct MatrixProduct: Sendable {
    var transposeA: Bool
    var transposeB: Bool
    /// The number of products; A or B may be one matrix shared by all (stride 0).
    var batch: Int
    /// op(A) is [m, k], op(B) [k, n], the result [m, n].
    var m: Int, n: Int, k: Int
    /// Elements between consecutive matrices of A and of B (0 for a shared matrix).
    var strideA: Int, strideB: Int
    /// The result's shape: the batch axes, then [m, n].
    var shape: [Int]
}

/// The sizes of one 2-D convolution, worked out once by
/// ``conv2d(_:weight:bias:stride:padding:dilation:groups:activation:)``.
///
/// Output position (i, j) of a channel reads the input at rows i·strideY − padTop + p·dilationY
/// (p < kernelHeight) and columns j·strideX − padLeft + q·dilationX; positions outside the input
/// are zero padding. The padding after the input (bottom, right) only shows in the output size.
struct Conv2dGeometry: Sendable, Hashable {
    var batch: Int
    var inChannels: Int, height: Int, width: Int
    var outChannels: Int, kernelHeight: Int, kernelWidth: Int
    var strideY: Int, strideX: Int
    var padTop: Int, padLeft: Int, padBottom: Int, padRight: Int
    var dilationY: Int, dilationX: Int
    var groups: Int

    /// ⌊(H + padding − dilation·(k − 1) − 1) / stride⌋ + 1, PyTorch's formula.
    var outHeight: Int { (height + padTop + padBottom - dilationY * (kernelHeight - 1) - 1) / strideY + 1 }
    var outWidth: Int { (width + padLeft + padRight - dilationX * (kernelWidth - 1) - 1) / strideX + 1 }
    /// Channels of one group, in and out.
    var groupInChannels: Int { inChannels / groups }
    var groupOutChannels: Int { outChannels / groups }

    var inputShape: [Int] { [batch, inChannels, height, width] }
    var weightShape: [Int] { [outChannels, groupInChannels, kernelHeight, kernelWidth] }
    var outputShape: [Int] { [batch, outChannels, outHeight, outWidth] }
}

extension Backend {
    /// The convolution without an activation.
    func conv2d(_ input: Tensor, weight: Tensor, bias: Tensor?, _ geometry: Conv2dGeometry) -> Tensor {
        conv2d(input, weight: weight, bias: bias, geometry, activation: .identity)
    }

    /// Batch normalization without an activation.
    func batchNormalization(_ x: Tensor, weight: Tensor?, bias: Tensor?, epsilon: Double)
        -> (output: Tensor, mean: Tensor, variance: Tensor) {
        batchNormalization(x, weight: weight, bias: bias, epsilon: epsilon, activation: .identity)
    }

    /// Batch normalization's derivative rule without an activation.
    func batchNormalizationBackward(_ upstream: Tensor, input: Tensor, mean: Tensor, variance: Tensor,
                                    weight: Tensor?, epsilon: Double) -> (input: Tensor, weight: Tensor, bias: Tensor) {
        batchNormalizationBackward(upstream, input: input, mean: mean, variance: variance, weight: weight, bias: nil,
                                   epsilon: epsilon, activation: .identity)
    }

    func filled(with value: Double, shape: [Int], dtype: DType) -> Tensor {
        upload(Tensor(repeating: value, shape: shape, dtype: dtype))
    }
}
