import Descent
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How many times SIGINT (Ctrl-C) has arrived. Atomic, because a signal handler may only do
/// what is safe at any instant (no locks, no allocation).
private let interruptionCount = Atomic<Int>(0)

/// Ctrl-C during training: the first one lets the current step finish, has the checkpoint
/// saved and ends training (``TrainingInterrupted``); a second one exits at once, status 130.
final class CtrlC: TrainingCallback {
    /// Installs the SIGINT handler, once training starts; until then (while the data load)
    /// Ctrl-C ends the process at once, as usual.
    func install() {
        signal(SIGINT) { _ in
            if interruptionCount.add(1, ordering: .relaxed).newValue >= 2 { _exit(130) }
            // A static string: nothing here may allocate.
            let message: StaticString = "\nStopping after this step (Ctrl-C again to quit at once)\n"
            message.withUTF8Buffer { _ = write(2, $0.baseAddress, $0.count) }
        }
    }

    /// Whether Ctrl-C has been pressed.
    var interruptsTraining: Bool { interruptionCount.load(ordering: .relaxed) > 0 }
}

/// A path as a shell reads it back: as is when it holds only safe characters, else in single
/// quotes.
func shellQuoted(_ text: String) -> String {
    let safe = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_./=,:@+"))
    if !text.isEmpty, text.unicodeScalars.allSatisfy(safe.contains) { return text }
    return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
