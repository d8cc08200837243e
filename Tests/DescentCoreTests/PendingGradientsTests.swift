// The order in which backpropagation passes gradients back: the node made last first, each
// node's gradients from all its uses summed before it passes them on.
@testable import DescentCore
import Testing

@Suite struct PendingGradientsTests {
    @Test func theLaterNodeComesOutFirstWithItsGradientsSummed() throws {
        let first = GradientNode(leafShape: [2]), second = GradientNode(leafShape: [2])
        let third = GradientNode(leafShape: [2])
        var pending = PendingGradients()
        pending.add(Tensor([1, 2] as [Double]), for: first)
        pending.add(Tensor([10, 20] as [Double]), for: third)
        pending.add(Tensor([100, 200] as [Double]), for: first)
        pending.add(Tensor([5, 6] as [Double]), for: second)
        pending.add(Tensor([1000, 2000] as [Double]), for: first)

        let out = [pending.removeNext(), pending.removeNext(), pending.removeNext()]
        #expect(pending.removeNext() == nil)
        #expect(out.map { $0?.node === third } == [true, false, false])
        #expect(out.map { $0?.node === second } == [false, true, false])
        #expect(out.map { $0?.node === first } == [false, false, true])
        #expect(out.map { $0?.gradient.doubles() ?? [] } == [[10, 20], [5, 6], [1101, 2202]])
    }

    /// Many nodes in any order come out strictly from the latest made to the earliest.
    @Test func nodesComeOutByFallingSequenceNumber() {
        let nodes = (0..<200).map { _ in GradientNode(leafShape: [1]) }
        var random = RandomGenerator(seed: 7)
        var pending = PendingGradients()
        for node in nodes.shuffled(using: &random) { pending.add(Tensor([1] as [Double]), for: node) }
        var order: [UInt64] = []
        while let (node, _) = pending.removeNext() { order.append(node.sequenceNumber) }
        #expect(order == nodes.map(\.sequenceNumber).sorted(by: >))
    }
}
