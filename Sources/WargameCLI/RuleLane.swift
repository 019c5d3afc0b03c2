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
/// the built-in ones of that step, as the synchronous path writes them. At most `inFlight`
/// steps wait, so memory stays bounded however far the simulation runs ahead.
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

    private let state: State
    private let queue: OutputQueue
    private let row: @Sendable (AlertEpisode) -> [String]

    init(_ rules: UserRules, alerts csv: CSVWriter?, row: @escaping @Sendable (AlertEpisode) -> [String], inFlight: Int = 64) {
        state = State(rules, csv)
        self.row = row
        queue = OutputQueue(label: "wargame.rules", limit: inFlight)
    }

    /// Queues a step's evaluation of an already taken scrape (`first`: the measured run's
    /// first step, which also evaluates at Prometheus time 0).
    func evaluate(_ scrape: ScrapeBuffer, end: SimTime, first: Bool) {
        let (state, row) = (self.state, self.row)
        queue.async {
            var episodes = first ? state.rules.start() : []
            episodes += state.rules.evaluate(scrape, end: end)
            state.write(episodes, row)
        }
    }

    /// Queues rows of the built-in rules' alerts, after the team's of the same step.
    func write(_ episodes: [AlertEpisode]) {
        guard !episodes.isEmpty else { return }
        let (state, row) = (self.state, self.row)
        queue.async { state.write(episodes, row) }
    }

    /// Waits for every queued step; hands back the alerts CSV (throwing its first write
    /// failure). The rules are the caller's again from here.
    func finish() throws(OutputError) -> CSVWriter? {
        let state = self.state
        let (csv, failure) = queue.sync { (state.csv, state.failure) }
        if let failure { throw failure }
        return csv
    }
}
