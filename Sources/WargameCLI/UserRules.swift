import SimKernel
import WargameMonitoring
import WargameReports
import WargameScenario

/// The team's rule files in a run: scraped at every measured step end (every family of
/// `/metrics` and of the :9109 service endpoint, as Prometheus would scrape both), evaluated
/// at every group interval, their alerts turned into `AlertEpisode`s for alerts.csv, the
/// scorecard and `expect`.
///
/// Prometheus time 0 is the warm-up's end: alerts, like the built-in ones, see only the
/// measured steps, as if Prometheus started then (so `time()` counts from there too).
final class UserRules {
    let engine: RuleEngine
    let origin: SimTime
    /// Per alert rule name, the label sets attribution matches (`MonitoringSettings.attributionLabels`).
    let attribution: [String: [[(String, String)]]]
    var recorder: RuleTestRecorder?
    /// Every alert that fired, in firing order.
    private(set) var episodes: [AlertEpisode] = []
    /// Position in `episodes` of each alert firing now, by rule and labels (looked up only).
    private var firing: [String: Int] = [:]
    /// Where scrapes put their samples (one for the run: it keeps its formatting caches).
    private var sink: PrometheusText.Sink!

    /// A team SLO's error ratio, summed over the evaluations (and over each incident's window).
    struct SLOAccount {
        let spec: SLOSpec
        /// The worst series' ratio over the shortest alert window (nil: a spec without alert
        /// windows, which has no ratio to account and holds vacuously).
        let ratio: PromQLProgram?
        var sum = 0.0, evaluations = 0
        var inWindows: [Double]
    }
    private var slos: [SLOAccount] = []
    /// The incidents' windows (`IncidentAttribution.windows`), for per-incident budgets.
    private let windows: [Range<SimTime>]
    private let intervalMs: Int64

    init(_ m: MonitoringSettings, stepLength: SimDuration, origin: SimTime, recordTest: Bool, windows: [Range<SimTime>] = []) {
        let stepMs = stepLength.microseconds / 1_000
        engine = RuleEngine(files: m.ruleFiles, defaultIntervalMs: stepMs)
        self.origin = origin
        var attribution: [String: [[(String, String)]]] = [:]
        for r in m.alertRules where attribution[r.name] == nil { attribution[r.name] = m.attributionLabels(r) }
        self.attribution = attribution
        if recordTest { recorder = RuleTestRecorder(intervalMs: stepMs, alertNames: engine.alertRules.map(\.name)) }
        self.windows = windows
        intervalMs = stepMs
        // Every spec, in order: sweeps write one verdict column per spec (`SweepTable.header`).
        for spec in m.slos {
            let e = spec.windows.first.flatMap { w in try? PromQL.parse("max(\(SLOSpec.ratioMetric(w)){sloth_id=\(RuleTestRecorder.quote(spec.id))})") }
            slos.append(SLOAccount(spec: spec, ratio: e.map(PromQLProgram.init), inWindows: Array(repeating: 0, count: windows.count)))
        }
        engine.onEvaluation = { [unowned self] t in
            self.recorder?.evaluation(at: t, firing: self.engine.firing)
            self.account(at: t)
        }
        sink = PrometheusText.Sink(wants: engine.store.wants, parse: { GoMath.parseFloat($0) ?? .nan },
                                   onText: recordTest ? { [unowned self] in self.recorder?.add(name: $0, labels: $1, text: $2) } : nil)
    }

    /// Adds each SLO's error ratio at `t` to the run's and to the windows of the incidents
    /// the evaluation falls in (shared equally among them, as `BudgetWindow` shares steps).
    private func account(at t: Int64) {
        guard !slos.isEmpty else { return }
        let now = time(t), interval = SimDuration(microseconds: intervalMs * 1_000)
        let inside = windows.indices.filter { now > windows[$0].lowerBound && now - interval < windows[$0].upperBound }
        for k in slos.indices {
            guard let ratio = slos[k].ratio, case .vector(let v)? = try? engine.query(ratio, at: t), let r = v.first?.value, r.isFinite else { continue }
            slos[k].sum += r
            slos[k].evaluations += 1
            for w in inside { slos[k].inWindows[w] += r / Double(inside.count) }
        }
    }

    /// Each SLO's verdict over the measured run.
    var sloResults: [TeamSLOResult] {
        slos.map { a in
            TeamSLOResult(id: a.spec.id, objective: a.spec.objective, errorBudget: a.spec.errorBudget,
                          errorRatio: a.evaluations > 0 ? a.sum / Double(a.evaluations) : nil, evaluations: a.evaluations)
        }
    }

    /// Per incident, each SLO's share of the run's error budget spent in its window.
    var incidentBudgets: [[(String, Double?)]] {
        windows.indices.map { w in
            slos.map { a in (a.spec.id, a.evaluations > 0 ? a.inWindows[w] / (Double(a.evaluations) * a.spec.errorBudget) : nil) }
        }
    }

