import Descent
import Testing

/// The computational graph of the perceptron's cost: its nodes, edges, values and gradients,
/// fused and unfused, and its drawings.
@Suite struct ComputationalGraphTests {
    @Test func theFusedGraphHasALinearNodePerLayer() throws {
        let graph = try StepExplainer().computationalGraph()
        let operations = graph.nodes.filter { $0.role == .operation }.map(\.operation)
        // (a − y)², then the mean: the mean is sum then multiply (or divide) by 1/n.
        #expect(Array(operations.prefix(4)) == ["linear", "sigmoid", "linear", "sigmoid"])
        #expect(operations.contains("subtract") && operations.contains("square"))
        #expect(Set(graph.nodes.filter { $0.role == .parameter }.compactMap(\.name)) == ["0.weight", "0.bias", "2.weight", "2.bias"])
        #expect(graph.nodes.contains { $0.name == "x" && $0.role == .constant })
        #expect(graph.nodes.contains { $0.name == "y" && $0.role == .constant })

        // Edges: the first linear takes x, 0.weight and 0.bias in that order.
        let firstLinear = try #require(graph.nodes.first { $0.operation == "linear" })
        #expect(firstLinear.inputs.map { graph.nodes[$0].name } == ["x", "0.weight", "0.bias"])
        #expect(graph.edges.filter { $0.to == firstLinear.id }.map(\.from) == firstLinear.inputs)
        #expect(graph.edges.count == graph.nodes.reduce(0) { $0 + $1.inputs.count })

        // Values and gradients are the step's: z⁽¹⁾ = (0.5, 0.6), the cost, ∂C/∂b⁽²⁾.
        #expect(firstLinear.value.doubles().map { ($0 * 1e12).rounded() / 1e12 } == [0.5, 0.6])
        let cost = graph.nodes[graph.result]
        #expect(abs(cost.value.doubleValue - 0.058761073534091955) < 1e-12)
        #expect(cost.gradient?.doubleValue == 1)
        let bias = try #require(graph.nodes.first { $0.name == "2.bias" })
        #expect(abs(bias.gradient!.doubles()[0] - -0.08903397538422131) < 1e-12)
        #expect(graph.nodes.filter { $0.role == .constant }.allSatisfy { $0.gradient == nil })
    }

    @Test func theUnfusedGraphShowsMatmulAndAddAndTheStepsOfCrossEntropy() throws {
        let perceptron = try StepExplainer().computationalGraph(unfused: true)
        let operations = perceptron.nodes.map(\.operation)
        #expect(!operations.contains("linear"))
        #expect(operations.filter { $0 == "matmul" }.count == 2)
        #expect(operations.filter { $0 == "add" }.count >= 2)

        let classifier = Sequential {
            Dense(inputCount: 2, outputCount: 3, activation: .tanh, dtype: .float64, seed: 1)
            Dense(inputCount: 3, outputCount: 2, dtype: .float64, seed: 2)
        }
        let explainer = try StepExplainer(model: classifier, input: [1, 2], target: [1], cost: .crossEntropy, learningRate: 0.1)
        let fused = try explainer.computationalGraph()
        let unfused = try explainer.computationalGraph(unfused: true)
        #expect(fused.nodes.map(\.operation).contains("softmaxCrossEntropy"))
        let steps = Set(unfused.nodes.map(\.operation))
        #expect(!steps.contains("softmaxCrossEntropy"))
        // log-softmax's steps (the row's max taken off, exp, sum, log), then the class's entry.
        #expect(steps.isSuperset(of: ["matmul", "add", "subtract", "exp", "sum", "log", "select"]))
        // Same cost, same gradients either way.
        #expect(abs(fused.nodes[fused.result].value.doubleValue - unfused.nodes[unfused.result].value.doubleValue) < 1e-12)
        for name in ["0.weight", "1.bias"] {
            let a = try #require(fused.nodes.first { $0.name == name }?.gradient).doubles()
            let b = try #require(unfused.nodes.first { $0.name == name }?.gradient).doubles()
            #expect(zip(a, b).allSatisfy { abs($0 - $1) < 1e-12 })
        }
    }

    @Test func theDrawingsHoldEveryNodeAndEdge() throws {
        let graph = try StepExplainer().computationalGraph()
        let drawing = GraphDrawing(graph)
        let dot = drawing.dot()
        #expect(dot.hasPrefix("digraph ComputationalGraph {"))
        for node in graph.nodes { #expect(dot.contains("  n\(node.id) [label=\"{")) }
        for edge in graph.edges { #expect(dot.contains("  n\(edge.from) -> n\(edge.to);")) }
        #expect(dot.contains("0.weight  [2, 2] | value (0.15, 0.2, 0.25, 0.3) | grad (-0.008369, 0, -0.009166, 0)"))

        let svg = drawing.svg()
        #expect(svg.hasPrefix("<svg"))
        #expect(svg.components(separatedBy: "<g class=\"node\"").count - 1 == graph.nodes.count)
        #expect(svg.components(separatedBy: "<path class=\"edge\"").count - 1 == graph.edges.count)
        for edge in graph.edges { #expect(svg.contains("data-from=\"n\(edge.from)\" data-to=\"n\(edge.to)\"")) }
        #expect(svg.contains("data-operation=\"linear\"") && svg.contains(">linear  [1, 2]</text>"))

        // Every operation stands to the right of its inputs.
        let places = drawing.layout()
        for edge in graph.edges { #expect(places[edge.from].column < places[edge.to].column) }
    }

    /// The library API on its own: a graph of any computation, its leaves named.
    @Test func anyComputationCanBeRecorded() {
        let w = Tensor([2, 3] as [Float])
        let x = Tensor([4, 5] as [Float])
        let graph = recordComputationalGraph(at: [("w", w)]) { p in (p[0] * x).sum() }
        // A sum over everything is one node, its value a scalar.
        #expect(graph.nodes.map(\.operation) == ["parameter", "constant", "multiply", "sum"])
        #expect(graph.nodes[0].name == "w")
        #expect(graph.nodes[0].gradient?.doubles() == [4, 5])
        #expect(graph.nodes[1].gradient == nil)
        #expect(graph.nodes[3].value.doubleValue == 23)
        #expect(graph.nodes[3].shape == [])
        #expect(graph.edges == [.init(from: 0, to: 2), .init(from: 1, to: 2), .init(from: 2, to: 3)])
    }
}
