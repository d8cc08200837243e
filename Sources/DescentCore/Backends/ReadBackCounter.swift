import Synchronization

/// Counts the tensors copied from a device to the host — each one a wait for the device — while
/// a piece of code runs: how tests show that a training step reads back at most its cost.
///
/// ```swift
/// let counter = ReadBackCounter()
/// let history = try counter.counting { try model.fit(train, epochs: 1, loss: .crossEntropy(), optimizer: SGD()) }
/// print(counter.count)
/// ```
///
/// Only the code inside ``counting(_:)`` (and the tasks it starts) is counted, so tests that
/// run at the same time do not disturb each other. The CPU's tensors are on the host already:
/// reading them counts nothing.
public final class ReadBackCounter: Sendable {
    private let readBacks = Atomic<Int>(0)

    public init() {}

    /// The read-backs counted so far.
    public var count: Int { readBacks.load(ordering: .relaxed) }

    /// Runs `body`, counting its read-backs in this counter.
    public func counting<R>(_ body: () throws -> R) rethrows -> R {
        try Self.$current.withValue(self, operation: body)
    }

    @TaskLocal static var current: ReadBackCounter?

    /// Called by a backend for each copy to the host.
    static func recordReadBack() {
        current?.readBacks.wrappingAdd(1, ordering: .relaxed)
    }
}
