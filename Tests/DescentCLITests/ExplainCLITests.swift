import Descent
import Foundation
import Testing

/// `descent explain` end to end: the three formats say the same numbers, options reach the
/// step, a saved model folder is explained, and bad input is refused with a message.
@Suite struct ExplainCLITests {
    /// Every number of the JSON appears in the text, formatted as the text formats numbers, in
    /// the row or line that names it.
    @Test func theJSONAgreesWithTheText() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = try descent(["explain"], in: folder)
        let json = try descent(["explain", "--json"], in: folder)
        #expect(text.status == 0 && json.status == 0, "\(text.standardError)\(json.standardError)")
        #expect(try descent(["explain", "--format", "json"], in: folder).standardOutput == json.standardOutput)
        let explanation = try JSONDecoder().decode(Explanation.self, from: Data(json.standardOutput.utf8))
        let lines = text.standardOutput.split(separator: "\n").map(String.init)
        func number(_ value: Double) -> String { Explanation.number(value) }

        #expect(lines.contains("Cost C = \(number(explanation.cost.value))"))
        #expect(lines.contains { $0.hasPrefix("Cost after the step: \(number(explanation.cost.valueAfterStep))") })
        for pass in explanation.forward {
            for (unit, (z, a)) in zip(pass.z, pass.a).enumerated() {
                let row = "z⁽\(pass.layer == 1 ? "¹" : "²")⁾\(unit == 0 ? "₁" : "₂")"
                #expect(lines.contains { $0.contains(row) && $0.contains(number(z)) && $0.contains(number(a)) }, "\(row)")
            }
        }
        for step in explanation.parameters {
            let row = try #require(lines.first { $0.hasPrefix("  \(step.parameter) ") }, "\(step.parameter)")
            let cells = row.split(separator: " ").map(String.init)
            #expect(Array(cells.suffix(5)) == [step.value, step.chainRule, step.autodiff, step.finiteDifference, step.updated].map(number),
                    "\(row)")
            #expect(row.contains(step.symbol))
        }
        for pass in explanation.backward {
            for unit in pass.delta.indices {
                #expect(lines.contains { $0.hasPrefix("    ") && $0.contains(number(pass.delta[unit])) && $0.contains(number(pass.outputGradient[unit])) })
            }
        }
        #expect(text.standardOutput.contains("Chain rule and autodiff agree"))
        #expect(explanation.agreement.agrees)

        let markdown = try descent(["explain", "--format", "markdown"], in: folder).standardOutput
        #expect(markdown.contains("$C = \\frac{1}{n}\\sum_k (y_k - a_k)^2$"))
        for step in explanation.parameters { #expect(markdown.contains("| `\(step.parameter)` | $")) }
        #expect(markdown.contains("| 1 | 1 | sigmoid | \(number(explanation.forward[0].z[0])) | \(number(explanation.forward[0].a[0])) |"))
    }

    @Test func optionsReachTheStep() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try descent(["explain", "--input", "0,1", "--target", "1", "--learning-rate", "2", "--cost", "half-squared",
                                  "--json", "--graph", "graph.svg", "--unfused"], in: folder)
        #expect(result.status == 0, "\(result.standardError)")
        let explanation = try JSONDecoder().decode(Explanation.self, from: Data(result.standardOutput.utf8))
        #expect(explanation.input == [0, 1] && explanation.learningRate == 2 && explanation.cost.name == "half-squared")
        // z⁽¹⁾ = W⁽¹⁾(0, 1) + b⁽¹⁾ = (0.20 + 0.35, 0.30 + 0.35)
        #expect(explanation.forward[0].z.map { ($0 * 1e12).rounded() / 1e12 } == [0.55, 0.65])
        #expect(explanation.parameters.allSatisfy { abs($0.updated - ($0.value - 2 * $0.autodiff)) < 1e-15 })
        let svg = try String(contentsOf: folder.appendingPathComponent("graph.svg"), encoding: .utf8)
        #expect(svg.contains("<svg") && svg.contains("matmul") && !svg.contains(">linear"))
        #expect(result.standardError.contains("Wrote the computational graph"))

        let dot = try descent(["explain", "--graph", "graph.dot"], in: folder)
        #expect(dot.status == 0)
        let dotText = try String(contentsOf: folder.appendingPathComponent("graph.dot"), encoding: .utf8)
        #expect(dotText.hasPrefix("digraph") && dotText.contains("linear"))
    }

    /// An .svg is drawn by Graphviz's `dot` when one is on the PATH (here a stand-in script
    /// that records its arguments and answers with a small SVG), by Descent otherwise.
    @Test func graphvizDrawsTheSVGWhenItIsInstalled() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bin = folder.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let script = bin.appendingPathComponent("dot")
        try "#!/bin/sh\necho \"$@\" > \"$(dirname \"$0\")/arguments\"\ncat > \"$(dirname \"$0\")/input.dot\"\necho '<svg>graphviz</svg>'\n"
            .write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)

        let path = bin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let drawn = try descent(["explain", "--graph", "graph.svg"], in: folder, environment: ["PATH": path])
        #expect(drawn.status == 0, "\(drawn.standardError)")
        #expect(drawn.standardError.contains("drawn by Graphviz"))
        #expect(try String(contentsOf: folder.appendingPathComponent("graph.svg"), encoding: .utf8) == "<svg>graphviz</svg>\n")
        #expect(try String(contentsOf: bin.appendingPathComponent("arguments"), encoding: .utf8) == "-Tsvg\n")
        #expect(try String(contentsOf: bin.appendingPathComponent("input.dot"), encoding: .utf8).hasPrefix("digraph ComputationalGraph {"))

        let own = try descent(["explain", "--graph", "own.svg"], in: folder, environment: ["PATH": "/nonexistent"])
        #expect(own.status == 0 && own.standardError.contains("drawn by Descent"))
    }

    @Test func aSavedModelFolderIsExplainedWithItsClassifierCost() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = Sequential {
            Dense(inputCount: 3, outputCount: 3, activation: .relu, seed: 5)
            Dense(inputCount: 3, outputCount: 2, seed: 6)
        }
        try model.save(to: folder.appendingPathComponent("small").path)
        let result = try descent(["explain", "small", "--input", "0.5,-1,2", "--target", "1", "--cost", "cross-entropy", "--json"], in: folder)
        #expect(result.status == 0, "\(result.standardError)")
        let explanation = try JSONDecoder().decode(Explanation.self, from: Data(result.standardOutput.utf8))
        #expect(explanation.network.map(\.weight) == ["0.weight", "1.weight"])
        #expect(explanation.parameters.count == 20)
        #expect(explanation.agreement.agrees)

        let missing = try descent(["explain", "small"], in: folder)
        #expect(missing.status != 0 && missing.standardError.contains("--input"))
    }

    /// `--data FILE --row N`: the example is a row of a CSV file, read as the model's training
    /// data were (here without standardization, so the input is the row as written; the class
    /// is its index in sorted order).
    @Test func aRowOfACSVFileIsTheExample() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let rows = ["a,b,kind", "0.5,1.5,cat", "1.0,-2.0,dog", "2.5,0.25,cat", "-1.0,1.0,dog", "0.0,0.5,cat", "3.0,-1.5,dog"]
        try rows.joined(separator: "\n").write(to: folder.appendingPathComponent("tiny.csv"), atomically: true, encoding: .utf8)
        let train = try descent(["train", "tiny.csv", "--model", "linear", "--epochs", "1", "--validation-split", "0",
                                 "--no-standardize", "--output", "tiny-model", "--quiet"], in: folder)
        #expect(train.status == 0, "\(train.standardError)")

        let result = try descent(["explain", "tiny-model", "--data", "tiny.csv", "--row", "1", "--json"], in: folder)
        #expect(result.status == 0, "\(result.standardError)")
        let explanation = try JSONDecoder().decode(Explanation.self, from: Data(result.standardOutput.utf8))
        #expect(explanation.input == [1.0, -2.0])
        #expect(explanation.target == [1])            // dog: the second class in sorted order
        #expect(explanation.cost.name == "bce-logits")  // two classes: a binary classifier
        #expect(explanation.agreement.agrees)

        let outside = try descent(["explain", "tiny-model", "--data", "tiny.csv", "--row", "6"], in: folder)
        #expect(outside.status != 0 && outside.standardError.contains("--row: expected a row of 'tiny.csv' in 0..<6, found 6"))
        let alone = try descent(["explain", "--data", "tiny.csv", "--row", "1"], in: folder)
        #expect(alone.status != 0 && alone.standardError.contains("with a model folder"))
    }

    @Test func badInputIsRefusedWithAMessage() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let wide = try descent(["explain", "--input", "1,0,1"], in: folder)
        #expect(wide.status != 0)
        #expect(wide.standardError.contains("the input (--input): expected 2 values, one per input of the network, found 3"))
        let word = try descent(["explain", "--input", "1,a"], in: folder)
        #expect(word.status != 0 && word.standardError.contains("'a'"))
        let graph = try descent(["explain", "--graph", "graph.png"], in: folder)
        #expect(graph.status != 0 && graph.standardError.contains(".svg or .dot"))
        let weights = try descent(["explain", "--init", "missing.safetensors"], in: folder)
        #expect(weights.status != 0 && weights.standardError.contains("missing.safetensors"))
    }
}
