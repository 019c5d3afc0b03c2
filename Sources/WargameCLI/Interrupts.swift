#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import WargameReports

/// SIGINT and SIGTERM: stop at once, delete every temporary output file and every output
/// directory the command created, and exit 130 or 143 (128 + the signal, the shell's
/// convention), so an interrupted command leaves the file system as it found it.
///
/// The handler only writes the signal number to a pipe — the one thing a signal handler
/// may safely do. A dedicated thread reads it and does the work: it takes the same lock as
/// `OutputSet.commitAll`, so it removes either all of a command's files or none (if the
/// commit won the race, the outputs are complete and stay). No other code needs to poll
/// for cancellation, in loops, worker threads or the server alike.
public enum Interrupts {
    nonisolated(unsafe) static var pipeWrite: Int32 = -1

    /// Installs the handlers. Call once, from the executable, before any work.
    public static func install() {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        pipeWrite = fds[1]
        let readEnd = fds[0]
        let handler: @convention(c) (Int32) -> Void = { sig in
            var byte = UInt8(truncatingIfNeeded: sig)
            _ = write(Interrupts.pipeWrite, &byte, 1)
        }
        signal(SIGINT, handler)   // glibc and Darwin: BSD semantics, SA_RESTART, handler stays
        signal(SIGTERM, handler)
        // A blocked signal mask survives exec: a parent that spawned us from a thread with
        // these signals blocked (test runners, some supervisors) would make them no-ops.
        // Threads started later inherit the main thread's mask, so unblocking here is enough.
        var mask = sigset_t()
        sigemptyset(&mask)
        sigaddset(&mask, SIGINT)
        sigaddset(&mask, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &mask, nil)
        let thread = Thread {
            var byte: UInt8 = 0
            while read(readEnd, &byte, 1) != 1 {}
            stop(signal: Int32(byte))
        }
        thread.name = "wargame.interrupts"
        thread.start()
    }

    static func stop(signal sig: Int32) -> Never {
        let removed = TemporaryOutputs.shared.removeAll()
        let name = sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "signal \(sig)"
        var message = "\nwargame: interrupted by \(name)"
        message += removed > 0 ? "; removed \(removed) unfinished output file(s) and directories; nothing was written\n" : "\n"
        _ = message.utf8CString.withUnsafeBufferPointer { write(STDERR_FILENO, $0.baseAddress, $0.count - 1) }
        _exit(128 + sig)
    }
}
