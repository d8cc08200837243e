// The devices that the layer, cost-function and optimizer tests run on: the CPU and the reference
// backend everywhere, and on a GPU machine also the devices that DESCENT_TEST_DEVICES names.
import Descent
import Foundation

/// The devices under test: ``Device/cpu`` and ``Device/reference``, then each device named in the
/// environment variable `DESCENT_TEST_DEVICES` (comma-separated, as `--device` spells them:
/// `cuda`, `cuda:1`, …), once each, in that order.
///
/// Give it to a test as its arguments, so that the test runs once per device:
///
/// ```swift
/// @Test(arguments: try testDevices())
/// func matchesPyTorch(device: Device) throws { … }
/// ```
///
/// - Throws: ``TestDeviceError`` when the variable names something that is not a device, or a
///   device that is not available here. Every test that takes its arguments from here then fails
///   with that message, instead of running on the CPU and the reference backend alone: a GPU run
///   that quietly tested nothing on the GPU would be worse than none.
public func testDevices() throws(TestDeviceError) -> [Device] {
    try devicesUnderTest.get()
}

/// Read once per process: checking a GPU loads CUDA, and every parametrized test asks.
private let devicesUnderTest = resolveTestDevices(ProcessInfo.processInfo.environment["DESCENT_TEST_DEVICES"])

/// The devices under test for a value of `DESCENT_TEST_DEVICES` (`nil` when it is not set), each
/// named device checked with ``Device/checkAvailable()``; or why one of them cannot be tested.
/// Blank entries are ignored, so `""` and `"cuda,"` are fine.
public func resolveTestDevices(_ variable: String?) -> Result<[Device], TestDeviceError> {
    var devices: [Device] = [.cpu, .reference]
    let names = (variable ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    for name in names where !name.isEmpty {
        guard let device = Device(rawValue: name) else {
            return .failure(TestDeviceError(name: name, reason: "not a device (cpu, reference, cuda or cuda:N)"))
        }
        do {
            try device.checkAvailable()
        } catch {
            return .failure(TestDeviceError(name: name, reason: "\(error)"))
        }
        if !devices.contains(device) { devices.append(device) }
    }
    return .success(devices)
}

/// A device named in `DESCENT_TEST_DEVICES` that cannot be tested here, and why.
public struct TestDeviceError: Error, Sendable, CustomStringConvertible {
    /// The entry of the variable, as written.
    public var name: String
    /// Why it cannot be tested: not a device's name, or what ``Device/checkAvailable()`` threw.
    public var reason: String

    public var description: String {
        "DESCENT_TEST_DEVICES names \(name), which cannot be tested here: \(reason)"
    }
}
