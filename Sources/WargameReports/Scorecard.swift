import SimKernel
import WargameModels

/// A runbook's incident level: its name and the time allowed to respond (first action)
/// and, beyond that, to escalate — the Aurora table's SEV1 15 min / immediate, SEV2 1 h /
/// after 30 min, and so on.
public struct ResponseLevel: Sendable, Equatable {
    public var name: String
    public var response: SimDuration
    public var escalation: SimDuration

    public init(name: String, response: SimDuration, escalation: SimDuration) {
        self.name = name
        self.response = response
        self.escalation = escalation
    }
}

/// How a scenario grades incident response: its levels, most severe first, which level an
/// alert of each severity implies, and the deadlines every incident shares.
public struct ResponsePolicy: Sendable, Equatable {
    /// Aurora's severity table (a business day taken as 24 h for SEV4).
    public var levels: [ResponseLevel] = [
        ResponseLevel(name: "SEV1", response: .minutes(15), escalation: .zero),
        ResponseLevel(name: "SEV2", response: .hours(1), escalation: .minutes(30)),
        ResponseLevel(name: "SEV3", response: .hours(4), escalation: .hours(2)),
        ResponseLevel(name: "SEV4", response: .hours(24), escalation: .hours(24)),
    ]
    /// The level an alert of each severity makes an incident at least.
    public var pageLevel = "SEV1", criticalLevel = "SEV2", warningLevel = "SEV3"
    /// An alert must fire within this of the incident's start for it to count as detected in time.
    public var detectWithin: SimDuration = .minutes(10)
    /// Recovery objective: every linked alert clear within this of the start (Aurora RTO 1 h).
    public var rto: SimDuration = .hours(1)
    /// The least severe alert that pages on-call; less severe ones open tickets. Alertmanager
    /// routes usually page on `critical` and above, which is the default.
    public var pagesFrom: Severity = .critical

    /// Whether an alert of this severity pages.
    public func pages(_ s: Severity) -> Bool { s.rank >= pagesFrom.rank }

    public init() {}

    public func level(named name: String) -> ResponseLevel? { levels.first { $0.name == name } }

    public func level(for severity: Severity) -> String {
        switch severity {
        case .page: pageLevel
        case .critical: criticalLevel
        case .warning: warningLevel
        }
    }

    /// Index in `levels` (0 = most severe); unknown names sort last.
    func rank(_ name: String) -> Int { levels.firstIndex { $0.name == name } ?? levels.count }
}

/// How one incident was handled, against the deadlines of its level.
public struct IncidentScore: Sendable {
    public let name: String
    public let severity: String
    public let level: ResponseLevel?
    public let detected: SimDuration?
    public let firstAction: SimDuration?
    public let mitigated: SimDuration?
    public let recovered: SimDuration?
    /// Share of the run's error budget spent while the incident lasted (its window to start + RTO).
    public let budgets: [(BudgetSLO, Double?)]
    public let policy: ResponsePolicy
    /// The alert rules that are its symptoms (`IncidentDetection`), in rule order.
    public var linkedRules: [String] = []
    /// Recall: whether a linked alert that pages (`ResponsePolicy.pagesFrom`) fired for it.
    public var paged = false
    /// The first attributed alert, the one that detected it.
    public var detectedBy: String?
    /// Per team SLO (`--slo-spec`), by id: its share of the run's error budget spent in the
    /// incident's window (evaluations shared equally by overlapping incidents).
    public var teamBudgets: [(String, Double?)] = []
    /// With an Alertmanager config: each receiver an alert attributed to the incident first
    /// reached, and how long after the incident began; nil without a config.
    public var notified: [(receiver: String, after: SimDuration)]?

    /// Met: detected within `detectWithin`, acted within the level's response time,
    /// mitigated (no critical or page alert firing) within response + escalation, every
    /// alert clear within the RTO. `nil` where there was nothing to grade.
    /// Never detected (no alert) and never acted on: nothing to respond to, nothing graded.
    var unnoticed: Bool { detected == nil && firstAction == nil }
    public var detectedInTime: Bool? { detected.map { $0 <= policy.detectWithin } }
    public var respondedInTime: Bool? { unnoticed ? nil : level.map { l in firstAction.map { $0 <= l.response } ?? false } }
    public var mitigatedInTime: Bool? { unnoticed ? nil : level.map { l in mitigated.map { $0 <= l.response + l.escalation } ?? false } }
    public var recoveredInTime: Bool? { detected == nil ? nil : recovered.map { $0 <= policy.rto } ?? false }
    public var allMet: Bool { detectedInTime != false && respondedInTime != false && mitigatedInTime != false && recoveredInTime != false }

