import WargameReports

/// Which logs a run writes beside its KPI files (`--logs`). The decision logs are nearly
/// all of a run's bytes (`order_events.csv` alone is about 83 % of a baseline run), and a
/// long run or a large sweep often needs only the KPIs: docs/outputs.md gives the sizes.
enum LogSelection: String, CaseIterable, Sendable {
    /// `routing_decisions.csv` and `order_events.csv`.
    case all
    /// `routing_decisions.csv` only: one row per routing outcome, without every stage of every order.
    case decisions
    /// Neither: the KPI files (`kpi_timeseries.csv`, `alerts.csv`, `actions.csv`, the summaries, `metrics.prom`).
    case none

    var routing: Bool { self != .none }
    var events: Bool { self == .all }

    static func option(default value: LogSelection, help: String) -> OptionSpec {
        OptionSpec("logs", value: "all|decisions|none", help: help, default: value.rawValue)
    }

    static func parse(_ o: ParsedOptions, default value: LogSelection, command: String) throws(UsageError) -> LogSelection {
        guard let text = o.string("logs") else { return value }
        guard let s = LogSelection(rawValue: text) else {
            throw UsageError(message: "The value '\(text)' is invalid for '--logs': expected one of all, decisions, none.", command: command)
        }
        return s
    }
}

/// A sweep's or study's per-run logs (`--logs decisions|all`): every run's own output set
/// (`kpi_timeseries.csv`, `alerts.csv`, the decision logs chosen …) in `DIR/runs/<run>/`,
/// staged and swapped in as a whole once the sweep's own files are in place. With `none`
/// (the default) no run keeps its files, and the runs of an earlier sweep in `DIR` go.
struct RunLogs {
    let selection: LogSelection
    private let directory: String
    private let staged: StagedDirectory?

    init(_ selection: LogSelection, directory: String) throws(OutputError) {
        self.selection = selection
        self.directory = directory
        if selection == .none {
            try StagedDirectory.check(parent: directory, name: "runs")
            staged = nil
        } else {
            staged = try StagedDirectory(parent: directory, name: "runs")
        }
    }

    /// Where run `name` (`seed-7`, `point-2-seed-7`) writes, or `nil` when runs keep nothing.
    var outputs: (@Sendable (String) -> ScenarioRunner.Outputs)? {
        guard let staging = staged?.staging else { return nil }
        let selection = selection
        return { name in ScenarioRunner.Outputs(directory: staging + "/" + name, logs: selection) }
    }

    /// Swaps the runs in (or removes stale ones); returns what to list as written.
    func commit() throws(OutputError) -> [String] {
        guard let staged else {
            try StagedDirectory.removeStale(parent: directory, name: "runs")
            return []
        }
        try staged.commit()
        return [staged.target + "/"]
    }
}
