import SimKernel
import WargameModels

/// A live, windowed signal an alert or trigger can watch, with the gauge name the live
/// metrics and `wargame alert-rules` use for it.
public enum Signal: String, Sendable, CaseIterable {
    case fillRate = "fill_rate"
    case bridgeRTTP95 = "bridge_rtt_p95_ms"
    case coverage = "provenance_coverage"
    case decisionP95 = "policy_decision_p95_ms"
    case failovers5m = "failover_events_5m"

    /// The Prometheus gauge carrying the signal's latest value.
    public var metric: String { "wargame_step_" + rawValue }
}

/// A ratio SLO with an error budget: the fraction of bad events it tolerates.
public enum BudgetSLO: String, Sendable, CaseIterable {
    case fillRate = "fill_rate"            // bad = submitted but not filled; SLO 0.85
    case dropped = "dropped_requests"      // bad = dropped; SLO < 5 %
    case coverage = "provenance_coverage"  // bad = uncovered jobs; SLO 0.95

    /// Budget = 1 − target.
    public var budget: Double {
        switch self {
        case .fillRate: 0.15
        case .dropped, .coverage: 0.05
        }
    }
}

/// What an alert rule or a triggered playbook rule tests at each evaluation.
public enum Condition: Sendable, Equatable {
    case threshold(Signal, Comparison, Double)
    /// Multi-window burn rate (Google SRE workbook ch. 5): both the long and the short
    /// window burn the budget faster than `factor`.
    case burnRate(BudgetSLO, longSteps: Int, shortSteps: Int, factor: Double)
}

public enum Severity: String, Sendable, CaseIterable { case warning, critical, page }

public struct AlertRule: Sendable, Equatable {
    public var name: String
    public var severity: Severity
    public var condition: Condition
    /// Prometheus `for`: the condition must hold this long before the alert fires.
    public var holdFor: SimDuration
    public var summary: String

    public init(name: String, severity: Severity, condition: Condition, holdFor: SimDuration, summary: String) {
        self.name = name
        self.severity = severity
        self.condition = condition
        self.holdFor = holdFor
        self.summary = summary
    }

    /// The Aurora runbook's alert thresholds, plus multi-window burn-rate pages.
    public static let defaults: [AlertRule] = [
        AlertRule(name: "FillRateLow", severity: .warning, condition: .threshold(.fillRate, .below, 0.80), holdFor: .minutes(5), summary: "Fill rate below 0.80 for 5m"),
        AlertRule(name: "FillRateCritical", severity: .critical, condition: .threshold(.fillRate, .below, 0.70), holdFor: .minutes(10), summary: "Fill rate below 0.70 for 10m"),
        AlertRule(name: "BridgeRTTHigh", severity: .warning, condition: .threshold(.bridgeRTTP95, .above, 350), holdFor: .minutes(10), summary: "Bridge RTT p95 above 350 ms for 10m"),
        AlertRule(name: "BridgeRTTCritical", severity: .critical, condition: .threshold(.bridgeRTTP95, .above, 500), holdFor: .minutes(5), summary: "Bridge RTT p95 above 500 ms for 5m"),
        AlertRule(name: "CoverageLow", severity: .warning, condition: .threshold(.coverage, .below, 0.90), holdFor: .minutes(15), summary: "Provenance coverage below 0.90 for 15m"),
        AlertRule(name: "CoverageCritical", severity: .critical, condition: .threshold(.coverage, .below, 0.80), holdFor: .minutes(10), summary: "Provenance coverage below 0.80 for 10m"),
        AlertRule(name: "DecisionTimeHigh", severity: .warning, condition: .threshold(.decisionP95, .above, 25), holdFor: .minutes(10), summary: "Policy decision p95 above 25 ms for 10m"),
        AlertRule(name: "DecisionTimeCritical", severity: .critical, condition: .threshold(.decisionP95, .above, 50), holdFor: .minutes(5), summary: "Policy decision p95 above 50 ms for 5m"),
        AlertRule(name: "FailoversHigh", severity: .warning, condition: .threshold(.failovers5m, .above, 10), holdFor: .zero, summary: "More than 10 failovers in 5m"),
        AlertRule(name: "FailoversCritical", severity: .critical, condition: .threshold(.failovers5m, .above, 20), holdFor: .zero, summary: "More than 20 failovers in 5m"),
        AlertRule(name: "FillBudgetBurn", severity: .page, condition: .burnRate(.fillRate, longSteps: 60, shortSteps: 5, factor: 5), holdFor: .zero, summary: "Fill-rate error budget burning 5x over 1h and 5m"),
        AlertRule(name: "DroppedBudgetBurn", severity: .page, condition: .burnRate(.dropped, longSteps: 60, shortSteps: 5, factor: 14.4), holdFor: .zero, summary: "Dropped-request budget burning 14.4x over 1h and 5m"),
        AlertRule(name: "CoverageBudgetBurn", severity: .page, condition: .burnRate(.coverage, longSteps: 60, shortSteps: 5, factor: 14.4), holdFor: .zero, summary: "Coverage budget burning 14.4x over 1h and 5m"),
    ]
}

/// The per-step values every condition reads, kept for the last hour of steps.
public struct SignalHistory: Sendable {
    struct Step { var submitted = 0, filled = 0, dropped = 0, covered = 0, uncovered = 0, failovers = 0 }
    var steps: [Step] = []
    public private(set) var latest: [Signal: Double] = [:]  // looked up by signal; never iterated
    let capacity = 60

