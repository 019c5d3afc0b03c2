import SimKernel
import WargameModels

/// A live, windowed signal an alert or trigger can watch, with the gauge the live metrics
/// and `wargame alert-rules` carry it in.
///
/// Scenarios state thresholds in the signal's own unit (`bridge_rtt_p95_ms` in ms); the
/// gauge is in base units (seconds), as Prometheus's naming conventions ask. Both our alert
/// engine and Prometheus compare the *exported* number against `threshold / divisor`, so
/// the two reach the same verdict on every step (see `exported`).
public enum Signal: String, Sendable, CaseIterable {
    case fillRate = "fill_rate"
    case bridgeRTTP95 = "bridge_rtt_p95_ms"
    case coverage = "provenance_coverage"
    case decisionP95 = "policy_decision_p95_ms"
    case failovers5m = "failover_events_5m"
    /// Orders dropped in the trailing 5 minutes (Aurora: "> 50 requests", "> 100 requests").
    case dropped5m = "dropped_requests_5m"
    /// Providers whose breaker is not CLOSED at the step's end (Vagus: "enters OPEN state").
    case openBreakers = "open_breakers"
    /// Gateway 429s ÷ orders submitted in the step (Vagus: "blocks > 10 % / > 50 %").
    case rateLimitedRatio = "rate_limited_ratio"
    /// 1 while the system is paused (Vagus: "emergency pause triggered"; AGI Jobs SystemPause).
    case systemPaused = "system_paused"
    /// The fullest shard's open jobs ÷ its max_open_jobs (AGI Jobs getShardUsage vs quota).
    case shardOpenUsage = "shard_open_usage_max"

    /// Position among `allCases`, for `SignalValues`.
    @inline(__always) var ordinal: Int {
        switch self {
        case .fillRate: 0
        case .bridgeRTTP95: 1
        case .coverage: 2
        case .decisionP95: 3
        case .failovers5m: 4
        case .dropped5m: 5
        case .openBreakers: 6
        case .rateLimitedRatio: 7
        case .systemPaused: 8
        case .shardOpenUsage: 9
        }
    }

    /// The Prometheus gauge carrying the signal's latest value.
    public var metric: String {
        switch self {
        case .fillRate: "wargame_step_fill_rate"
        case .bridgeRTTP95: "wargame_step_bridge_rtt_p95_seconds"
        case .coverage: "wargame_step_provenance_coverage"
        case .decisionP95: "wargame_step_policy_decision_p95_seconds"
        case .failovers5m: "wargame_step_failover_events_5m"
        case .dropped5m: "wargame_step_dropped_requests_5m"
        case .openBreakers: "wargame_step_open_breakers"
        case .rateLimitedRatio: "wargame_step_rate_limited_ratio"
        case .systemPaused: "wargame_step_system_paused"
        case .shardOpenUsage: "wargame_step_shard_open_usage_max"
        }
    }

    /// Signal unit per metric unit: 1000 for the millisecond signals, else 1.
    public var divisor: Double { self == .bridgeRTTP95 || self == .decisionP95 ? 1_000 : 1 }

    /// Decimals of the gauge: microseconds for times, 1/10,000 for ratios.
    public var decimals: Int {
        switch self {
        case .bridgeRTTP95, .decisionP95: 6
        case .fillRate, .coverage, .rateLimitedRatio, .shardOpenUsage: 4
        case .failovers5m, .dropped5m, .openBreakers, .systemPaused: 0
        }
    }

    /// `x` (in the signal's unit) as the gauge shows it and as a scrape parses it: in base
    /// units, rounded to the gauge's decimals. Alert rules compare this number, never the
    /// unrounded one, so a value of 0.79996 (shown as 0.8000) is not "below 0.80" here
    /// while Prometheus reads 0.8.
    public func exported(_ x: Double) -> Double {
        NumberFormat.fixedValue(x / divisor, decimals)
    }