    /// Families computed from the whole run's KPIs (quantiles over every step): a scrape
    /// computes them only when a rule reads one, since they cost more than the rest together.
    static let runKPIFamilies = ["wargame_fill_rate_p50", "wargame_fill_rate_p95", "wargame_provenance_coverage", "wargame_dropped_ratio",
                                 "wargame_failover_events_per_5m_max", "wargame_slo_met", "fill_rate_p50", "fill_rate_p95",
                                 "provenance_coverage", "policy_decision_ms_p95"]
    var needsRunKPIs: Bool { Self.runKPIFamilies.contains(where: engine.store.wants) }

    /// The first evaluation, at Prometheus time 0, before any scrape.
    func start() -> [AlertEpisode] { apply(engine.evaluate(upTo: 0)) }

    /// One scrape at `end` of both endpoints' families, then the evaluations due by then.
    /// Returns the episodes that resolved.
    func step(_ snapshot: MetricsSnapshot, end: SimTime) -> [AlertEpisode] {
        evaluate(scrape(snapshot), end: end)
    }

    /// The scrape's half of a step: every wanted sample of `snapshot`, as numbers by
    /// position. Touches only the sink, so it can run on the simulation's thread while
    /// `evaluate` runs an earlier step elsewhere (`RuleLane`).
    func scrape(_ snapshot: MetricsSnapshot) -> ScrapeBuffer {
        recorder?.beginScrape()
        sink.begin()
        var p = PrometheusText(sink: sink)
        p.write(snapshot)
        ServiceMetrics.write(snapshot, into: &p)
        sink.buffer.end()
        recorder?.endScrape()
        return sink.buffer
    }

    /// The rest of a step: the scrape stored at `end`, then the evaluations due by then.
    /// Returns the episodes that resolved. Touches everything but the sink.
    func evaluate(_ b: ScrapeBuffer, end: SimTime) -> [AlertEpisode] {
        let t = (end - origin).microseconds / 1_000
        engine.store.scrape(at: t, names: b.names, labels: b.labels, values: b.values, count: b.count, firstChange: b.firstChange)
        return apply(engine.evaluate(upTo: t))
    }

    /// The alerts firing now, in firing order.
    var firingEpisodes: [AlertEpisode] { firing.values.sorted().map { episodes[$0] } }

    /// Records fired alerts as episodes; returns those resolved now.
    private func apply(_ changes: (fired: [UserAlert], resolved: [UserAlert])) -> [AlertEpisode] {
        for a in changes.fired {
            firing[a.rule + "\u{0}" + a.labels.description] = episodes.count
            episodes.append(episode(a))
        }
        var resolved: [AlertEpisode] = []
        for a in changes.resolved {
            guard let i = firing.removeValue(forKey: a.rule + "\u{0}" + a.labels.description) else { continue }
            episodes[i].resolvedAt = time(a.resolvedAt!)
            resolved.append(episodes[i])
        }
        return resolved
    }

    func time(_ ms: Int64) -> SimTime { origin + SimDuration(microseconds: ms * 1_000) }

    static func labels(_ a: UserAlert) -> [(String, String)] {
        a.labels.pairs.filter { $0.name != "alertname" }.map { ($0.name, $0.value) }
    }

    func episode(_ a: UserAlert) -> AlertEpisode {
        let labels = Self.labels(a)
        let all = [("alertname", a.rule)] + labels
        let sets = (attribution[a.rule] ?? [[]]).map { set in
            all + set.filter { s in !all.contains { $0.0 == s.0 } }
        }
        // An SLO's burn-rate alert without a severity label of its own is graded by Sloth's.
        let severity = a.labels["severity"].isEmpty ? a.labels["sloth_severity"] : a.labels["severity"]
        return AlertEpisode(rule: a.rule, severity: Self.severity(severity), pendingAt: time(a.activeAt),
                            firedAt: time(a.firedAt!), labels: labels, matchSets: sets)
    }

    /// A rule file's `severity` label as the scorecard grades it: page, critical and warning
    /// as they are; error, high and sev1/sev2 as critical; anything else (ticket, info, none)
    /// as warning.
    static func severity(_ label: String) -> Severity {
        switch label.lowercased() {
        case "page", "pager", "sev1": .page
        case "critical", "error", "high", "sev2": .critical
        default: .warning
        }
    }

    /// Rule evaluation errors, one line per rule (Prometheus logs them and carries on).
    var errorLines: [String] {
        engine.errors.map { "rule \($0.rule) failed to evaluate at \(NumberFormat.fixed(Double($0.time) / 1_000, 0)) s: \($0.message)" }
    }
}
