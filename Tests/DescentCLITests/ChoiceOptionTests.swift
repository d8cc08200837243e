import Descent
import Foundation
import Testing

/// `descent --version`, and the options whose values are a closed set of choices: a value that
/// is not one of them is refused, with the list of those that are.
@Suite struct ChoiceOptionTests {
    @Test func versionPrintsTheLibrarysVersion() throws {
        let result = try descent(["--version"], in: try temporaryFolder())
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == DescentVersion.string)
        #expect(DescentVersion.string.split(separator: ".").count == 3)
    }

    /// Each choice option with a typo: a non-zero exit, and every valid value on standard error.
    @Test(arguments: [
        ("--optimizer", "adamm", OptimizerSettings.names),
        ("--loss", "cross-entropi", Loss.names),
        ("--task", "ranking", PredictionTask.names),
        ("--schedule", "warmup", ScheduleSettings.names),
        ("--device", "gpu", Device.allCases.map(\.rawValue)),
    ])
    func aTypoListsTheValidValues(option: String, typo: String, values: [String]) throws {
        let directory = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try descent(["train", option, typo], in: directory)
        #expect(result.status != 0)
        #expect(result.standardError.contains("'\(typo)'"), "\(result.standardError)")
        for value in values {
            #expect(result.standardError.contains(value), "\(option): \(value) missing from \(result.standardError)")
        }
        // Nothing was trained.
        #expect(!result.standardOutput.contains("epoch"))
    }

    /// The spellings users type are the values.
    @Test func theSpellingsStay() {
        #expect(OptimizerSettings.names == ["sgd", "rmsprop", "adam", "adamw", "adagrad", "adadelta", "adamax", "nadam"])
        #expect(Loss.names == ["mse", "mae", "huber", "smooth-l1", "bce", "bce-logits", "cross-entropy", "nll", "kl-div"])
        #expect(PredictionTask.names == ["classification", "binary", "regression"])
        #expect(ScheduleSettings.names == ["step", "multistep", "exponential", "cosine", "linear", "plateau"])
    }

    /// Library errors about a setting name its option on the command line.
    @Test func settingErrorsNameTheOption() throws {
        let directory = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: directory) }
        let cases: [([String], String)] = [
            (["--learning-rate=-1"], "--learning-rate must be a finite number of at least 0, found -1.0"),
            (["--optimizer", "adam", "--momentum", "0.9"], "--momentum applies to --optimizer sgd or rmsprop, not adam"),
            (["--optimizer", "sgd", "--nesterov"], "--nesterov needs --momentum to be above 0"),
            (["--epochs", "0"], "--epochs must be at least 1, found 0"),
            (["--steps", "0"], "--steps must be at least 1, found 0"),
            (["--schedule", "multistep", "--milestones", "5,2"], "--milestones must be epochs of at least 0 in increasing order"),
        ]
        for (arguments, message) in cases {
            let result = try descent(["train"] + arguments, in: directory)
            #expect(result.status != 0, "\(arguments) succeeded")
            #expect(result.standardError.contains(message), "\(arguments): \(result.standardError)")
        }
    }
}
