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

    init(_ m: MonitoringSettings, stepLength: SimDuration, origin: SimTime, recordTest: Bool) {
        let stepMs = stepLength.microseconds / 1_000
        engine = RuleEngine(files: m.ruleFiles, defaultIntervalMs: stepMs)
        self.origin = origin
        var attribution: [String: [[(String, String)]]] = [:]
        for r in m.alertRules where attribution[r.name] == nil { attribution[r.name] = m.attributionLabels(r) }
        self.attribution = attribution
        if recordTest { recorder = RuleTestRecorder(intervalMs: stepMs, alertNames: engine.alertRules.map(\.name)) }
        engine.onEvaluation = { [unowned self] t in self.recorder?.evaluation(at: t, firing: self.engine.firing) }
        let store = engine.store
        sink = PrometheusText.Sink(wants: store.wants) { [unowned self] name, labels, value in
            // A count is exact as a number: no need to print it and parse it back.
            switch value {
            case .count(let n): store.add(name: name, labels: labels, value: Double(n))
            case .text(let text): store.add(name: name, labels: labels, value: GoMath.parseFloat(text) ?? .nan)
            }
            self.recorder?.add(name: name, labels: labels, text: value.text)
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
        let t = (end - origin).microseconds / 1_000
        let store = engine.store
        store.beginScrape(at: t)
        recorder?.beginScrape()
        var p = PrometheusText(sink: sink)
        p.write(snapshot)
        ServiceMetrics.write(snapshot, into: &p)
        store.endScrape()
        recorder?.endScrape()
        return apply(engine.evaluate(upTo: t))
    }

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
        return AlertEpisode(rule: a.rule, severity: Self.severity(a.labels["severity"]), pendingAt: time(a.activeAt),
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
