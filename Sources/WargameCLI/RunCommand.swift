import Foundation
import SimKernel
import WargameReports
import WargameScenario

/// `wargame run`: the main job. Loads and validates a scenario, runs it, writes the five
/// output files, prints the KPI/SLO table, and exits 0 (all SLOs met) or 1 (breached).
enum RunCommand: Command {
    static let name = "run"
    static let abstract = "Run a scenario, write decision logs and KPI summaries, check its SLOs."
    static let positionalUsage = "[SCENARIO]"
    static let options: [OptionSpec] = [
        .alertRules,
        .sloSpec,
        .alertmanagerConfig,
        OptionSpec("seed", value: "n", help: "Run seed; the SEED environment variable, else the scenario's.", default: "scenario"),
        OptionSpec("steps", value: "n", help: "Simulated steps; the STEPS environment variable, else the scenario's.", default: "scenario"),
        OptionSpec("out", value: "dir", help: "Output directory.", default: "out/<scenario name>"),
        OptionSpec("report", value: nil, help: "Also write report.html (see 'wargame report')."),
        LogSelection.option(default: .all, help: "Decision logs to write: both, routing_decisions.csv only, or none beyond the KPI files."),
        OptionSpec("rules-test", value: nil, help: "Also write alert_rules.yml and its promtool unit test, alert_rules_test.yml."),
        OptionSpec("openmetrics", value: nil, help: "Also write series.om: every metric at every step, timestamped, for promtool tsdb create-blocks-from openmetrics."),
        OptionSpec("start-time", value: "RFC3339", help: "The wall-clock time of the run's start in series.om (a midnight keeps the diurnal clock).", default: "2026-01-01T00:00:00Z"),
        .set,
        .warmup,
    ]
    static let discussion = """
        SCENARIO defaults to scenarios/baseline.json. Outputs (docs/outputs.md):
        routing_decisions.csv (one row per routing outcome), order_events.csv (every stage of
        every order), kpi_timeseries.csv, actions.csv, alerts.csv, kpi_summary.json,
        kpi_summary.md and metrics.prom, written atomically (all or none). --logs decisions leaves
        out order_events.csv, --logs none both decision logs (an earlier run's are removed). --rules-test (runs of at most
        \(AlertRulesTest.maximumSteps) steps) adds the alert rules and a 'promtool test rules' file
        asserting, at every step, exactly the alerts this run fired (docs/live.md).
        Exit codes: 0 all SLOs met, 1 an SLO breached, 2 bad usage or input, 3 internal error,
        128+n stopped by signal n, e.g. 129 SIGHUP, 130 SIGINT, 143 SIGTERM (nothing written).
        """

    static func run(_ o: ParsedOptions, _ context: CommandContext) throws -> ExitCode {
        try o.expectPositionals(atMost: 1)
        let path = o.positionals.first ?? "scenarios/baseline.json"
        let scenario = try loadScenario(path, context, overrides: try o.overrides())
        guard let scenario else { return .badInput }
        let seed = try o.seed("seed", env: "SEED", environment: context.environment, default: scenario.run.seed)
        let steps = try o.integer("steps", env: "STEPS", environment: context.environment, range: 1...10_000_000,
                                  default: scenario.run.steps)
        let outDir = o.string("out") ?? "out/\(scenario.name)"
        if o.has("rules-test") && steps > AlertRulesTest.maximumSteps {
            throw UsageError(message: "'--rules-test' records at most \(AlertRulesTest.maximumSteps) steps, found --steps \(steps).", command: name)
        }
        let logs = try LogSelection.parse(o, default: .all, command: name)
        if o.string("start-time") != nil && !o.has("openmetrics") {
            throw UsageError(message: "'--start-time' times series.om; give it with '--openmetrics'.", command: name)
        }
        let start = o.has("openmetrics") ? try parseStartTime(o.string("start-time") ?? "2026-01-01T00:00:00Z") : nil
        let result = try ScenarioRunner.execute(scenario, seed: seed, steps: steps,
                                                write: .init(directory: outDir, logs: logs, rulesTest: o.has("rules-test"), openMetricsStart: start),
                                                console: context.console)
        context.console.out(summary(result, path: path))
        if o.has("report") { context.console.out("Wrote \(try ReportCommand.write(outDir))\n") }
        return result.report.allPass ? .success : .sloBreached
    }

    /// An RFC 3339 time (`2026-01-01T00:00:00Z`, `2026-01-01T01:00:00+01:00`) in whole Unix
    /// seconds, from 1970 to 9999.
    static func parseStartTime(_ text: String) throws(UsageError) -> Int64 {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        guard let date = f.date(from: text), date.timeIntervalSince1970 >= 0, date.timeIntervalSince1970 < 253_402_300_800,
              date.timeIntervalSince1970 == date.timeIntervalSince1970.rounded() else {
            throw UsageError(message: "The value '\(text)' is invalid for '--start-time': expected an RFC 3339 time in whole seconds such as 2026-01-01T00:00:00Z.", command: name)
        }
        return Int64(date.timeIntervalSince1970)
    }

    /// The scenario, or `nil` after printing why it is invalid.
    static func loadScenario(_ path: String, _ context: CommandContext, overrides: [Override] = []) throws -> Scenario? {
        do {
            return try ScenarioLoader.load(path, overrides: overrides, alertRules: context.alertRules, sloSpecs: context.sloSpecs,
                                           alertmanagerConfig: context.alertmanagerConfig)
        } catch {
            context.console.err(error.report)
            return nil
        }
    }

