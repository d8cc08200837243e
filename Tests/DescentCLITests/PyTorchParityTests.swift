import Descent
import Foundation
import Testing
import _DescentTestSupport

/// One reference run of `Fixtures/parity/make_parity.py`: PyTorch trained a network from
/// `initial` for `steps` full-batch steps and reached `final`.
struct ParityCase: Decodable, Sendable, CustomTestStringConvertible {
    var name: String
    /// The CSV file, beside the weights.
    var data: String
    /// The `--layers` list.
    var layers: String
    /// The `--loss` name.
    var loss: String
    /// `--optimizer NAME` and its hyper-parameters, as the command line spells them.
    var options: [String]
    var steps: Int
    var initial: String
    var final: String
    /// PyTorch's cost at each step, before that step's update.
    var costs: [Double]

    var testDescription: String { name }

    /// The `--optimizer` name among the options.
    var optimizer: String? { options.firstIndex(of: "--optimizer").map { options[$0 + 1] } }

    static let folder = fixtureURL("parity", in: .module)

    static func all() throws -> [ParityCase] {
        struct Manifest: Decodable { var cases: [ParityCase] }
        let data = try Data(contentsOf: folder.appendingPathComponent("parity.json"))
        return try JSONDecoder().decode(Manifest.self, from: data).cases
    }
}

/// Issue 4: started from the same weights, with `--no-shuffle --batch-size full --steps N`,
/// `descent train` reaches the weights PyTorch reaches with the same cost function, optimizer
/// and hyper-parameters, to float32 precision.
@Suite struct PyTorchParityTests {
    @Test func fixturesCoverSeveralCostsAndOptimizers() throws {
        let cases = try ParityCase.all()
        #expect(Set(cases.map(\.loss)).count >= 5)
        #expect(Set(cases.compactMap(\.optimizer)).count >= 6)
    }

    @Test(arguments: try ParityCase.all())
    func trainReachesPyTorchWeights(_ parity: ParityCase) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fixtures = ParityCase.folder
        let arguments = ["train", fixtures.appendingPathComponent(parity.data).path,
                         "--layers", parity.layers, "--loss", parity.loss] + parity.options + [
            "--init", fixtures.appendingPathComponent(parity.initial).path,
            "--no-shuffle", "--batch-size", "full", "--steps", "\(parity.steps)", "--validation-split", "0",
            // PyTorch's scripts fit the features and targets as they are.
            "--no-standardize", "--no-target-scaling", "--output", "model", "--quiet",
        ]
        let run = try descent(arguments, in: folder)
        try #require(run.status == 0, "descent \(arguments.joined(separator: " ")) failed: \(run.standardError)")

        let trained = try SafeTensorsFile(contentsOf: folder.appendingPathComponent("model/model.safetensors")).tensors
        let expected = try SafeTensorsFile(contentsOf: fixtures.appendingPathComponent(parity.final)).tensors
        #expect(trained.keys.sorted() == expected.keys.sorted())
        for (name, target) in expected.sorted(by: { $0.key < $1.key }) {
            let weights = try #require(trained[name], "\(name) is missing")
            expectClose(weights, target, relative: 1e-5, absolute: 1e-6, "\(parity.name): \(name)")
        }

        // One full-batch step per epoch: each epoch's training cost is PyTorch's cost at that step.
        let history = try String(contentsOf: folder.appendingPathComponent("model/history.csv"), encoding: .utf8)
        let rows = history.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let lossColumn = try #require(rows.first?.firstIndex(of: "loss"))
        let costs = rows.dropFirst().compactMap { Double($0[lossColumn]) }
        expectClose(costs, parity.costs, relative: 1e-5, absolute: 1e-6)
    }
}
