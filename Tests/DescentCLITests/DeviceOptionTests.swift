import Foundation
import Testing

/// `descent train --device`: the same training on the fast kernels and on the textbook loops.
@Suite struct DeviceOptionTests {
    /// On the built-in digits, `--device reference` reaches what `--device cpu` reaches, to the
    /// rounding of the arithmetic; the saved model loads and evaluates on the CPU.
    @Test func referenceTrainsTheDigitsLikeTheCPU() throws {
        let directory = try temporaryFolder()
        let common = ["train", "--layers", "32,relu", "--epochs", "4", "--batch-size", "32", "--json"]
        let cpu = try descent(common + ["--device", "cpu"], in: directory)
        let reference = try descent(common + ["--device", "reference", "--output", "model"], in: directory)
        try #require(cpu.status == 0, "\(cpu.standardError)")
        try #require(reference.status == 0, "\(reference.standardError)")
        let a = try jsonObject(cpu.standardOutput), b = try jsonObject(reference.standardOutput)
        let cpuLoss = try #require(a["val_loss"] as? Double), referenceLoss = try #require(b["val_loss"] as? Double)
        #expect(abs(cpuLoss - referenceLoss) <= 1e-3 * cpuLoss)
        #expect(a["val_accuracy"] as? Double == b["val_accuracy"] as? Double)
        #expect((a["val_accuracy"] as? Double ?? 0) > 0.85)

        let evaluated = try descent(["evaluate", "model", "digits", "--json"], in: directory)
        #expect(evaluated.status == 0, "\(evaluated.standardError)")
    }

    @Test func anUnknownDeviceIsRefusedWithTheChoices() throws {
        let result = try descent(["train", "--device", "gpu"], in: try temporaryFolder())
        #expect(result.status != 0)
        #expect(result.standardError.contains("cpu") && result.standardError.contains("reference"), "\(result.standardError)")
    }
}
