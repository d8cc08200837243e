import DescentCore
import Foundation

/// A `ComputationalGraph` drawn as micrograd's `draw_dot` draws one: a box per value with its
/// operation, shape, value and gradient, an arrow from each input to the operation that uses it.
/// As Graphviz DOT (``dot()``), or as SVG laid out by Descent itself (``svg()``: a column per
/// step from the parameters to the cost), or by Graphviz when its `dot` program is installed
/// (``write(to:useGraphviz:)``).
public struct GraphDrawing {
    /// The graph drawn.
    public var graph: ComputationalGraph

    /// A drawing of `graph`.
    public init(_ graph: ComputationalGraph) {
        self.graph = graph
    }

    /// The lines of a node's box: its name or operation, its shape, its value and its gradient.
    func label(of node: ComputationalGraph.Node) -> [String] {
        var title = node.role == .operation ? node.operation : (node.name ?? node.operation)
        if node.role == .parameter, node.name == nil { title = "parameter" }
        if node.role == .constant, node.name != nil { title += " (constant)" }
        var lines = ["\(title)  \(node.shape)", "value " + Self.values(node.value)]
        if let gradient = node.gradient { lines.append("grad " + Self.values(gradient)) }
        return lines
    }

    /// Up to 6 numbers of a tensor, 4 significant digits each: "0.6225", "(0.15, 0.2, 0.25, 0.3)".
    static func values(_ tensor: Tensor) -> String {
        let values = tensor.doubles()
        let shown = values.prefix(6).map { String(format: "%.4g", $0) }
        if values.count == 1 { return shown[0] }
        return "(" + shown.joined(separator: ", ") + (values.count > 6 ? ", …" : "") + ")"
    }

    /// The graph in Graphviz's DOT language, left to right.
    public func dot() -> String {
        var lines = ["digraph ComputationalGraph {", "  rankdir=LR;",
                     "  node [shape=record, fontname=\"Helvetica\", fontsize=10];"]
        for node in graph.nodes {
            let fields = label(of: node).map(Self.escapedForRecord).joined(separator: " | ")
            let fill = Self.fill(for: node, isResult: node.id == graph.result)
            lines.append("  n\(node.id) [label=\"{\(fields)}\", style=filled, fillcolor=\"\(fill)\"];")
        }
        for edge in graph.edges { lines.append("  n\(edge.from) -> n\(edge.to);") }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    static func fill(for node: ComputationalGraph.Node, isResult: Bool) -> String {
        if isResult { return "#ffe9a8" }
        switch node.role {
        case .parameter: return "#d6e8ff"
        case .constant: return "#eeeeee"
        case .operation: return "#ffffff"
        }
    }

    /// Text inside a DOT record label: its field separators and quotes escaped.
    private static func escapedForRecord(_ text: String) -> String {
        var result = ""
        for character in text {
            if "{}|<>\"\\".contains(character) { result.append("\\") }
            result.append(character)
        }
        return result
    }

    /// Writes the graph to `path`: DOT for a `.dot` file, SVG for an `.svg` file — drawn by
    /// Graphviz's `dot` when `useGraphviz` and it is installed, else by ``svg()``. The file is
    /// written atomically.
    ///
    /// - Returns: whether Graphviz drew it.
    /// - Throws: ``ExplainError`` for another extension; the file system's error when the file
    ///   cannot be written.
    @discardableResult
    public func write(to path: String, useGraphviz: Bool = true) throws -> Bool {
        let url = URL(fileURLWithPath: path)
        let text: String
        var byGraphviz = false
        switch url.pathExtension.lowercased() {
        case "dot", "gv": text = dot()
        case "svg":
            if useGraphviz, let drawn = Self.graphvizSVG(dot()) {
                text = drawn
                byGraphviz = true
            } else {
                text = svg()
            }
        default:
            throw ExplainError(location: "the graph file '\(path)' (--graph)", expected: "a name ending in .svg or .dot",
                               found: url.pathExtension.isEmpty ? "no extension" : ".\(url.pathExtension)")
        }
        try AtomicFile.write(Data(text.utf8), to: url)
        return byGraphviz
    }

    /// The SVG that Graphviz's `dot -Tsvg` draws for `dot`, or nil when `dot` is not on the
    /// PATH or fails.
    static func graphvizSVG(_ dot: String) -> String? {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        guard let program = paths.map({ "\($0)/dot" }).first(where: FileManager.default.isExecutableFile(atPath:)) else {
            return nil
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = ["-Tsvg"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        input.fileHandleForWriting.write(Data(dot.utf8))
        try? input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let svg = String(data: data, encoding: .utf8), svg.contains("<svg") else { return nil }
        return svg
    }
}