    /// The gauge's sample text for an exported value; `NaN` when the step had no data
    /// (PromQL compares NaN false, as our rules treat a missing value).
    public func gaugeText(_ exported: Double?) -> String {
        exported.map { NumberFormat.fixed($0, decimals) } ?? "NaN"
    }

    /// A threshold in the signal's unit, as the gauge's rule compares it.
    public func threshold(_ t: Double) -> Double { t / divisor }
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

    /// The two counters whose rates make the error ratio: `(numerator, denominator)`. For
    /// fill rate the numerator counts *good* events and the ratio is `1 − good/total`.
    public var counters: (numerator: Counter, denominator: Counter) {
        switch self {
        case .fillRate: (.filled, .submitted)
        case .dropped: (.dropped, .submitted)
        case .coverage: (.uncovered, .decided)
        }
    }

    /// The counters burn-rate rules read, with their exported names.
    public enum Counter: Int, Sendable, CaseIterable {
        case submitted, filled, dropped, uncovered, decided

        public var metric: String {
            switch self {
            case .submitted: "wargame_orders_submitted_total"
            case .filled: "wargame_orders_filled_total"
            case .dropped: "wargame_orders_dropped_total"
            case .uncovered: "wargame_jobs_uncovered_total"
            case .decided: "wargame_jobs_decided_total"
            }
        }
    }

    /// The error ratio from the two counters' rates, with PromQL's operations in PromQL's
    /// order, so that ties at a threshold fall the same way in both engines.
    public func errorRatio(numeratorRate n: Double, denominatorRate d: Double) -> Double {
        self == .fillRate ? 1 - n / d : n / d
    }
}

/// What an alert rule or a triggered playbook rule tests at each evaluation.
public enum Condition: Sendable, Equatable {
    case threshold(Signal, Comparison, Double)
    /// Multi-window burn rate (Google SRE workbook ch. 5): both the long and the short
    /// window burn the budget faster than `factor`.
    case burnRate(BudgetSLO, longSteps: Int, shortSteps: Int, factor: Double)
}

public enum Severity: String, Sendable, CaseIterable {
    case warning, critical, page

    /// 0 for warning, up to 2 for page.
    public var rank: Int {
        switch self {
        case .warning: 0
        case .critical: 1
        case .page: 2
        }
    }
}

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
        AlertRule(name: "DroppedRequestsHigh", severity: .warning, condition: .threshold(.dropped5m, .above, 50), holdFor: .zero, summary: "More than 50 requests dropped in 5m"),
        AlertRule(name: "DroppedRequestsCritical", severity: .critical, condition: .threshold(.dropped5m, .above, 100), holdFor: .zero, summary: "More than 100 requests dropped in 5m"),
        AlertRule(name: "CircuitBreakerOpen", severity: .critical, condition: .threshold(.openBreakers, .above, 0), holdFor: .zero, summary: "A provider's circuit breaker left CLOSED"),
        AlertRule(name: "RateLimitingHigh", severity: .warning, condition: .threshold(.rateLimitedRatio, .above, 0.10), holdFor: .zero, summary: "Rate limiter blocking more than 10 % of requests"),
        AlertRule(name: "RateLimitingCritical", severity: .critical, condition: .threshold(.rateLimitedRatio, .above, 0.50), holdFor: .minutes(5), summary: "Rate limiter blocking more than 50 % of requests for 5m"),
        AlertRule(name: "EmergencyPause", severity: .critical, condition: .threshold(.systemPaused, .above, 0), holdFor: .zero, summary: "System paused (emergency pause)"),
        AlertRule(name: "ShardNearQuota", severity: .warning, condition: .threshold(.shardOpenUsage, .above, 0.90), holdFor: .minutes(5), summary: "A shard above 90 % of its open-jobs quota for 5m"),
        AlertRule(name: "FillBudgetBurn", severity: .page, condition: .burnRate(.fillRate, longSteps: 60, shortSteps: 5, factor: 5), holdFor: .zero, summary: "Fill-rate error budget burning 5x over 1h and 5m"),
        AlertRule(name: "DroppedBudgetBurn", severity: .page, condition: .burnRate(.dropped, longSteps: 60, shortSteps: 5, factor: 14.4), holdFor: .zero, summary: "Dropped-request budget burning 14.4x over 1h and 5m"),
        AlertRule(name: "CoverageBudgetBurn", severity: .page, condition: .burnRate(.coverage, longSteps: 60, shortSteps: 5, factor: 14.4), holdFor: .zero, summary: "Coverage budget burning 14.4x over 1h and 5m"),
    ]
}

