/// A one-line progress indicator for long runs, drawn on stderr only when stderr is a
/// terminal, so CI logs and redirected output stay clean and results stay on stdout.
///
/// Reads the wall clock for rate and ETA, which is fine here: it is outside the
/// simulation and never reaches an output file.
struct Progress {
    let label: String
    let total: Int
    let console: Console
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private var lastDrawn: ContinuousClock.Instant
    private var drew = false

    init(label: String, total: Int, console: Console) {
        self.label = label
        self.total = total
        self.console = console
        started = clock.now
        lastDrawn = started
    }

    /// Reports `done` of `total`; redraws at most ten times a second.
    mutating func update(_ done: Int) {
        guard console.stderrIsTerminal else { return }
        let now = clock.now
        guard done == total || now - lastDrawn >= .milliseconds(100) else { return }
        lastDrawn = now
        let elapsed = Self.seconds(now - started)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let eta = rate > 0 ? Int((Double(total - done) / rate).rounded(.up)) : 0
        let percent = total > 0 ? done * 100 / total : 100
        console.err("\r\(label): \(done)/\(total) (\(percent)%), \(Int(rate))/s, ETA \(eta)s   ")
        drew = true
    }

    /// Clears the line, if one was drawn.
    func finish() {
        if drew { console.err("\r" + String(repeating: " ", count: 72) + "\r") }
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}
