import DescentCore
import DescentNN

extension StepExplainer {
    /// The computational graph of the step's cost, every node with its value and gradient (in
    /// Float64), the parameters under their names and the example's x and y named.
    ///
    /// - Parameter unfused: show the textbook steps inside the fused operations: a dense layer
    ///   as `matmul` then `add` (the bias) instead of one `linear`, and the cross-entropy as
    ///   log-softmax (max, subtract, exp, sum, log …) then the class's entry, instead of one
    ///   `softmaxCrossEntropy`. The values and gradients are the same.
    /// - Throws: ``ExplainError`` as ``init(model:input:target:cost:learningRate:)`` does.
    public func computationalGraph(unfused: Bool = false) throws -> ComputationalGraph {
        let network = try checkedNetwork()
        let (x, y) = exampleTensors()
        let parameters = modelInFloat64().parameters
        var graph = recordComputationalGraph(at: parameters) { tracked in
            let byName = Dictionary(uniqueKeysWithValues: zip(parameters.map(\.name), tracked))
            var activation = x
            for layer in network.layers {
                let weight = byName[layer.weightName]!, bias = layer.biasName.map { byName[$0]! }
                let z: Tensor
                if unfused {
                    let product = matmul(activation, weight, transposeB: true)
                    z = bias.map { product + $0 } ?? product
                } else {
                    z = linear(activation, weight: weight, bias: bias)
                }
                activation = layer.activation(z)
            }
            if unfused, cost == .crossEntropy {
                return negativeLogLikelihood(logProbabilities: logSoftmax(activation, alongAxis: -1), labels: y)
            }
            return cost.library(output: activation, target: y)
        }
        // The example's tensors are constants of the graph: name them as the tutorials do.
        for index in graph.nodes.indices where graph.nodes[index].role == .constant {
            let value = graph.nodes[index].value
            if value.shape == x.shape, value.doubles() == input { graph.nodes[index].name = "x" }
            else if !cost.takesClassIndex, value.shape == y.shape, value.doubles() == target { graph.nodes[index].name = "y" }
        }
        return graph
    }
}
