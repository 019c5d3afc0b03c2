import Foundation
import SimKernel
import WargameModels
import WargameReports
import WargameScenario

/// A run that failed its own invariants: a bug, reported with exit code 3.
struct InvariantFailure: Error, CustomStringConvertible {
    let problems: [String]
    var description: String { "invariants violated at the end of the run:\n  " + problems.joined(separator: "\n  ") }
}

/// Runs a scenario step by step, streaming the decision log and the KPI time series, and
/// writes the summaries at the end — all atomically: on any failure nothing is left.
enum ScenarioRunner {
    static let files = ["routing_decisions.csv", "kpi_timeseries.csv", "actions.csv", "alerts.csv",
                        "kpi_summary.json", "kpi_summary.md", "metrics.prom", "order_events.csv"]
    /// Written too with `--rules-test`.
    static let rulesFiles = ["alert_rules.yml", "alert_rules_test.yml"]
    /// Written too with `--rules-test` when the scenario has rule files: a copy of each, and
    /// the promtool test of their alerts.
    static let userRulesTest = "user_rules_test.yml"
    static func userRulesCopy(_ i: Int) -> String { "user_rules_\(i + 1).yml" }
    static let openMetricsFile = "series.om"
    /// Written too with an Alertmanager config: every first notification of a receiver.
    static let notificationsFile = "notifications.csv"

    struct Result {
        let report: RunReport
        let paths: [String]
        /// The models' draws and per-bridge round trips (what calibration's simulated moments read).
        var inputs: InputTelemetry? = nil
    }

    /// What a run writes, and where.
    struct Outputs {
        var directory: String
        /// Which of `routing_decisions.csv` and `order_events.csv`, by far the largest
        /// files, are written; checks that only need the alerting outputs leave both out.
        var logs = LogSelection.all
        /// Also `alert_rules.yml` and `alert_rules_test.yml`, the run as a promtool rule test.
        var rulesTest = false
        /// Also `series.om`, every metric at every step timestamped from this Unix time.
        var openMetricsStart: Int64?
    }

    /// `write == nil` runs without writing anything (for `check`, sweeps, `serve`).
    /// `onStep` sees each step's KPIs as it closes (for `hunt`); `onSnapshot` gets the
    /// metrics as they stand after each step (for `serve`).
    static func execute(_ scenario: Scenario, seed: UInt64, steps: Int, write: Outputs? = nil, console: Console? = nil,
                        onStep: ((StepKPIs) -> Void)? = nil, onSnapshot: ((MetricsSnapshot) -> Void)? = nil) throws -> Result {
        try preflight(scenario, steps: steps)
        let outputs = try write.map { w throws(OutputError) in try OutputSet(directory: w.directory) }
        // The files of an earlier run in that directory that this one does not write (its
        // report, its decision logs when they are left out) would describe other results.
        outputs?.replaces(files + rulesFiles + ["report.html", openMetricsFile, userRulesTest, notificationsFile] + (0..<64).map(userRulesCopy))
        do {
            return try run(scenario, seed: seed, steps: steps, outputs: outputs, options: write, console: console,
                           onStep: onStep, onSnapshot: onSnapshot)
        } catch {
            outputs?.abortAll()
            throw error
        }
    }

