import ArgumentParser
import Descent
import Foundation

extension ExplainedCost: ExpressibleByArgument {}
extension ExplanationFormat: ExpressibleByArgument {}

/// `descent explain`: one step of gradient descent on one example, every number shown.
struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show one training step of a small network on one example: forward pass, cost, chain rule, gradients, update.",
        discussion: """
            Without a model folder: the tutorials' 2-2-1 sigmoid perceptron (weights W1 = [[0.15, 0.2], [0.25, 0.3]], \
            b1 = (0.35, 0.35), W2 = [[0.4, 0.45]], b2 = (0.6), named 0.weight, 0.bias, 2.weight, 2.bias) \
            on XOR's example x = (1, 0), y = 1, with η = 0.5. A model folder (dense layers and activations, \
            at most 100 parameters) needs --input and --target, or --data FILE.csv --row N.
            """)

    @Argument(help: "A model folder written by `descent train --output` (default: the 2-2-1 perceptron).")
    var model: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("The example's input values, comma-separated (default for the perceptron: 1,0).", valueName: "x1,x2,…"))
    var input: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("The target: a number per output, or a class index or name for the cross-entropy costs (default for the perceptron: 1).", valueName: "y"))
    var target: String?
    @Option(help: ArgumentHelp("With a model folder: take the example from this CSV file (or built-in dataset), read as the training data were.", valueName: "file"))
    var data: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("The row of --data to explain, from 0 (after the header).", valueName: "n"))
    var row: Int?
    @Option(name: .customLong("init"), help: ArgumentHelp("The weights as a .safetensors file, named as the model's (0.weight, 0.bias, 2.weight, 2.bias).", valueName: "file"))
    var initialWeights: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("The learning rate η of the step θ ← θ − η∇C.", valueName: "η"))
    var learningRate: Double = 0.5
    @Option(help: "The cost (default: mse, or the one a saved model was trained with).")
    var cost: ExplainedCost?
    @Option(help: "How to print the step.")
    var format: ExplanationFormat = .text
    @Flag(help: "The same as --format json.")
    var json = false
    @Option(help: ArgumentHelp("Also write the cost's computational graph to this .svg or .dot file.", valueName: "file"))
    var graph: String?
    @Flag(help: "In the graph, show the steps inside the fused operations (linear as matmul + add, softmax cross-entropy as log-softmax + pick).")
    var unfused = false

    func run() throws {
        try reported {
            let inputValues = try input.map { try StepExplainer.numbers($0, option: "--input") }
            var explainer: StepExplainer
            if (data == nil) != (row == nil) || (data != nil && (model == nil || input != nil || target != nil)) {
                throw ValidationErrorMessage(text: "--data FILE and --row N go together, with a model folder and without --input and --target")
            }
            if let model, let data, let row {
                explainer = try StepExplainer(modelFolder: model, data: data, row: row, cost: cost, learningRate: learningRate)
            } else if let model {
                guard let inputValues, let target else {
                    throw ValidationErrorMessage(text: "explaining the model '\(model)' needs the example: --input X1,X2,… and --target Y, or --data FILE --row N")
                }
                explainer = try StepExplainer(modelFolder: model, input: inputValues,
                                              target: target.split(separator: ",").map(String.init),
                                              cost: cost, learningRate: learningRate)
            } else {
                explainer = try StepExplainer(input: inputValues ?? [1, 0],
                                              target: try target.map { try StepExplainer.numbers($0, option: "--target") } ?? [1],
                                              cost: cost ?? .mse, learningRate: learningRate)
            }
            if let initialWeights { try explainer.loadWeights(from: initialWeights) }
            let explanation = try explainer.explain().formatted(json ? .json : format)
            // The graph first: a graph that cannot be written stops the command before it prints.
            if let graph {
                let drawing = GraphDrawing(try explainer.computationalGraph(unfused: unfused))
                let byGraphviz = try drawing.write(to: graph)
                FileHandle.standardError.write(Data(("Wrote the computational graph (\(drawing.graph.nodes.count) nodes, "
                    + "\(drawing.graph.edges.count) edges, drawn by \(byGraphviz ? "Graphviz" : "Descent")) to \(graph)\n").utf8))
            }
            print(explanation, terminator: "")
        }
    }
}
