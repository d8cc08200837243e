import Descent
import Foundation
import Testing

/// Layers sized from the command line are checked against memory before any is built
/// (issue 12: `--layers 1000000000` and `--layers 100000,100000` died allocating).
@Suite struct LayerMemoryTests {
    let machine = Double(ProcessInfo.processInfo.physicalMemory)

    /// This machine's memory as the error prints it.
    var machineText: String {
        var value = machine, unit = 0
        let units = ["bytes", "kB", "MB", "GB", "TB", "PB", "EB"]
        while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
        return String(format: "%.1f %@", value, units[unit])
    }

    @Test func aBillionUnitsIsRefusedWithTheBytesItWouldNeed() throws {
        let error = try #require(throws: TrainingError.self) {
            try LayerList.parse("1000000000", inputCount: 784, outputCount: 10)
        }
        // (784 + 1) × 10^9 parameters, 8 bytes each (value and gradient).
        #expect(error.description == """
            the layer list: item 1 "1000000000" brings the network to 785,000,000,000 parameters, and training needs \
            at least 6,280,000,000,000 bytes (6.3 TB) for their values and gradients: more than this machine's \
            \(machineText) of memory
            """)
    }

    @Test func aHundredThousandUnitsIsPastTheLargestSize() throws {
        let error = try #require(throws: TrainingError.self) {
            try LayerList.parse("100000,100000", inputCount: 784, outputCount: 10)
        }
        #expect(error.description == "the layer list: item 1 \"100000\" is not understood: a dense layer needs 1 to 65536 units")
    }

    /// Layers each within the largest size, together past any machine's memory: refused at the
    /// item that passes it, before that layer is built (so the test allocates nothing large).
    @Test func layersTogetherPastMemoryAreRefusedBeforeAnyIsBuilt() throws {
        let list = Array(repeating: "65536", count: 200).joined(separator: ",")  // about 6.9 TB
        let error = try #require(throws: TrainingError.self) {
            try LayerList.parse(list, inputCount: 784, outputCount: 10)
        }
        // The first layer has 785 × 65536 parameters, each next one 65537 × 65536.
        let first = 785.0 * 65536, next = 65537.0 * 65536
        let item = 2 + Int(((machine / 8 - first) / next).rounded(.down))
        let parameters = first + Double(item - 1) * next
        #expect(error.description.hasPrefix("the layer list: item \(item) \"65536\" brings the network to "))
        #expect(error.description.contains("and training needs at least \(grouped(parameters * 8)) bytes"))
        #expect(error.description.hasSuffix("for their values and gradients: more than this machine's \(machineText) of memory"))
    }

    @Test func theOutputLayerCountsToo() throws {
        // A convolution of 65536 channels on 28 × 28 images, flattened: 51 million inputs to
        // the output layer of 100,000 classes, 41 TB.
        let error = try #require(throws: TrainingError.self) {
            try LayerList.parse("conv=65536x1,flatten", inputShape: [1, 28, 28], outputCount: 100_000)
        }
        #expect(error.description.hasPrefix("the layer list: the output layer (51380224 inputs, 100000 outputs) brings the network to "))
    }

    @Test func ordinaryListsPass() throws {
        #expect(try LayerList.parse("512,relu,512,relu", inputCount: 784, outputCount: 10).count == 5)
    }

    private func grouped(_ value: Double) -> String {
        let digits = String(Int64(value))
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result += "," }
            result.append(digit)
        }
        return result
    }
}
