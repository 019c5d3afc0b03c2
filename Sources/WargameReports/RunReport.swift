import SimKernel
import WargameModels

/// Who ran what: printed at the top of every summary so a result can be reproduced.
public struct RunIdentity: Sendable {
    public var scenario: String
    public var files: [String]
    public var scenarioSHA256: String
    public var seed: UInt64
    public var steps: Int
    public var stepSeconds: Double
    public var version: String
    /// `--set` overrides as `PATH=VALUE`, in the order applied.
    public var overrides: [String] = []
    /// Steps whose observations the KPIs, verdicts and alerts leave out.
    public var warmupSteps = 0

    /// The command line that reproduces this run's outputs (the output directory aside).
    public var command: String {
        var args = ["wargame", "run", files.last ?? scenario, "--seed", String(seed), "--steps", String(steps)]
        for o in overrides { args += ["--set", o] }
        return ShellWords.join(args)
    }

    public init(scenario: String, files: [String], scenarioSHA256: String, seed: UInt64, steps: Int,
                stepSeconds: Double, version: String) {
        self.scenario = scenario
        self.files = files
        self.scenarioSHA256 = scenarioSHA256
        self.seed = seed
        self.steps = steps
        self.stepSeconds = stepSeconds
        self.version = version
    }
}

/// Whole-run counts.
///
/// Two kinds: *final states*, of which every order reaches exactly one — completed,
/// rejected, dropped (before it was served), interrupted (filled, then lost with its
/// provider) — or is still in flight at the end; and *milestones* an order passes on the
/// way (filled; its job's provenance covered or not), which overlap the final states.
/// `submitted + inFlightAtStart == completed + rejected + dropped + interrupted + inFlight`
/// (`isConserved`); `inFlightAtStart` is the orders a warm-up left in flight, else 0.
public struct RunTotals: Sendable {
    public var submitted = 0, completed = 0, rejected = 0, dropped = 0, interrupted = 0, inFlight = 0
    public var inFlightAtStart = 0
    /// Milestones.
    public var filled = 0, jobsCovered = 0, jobsUncovered = 0
    public var failovers = 0, bridgeRetries = 0, breakerTransitions = 0
    public var events: UInt64 = 0
    public init() {}

    /// Orders that reached a final state.
    public var finished: Int { completed + rejected + dropped + interrupted }

    /// Whether every order is in exactly one final state or in flight.
    public var isConserved: Bool { submitted + inFlightAtStart == finished + inFlight }

    /// The counts since `start` (the end of the warm-up), with the orders then in flight as
    /// `inFlightAtStart`; events handled stay a whole-run figure.
    public func since(_ start: RunTotals) -> RunTotals {
        var t = self
        t.submitted -= start.submitted; t.filled -= start.filled; t.completed -= start.completed
        t.rejected -= start.rejected; t.dropped -= start.dropped; t.interrupted -= start.interrupted
        t.inFlightAtStart = start.inFlight
        t.failovers -= start.failovers; t.bridgeRetries -= start.bridgeRetries; t.breakerTransitions -= start.breakerTransitions
        t.jobsCovered -= start.jobsCovered; t.jobsUncovered -= start.jobsUncovered
        return t
    }
}

/// One SLO's outcome.
public struct SLOResult: Sendable {
    public let slo: SLO
    public let observed: Double?
    public let verdict: Verdict
}

/// The end-of-run report: identity, totals, KPIs and verdicts, and the writers of the
/// summary files. Every number is printed with fixed decimals.
public struct RunReport: Sendable {
    public let identity: RunIdentity
    public let totals: RunTotals
    public let kpis: [KPI: Double]          // looked up by KPI only; printed in KPI.allCases order
    public let results: [SLOResult]
    public let providerIDs: [String]
    public let filledByProvider: [Int]
    public let recorder: KPIRecorder
    public let warGame: WarGameOutcome?
    /// The alert signals at the end of the run (the `wargame_step_*` gauges).
    public let lastStepSignals: SignalValues

