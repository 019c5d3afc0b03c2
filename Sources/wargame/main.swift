#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WargameCLI

// The thin executable: real file descriptors and environment in, an exit code out.

/// Writes all of `text` to `fd`, retrying short writes and EINTR; returns the errno of a
/// failure, or 0.
func writeAll(_ fd: Int32, _ text: String) -> Int32 {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if n < 0 { if errno == EINTR { continue } else { return errno } }
        bytes = bytes.dropFirst(n)
    }
    return 0
}

/// The first failure to write standard output (a full disk, a closed descriptor): the
/// command finishes, then says so and exits 3 instead of 0 or 1, since results were lost.
/// A reader that went away (EPIPE, `| head -1`) stops the command like a signal instead.
nonisolated(unsafe) var stdoutFailure: Int32 = 0

func writeStdout(_ text: String) {
    guard stdoutFailure == 0 else { return }
    let failure = writeAll(STDOUT_FILENO, text)
    if failure == EPIPE { Interrupts.stop(signal: SIGPIPE) }
    stdoutFailure = failure
}

var environment: [String: String] = [:]
for key in ["SEED", "STEPS"] {
    if let value = getenv(key) { environment[key] = String(cString: value) }
}
Interrupts.install()
let console = Console(
    out: { writeStdout($0) },
    err: { _ = writeAll(STDERR_FILENO, $0) },
    stderrIsTerminal: isatty(STDERR_FILENO) != 0)
let code = Wargame.main(arguments: Array(CommandLine.arguments.dropFirst()),
                        context: CommandContext(environment: environment, console: console))
if stdoutFailure != 0 {
    _ = writeAll(STDERR_FILENO, "Error: cannot write standard output (\(String(cString: strerror(stdoutFailure)))); what it should have shown is lost\n")
    if code == .success || code == .sloBreached { Interrupts.finish(ExitCode.internalError.rawValue) }
}
Interrupts.finish(code.rawValue)
