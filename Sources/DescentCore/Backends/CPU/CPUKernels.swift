import CDescentKernels
import Foundation

/// What the CPU backend runs on this machine: the processor and the variant of the C kernels
/// chosen for it, for benchmarks and reports that must say which CPU a figure comes from.
public enum CPUKernels {
    /// The matrix multiply's micro-kernels: "avx512", "avx2", "neon" or "portable" — the best
    /// this CPU supports, or a lesser one asked for by the environment variable `DESCENT_KERNELS`
    /// (`avx2` or `portable`), read once per process.
    public static var variant: String { String(cString: descent_kernel_variant()) }

    /// The processor's model name as the system gives it (`/proc/cpuinfo` on Linux, `sysctl` on
    /// macOS), or "unknown CPU".
    public static var processorName: String {
        #if os(Linux)
        if let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let colon = line.firstIndex(of: ":") {
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        #elseif canImport(Darwin)
        var size = 0
        if sysctlbyname("machdep.cpu.brand_string", nil, &size, nil, 0) == 0, size > 0 {
            var bytes = [CChar](repeating: 0, count: size)
            if sysctlbyname("machdep.cpu.brand_string", &bytes, &size, nil, 0) == 0 {
                return String(cString: bytes)
            }
        }
        #endif
        return "unknown CPU"
    }

    /// Logical processors per physical core (2 with simultaneous multithreading), or nil when
    /// the system does not say.
    public static var threadsPerCore: Int? {
        #if os(Linux)
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        func firstNumber(_ key: String) -> Int? {
            info.split(separator: "\n").first(where: { $0.hasPrefix(key) })
                .flatMap { $0.split(separator: ":").last }
                .flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        }
        guard let siblings = firstNumber("siblings"), let cores = firstNumber("cpu cores"), cores > 0 else { return nil }
        return siblings / cores
        #else
        return nil
        #endif
    }
}
