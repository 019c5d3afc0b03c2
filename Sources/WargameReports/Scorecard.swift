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
    /// Recovery objective: every alert clear within this of the start (Aurora RTO 1 h).
    public var rto: SimDuration = .hours(1)

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

    /// Grades an incident from what the run recorded. `badEvents` are the budget counters'
    /// bad events inside the incident's window; `totals` the run's, so the share is of the
    /// whole run's budget.
    public static func grade(_ i: IncidentOutcome, declared: String?, alerts: [AlertEpisode], actions: [ActionRecord],
                             policy: ResponsePolicy, budgets: [(BudgetSLO, Double?)]) -> IncidentScore {
        let window = i.start..<(max(i.end, i.start + policy.rto))
        let during = alerts.filter { window.contains($0.firedAt) }
        let implied = during.map { policy.level(for: $0.severity) }.min { policy.rank($0) < policy.rank($1) }
        let severity = declared ?? implied ?? policy.levels.last?.name ?? "SEV4"
        let acted = actions.map(\.time).filter { $0 >= i.start }.min()
        // Mitigated: from the first action on, the first moment no critical or page alert fires.
        var mitigated: SimTime?
        if let acted {
            let severe = alerts.filter { $0.severity != .warning }
            func firing(at t: SimTime) -> Bool { severe.contains { $0.firedAt <= t && ($0.resolvedAt.map { t < $0 } ?? true) } }
            let candidates = [acted] + severe.compactMap(\.resolvedAt).filter { $0 >= acted }.sorted()
            mitigated = candidates.first { !firing(at: $0) }
        }
        return IncidentScore(name: i.name, severity: severity, level: policy.level(named: severity), detected: i.detection,
                             firstAction: acted.map { $0 - i.start }, mitigated: mitigated.map { $0 - i.start },
                             recovered: i.recovery, budgets: budgets, policy: policy)
    }
}

/// Bad events of each budget counted over a time window, for per-incident budget use.
public struct BudgetWindow: Sendable {
    public let from: SimTime
    public let to: SimTime
    public private(set) var unfilled = 0, dropped = 0, uncovered = 0

    public init(from: SimTime, to: SimTime) {
        self.from = from
        self.to = to
    }

    /// Adds a step that ended at `end` (length `step`) if it overlaps the window.
    public mutating func add(_ s: StepKPIs, end: SimTime, step: SimDuration) {
        guard end > from, end - step < to else { return }
        unfilled += max(0, s.submitted - s.filled)
        dropped += s.dropped
        uncovered += s.jobsUncovered
    }

    /// Each budget's share of the run's error budget spent in the window.
    public func consumed(_ t: RunTotals) -> [(BudgetSLO, Double?)] {
        func share(_ bad: Int, _ total: Int, _ slo: BudgetSLO) -> Double? {
            total > 0 ? Double(bad) / (Double(total) * slo.budget) : nil
        }
        return [(.fillRate, share(unfilled, t.submitted, .fillRate)), (.dropped, share(dropped, t.submitted, .dropped)),
                (.coverage, share(uncovered, t.jobsCovered + t.jobsUncovered, .coverage))]
    }
}