    /// `kpis: false` leaves the run-level KPIs (quantiles over every step so far) and the
    /// verdicts out, for a scrape that reads none of them.
    public init(identity: RunIdentity, totals: RunTotals, recorder: KPIRecorder, slos: [SLO], providerIDs: [String],
                warGame: WarGameOutcome? = nil, lastStepSignals: SignalValues = SignalValues(), kpis computeKPIs: Bool = true) {
        self.warGame = warGame
        self.lastStepSignals = lastStepSignals
        self.identity = identity
        self.totals = totals
        self.recorder = recorder
        self.providerIDs = providerIDs
        filledByProvider = recorder.filledByProvider
        var k: [KPI: Double] = [:]
        guard computeKPIs else {
            kpis = k
            results = []
            return
        }
        k[.fillRateP50] = recorder.fillRateQuantile(0.50)
        k[.fillRateP95] = recorder.fillRateQuantile(0.05)  // 95 % of steps reach at least this
        k[.bridgeRTTP95] = recorder.bridgeRTTMilliseconds(0.95)
        let decided = totals.jobsCovered + totals.jobsUncovered
        k[.provenanceCoverage] = decided > 0 ? Double(totals.jobsCovered) / Double(decided) : nil
        k[.policyDecisionP95] = recorder.decisionTimeMilliseconds(0.95)
        k[.droppedRatio] = totals.submitted > 0 ? Double(totals.dropped) / Double(totals.submitted) : nil
        k[.failoversPer5mMax] = Double(recorder.failoversPer5mMax)
        kpis = k
        // No data (no submissions, no decided jobs) cannot breach: the SLO holds vacuously.
        results = slos.map { slo in
            let v = k[slo.kpi]
            return SLOResult(slo: slo, observed: v, verdict: v.map { slo.comparison.holds($0, slo.threshold) ? .pass : .breach } ?? .pass)
        }
    }

    /// The team's own SLOs (`--slo-spec`), judged over the run beside the runbook's.
    public var teamSLOs: [TeamSLOResult] = []
    public var allPass: Bool { results.allSatisfy { $0.verdict == .pass } && teamSLOs.allSatisfy { $0.verdict == .pass } }

    /// One run's value with the decimals it resolves (`KPI.decimals(at:)`).
    public static func format(_ kpi: KPI, _ value: Double?) -> String {
        value.map { NumberFormat.fixed($0, kpi.decimals(at: $0)) } ?? "n/a"
    }

    /// A threshold as written: the KPI's full decimals (a threshold is exact).
    public static func formatThreshold(_ kpi: KPI, _ value: Double) -> String {
        NumberFormat.fixed(value, kpi.decimals)
    }

    // MARK: kpi_summary.json

    public func json() -> JSONValue {
        func num(_ kpi: KPI) -> JSONValue { kpis[kpi].map { .number($0, decimals: kpi.decimals(at: $0)) } ?? .null }
        return .object([
            ("run", .object([
                ("scenario", .string(identity.scenario)),
                ("scenario_files", .array(identity.files.map { .string($0) })),
                ("scenario_sha256", .string(identity.scenarioSHA256)),
                ("seed", .uint(identity.seed)),
                ("steps", .int(Int64(identity.steps))),
                ("step_s", .number(identity.stepSeconds, decimals: 3)),
                ("version", .string(identity.version)),
                ("warmup_steps", .int(Int64(identity.warmupSteps))),
                ("overrides", .array(identity.overrides.map { .string($0) })),
                ("command", .string(identity.command)),
            ])),
            ("totals", totalsJSON()),
            ("kpis", .object(KPI.allCases.map { ($0.rawValue, num($0)) })),
            ("provider_share", .object(providerIDs.indices.map { i in
                (providerIDs[i], .number(totals.filled > 0 ? Double(filledByProvider[i]) / Double(totals.filled) : 0, decimals: 4))
            })),
            ("slos", .array(results.map { r in
                .object([
                    ("name", .string(r.slo.name)),
                    ("kpi", .string(r.slo.kpi.rawValue)),
                    ("op", .string(r.slo.comparison.rawValue)),
                    ("threshold", .number(r.slo.threshold, decimals: r.slo.kpi.decimals)),
                    ("observed", r.observed.map { .number($0, decimals: r.slo.kpi.decimals(at: $0)) } ?? .null),
                    ("verdict", .string(r.verdict.rawValue)),
                ])
            })),
        ] + (teamSLOs.isEmpty ? [] : [("team_slos", .array(teamSLOs.map { $0.json() }))]) + [
            ("all_slos_met", .bool(allPass)),
        ] + (warGame?.json() ?? []))
    }

    /// `totals`: the final states (each order once: they sum to `orders_submitted` +
    /// `orders_in_flight_at_start`) apart from the milestones passed on the way.
    func totalsJSON() -> JSONValue {
        func counts(_ pairs: [(String, Int)]) -> [(String, JSONValue)] { pairs.map { ($0.0, .int(Int64($0.1))) } }
        let t = totals
        return .object(counts([("orders_submitted", t.submitted), ("orders_in_flight_at_start", t.inFlightAtStart)])
            + [("final_states", .object(counts([("completed", t.completed), ("rejected", t.rejected), ("dropped", t.dropped),
                                                 ("interrupted", t.interrupted), ("in_flight", t.inFlight)]))),
               ("milestones", .object(counts([("filled", t.filled), ("covered", t.jobsCovered), ("uncovered", t.jobsUncovered)])))]
            + counts([("failover_events", t.failovers), ("bridge_retries", t.bridgeRetries), ("breaker_transitions", t.breakerTransitions)])
            + [("events", .int(Int64(t.events)))])
    }

