/// Where a tensor's elements live, and so which `Backend` computes with them.
///
/// Every tensor's storage knows its device, and an operation runs on the device of its
/// operands: the code above the backends (operations, derivative rules, layers, optimizers, the
/// training loop) never names one. Operands on different devices are a programmer's mistake
/// that stops the program with a message naming both; Swift numbers belong to no device
/// (`w - 0.5 * slope` works wherever `w` and `slope` are). ``Tensor/to(_:)`` moves a tensor.
///
/// - ``cpu``: the fast kernels (C micro-kernels, SIMD, worker threads) on this machine's cores.
/// - ``reference``: the textbook — every primitive as its plain loop in Swift, one thread, no
///   tricks. Slow and obviously right: the yardstick every fast backend is checked against
///   (see ``BackendCrossCheck``), and a way to run a whole training on the definitions.
/// - ``cuda(_:)``: an NVIDIA GPU, by its ordinal (`cuda(0)` is the first). CUDA is loaded when
///   the device is first used, and a machine without it runs everything else: call
///   ``checkAvailable()`` first to get a ``CUDAError`` that says what is missing, instead of a
///   trap at the first operation.
///
/// Written as text (``rawValue``, the command line's `--device`): `cpu`, `reference`, `cuda`
/// (the first GPU) or `cuda:1`.
public enum Device: Hashable, Sendable, CaseIterable, RawRepresentable, CustomStringConvertible {
    case cpu
    case reference
    case cuda(Int)

    /// The devices that every machine has, ``cpu`` and ``reference``: GPUs are not listed, since
    /// which exist is only known by asking the driver (``cuda(_:)``, ``checkAvailable()``).
    public static var allCases: [Device] { [.cpu, .reference] }

    /// `cpu`, `reference`, `cuda` (the first GPU) or `cuda:N`.
    public init?(rawValue: String) {
        switch rawValue {
        case "cpu": self = .cpu
        case "reference": self = .reference
        case "cuda": self = .cuda(0)
        default:
            guard rawValue.hasPrefix("cuda:"), let ordinal = Int(rawValue.dropFirst(5)), ordinal >= 0 else { return nil }
            self = .cuda(ordinal)
        }
    }

    /// `cpu`, `reference` or `cuda:N`.
    public var rawValue: String {
        switch self {
        case .cpu: "cpu"
        case .reference: "reference"
        case .cuda(let ordinal): "cuda:\(ordinal)"
        }
    }

    public var description: String { rawValue }

    /// Whether the device's tensors live in this machine's memory (the CPU's and the reference
    /// backend's), where the host can read them through a pointer.
    var isHost: Bool {
        if case .cuda = self { false } else { true }
    }

    /// Throws a ``CUDAError`` that says what is missing (which libraries were looked for and
    /// where, or the driver's error) when this is a GPU that cannot be used; returns for the CPU,
    /// the reference backend and a working GPU, which is then ready.
    public func checkAvailable() throws(CUDAError) {
        if case .cuda(let ordinal) = self { _ = try CUDABackend.context(ordinal).get() }
    }

    /// The GPU's name, compute capability, memory and CUDA versions, or `nil` for a device that
    /// is not a working GPU.
    public var cudaDeviceInfo: CUDADeviceInfo? {
        if case .cuda(let ordinal) = self { try? CUDABackend.context(ordinal).get().info } else { nil }
    }

    /// The backend that computes on this device. Adding a device is one case here and one line.
    var backend: any Backend {
        switch self {
        case .cpu: CPUBackend.shared
        case .reference: ReferenceBackend.shared
        case .cuda(let ordinal): CUDABackend(context: CUDABackend.requireContext(ordinal))
        }
    }
}

extension Tensor {
    /// The device that holds this tensor's elements.
    public var device: Device { storage.device }

    /// This tensor on `device`: itself when it is already there, otherwise a copy. Gradients flow
    /// through the move (the gradient moves back to this tensor's device).
    public func to(_ device: Device) -> Tensor {
        if device == self.device { return self }
        let host = self.device == .cpu ? self.detached() : self.device.backend.download(self)
        let moved = device == .cpu ? host : device.backend.upload(host)
        let source = self.device
        return moved.recorded("to", self) { g in g.to(source) }
    }
}

/// The device that an operation on `a` and `b` runs on: theirs, which must be the same.
///
/// - Precondition: `a` and `b` are on one device.
@inline(__always)
func commonDevice(_ operation: @autoclosure () -> String, _ a: Tensor, _ b: Tensor) -> Device {
    let device = a.device
    if b.device != device { mixedDevices(operation(), [a, b]) }
    return device
}

/// The device that an operation on `a`, `b` and `c` runs on: theirs, which must be the same.
@inline(__always)
func commonDevice(_ operation: @autoclosure () -> String, _ a: Tensor, _ b: Tensor, _ c: Tensor) -> Device {
    let device = a.device
    if b.device != device || c.device != device { mixedDevices(operation(), [a, b, c]) }
    return device
}

/// The device of `tensors`, which must be the same for all.
func commonDevice(_ operation: @autoclosure () -> String, _ tensors: [Tensor]) -> Device {
    let device = tensors[0].device
    if tensors.contains(where: { $0.device != device }) { mixedDevices(operation(), tensors) }
    return device
}

private func mixedDevices(_ operation: String, _ tensors: [Tensor]) -> Never {
    preconditionFailure("\(operation): operands are on different devices: "
        + tensors.map { "\($0.dtype) \($0.shape) on \($0.device)" }.joined(separator: ", ")
        + "; move them with .to(_:) first")
}