    private static func run(_ scenario: Scenario, seed: UInt64, steps: Int, outputs: OutputSet?, options: Outputs?, console: Console?,
                            onStep: ((StepKPIs) -> Void)?, onSnapshot: ((MetricsSnapshot) -> Void)?) throws -> Result {
        let c = scenario.pipeline
        let stepLength = scenario.run.stepLength
        let providerIDs = c.providers.map(\.id)
        let log = try outputs.flatMap { o throws(OutputError) -> DecisionLog? in
            guard options?.logs.routing == true else { return nil }
            return try DecisionLog(file: try o.open(files[0]), layout: .routing, stepLength: stepLength, regions: c.regions,
                                   providers: providerIDs, warmup: scenario.run.warmup)
        }
        let events = try outputs.flatMap { o throws(OutputError) -> DecisionLog? in
            guard options?.logs.events == true else { return nil }
            return try DecisionLog(file: try o.open(files[7]), layout: .events, stepLength: stepLength, regions: c.regions,
                                   providers: providerIDs, warmup: scenario.run.warmup)
        }
        let series = try outputs.map { o throws(OutputError) in
            BackgroundCSVWriter(try CSVWriter(file: try o.open(files[1]), header: TimeSeries.header(providers: providerIDs, shards: c.shards.map(\.name))))
        }
        // Written on its own queue, as the decision logs are: drained before this returns.
        defer { _ = try? series?.finish() }
        let openMetrics = try options?.openMetricsStart.flatMap { _ in try outputs.map { o throws(OutputError) in try OpenMetricsSeries(directory: o.directory) } }
        defer { openMetrics?.discard() }
        var actionsCSV = try outputs.map { o throws(OutputError) in
            try CSVWriter(file: try o.open(files[2]), header: WarGameOutcome.actionsHeader)
        }
        var alertsCSV = try outputs.map { o throws(OutputError) in
            try CSVWriter(file: try o.open(files[3]), header: WarGameOutcome.alertsHeader)
        }
        // Two tiers: every running job's completion waits minutes to hours ahead (EventQueue).
        var sim = Simulation<OrderPipeline.Event>(minimumCapacity: 4_096, farTierWindow: 1 << 20)
        let sink = RunSink(log: log, events: events, kpis: KPIRecorder(providers: providerIDs.count))
        // The logs are written on their own thread: a failed run aborts its output files,
        // so no write may still be in flight when this returns or throws.
        defer { sink.flushLogs() }
        var pipeline = OrderPipeline(config: c, seed: seed, sink: sink)
        pipeline.start(in: &sim, horizon: .zero + stepLength * Int64(steps))
        var progress = console.map { Progress(label: "\(scenario.name) steps", total: steps, console: $0) }
        defer { progress?.finish() }

        // War game: scripted actions at their exact times, triggered ones and alerts at step ends.
        let scripted: [(SimTime, PlaybookRule)] = scenario.playbook.compactMap { r in
            if case .at(let t) = r.trigger { return (t, r) } else { return nil }
        }.sorted { $0.0 < $1.0 }
        var nextScripted = 0
        var triggers = TriggerEvaluator(rules: scenario.playbook)
        let builtin = scenario.monitoring.builtinAlerts ? scenario.alerts : []
        var alerts = AlertEvaluator(rules: builtin)
        let warmupEnd = SimTime.zero + stepLength * Int64(scenario.run.warmupSteps)

        let conditions = scenario.alerts.map(\.condition) + scenario.playbook.compactMap { r -> Condition? in
            if case .when(let c, _) = r.trigger { return c } else { return nil }
        }
        // Playbook triggers see every step (operators act during the warm-up too); alerts and
        // their error budgets see only the measured steps, as if Prometheus started then.
        var history = SignalHistory(stepLength: stepLength, capacity: SignalHistory.capacity(for: conditions))
        var measured = SignalHistory(stepLength: stepLength, capacity: SignalHistory.capacity(for: conditions))
        let warmupSteps = scenario.run.warmupSteps
        var atWarmupEnd = RunTotals()
        // Which incidents each alert belongs to: known from the schedule, so alerts.csv streams it.
        let attribution = IncidentAttribution(incidents: scenario.pipeline.incidents, detection: scenario.detection,
                                              rules: builtin, policy: scenario.response)
        let user = scenario.monitoring.ruleFiles.isEmpty ? nil
            : UserRules(scenario.monitoring, stepLength: stepLength, origin: warmupEnd, recordTest: options?.rulesTest == true,
                        windows: attribution.windows)
        // Each incident's share of the error budget: bad events inside its window.
        var windows = attribution.windows.map { BudgetWindow(from: $0.lowerBound, to: $0.upperBound) }
        let (response, cells) = (scenario.response, attribution)
        let alertRow: @Sendable (AlertEpisode) -> [String] = { e in
            WarGameOutcome.row(e, level: response.level(for: e.severity), incident: cells.cell(e))
        }
        // The team's rules beside the simulation, unless something reads their state at every
        // step: serve's snapshots (the alerts firing now) or --rules-test's recorder.
        let lane = user.flatMap { u in onSnapshot == nil && u.recorder == nil ? RuleLane(u, alerts: alertsCSV, row: alertRow) : nil }
        if lane != nil { alertsCSV = nil }  // the lane's until it finishes
        var promtoolTest = options?.rulesTest == true ? AlertRulesTest(rules: builtin, stepLength: stepLength, policy: scenario.response) : nil
        var actions: [ActionRecord] = []
        func act(_ rule: PlaybookRule, trigger: String) throws {
            for action in rule.actions {
                pipeline.apply(action, in: &sim)
                let (name, params) = action.describe(c)
                let record = ActionRecord(time: sim.now, rule: rule.name, trigger: trigger, action: name, parameters: params)
                actions.append(record)
                try actionsCSV?.writeRow(WarGameOutcome.row(record))
            }
        }

        var lastSubmitted = 0
        for step in 0..<steps {
            let end = SimTime.zero + stepLength * Int64(step + 1)
            while nextScripted < scripted.count, scripted[nextScripted].0 < end {
                sim.run(&pipeline, until: scripted[nextScripted].0)
                try act(scripted[nextScripted].1, trigger: "scripted")
                nextScripted += 1
            }
            sim.run(&pipeline, until: end)
            let submitted = pipeline.statistics.totalSubmitted
            let open = pipeline.openBreakers
            var kpis = sink.kpis.closeStep(submitted: submitted - lastSubmitted, openBreakers: open)
            kpis.runningJobs = pipeline.providers.reduce(0) { $0 + $1.running }
            kpis.systemPaused = pipeline.systemPaused
            kpis.shardOpen = pipeline.shards.map(\.open)
            kpis.shardActive = pipeline.shards.map(\.active)
            kpis.shardOpenUsage = pipeline.shards.compactMap { s in
                s.config.maxOpenJobs > 0 ? Double(s.open) / Double(s.config.maxOpenJobs) : nil
            }.max()
            lastSubmitted = submitted
            history.add(kpis)
            if let series {
                let (row, seconds, signals, warmup) = (kpis, stepLength.seconds, history.latest, step < warmupSteps)
                series.writeRow { TimeSeries.row(row, stepSeconds: seconds, signals: signals, warmup: warmup) }
            }
            if step + 1 == warmupSteps {
                sink.kpis.endWarmup()
                atWarmupEnd = totals(pipeline, events: 0)
            }
            onStep?(kpis)
            var snapshot: MetricsSnapshot? = nil
            if onSnapshot != nil || openMetrics != nil || (user != nil && step >= warmupSteps) {
                let report = RunReport(identity: identity(scenario, seed: seed, steps: steps), totals: totals(pipeline, events: sim.eventsHandled).since(atWarmupEnd),
                                       recorder: sink.kpis, slos: scenario.slos, providerIDs: providerIDs,
                                       lastStepSignals: history.latest,
                                       kpis: onSnapshot != nil || openMetrics != nil || user?.needsRunKPIs == true)
                var s = MetricsSnapshot(report: report, providers: providerStates(pipeline), simulatedSeconds: end.seconds)
                s.inputs = pipeline.inputTelemetry
                s.service = serviceState(pipeline, tenants: c.demand.tenants, lastStep: kpis)
                if let openMetrics, let start = options?.openMetricsStart {
                    try openMetrics.add(PrometheusText.render(s), at: start + end.microseconds / 1_000_000)
                }
                snapshot = s
            }
            if step >= warmupSteps {
                if let user, let snapshot {
                    if let lane {
                        lane.evaluate(user.scrape(snapshot), end: end, first: step == warmupSteps)
                    } else {
                        if step == warmupSteps { for e in user.start() { try alertsCSV?.writeRow(alertRow(e)) } }
                        for e in user.step(snapshot, end: end) { try alertsCSV?.writeRow(alertRow(e)) }
                    }
                }
                BudgetWindow.add(kpis, end: end, step: stepLength, to: &windows)
                measured.add(kpis)
                let changes = alerts.evaluate(measured, at: end)
                promtoolTest?.record(measured, firing: alerts.firingRules)
                if let lane { lane.write(changes.resolved) } else { for e in changes.resolved { try alertsCSV?.writeRow(alertRow(e)) } }
            }
            // Served after this step's evaluations, with the alerts they left firing.
            if let onSnapshot, var s = snapshot {
                s.firing = alerts.firingEpisodes + (user?.firingEpisodes ?? [])
                onSnapshot(s)
            }
            for rule in triggers.due(history, at: end) { try act(rule, trigger: "condition") }
            progress?.update(step + 1)
        }
        if let lane { alertsCSV = try lane.finish() }
        for e in alerts.episodes where e.resolvedAt == nil { try alertsCSV?.writeRow(alertRow(e)) }
        for e in user?.episodes ?? [] where e.resolvedAt == nil { try alertsCSV?.writeRow(alertRow(e)) }
        if let user, let console { for line in user.errorLines { console.err("warning: \(scenario.name): \(line)\n") } }
        let logFailure = sink.flushLogs()
        if let logFailure { throw logFailure }
        try series?.finish()
        let problems = PipelineInvariants.violations(of: pipeline)
        if !problems.isEmpty { throw InvariantFailure(problems: problems) }

        let runTotals = totals(pipeline, events: sim.eventsHandled).since(atWarmupEnd)
        let episodes = alerts.episodes + (user?.episodes ?? [])
        let routing = scenario.monitoring.alertmanager.map { Routing($0, episodes: episodes, until: sim.now, attribution: attribution,
                                                                    incidents: scenario.pipeline.incidents) }
        let warGame = WarGameOutcome(actions: actions, alerts: episodes, incidents: scenario.pipeline.incidents,
                                     attribution: attribution, totals: runTotals, policy: scenario.response, windows: windows,
                                     teamBudgets: user?.incidentBudgets ?? [], notified: routing?.perIncident)
        var report = RunReport(identity: identity(scenario, seed: seed, steps: steps), totals: runTotals,
                               recorder: sink.kpis, slos: scenario.slos, providerIDs: providerIDs,
                               warGame: warGame, lastStepSignals: history.latest)
        report.teamSLOs = user?.sloResults ?? []
        guard let outputs else { return Result(report: report, paths: [], inputs: pipeline.inputTelemetry) }
        try outputs.open(files[4]).write(report.json().rendered())
        try outputs.open(files[5]).write(report.markdown())
        var final = MetricsSnapshot(report: report, providers: providerStates(pipeline), simulatedSeconds: sim.now.seconds)
        final.inputs = pipeline.inputTelemetry
        final.service = serviceState(pipeline, tenants: c.demand.tenants, lastStep: nil)
        try outputs.open(files[6]).write(PrometheusText.render(final))
        if let openMetrics { try openMetrics.finish(into: try outputs.open(openMetricsFile)) }
        if let promtoolTest {
            try outputs.open(rulesFiles[0]).write(AlertRulesYAML.render(builtin, group: "wargame-" + scenario.name, stepLength: stepLength, policy: scenario.response))
            try outputs.open(rulesFiles[1]).write(promtoolTest.render(ruleFile: rulesFiles[0]))
        }
        if let routing { try outputs.open(notificationsFile).write(routing.csv(episodes, attribution: attribution)) }
        if let recorder = user?.recorder {
            let files = scenario.monitoring.ruleFiles
            for (i, f) in files.enumerated() { try outputs.open(userRulesCopy(i)).write(f.text) }
            try outputs.open(userRulesTest).write(recorder.render(ruleFiles: files.indices.map(userRulesCopy), groupOrder: files.flatMap(\.groups).map(\.name)))
        }
        return Result(report: report, paths: try outputs.commitAll(), inputs: pipeline.inputTelemetry)
    }

