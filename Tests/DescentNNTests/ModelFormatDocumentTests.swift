import Descent
import Foundation
import Testing
import _DescentTestSupport

/// `Documentation/ModelFormat.md` stays true: its examples read, and it names every layer type.
@Suite struct ModelFormatDocumentTests {
    private let document: String = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Documentation/ModelFormat.md")
        return (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }()

    /// The ```json blocks of the document.
    private var examples: [String] {
        document.components(separatedBy: "```json\n").dropFirst().map { $0.components(separatedBy: "\n```")[0] }
    }

    @Test func everyExampleReads() throws {
        #expect(examples.count >= 4)
        for (index, example) in examples.enumerated() {
            let url = scratchFolder.appendingPathComponent("format-example-\(UUID().uuidString).json")
            defer { try? FileManager.default.removeItem(at: url) }
            try example.write(to: url, atomically: true, encoding: .utf8)
            do {
                let architecture = try Sequential.architecture(contentsOf: url)
                #expect(!architecture.layers.isEmpty, "example \(index)")
            } catch {
                Issue.record("example \(index) does not read: \(error)")
            }
        }
    }

    @Test func everyLayerTypeHasItsSection() {
        for type in LayerTypes.builtIn {
            #expect(document.contains("### \(type.typeName)") || document.contains(", \(type.typeName)")
                    || document.contains("\(type.typeName),"), "\(type.typeName) is not documented")
        }
    }
}
