import Foundation
import Testing

/// DocC shows a tutorial's code from the files under `Descent.docc/Resources`, and compiles none
/// of them; the tests in this folder hold that code and run it. This suite keeps the two the
/// same: every code file a tutorial shows appears, line for line and in order, in one of those
/// tests (but for the few lines that ``TutorialCode/substitutions`` lists), so a tutorial whose
/// code changes without its test, or the other way round, fails here.
@Suite struct TutorialCodeTests {
    @Test func everyCodeFileOfTheTutorialsIsRunByATest() throws {
        let files = try TutorialCode.codeFiles()
        #expect(files.count >= 5 * 4, "the tutorials' code files: \(files.map(\.lastPathComponent))")
        let tests = try TutorialCode.testSources().map(TutorialCode.codeLines(of:))
        for file in files {
            let lines = TutorialCode.codeLines(of: try String(contentsOf: file, encoding: .utf8))
                .map { TutorialCode.substitutions[$0] ?? $0 }
            #expect(!lines.isEmpty, "\(file.lastPathComponent) has no code")
            #expect(tests.contains { TutorialCode.contains($0, run: lines) },
                    "\(file.lastPathComponent): its lines are not, in this order, in any test of Tests/DescentTutorialTests")
        }
    }

    /// The same for the Swift code blocks of the catalog's articles (the landing page).
    @Test func everySwiftBlockOfTheArticlesIsRunByATest() throws {
        let tests = try TutorialCode.testSources().map(TutorialCode.codeLines(of:))
        let articles = try FileManager.default.contentsOfDirectory(at: TutorialCode.catalog, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "md" }
        var blockCount = 0
        for article in articles {
            for block in TutorialCode.swiftBlocks(in: try String(contentsOf: article, encoding: .utf8)) {
                blockCount += 1
                #expect(tests.contains { TutorialCode.contains($0, run: TutorialCode.codeLines(of: block)) },
                        "\(article.lastPathComponent) has a Swift block that no test of Tests/DescentTutorialTests runs: \(block)")
            }
        }
        #expect(blockCount >= 1)
    }

    /// Each `@Code(file:)` names a file that is there, and each code file is shown by a tutorial
    /// (a file no tutorial shows would be checked, and kept, for nothing).
    @Test func theTutorialsShowEveryCodeFileAndOnlyThose() throws {
        let shown = try TutorialCode.tutorialFiles().flatMap { try TutorialCode.codeFileNames(in: String(contentsOf: $0, encoding: .utf8)) }
        #expect(try TutorialCode.tutorialFiles().count == 6)   // the table of contents and five tutorials
        #expect(Set(shown) == Set(try TutorialCode.codeFiles().map(\.lastPathComponent)))
    }

    /// The tutorials' pictures are copies of those in `docs/` (Scripts/render-pictures.sh
    /// remakes both), so the documentation never shows an older picture than the README.
    @Test func thePicturesAreThoseOfTheReadme() throws {
        let resources = TutorialCode.catalog.appendingPathComponent("Resources")
        let pictures = try FileManager.default.contentsOfDirectory(at: resources, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "png" }
        #expect(pictures.count == 3)
        let docs = TutorialCode.catalog.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs")
        for picture in pictures {
            #expect(try Data(contentsOf: picture) == Data(contentsOf: docs.appendingPathComponent(picture.lastPathComponent)),
                    "\(picture.lastPathComponent) differs from docs/")
        }
    }

    @Test func linesAreFoundOnlyAsAnUnbrokenRun() {
        #expect(TutorialCode.contains(["a", "b", "c", "d"], run: ["b", "c"]))
        #expect(!TutorialCode.contains(["a", "b", "x", "c"], run: ["b", "c"]))
        #expect(TutorialCode.codeLines(of: "import Descent\n\n    let x = 1   \n// why\n") == ["let x = 1", "// why"])
        #expect(TutorialCode.codeFileNames(in: "a CSV file: no\n@Code(name: \"main.swift\", file: a-01.swift)\n") == ["a-01.swift"])
    }
}

/// Reading the tutorials' code files and the tests that run them.
enum TutorialCode {
    /// Lines of the tutorials that their test runs in another form, and why: the test's form.
    static let substitutions: [String: String] = [
        // A reader passes the file's or the folder's path; the tests find the shared data.
        #"let path = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "housing.csv""#:
            "let path = housingPath",
        #"let path = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "breast_cancer.csv""#:
            "let path = breastCancerPath",
        #"let folder = URL(fileURLWithPath: CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "faces")"#:
            "let folder = URL(fileURLWithPath: facesPath)",
        // The picture goes to a temporary file, not the working directory.
        #"try landscape.svg().write(toFile: "landscape.svg", atomically: true, encoding: .utf8)"#:
            "try landscape.svg().write(toFile: picture, atomically: true, encoding: .utf8)",
    ]

    static let testFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let catalog = testFolder.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/Descent/Descent.docc")

    /// The Swift files under the catalog's `Resources`, in name order.
    static func codeFiles() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: catalog.appendingPathComponent("Resources"), includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "swift" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// The `.tutorial` files under the catalog's `Tutorials`.
    static func tutorialFiles() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: catalog.appendingPathComponent("Tutorials"), includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "tutorial" }
    }

    /// The text of every test in this folder but this one.
    static func testSources() throws -> [String] {
        try FileManager.default.contentsOfDirectory(at: testFolder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "swift" && $0.lastPathComponent != "TutorialCodeTests.swift" }
            .map { try String(contentsOf: $0, encoding: .utf8) }
    }

    /// The files that a tutorial's `@Code(name: …, file: NAME)` directives show.
    static func codeFileNames(in tutorial: String) -> [String] {
        tutorial.components(separatedBy: "@Code(").dropFirst().compactMap { directive in
            guard let arguments = directive.split(separator: ")", maxSplits: 1).first,
                  let file = arguments.range(of: "file:") else { return nil }
            return arguments[file.upperBound...].trimmingCharacters(in: .whitespaces)
        }
    }

    /// The lines of Swift source, trimmed, without blank lines and imports (a test file imports
    /// once for all its code, and `Testing` besides).
    static func codeLines(of source: String) -> [String] {
        source.split(separator: "\n").compactMap { line -> String? in
            let code = line.trimmingCharacters(in: .whitespaces)
            guard !code.isEmpty, !code.hasPrefix("import ") else { return nil }
            return code
        }
    }

    /// The text of each ```swift block of a Markdown file.
    static func swiftBlocks(in markdown: String) -> [String] {
        var blocks: [String] = []
        var current: [Substring]?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if current == nil, trimmed == "```swift" {
                current = []
            } else if let lines = current, trimmed == "```" {
                blocks.append(lines.joined(separator: "\n"))
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    /// Whether `run` appears in `lines` as consecutive lines.
    static func contains(_ lines: [String], run: [String]) -> Bool {
        guard !run.isEmpty, run.count <= lines.count else { return run.isEmpty }
        return (0...(lines.count - run.count)).contains { start in Array(lines[start..<start + run.count]) == run }
    }
}