/// The per-step values every condition reads, kept for the longest window a rule needs.
///
/// Threshold signals hold the exported gauge value (`Signal.exported`). Burn rates are
/// computed as a Prometheus 2.x evaluation of the generated rules computes them over
/// scrapes taken at every step end, counters starting from 0 at time 0: `rate(c[W])` is
/// `(c(t) − c(max(0, t − W))) / W` exactly (the window holds a sample at each end, or
/// starts at a zero sample, so `rate` does not extrapolate), and the ratio is formed as
/// the rule writes it (`BudgetSLO.errorRatio`). An empty window gives 0/0 = NaN, which
/// holds no comparison, as in PromQL.
public struct SignalHistory: Sendable {
    /// One step's increase of each `BudgetSLO.Counter`, and its failovers.
    struct Step {
        var submitted = 0, filled = 0, dropped = 0, uncovered = 0, decided = 0, failovers = 0

        subscript(_ c: BudgetSLO.Counter) -> Int {
            switch c {
            case .submitted: submitted
            case .filled: filled
            case .dropped: dropped
            case .uncovered: uncovered
            case .decided: decided
            }
        }
    }
    var steps = FIFOQueue<Step>()
    public private(set) var latest = SignalValues()
    let capacity: Int
    let stepSeconds: Int

    /// `capacity`: the most steps any window reads (at least 5, for `failover_events_5m`).
    public init(stepLength: SimDuration = .seconds(60), capacity: Int = 60) {
        self.capacity = max(5, capacity)
        stepSeconds = Int(stepLength.microseconds / 1_000_000)
        precondition(stepLength.microseconds % 1_000_000 == 0, "steps are whole seconds")
    }

    public mutating func add(_ s: StepKPIs) {
        steps.append(Step(submitted: s.submitted, filled: s.filled, dropped: s.dropped, uncovered: s.jobsUncovered,
                          decided: s.jobsCovered + s.jobsUncovered, failovers: s.failovers))
        if steps.count > capacity { _ = steps.popFirst() }
        // "In 5 minutes": the last five steps (five minutes at the default 60 s step).
        let failovers = steps.elements.suffix(5).reduce(0) { $0 + $1.failovers }
        let dropped = steps.elements.suffix(5).reduce(0) { $0 + $1.dropped }
        set(.fillRate, s.fillRate)
        set(.bridgeRTTP95, s.bridgeRTTMilliseconds(0.95))
        set(.coverage, s.coverage)
        set(.decisionP95, s.decisionTimeMilliseconds(0.95))
        set(.failovers5m, Double(failovers))
        set(.dropped5m, Double(dropped))
        set(.openBreakers, Double(s.openBreakers))
        set(.rateLimitedRatio, s.submitted > 0 ? Double(s.rejectedGateway) / Double(s.submitted) : nil)
        set(.systemPaused, s.systemPaused ? 1 : 0)
        set(.shardOpenUsage, s.shardOpenUsage)
    }

    private mutating func set(_ signal: Signal, _ value: Double?) {
        latest[signal] = value.map(signal.exported)
    }

