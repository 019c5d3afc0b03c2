/// Process exit codes. Each means one thing, so scripts and CI can branch on them.
public enum ExitCode: Int32, Sendable {
    /// Success; where SLOs are asserted, every SLO held.
    case success = 0
    /// The run completed but at least one asserted SLO was breached.
    case sloBreached = 1
    /// Bad usage or bad input: nothing was run and no output was written.
    case badInput = 2
    /// An internal error (a bug, or an output that could not be written).
    case internalError = 3
    /// Stopped by SIGINT (Ctrl-C): temporary outputs removed, nothing written (128 + 2).
    case interrupted = 130
    /// Stopped by SIGTERM: likewise (128 + 15).
    case terminated = 143
}

/// Where a command writes. Injected so tests can capture output and pretend to be a TTY.
public struct Console {
    public var out: (String) -> Void
    public var err: (String) -> Void
    /// Progress is drawn only on a terminal; CI logs stay clean.
    public var stderrIsTerminal: Bool

    public init(out: @escaping (String) -> Void, err: @escaping (String) -> Void, stderrIsTerminal: Bool) {
        self.out = out
        self.err = err
        self.stderrIsTerminal = stderrIsTerminal
    }
}

/// Bad usage: reported as `Error: …`, the usage line and a pointer to help; exit 2.
/// Input that is valid piece by piece but not together (a warm-up longer than the run):
/// exit 2, with the message and no usage line.
public struct InputError: Error, Equatable, Sendable {
    public let message: String
}

public struct UsageError: Error, Equatable, Sendable {
    public let message: String
    /// The command whose usage to print (e.g. `mmc`, `bench mmc`); empty for the top level.
    public let command: String
}