    /// Grades an incident from what the run recorded: `attributed`, the firings attributed
    /// to it (its level comes from the worst); `linked`, every episode of its linked rules
    /// (mitigation waits for their critical and page ones to clear); `budgets`, its share of
    /// the run's error budgets.
    public static func grade(_ i: IncidentOutcome, declared: String?, attributed: [AlertEpisode], linked: [AlertEpisode],
                             actions: [ActionRecord], policy: ResponsePolicy, budgets: [(BudgetSLO, Double?)]) -> IncidentScore {
        let implied = attributed.map { policy.level(for: $0.severity) }.min { policy.rank($0) < policy.rank($1) }
        let severity = declared ?? implied ?? policy.levels.last?.name ?? "SEV4"
        // An action responds to the incident only while it is open: from its start until it
        // recovered (an action after that answered something else; the alert drill's pause for
        // a tenant's flood was once the "first action" of an outage two hours over).
        let recoveredAt = i.recovery.map { i.start + $0 }
        let acted = actions.map(\.time).filter { a in a >= i.start && recoveredAt.map { a <= $0 } ?? true }.min()
        // Mitigated: from the first action on, the first moment none of its critical or page alerts fires.
        var mitigated: SimTime?
        if let acted {
            let severe = linked.filter { $0.severity != .warning }
            func firing(at t: SimTime) -> Bool { severe.contains { $0.firedAt <= t && ($0.resolvedAt.map { t < $0 } ?? true) } }
            let candidates = [acted] + severe.compactMap(\.resolvedAt).filter { $0 >= acted }.sorted()
            mitigated = candidates.first { !firing(at: $0) }
        }
        var score = IncidentScore(name: i.name, severity: severity, level: policy.level(named: severity), detected: i.detection,
                                  firstAction: acted.map { $0 - i.start }, mitigated: mitigated.map { $0 - i.start },
                                  recovered: i.recovery, budgets: budgets, policy: policy)
        score.paged = attributed.contains { policy.pages($0.severity) }
        return score
    }
}

/// Bad events of each budget counted over a time window, for per-incident budget use.
///
/// A step inside several incidents' windows gives each an equal share of its bad events
/// (`weight`), so the incidents' budgets add up to what the run spent in their windows,
/// never more: overlapping incidents do not count the same bad events twice.
public struct BudgetWindow: Sendable {
    public let from: SimTime
    public let to: SimTime
    public private(set) var unfilled = 0.0, dropped = 0.0, uncovered = 0.0

    public init(from: SimTime, to: SimTime) {
        self.from = from
        self.to = to
    }

    /// Whether a step that ended at `end` (length `step`) overlaps the window.
    public func overlaps(end: SimTime, step: SimDuration) -> Bool { end > from && end - step < to }

    /// Adds `weight` of a step's bad events if the step overlaps the window.
    public mutating func add(_ s: StepKPIs, end: SimTime, step: SimDuration, weight: Double = 1) {
        guard overlaps(end: end, step: step) else { return }
        unfilled += weight * Double(max(0, s.submitted - s.filled))
        dropped += weight * Double(s.dropped)
        uncovered += weight * Double(s.jobsUncovered)
    }

    /// Adds a step's bad events to every window it overlaps, shared equally among them.
    public static func add(_ s: StepKPIs, end: SimTime, step: SimDuration, to windows: inout [BudgetWindow]) {
        let n = windows.filter { $0.overlaps(end: end, step: step) }.count
        guard n > 0 else { return }
        for k in windows.indices { windows[k].add(s, end: end, step: step, weight: 1 / Double(n)) }
    }

    /// Each budget's share of the run's error budget spent in the window.
    public func consumed(_ t: RunTotals) -> [(BudgetSLO, Double?)] {
        func share(_ bad: Double, _ total: Int, _ slo: BudgetSLO) -> Double? {
            total > 0 ? bad / (Double(total) * slo.budget) : nil
        }
        return [(.fillRate, share(unfilled, t.submitted, .fillRate)), (.dropped, share(dropped, t.submitted, .dropped)),
                (.coverage, share(uncovered, t.jobsCovered + t.jobsUncovered, .coverage))]
    }
}
