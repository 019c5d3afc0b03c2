/// Why a scenario was refused: which file, where in it (a JSON path such as
/// `providers[3].capacity`), and what was expected against what was found.
///
/// A file with several mistakes is reported in one go, like a compiler: the first error
/// carries the others (`all`), up to `Diagnostics.limit`.
public struct ScenarioError: Error, Equatable, Sendable, CustomStringConvertible {
    public let file: String
    /// JSON path, or "" for the file as a whole.
    public let path: String
    public let message: String
    /// Further errors found in the same load, in document order.
    public internal(set) var others: [ScenarioError] = []
    /// Whether reading stopped at the limit, so there may be more.
    public internal(set) var truncated = false

    public init(file: String, path: String, message: String) {
        self.file = file
        self.path = path
        self.message = message
    }

    /// Thrown to abandon an element whose error is already recorded (a bad value that left
    /// a required field unset); recovery points swallow it instead of recording it twice.
    static let alreadyReported = ScenarioError(file: "", path: "", message: "(already reported)")

    /// This error and the others, each on its own.
    public var all: [ScenarioError] {
        var first = self
        first.others = []
        first.truncated = false
        return [first] + others
    }

    /// One line: `file: path: message`.
    public var description: String { path.isEmpty ? "\(file): \(message)" : "\(file): \(path): \(message)" }

    /// The whole report for a terminal: one `Error:` line per error, then a count.
    public var report: String {
        var out = all.map { "Error: \($0)\n" }.joined()
        if truncated {
            out += "Stopped after \(Diagnostics.limit) errors; fix these and check again.\n"
        } else if !others.isEmpty {
            out += "\(others.count + 1) errors; nothing was run.\n"
        }
        return out
    }
}

/// Collects the errors of one scenario load, so reading can go on past a bad value and
/// report every mistake at once. Shared by every `Fields` reader of the load.
final class Diagnostics {
    static let limit = 20
    private(set) var errors: [ScenarioError] = []
    private(set) var stopped = false

    /// Records `error`; at the limit, throws it to stop reading altogether.
    func record(_ error: ScenarioError) throws(ScenarioError) {
        if stopped { throw error }
        errors.append(error)
        if errors.count >= Self.limit {
            stopped = true
            throw error
        }
    }

    /// All errors so far as one, or nil.
    var combined: ScenarioError? {
        guard var first = errors.first else { return nil }
        first.others = Array(errors.dropFirst())
        first.truncated = stopped
        return first
    }
}