    // MARK: kpi_summary.md and the terminal table

    /// "All 7 SLOs met." or "2 of 9 SLOs breached.", counting the team's SLOs too.
    public var verdictLine: String {
        let all = results.map(\.verdict) + teamSLOs.map(\.verdict)
        let breached = all.filter { $0 == .breach }.count
        return breached == 0 ? "All \(all.count) SLOs met." : "\(breached) of \(all.count) SLOs breached."
    }

    public func sloTable(markdown: Bool) -> String {
        let rows: [[String]] = results.map { r in
            [r.slo.name, r.slo.kpi.label, "\(r.slo.comparison.rawValue) \(Self.formatThreshold(r.slo.kpi, r.slo.threshold))",
             Self.format(r.slo.kpi, r.observed), r.verdict == .pass ? "PASS" : "FAIL"]
        }
        let header = ["SLO", "KPI", "Target", "Observed", "Verdict"]
        if markdown {
            return "| " + header.joined(separator: " | ") + " |\n|---|---|---|---|---|\n"
                + rows.map { "| " + $0.joined(separator: " | ") + " |" }.joined(separator: "\n") + "\n"
        }
        return TextTable.render([header] + rows, indent: "  ")
    }

    public func markdown() -> String {
        var out = "# Wargame run: \(identity.scenario)\n\n"
        out += "- Scenario files: " + identity.files.map { "`\($0)`" }.joined(separator: ", ") + "\n"
        out += "- Scenario SHA-256: `\(identity.scenarioSHA256)`\n"
        out += "- Seed \(identity.seed), \(NumberFormat.counted(identity.steps, "step")) of \(NumberFormat.fixed(identity.stepSeconds, 0)) s, wargame \(identity.version)\n"
        if identity.warmupSteps > 0 {
            out += "- Warm-up: the first \(NumberFormat.counted(identity.warmupSteps, "step")) (\(NumberFormat.fixed(Double(identity.warmupSteps) * identity.stepSeconds, 0)) s) are left out of KPIs, verdicts and alerts\n"
        }
        if !identity.overrides.isEmpty { out += "- Overrides: " + identity.overrides.map { "`--set \($0)`" }.joined(separator: ", ") + "\n" }
        out += "- Reproduce: `\(identity.command)`\n\n"
        out += "## SLOs\n\n" + sloTable(markdown: true)
        if !teamSLOs.isEmpty {
            out += "\n| " + TeamSLOResult.header.joined(separator: " | ") + " |\n|---|---|---|---|---|\n"
            out += teamSLOs.map { "| " + $0.row.joined(separator: " | ") + " |\n" }.joined()
        }
        out += "\n" + verdictLine + "\n"
        out += "\n## Totals\n\nEvery order ends in exactly one final state (or is still in flight); milestones are passed on the way and overlap them.\n"
        out += "\n| Orders | Count |\n|---|---|\n| submitted | \(totals.submitted) |\n"
        if totals.inFlightAtStart > 0 { out += "| in flight at the warm-up's end | \(totals.inFlightAtStart) |\n" }
        for (k, v) in [("final: completed", totals.completed), ("final: rejected", totals.rejected), ("final: dropped before served", totals.dropped),
                       ("final: interrupted after fill", totals.interrupted), ("in flight at end", totals.inFlight),
                       ("milestone: filled", totals.filled), ("milestone: provenance covered", totals.jobsCovered),
                       ("failover events", totals.failovers), ("bridge retries", totals.bridgeRetries),
                       ("breaker transitions", totals.breakerTransitions)] {
            out += "| \(k) | \(v) |\n"
        }
        out += "\n## Provider share of filled orders\n\n| Provider | Filled | Share |\n|---|---|---|\n"
        for i in providerIDs.indices {
            let share = totals.filled > 0 ? Double(filledByProvider[i]) / Double(totals.filled) : 0
            out += "| \(providerIDs[i]) | \(filledByProvider[i]) | \(NumberFormat.fixed(share, 4)) |\n"
        }
        if let warGame { out += warGame.markdown() }
        return out
    }
}
