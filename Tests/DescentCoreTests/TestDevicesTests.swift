// The list of devices that the PyTorch-fixture tests run on (_DescentTestSupport's
// testDevices()): what DESCENT_TEST_DEVICES adds, and that a device it names but this machine
// lacks is an error naming it, never a quiet skip.
import Descent
import Testing
import _DescentTestSupport

@Suite struct TestDevicesTests {
    @Test(arguments: [nil, "", "reference", " cpu , reference,", ","])
    func theCPUAndTheReferenceAreAlwaysTestedOnce(variable: String?) throws {
        #expect(try resolveTestDevices(variable).get() == [.cpu, .reference])
    }

    @Test func aNameThatIsNoDeviceIsAnError() {
        guard case .failure(let error) = resolveTestDevices("reference,tpu") else {
            Issue.record("tpu was accepted")
            return
        }
        #expect(error.name == "tpu")
        #expect(error.description.hasPrefix("DESCENT_TEST_DEVICES names tpu, which cannot be tested here: not a device"))
    }

    /// No machine has 4,097 GPUs: without CUDA the error lists where it looked, with CUDA it
    /// says how many GPUs the driver found. Either way it names the device.
    @Test func aDeviceThatIsNotHereIsAnErrorSayingWhy() {
        guard case .failure(let error) = resolveTestDevices("cuda:4096") else {
            Issue.record("cuda:4096 was accepted")
            return
        }
        #expect(error.name == "cuda:4096")
        #expect(error.description.contains("DESCENT_TEST_DEVICES names cuda:4096, which cannot be tested here: CUDA"),
                "\(error)")
    }
}
