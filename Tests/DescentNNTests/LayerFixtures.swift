// Decodes Fixtures/layers.json, the PyTorch reference values written by
// Fixtures/make_layer_fixtures.py.
import _DescentTestSupport
import Descent
import Foundation

/// A tensor as the fixture script stores it.
struct TensorFixture: Decodable {
    var shape: [Int]
    var values: [Double]

    func tensor(_ dtype: DType = .float32) -> Tensor { Tensor(doubles: values, shape: shape, dtype: dtype) }
}

struct DenseFixture: Decodable {
    var input, weight, output, upstream, inputGradient, weightGradient: TensorFixture
    var bias, biasGradient: TensorFixture?
}

struct ActivationFixture: Decodable {
    var name: String
    var input, output, upstream, gradient: TensorFixture
}

struct SequentialFixture: Decodable {
    var input, output, upstream: TensorFixture
    var parameters, gradients: [String: TensorFixture]
}

struct InitializerFixture: Decodable {
    var shape: [Int]
    var fanIn, fanOut: Int
    var uniformBounds, normalStandardDeviations: [String: Double]
}

struct FlattenFixture: Decodable {
    var input, output: TensorFixture
}

struct LayerFixtures: Decodable {
    var dense, denseRank3Tanh, denseWithoutBias: DenseFixture
    var activations: [ActivationFixture]
    var sequential: SequentialFixture
    var initializers: InitializerFixture
    var flatten: FlattenFixture

    static func load() throws -> LayerFixtures {
        let data = try Data(contentsOf: fixtureURL("layers.json", in: Bundle.module))
        return try JSONDecoder().decode(LayerFixtures.self, from: data)
    }
}

/// Both dtypes the layers support; fixtures are checked in each.
let floatingPointTypes: [DType] = [.float32, .float64]