    /// A counter's increase over the last `n` steps (fewer at the start of a run).
    public func increase(_ counter: BudgetSLO.Counter, lastSteps n: Int) -> Int {
        steps.elements.suffix(n).reduce(0) { $0 + $1[counter] }
    }

    /// A budget SLO's error ratio over the last `n` steps, as the generated rule computes it.
    public func errorRatio(_ slo: BudgetSLO, lastSteps n: Int) -> Double {
        let window = Double(stepSeconds * n)
        let (num, den) = slo.counters
        return slo.errorRatio(numeratorRate: Double(increase(num, lastSteps: n)) / window,
                              denominatorRate: Double(increase(den, lastSteps: n)) / window)
    }

    /// Whether a condition holds now; no data never holds.
    public func holds(_ c: Condition) -> Bool {
        switch c {
        case .threshold(let signal, let op, let value):
            return latest[signal].map { op.holds($0, signal.threshold(value)) } ?? false
        case .burnRate(let slo, let long, let short, let factor):
            guard !steps.isEmpty else { return false }
            return errorRatio(slo, lastSteps: long) / slo.budget > factor && errorRatio(slo, lastSteps: short) / slo.budget > factor
        }
    }

    /// The most steps any of these conditions reads.
    public static func capacity(for conditions: [Condition]) -> Int {
        conditions.map { if case .burnRate(_, let long, let short, _) = $0 { max(long, short) } else { 5 } }.max() ?? 5
    }
}

/// Each signal's value, or nil without data: a slot per signal, where a `[Signal: Double]`
/// hashed the signal (SipHash) on every one of the ten writes and the rules' reads per
/// step — a step's alert bookkeeping cost as much as simulating ten orders.
public struct SignalValues: Sendable, Equatable {
    var values: [Double?]

    public init() { values = Array(repeating: nil, count: Signal.allCases.count) }

    public subscript(_ s: Signal) -> Double? {
        get { values[s.ordinal] }
        set { values[s.ordinal] = newValue }
    }
}

/// One alert from pending to resolution: a row of `alerts.csv`.
public struct AlertEpisode: Sendable {
    public let rule: String
    public let severity: Severity
    public let pendingAt: SimTime
    public let firedAt: SimTime
    public var resolvedAt: SimTime?
    /// The alert's labels but `alertname` (a built-in rule's `severity` and `signal`; a
    /// rule file's alert, everything Prometheus would give it), in name order.
    public var labels: [(String, String)] = []
    /// For an alert of the team's rule files: the label sets attribution matches an
    /// incident's `detected_by` against (`Rule.attributionLabels` plus the alert's labels).
    /// Nil for built-in alerts, which are linked by rule name.
    public var matchSets: [[(String, String)]]? = nil

    public init(rule: String, severity: Severity, pendingAt: SimTime, firedAt: SimTime, resolvedAt: SimTime? = nil,
                labels: [(String, String)] = [], matchSets: [[(String, String)]]? = nil) {
        self.rule = rule
        self.severity = severity
        self.pendingAt = pendingAt
        self.firedAt = firedAt
        self.resolvedAt = resolvedAt
        self.labels = labels
        self.matchSets = matchSets
    }

    /// `alerts.csv`'s `labels` cell: `{severity="page",signal="fill_rate"}`.
    public var labelsCell: String {
        "{" + labels.map { "\($0.0)=\"\(PrometheusText.escape($0.1))\"" }.joined(separator: ",") + "}"
    }
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
                    episodes.append(AlertEpisode(rule: rule.name, severity: rule.severity, pendingAt: since, firedAt: now,
                                                 labels: rule.labels.filter { $0.0 != "alertname" }))
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
    /// The episodes firing now, in rule order.
    public var firingEpisodes: [AlertEpisode] { firing.compactMap { $0.map { episodes[$0] } } }
    /// Indices into `rules` of the rules firing now.
    public var firingRules: [Int] { firing.indices.filter { firing[$0] != nil } }
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
