// descent-crosscheck: holds a device's backend against the reference backend, every primitive
// and every derivative rule, and prints what it found.
//
//     descent-crosscheck [--device cpu|reference|cuda[:N]] [--all]
//
// Exits with 0 when every case agrees, 1 when some do not, 2 on a usage error, 3 when the device
// cannot be used (a GPU without its driver or libraries: the message says what was looked for). It links
// DescentCore alone and reads no files or resources, so a release build with
// `--static-swift-stdlib` is a single binary that runs on any machine of the same platform with
// no Swift installed: the way to check a new machine's CPU kernels.
import DescentCore
import Foundation

let usage = """
    usage: descent-crosscheck [--device \((Device.allCases.map(\.rawValue) + ["cuda[:N]"]).joined(separator: "|"))] [--all]

      --device NAME   the device whose backend is checked (default: cpu)
      --all           list every case, not only the ones that disagree
    """

/// Writes `message` to standard error and exits with `code`.
func fail(_ message: String, code: Int32 = 2) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(code)
}

var device = Device.cpu
var listsEveryCase = false
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--device":
        guard let name = arguments.popFirst() else { fail("--device needs a name\n\n\(usage)") }
        guard let named = Device(rawValue: name) else { fail("unknown device '\(name)'\n\n\(usage)") }
        device = named
    case "--all":
        listsEveryCase = true
    case "-h", "--help":
        print(usage)
        exit(0)
    default:
        fail("unknown argument '\(argument)'\n\n\(usage)")
    }
}

do {
    try device.checkAvailable()
} catch {
    fail("\(device) cannot be used: \(error)", code: 3)
}
if let info = device.cudaDeviceInfo { print(info) }
// Each name on standard error before its check: a trap's last line names what stopped.
let report = BackendCrossCheck.run(device) { name in
    FileHandle.standardError.write(Data("checking \(name)\n".utf8))
}
if listsEveryCase {
    for checked in report.cases where checked.passed { print(checked) }
}
print(report)
exit(report.passed ? 0 : 1)
