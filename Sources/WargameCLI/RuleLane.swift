import Foundation
import SimKernel
import WargameReports

/// The team's rules evaluated beside the simulation rather than inside it: the simulation's
/// thread scrapes each step into numbers (`UserRules.scrape`) and moves on, and a serial
/// queue stores them, evaluates the rules and writes `alerts.csv` — as a Prometheus server
/// runs beside the system it watches. On two cores a run then takes little longer with a
/// rule file than without; the evaluation's CPU is the same (`docs/performance.md`).
///
/// Deterministic by construction: the queue is serial, so steps are evaluated in order and
/// alert rows are written in the order they were queued — the team's alerts of a step, then
/// the built-in ones of that step, as the synchronous path writes them. Work is handed over
/// `batch` steps at a time (a queue hop per step cost a tenth of the evaluation), and at
/// most `inFlight` batches wait, so memory stays bounded however far the simulation runs
/// ahead.
///
/// Ownership: once queued, `UserRules` (but its sink, which only `scrape` touches) and the
/// alerts CSV belong to the queue until `finish` hands them back; the caller touches them
/// only through the lane.
final class RuleLane: @unchecked Sendable {
    private final class State: @unchecked Sendable {
        let rules: UserRules
        var csv: CSVWriter?
        var failure: OutputError?
        init(_ rules: UserRules, _ csv: CSVWriter?) {
            self.rules = rules
            self.csv = csv
        }

        func write(_ episodes: [AlertEpisode], _ row: (AlertEpisode) -> [String]) {
            guard failure == nil else { return }
            do throws(OutputError) {
                for e in episodes { try csv?.writeRow(row(e)) }
            } catch { failure = error }
        }
    }

    /// What the queue does, in order: a step's evaluation (`first`: the measured run's first
    /// step, which also evaluates at Prometheus time 0), or built-in alerts' rows.
    private enum Work: Sendable {
        case step(ScrapeBuffer, end: SimTime, first: Bool)
        case rows([AlertEpisode])
    }

    private let state: State
    private let queue: OutputQueue
    private let row: @Sendable (AlertEpisode) -> [String]
    private let batch: Int
    private var pending: [Work] = []

    init(_ rules: UserRules, alerts csv: CSVWriter?, row: @escaping @Sendable (AlertEpisode) -> [String], batch: Int = 16, inFlight: Int = 8) {
        state = State(rules, csv)
        self.row = row
        self.batch = batch
        queue = OutputQueue(label: "wargame.rules", limit: inFlight)
    }

    /// Queues a step's evaluation of an already taken scrape.
    func evaluate(_ scrape: ScrapeBuffer, end: SimTime, first: Bool) {
        pending.append(.step(scrape, end: end, first: first))
        if pending.count >= batch { flush() }
    }

    /// Queues rows of the built-in rules' alerts, after the team's of the same step.
    func write(_ episodes: [AlertEpisode]) {
        if !episodes.isEmpty { pending.append(.rows(episodes)) }
    }

    private func flush() {
        guard !pending.isEmpty else { return }
        let (state, row, work) = (self.state, self.row, pending)
        pending = []
        queue.async {
            for w in work {
                switch w {
                case .step(let scrape, let end, let first):
                    var episodes = first ? state.rules.start() : []
                    episodes += state.rules.evaluate(scrape, end: end)
                    state.write(episodes, row)
                case .rows(let episodes):
                    state.write(episodes, row)
                }
            }
        }
    }

    /// Waits for every queued step; hands back the alerts CSV (throwing its first write
    /// failure). The rules are the caller's again from here.
    func finish() throws(OutputError) -> CSVWriter? {
        flush()
        let state = self.state
        let (csv, failure) = queue.sync { (state.csv, state.failure) }
        if let failure { throw failure }
        return csv
    }
}