    /// A warm-up as long as the run would leave nothing to measure: refused, not run.
    /// What can only be judged once the steps are known: a warm-up that leaves nothing to
    /// measure, or a run that would draw more than `PipelineConfig.workLimit` arrivals (in
    /// effect one that never finishes).
    static func preflight(_ scenario: Scenario, steps: Int) throws(InputError) {
        let w = scenario.run.warmupSteps
        if w >= steps {
            throw InputError(message: "The warm-up (run.warmup_s = \(NumberFormat.fixed(scenario.run.warmup.seconds, 0)) s, \(NumberFormat.counted(w, "step"))) leaves no step to measure in a run of \(NumberFormat.counted(steps, "step")).")
        }
        let work = scenario.pipeline.workBound(duration: scenario.run.stepLength * Int64(steps))
        if !(work <= PipelineConfig.workLimit) {
            throw InputError(message: "\(scenario.name): \(steps) steps would draw up to \(scientific(work)) arrivals (orders at the tenants' peak and surge rates, "
                             + "and the bridges' background messages); the limit is \(scientific(PipelineConfig.workLimit)), a few hours of one core. "
                             + "Run fewer steps, or lower demand.orders_per_second, the surges' multipliers or bridges[].background_messages_per_s.")
        }
    }

    /// `1.6e10`-style, for counts too large to read in digits.
    static func scientific(_ x: Double) -> String {
        guard x.isFinite, x >= 1 else { return x.isFinite ? NumberFormat.fixed(x, 0) : "infinitely many" }
        let e = Int(log10(x))
        return NumberFormat.fixed(x / pow(10, Double(e)), 2) + "e" + String(e)
    }

