#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WargameCLI

// The thin executable: real file descriptors and environment in, an exit code out.

/// Writes all of `text` to `fd`, retrying short writes and EINTR.
func writeAll(_ fd: Int32, _ text: String) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if n < 0 { if errno == EINTR { continue } else { return } }
        bytes = bytes.dropFirst(n)
    }
}

var environment: [String: String] = [:]
for key in ["SEED", "STEPS"] {
    if let value = getenv(key) { environment[key] = String(cString: value) }
}
Interrupts.install()
let console = Console(
    out: { writeAll(STDOUT_FILENO, $0) },
    err: { writeAll(STDERR_FILENO, $0) },
    stderrIsTerminal: isatty(STDERR_FILENO) != 0)
let code = Wargame.main(arguments: Array(CommandLine.arguments.dropFirst()),
                        context: CommandContext(environment: environment, console: console))
exit(code.rawValue)