    static func summary(_ r: ScenarioRunner.Result, path: String) -> String {
        let rep = r.report, id = rep.identity, t = rep.totals
        var out = "wargame run: \(id.scenario) (\(path)), seed \(id.seed), \(NumberFormat.counted(id.steps, "step")) of \(NumberFormat.fixed(id.stepSeconds, 0))s\n"
        out += "  orders: \(t.submitted) submitted" + (t.inFlightAtStart > 0 ? " (+ \(t.inFlightAtStart) in flight at the warm-up's end)" : "")
        out += " = \(t.completed) completed + \(t.rejected) rejected + \(t.dropped) dropped + \(t.interrupted) interrupted + \(t.inFlight) in flight\n"
        out += "  milestones: \(t.filled) filled, \(t.jobsCovered) covered; \(t.failovers) failovers\n\n"
        out += rep.sloTable(markdown: false)
        if !rep.teamSLOs.isEmpty { out += TextTable.render([TeamSLOResult.header] + rep.teamSLOs.map(\.row), indent: "  ") }
        if let wg = rep.warGame {
            func s(_ d: SimDuration?) -> String { d.map { NumberFormat.fixed($0.seconds, 0) + "s" } ?? "-" }
            for i in wg.incidents {
                out += "  incident \(i.name): detected after \(s(i.detection)), mitigated after \(s(i.mitigation)), recovered after \(s(i.recovery))\n"
            }
            if !wg.scores.isEmpty {
                out += "  scorecard:\n" + TextTable.render([WarGameOutcome.scorecardHeader] + wg.scorecardRows(), indent: "    ") + "\n"
                out += "  alert quality: " + wg.qualityLine + "\n"
                if wg.scores.contains(where: { $0.notified != nil }) {
                    out += "  notified (receiver, after the incident began):\n"
                    for sc in wg.scores { out += "    \(sc.name): \(WarGameOutcome.notifiedCell(sc))\n" }
                }
            }
            let fired = wg.alerts.map { $0.rule }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            out += "  alerts fired: " + (fired.isEmpty ? "none" : fired.joined(separator: ", ")) + "; actions taken: \(wg.actions.count)\n"
        }
        out += "\n" + rep.verdictLine + "\n"
        if let dir = r.paths.first.map({ ($0 as NSString).deletingLastPathComponent }) {
            out += "Wrote \(dir)/: " + r.paths.map { ($0 as NSString).lastPathComponent }.joined(separator: ", ") + "\n"
        }
        return out
    }
}

/// `wargame validate FILE...`: checks scenarios without running them.
enum ValidateCommand: Command {
    static let name = "validate"
    static let abstract = "Check scenario files against the schema without running them."
    static let positionalUsage = "FILE..."
    static let options: [OptionSpec] = []

    static func run(_ o: ParsedOptions, _ context: CommandContext) throws -> ExitCode {
        guard !o.positionals.isEmpty else { throw UsageError(message: "Missing scenario files to validate.", command: name) }
        var ok = true
        for path in o.positionals {
            do {
                let s = try ScenarioLoader.load(path)
                context.console.out("ok: \(path) (\(s.name))\n")
            } catch {
                context.console.err(error.report)
                ok = false
            }
        }
        return ok ? .success : .badInput
    }
}

/// `wargame schema`: prints the scenario reference (`docs/scenarios.md`) from the schema.
enum SchemaCommand: Command {
    static let name = "schema"
    static let abstract = "Print the scenario file reference (docs/scenarios.md) generated from the schema."
    static let options: [OptionSpec] = []

    static func run(_ o: ParsedOptions, _ context: CommandContext) throws -> ExitCode {
        try o.expectPositionals(atMost: 0)
        context.console.out(SchemaDocs.markdown())
        return .success
    }
}

/// `wargame alert-rules`: the scenario's alert rules as a Prometheus alerting-rules file.
enum AlertRulesCommand: Command {
    static let name = "alert-rules"
    static let abstract = "Print the scenario's alert rules as Prometheus alerting-rules YAML."
    static let positionalUsage = "[SCENARIO]"
    static let options: [OptionSpec] = [
        OptionSpec("speed", value: "x", help: "The 'serve --speed' a live Prometheus will scrape: for: and range windows are divided by it (Prometheus times them on its own clock).", default: "1"),
    ]

    static func run(_ o: ParsedOptions, _ context: CommandContext) throws -> ExitCode {
        try o.expectPositionals(atMost: 1)
        if o.string("speed") == "max" {
            throw UsageError(message: "The value 'max' is invalid for '--speed': a run at max speed has no wall-clock rate to scale the rules to; expected a number > 0 (the speed you serve at).", command: name)
        }
        let speed = try o.number("speed", range: 1e-3...1e6, default: 1)
        guard let scenario = try RunCommand.loadScenario(o.positionals.first ?? "scenarios/baseline.json", context) else {
            return .badInput
        }
        context.console.out(AlertRulesYAML.render(scenario.alerts, group: "wargame-" + scenario.name, stepLength: scenario.run.stepLength,
                                                  policy: scenario.response, speed: speed))
        return .success
    }
}