    static func identity(_ s: Scenario, seed: UInt64, steps: Int) -> RunIdentity {
        var id = RunIdentity(scenario: s.name, files: s.files, scenarioSHA256: s.sha256, seed: seed, steps: steps,
                             stepSeconds: s.run.stepLength.seconds, version: Wargame.version)
        id.overrides = s.overrides.map(\.text)
        id.warmupSteps = s.run.warmupSteps
        return id
    }

    static func serviceState(_ p: OrderPipeline, tenants: Int, lastStep: StepKPIs?) -> ServiceState {
        ServiceState(tenants: (0..<tenants).map { (p.policy.used(by: $0), p.policy.quota(of: $0)) },
                     shards: p.shards.map { s in
                         ShardUsage(name: s.config.name, open: s.open, active: s.active, maxOpen: s.config.maxOpenJobs,
                                    maxActive: s.config.maxActiveJobs, paused: s.paused)
                     }, lastStep: lastStep)
    }

    static func providerStates(_ p: OrderPipeline) -> [ProviderState] {
        p.providers.indices.map {
            ProviderState(id: p.providers[$0].config.id, running: p.providers[$0].running,
                          capacity: p.providers[$0].advertisedCapacity, breaker: p.breakers[$0].state)
        }
    }

    static func totals(_ p: OrderPipeline, events: UInt64) -> RunTotals {
        let st = p.statistics
        var t = RunTotals()
        t.submitted = st.totalSubmitted
        t.filled = st.filled
        t.completed = st.totalCompleted
        t.rejected = st.totalRejected
        t.dropped = st.totalDropped
        t.interrupted = st.totalInterrupted
        t.inFlight = p.orders.inFlight
        t.failovers = st.failovers
        t.bridgeRetries = st.bridgeRetries
        t.breakerTransitions = st.breakerTransitions
        t.jobsCovered = p.provenance.jobsCovered
        t.jobsUncovered = p.provenance.jobsUncovered
        t.events = events
        return t
    }
}