    public init() {}

    public mutating func add(_ s: StepKPIs) {
        steps.append(Step(submitted: s.submitted, filled: s.filled, dropped: s.dropped, covered: s.jobsCovered,
                          uncovered: s.jobsUncovered, failovers: s.failovers))
        if steps.count > capacity { steps.removeFirst() }
        latest[.fillRate] = s.fillRate
        latest[.bridgeRTTP95] = s.bridgeRTT.quantile(0.95)
        latest[.coverage] = s.coverage
        latest[.decisionP95] = s.decisionTime.quantile(0.95)
        latest[.failovers5m] = Double(steps.suffix(5).map(\.failovers).reduce(0, +))
    }

    /// Bad / total over the last `n` steps for a budget SLO, or `nil` without events.
    public func errorRatio(_ slo: BudgetSLO, lastSteps n: Int) -> Double? {
        let w = steps.suffix(n)
        let (bad, total): (Int, Int) = switch slo {
        case .fillRate: (w.map { $0.submitted - $0.filled }.reduce(0, +), w.map(\.submitted).reduce(0, +))
        case .dropped: (w.map(\.dropped).reduce(0, +), w.map(\.submitted).reduce(0, +))
        case .coverage: (w.map(\.uncovered).reduce(0, +), w.map { $0.covered + $0.uncovered }.reduce(0, +))
        }
        return total > 0 ? max(0, Double(bad)) / Double(total) : nil
    }

    /// Whether a condition holds now; no data never holds.
    public func holds(_ c: Condition) -> Bool {
        switch c {
        case .threshold(let signal, let op, let value):
            return latest[signal].map { op.holds($0, value) } ?? false
        case .burnRate(let slo, let long, let short, let factor):
            guard steps.count >= short, let l = errorRatio(slo, lastSteps: long), let s = errorRatio(slo, lastSteps: short) else { return false }
            return l / slo.budget > factor && s / slo.budget > factor
        }
    }
}

/// One alert from pending to resolution: a row of `alerts.csv`.
public struct AlertEpisode: Sendable {
    public let rule: String
    public let severity: Severity
    public let pendingAt: SimTime
    public let firedAt: SimTime
    public var resolvedAt: SimTime?
}

/// Evaluates alert rules at every step end with Prometheus semantics: a true condition
/// makes a rule pending; held for `for`, it fires; false again, it resolves.
public struct AlertEvaluator: Sendable {
    public let rules: [AlertRule]
    var pendingSince: [SimTime?]
    var firing: [Int?]  // index into episodes
    public private(set) var episodes: [AlertEpisode] = []

    public init(rules: [AlertRule]) {
        self.rules = rules
        pendingSince = Array(repeating: nil, count: rules.count)
        firing = Array(repeating: nil, count: rules.count)
    }

    /// Evaluates every rule at `now`; returns the episodes that fired or resolved now.
    public mutating func evaluate(_ history: SignalHistory, at now: SimTime) -> (fired: [AlertEpisode], resolved: [AlertEpisode]) {
        var fired: [AlertEpisode] = [], resolved: [AlertEpisode] = []
        for (i, rule) in rules.enumerated() {
            if history.holds(rule.condition) {
                let since = pendingSince[i] ?? now
                pendingSince[i] = since
                if firing[i] == nil && now - since >= rule.holdFor {
                    episodes.append(AlertEpisode(rule: rule.name, severity: rule.severity, pendingAt: since, firedAt: now))
                    firing[i] = episodes.count - 1
                    fired.append(episodes.last!)
                }
            } else {
                pendingSince[i] = nil
                if let e = firing[i] {
                    episodes[e].resolvedAt = now
                    resolved.append(episodes[e])
                    firing[i] = nil
                }
            }
        }
        return (fired, resolved)
    }

    public var anyFiring: Bool { firing.contains { $0 != nil } }
    public var firedRules: [String] {
        var names: [String] = []
        for e in episodes where !names.contains(e.rule) { names.append(e.rule) }
        return names
    }
}

/// A playbook entry: actions taken at a time, or when a condition has held for a while.
public struct PlaybookRule: Sendable, Equatable {
    public enum Trigger: Sendable, Equatable {
        case at(SimTime)
        case when(Condition, holdFor: SimDuration)
    }
    public var name: String
    public var trigger: Trigger
    public var actions: [PlaybookAction]

    public init(name: String, trigger: Trigger, actions: [PlaybookAction]) {
        self.name = name
        self.trigger = trigger
        self.actions = actions
    }
}

/// Fires each triggered playbook rule once, when its condition has held long enough.
public struct TriggerEvaluator: Sendable {
    public let rules: [PlaybookRule]
    var since: [SimTime?]
    var done: [Bool]

    public init(rules: [PlaybookRule]) {
        self.rules = rules
        since = Array(repeating: nil, count: rules.count)
        done = Array(repeating: false, count: rules.count)
    }

    public mutating func due(_ history: SignalHistory, at now: SimTime) -> [PlaybookRule] {
        var out: [PlaybookRule] = []
        for (i, r) in rules.enumerated() where !done[i] {
            guard case .when(let c, let hold) = r.trigger else { continue }
            if history.holds(c) {
                let s = since[i] ?? now
                since[i] = s
                if now - s >= hold { done[i] = true; out.append(r) }
            } else {
                since[i] = nil
            }
        }
        return out
    }
}
