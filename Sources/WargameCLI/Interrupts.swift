#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import WargameReports

/// Every signal that ends a process by default — SIGINT, SIGTERM, SIGHUP (a closed
/// terminal or SSH session, the commonest way a long run dies), SIGQUIT, SIGUSR1 and
/// SIGUSR2 — stops the command at once, deletes every temporary output file and every
/// output directory it created, and exits 128 + the signal (the shell's convention), so an
/// interrupted command leaves the file system as it found it.
///
/// SIGPIPE is ignored, so a write to a closed pipe fails with EPIPE instead of killing the
/// process mid-commit; the executable treats EPIPE on standard output (`| head -1`) as
/// the signal, through `stop(signal: SIGPIPE)`: the same cleanup, exit 141, no message.
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
        for sig in signals { signal(sig, handler) }  // glibc and Darwin: BSD semantics, SA_RESTART, handler stays
        signal(SIGPIPE, SIG_IGN)
        // A blocked signal mask survives exec: a parent that spawned us from a thread with
        // these signals blocked (test runners, some supervisors) would make them no-ops.
        // Threads started later inherit the main thread's mask, so unblocking here is enough.
        var mask = sigset_t()
        sigemptyset(&mask)
        for sig in signals { sigaddset(&mask, sig) }
        pthread_sigmask(SIG_UNBLOCK, &mask, nil)
        let thread = Thread {
            var byte: UInt8 = 0
            while read(readEnd, &byte, 1) != 1 {}
            stop(signal: Int32(byte))
        }
        thread.name = "wargame.interrupts"
        thread.start()
    }

    /// Set when `stop` begins. The command may still finish on the main thread meanwhile —
    /// typically failing, because `stop` is removing the files it writes — and its exit code
    /// (2, a path it could not write) must not win the race with 128 + the signal.
    nonisolated(unsafe) static var stopping = false
    static let stopLock = NSLock()

    /// Ends the process with `code`, unless a stop is under way: then it waits for `stop`
    /// to end it, so an interrupted command always exits 128 + the signal.
    public static func finish(_ code: Int32) -> Never {
        stopLock.lock()
        let stopped = stopping
        stopLock.unlock()
        if stopped {
            while true { pause() }
        }
        exit(code)
    }

    /// The signals that stop a command, with their names for the message.
    static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2]

    static func name(of sig: Int32) -> String {
        switch sig {
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        case SIGHUP: "SIGHUP"
        case SIGQUIT: "SIGQUIT"
        case SIGUSR1: "SIGUSR1"
        case SIGUSR2: "SIGUSR2"
        case SIGPIPE: "SIGPIPE"
        default: "signal \(sig)"
        }
    }

    /// Removes every unfinished output and exits 128 + `sig`. Also called directly when
    /// standard output turns out to be a closed pipe; that case is quiet, as with any
    /// program whose reader went away.
    public static func stop(signal sig: Int32) -> Never {
        stopLock.lock()
        stopping = true
        stopLock.unlock()
        let removed = TemporaryOutputs.shared.removeAll()
        if sig != SIGPIPE {
            var message = "\nwargame: interrupted by \(name(of: sig))"
            message += removed > 0 ? "; removed \(removed) unfinished output file(s) and directories; nothing was written\n" : "\n"
            _ = message.utf8CString.withUnsafeBufferPointer { write(STDERR_FILENO, $0.baseAddress, $0.count - 1) }
        }
        _exit(128 + sig)
    }
}
