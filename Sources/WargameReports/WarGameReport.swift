import SimKernel
import WargameModels

/// A playbook action as it was taken: a row of `actions.csv`.
public struct ActionRecord: Sendable {
    public let time: SimTime
    /// The playbook rule that took it (scripted or triggered).
    public let rule: String
    public let trigger: String
    public let action: String
    public let parameters: String

    public init(time: SimTime, rule: String, trigger: String, action: String, parameters: String) {
        self.time = time
        self.rule = rule
        self.trigger = trigger
        self.action = action
        self.parameters = parameters
    }
}

/// How one incident went: how long until one of its own alerts fired, until the playbook
/// acted, and until none of its alerts was firing any more.
public struct IncidentOutcome: Sendable {
    public let name: String
    public let start: SimTime
    public let end: SimTime
    public let detection: SimDuration?
    public let mitigation: SimDuration?
    public let recovery: SimDuration?
}

/// How good the paging was over a run: the share of pages that belonged to an incident,
/// and the firings that belonged to none (the noise on-call would have suffered).
public struct AlertQuality: Sendable, Equatable {
    public var firings = 0
    /// Firings of any severity attributed to no incident.
    public var unattributed = 0
    /// Firings that paged (`ResponsePolicy.pagesFrom` and above), and those attributed.
    public var pages = 0, pagesAttributed = 0
    /// Incidents, and those a linked paging alert fired for (recall).
    public var incidents = 0, incidentsPaged = 0

    public init() {}

    /// Useful pages over all pages; nil without pages.
    public var precision: Double? { pages > 0 ? Double(pagesAttributed) / Double(pages) : nil }
    /// Incidents paged for over incidents; nil without incidents.
    public var recall: Double? { incidents > 0 ? Double(incidentsPaged) / Double(incidents) : nil }

    /// One line on the paging: attributed pages, noise, recall (the run's summary and its report).
    public func line(pagesFrom: String) -> String {
        "\(NumberFormat.counted(pages, "page")) (\(pagesFrom) and above), \(pagesAttributed) attributed to an incident"
            + (precision.map { " (precision \(NumberFormat.fixed($0, 2)))" } ?? "")
            + "; \(NumberFormat.counted(unattributed, "firing")) of \(firings) attributed to no incident; \(incidentsPaged) of \(NumberFormat.counted(incidents, "incident")) paged for"
    }
}

/// The war-game part of a run's report.
public struct WarGameOutcome: Sendable {
    public let actions: [ActionRecord]
    public let alerts: [AlertEpisode]
    /// Per alert episode, the incidents it is attributed to (indices into `incidents`).
    public let attributions: [[Int]]
    public let incidents: [IncidentOutcome]
    /// Error budget consumed over the run per ratio SLO (1 = exactly used up).
    public let budgets: [(BudgetSLO, Double?)]
    /// Per incident: its level and whether each response deadline was met.
    public let scores: [IncidentScore]
    /// How the run grades response: levels and which level each alert severity maps to.
    public let policy: ResponsePolicy
    public let quality: AlertQuality

    /// `attribution` links alerts to incidents (`IncidentAttribution`); detection is the
    /// first attributed firing, recovery the first moment from then on that none of the
    /// incident's linked alerts fires.
    public init(actions: [ActionRecord], alerts: [AlertEpisode], incidents: [Incident], attribution: IncidentAttribution,
                totals: RunTotals, policy: ResponsePolicy = ResponsePolicy(), windows: [BudgetWindow] = [],
                teamBudgets: [[(String, Double?)]] = [], notified: [[(receiver: String, after: SimDuration)]]? = nil) {
        self.actions = actions
        self.alerts = alerts
        let attributions = alerts.map { attribution.incidents(of: $0) }
        self.attributions = attributions
        func ratio(_ bad: Int, _ total: Int, _ slo: BudgetSLO) -> Double? {
            total > 0 ? Double(max(0, bad)) / Double(total) / slo.budget : nil
        }
        budgets = [
            // Orders that ended without a fill, over orders that reached a verdict (filled or not).
            (.fillRate, ratio(totals.rejected + totals.dropped, totals.filled + totals.rejected + totals.dropped, .fillRate)),
            (.dropped, ratio(totals.dropped, totals.submitted, .dropped)),
            (.coverage, ratio(totals.jobsUncovered, totals.jobsCovered + totals.jobsUncovered, .coverage)),
        ]
        self.policy = policy
        var scores: [IncidentScore] = []
        var outcomes: [IncidentOutcome] = []
        for (k, i) in incidents.enumerated() {
            let mine = alerts.indices.filter { attributions[$0].contains(k) }.map { alerts[$0] }
            let linked = alerts.filter { attribution.links(k, $0) }
            let first = mine.min { $0.firedAt < $1.firedAt }
            let detected = first?.firedAt
            // Recovered: from detection on, the first moment none of its linked alerts fires.
            let recovered = detected.flatMap { d -> SimTime? in
                func firing(at t: SimTime) -> Bool { linked.contains { $0.firedAt <= t && ($0.resolvedAt.map { t < $0 } ?? true) } }
                return ([d] + linked.compactMap(\.resolvedAt).filter { $0 >= d }.sorted()).first { !firing(at: $0) }
            }
            let observed = IncidentOutcome(name: i.name, start: i.start, end: i.end, detection: detected.map { $0 - i.start },
                                           mitigation: nil, recovery: recovered.map { $0 - i.start })
            var score = IncidentScore.grade(observed, declared: i.severity, attributed: mine, linked: linked, actions: actions,
                                            policy: policy, budgets: k < windows.count ? windows[k].consumed(totals) : [])
            score.linkedRules = attribution.linkedRules[k] + linked.map(\.rule).filter { !attribution.linkedRules[k].contains($0) }.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
            score.detectedBy = first?.rule
            if k < teamBudgets.count { score.teamBudgets = teamBudgets[k] }
            if let notified, k < notified.count { score.notified = notified[k] }
            scores.append(score)
            outcomes.append(IncidentOutcome(name: i.name, start: i.start, end: i.end, detection: observed.detection,
                                            mitigation: score.mitigated, recovery: observed.recovery))
        }
        self.scores = scores
        self.incidents = outcomes
        var q = AlertQuality()
        q.firings = alerts.count
        q.unattributed = attributions.filter(\.isEmpty).count
        q.pages = alerts.filter { policy.pages($0.severity) }.count
        q.pagesAttributed = alerts.indices.filter { policy.pages(alerts[$0].severity) && !attributions[$0].isEmpty }.count
        q.incidents = scores.count
        q.incidentsPaged = scores.filter(\.paged).count
        quality = q
    }

    /// The incidents' names an episode is attributed to, `;`-separated.
    func incidentCell(_ episode: Int) -> String { attributions[episode].map { incidents[$0].name }.joined(separator: ";") }

    public static let actionsHeader = ["time_s", "rule", "trigger", "action", "parameters"]
    public static let alertsHeader = ["rule", "severity", "pending_at_s", "fired_at_s", "resolved_at_s", "level", "incident", "labels"]

    public static func row(_ a: ActionRecord) -> [String] {
        [NumberFormat.fixed(a.time.seconds, 3), a.rule, a.trigger, a.action, a.parameters]
    }

    /// `level`: the runbook level the alert's severity maps to (`ResponsePolicy`);
    /// `incident`: the incidents it is attributed to, `;`-separated (`IncidentAttribution.cell`).
    public static func row(_ e: AlertEpisode, level: String = "", incident: String = "") -> [String] {
        [e.rule, e.severity.rawValue, NumberFormat.fixed(e.pendingAt.seconds, 3), NumberFormat.fixed(e.firedAt.seconds, 3),
         e.resolvedAt.map { NumberFormat.fixed($0.seconds, 3) } ?? "", level, incident, e.labelsCell]
    }

    static func seconds(_ d: SimDuration?) -> JSONValue { d.map { .number($0.seconds, decimals: 3) } ?? .null }

    func json() -> [(String, JSONValue)] {
        [
            ("incidents", .array(incidents.map { i in
                .object([("name", .string(i.name)), ("start_s", .number(i.start.seconds, decimals: 3)),
                         ("end_s", .number(i.end.seconds, decimals: 3)), ("time_to_detect_s", Self.seconds(i.detection)),
                         ("time_to_mitigate_s", Self.seconds(i.mitigation)), ("time_to_recover_s", Self.seconds(i.recovery))])
            })),
            ("alerts_fired", .array(alerts.indices.map { k in
                let e = alerts[k]
                return .object([("rule", .string(e.rule)), ("severity", .string(e.severity.rawValue)),
                                ("level", .string(policy.level(for: e.severity))),
                                ("fired_at_s", .number(e.firedAt.seconds, decimals: 3)), ("resolved_at_s", e.resolvedAt.map { .number($0.seconds, decimals: 3) } ?? .null),
                                ("incidents", .array(attributions[k].map { .string(incidents[$0].name) }))])
            })),
            ("actions", .array(actions.map { a in
                .object([("time_s", .number(a.time.seconds, decimals: 3)), ("rule", .string(a.rule)), ("action", .string(a.action)),
                         ("parameters", .string(a.parameters))])
            })),
            ("error_budget_consumed", .object(budgets.map { ($0.0.rawValue, $0.1.map { .number($0, decimals: 4) } ?? .null) })),
            ("alert_quality", .object([
                ("pages_from", .string(policy.pagesFrom.rawValue)),
                ("firings", .int(Int64(quality.firings))),
                ("alerts_unattributed", .int(Int64(quality.unattributed))),
                ("pages", .int(Int64(quality.pages))),
                ("pages_attributed", .int(Int64(quality.pagesAttributed))),
                ("precision", quality.precision.map { .number($0, decimals: 4) } ?? .null),
                ("incidents", .int(Int64(quality.incidents))),
                ("incidents_paged", .int(Int64(quality.incidentsPaged))),
                ("recall", quality.recall.map { .number($0, decimals: 4) } ?? .null),
            ])),
            ("scorecard", .array(scores.map { s in
                func met(_ b: Bool?) -> JSONValue { b.map { .bool($0) } ?? .null }
                return .object([
                    ("incident", .string(s.name)), ("severity", .string(s.severity)),
                    ("linked_alerts", .array(s.linkedRules.map { .string($0) })),
                    ("detected_by", s.detectedBy.map { .string($0) } ?? .null), ("paged", .bool(s.paged)),
                    ("response_deadline_s", s.level.map { .number($0.response.seconds, decimals: 0) } ?? .null),
                    ("mitigation_deadline_s", s.level.map { .number(($0.response + $0.escalation).seconds, decimals: 0) } ?? .null),
                    ("time_to_detect_s", Self.seconds(s.detected)), ("detected_in_time", met(s.detectedInTime)),
                    ("time_to_first_action_s", Self.seconds(s.firstAction)), ("responded_in_time", met(s.respondedInTime)),
                    ("time_to_mitigate_s", Self.seconds(s.mitigated)), ("mitigated_in_time", met(s.mitigatedInTime)),
                    ("time_to_recover_s", Self.seconds(s.recovered)), ("recovered_within_rto", met(s.recoveredInTime)),
                    ("rto_s", .number(s.policy.rto.seconds, decimals: 0)),
                    ("error_budget_consumed", .object((s.budgets.map { ($0.0.rawValue, $0.1) } + s.teamBudgets).map { ($0.0, $0.1.map { .number($0, decimals: 4) } ?? .null) })),
                    ("all_deadlines_met", .bool(s.allMet)),
                ] + (s.notified.map { n in
                    [("notified", .array(n.map { .object([("receiver", .string($0.receiver)), ("after_s", .number($0.after.seconds, decimals: 3))]) }))]
                } ?? []))
            })),
        ]
    }

    /// `pagerduty-oncall 360 s, slack-market 330 s` in notification order, or "none".
    public static func notifiedCell(_ s: IncidentScore) -> String {
        guard let n = s.notified, !n.isEmpty else { return "none" }
        return n.map { "\($0.receiver) \(NumberFormat.fixed($0.after.seconds, 0)) s" }.joined(separator: ", ")
    }

    /// The scorecard as table rows (incident, severity, detect (by), paged, first action, mitigate, recover, budget, verdict).
    public func scorecardRows() -> [[String]] {
        func cell(_ d: SimDuration?, _ met: Bool?) -> String { Self.scorecardCell(seconds: d?.seconds, met: met) }
        return scores.map { s in
            let fill = s.budgets.first { $0.0 == .fillRate }?.1
            let detected = cell(s.detected, s.detectedInTime) + (s.detectedBy.map { " (\($0))" } ?? "")
            return [s.name, s.severity, detected, s.paged ? "yes" : "no", cell(s.firstAction, s.respondedInTime),
                    cell(s.mitigated, s.mitigatedInTime), cell(s.recovered, s.recoveredInTime),
                    fill.map { NumberFormat.fixed($0 * 100, 1) + " %" } ?? "—", s.allMet ? "met" : "MISSED"]
        }
    }

    /// One scorecard time: seconds with ✓ or ✗ against its deadline; "never ✗" when a
    /// deadline passed with nothing done, "—" when there was nothing to grade.
    /// One line on the paging: attributed pages, noise, recall.
    public var qualityLine: String { quality.line(pagesFrom: policy.pagesFrom.rawValue) }

    public static func scorecardCell(seconds: Double?, met: Bool?) -> String {
        guard let seconds else { return met == false ? "never ✗" : "—" }
        return NumberFormat.fixed(seconds, 0) + " s" + (met.map { $0 ? " ✓" : " ✗" } ?? "")
    }

    public static let scorecardHeader = ["Incident", "Severity", "Detected (by)", "Paged", "First action", "Mitigated", "Recovered (RTO)", "Fill budget used", "Deadlines"]

    func markdown() -> String {
        func s(_ d: SimDuration?) -> String { d.map { NumberFormat.fixed($0.seconds, 0) + " s" } ?? "—" }
        var out = "\n## War game\n\n| Incident | Window (s) | Detected after | Mitigated after | Recovered after |\n|---|---|---|---|---|\n"
        for i in incidents {
            out += "| \(i.name) | \(NumberFormat.fixed(i.start.seconds, 0))–\(NumberFormat.fixed(i.end.seconds, 0)) | \(s(i.detection)) | \(s(i.mitigation)) | \(s(i.recovery)) |\n"
        }
        out += "\n| Alert | Severity | Fired at (s) | Resolved at (s) | Incident |\n|---|---|---|---|---|\n"
        for (k, e) in alerts.enumerated() {
            let incident = incidentCell(k).replacingOccurrences(of: ";", with: "; ")
            out += "| \(e.rule) | \(e.severity.rawValue) | \(NumberFormat.fixed(e.firedAt.seconds, 0)) | \(e.resolvedAt.map { NumberFormat.fixed($0.seconds, 0) } ?? "still firing") | \(incident.isEmpty ? "—" : incident) |\n"
        }
        out += "\n| Action | Rule | At (s) | Parameters |\n|---|---|---|---|\n"
        for a in actions { out += "| \(a.action) | \(a.rule) | \(NumberFormat.fixed(a.time.seconds, 0)) | \(a.parameters) |\n" }
        if !scores.isEmpty {
            out += "\n### Scorecard\n\n| " + Self.scorecardHeader.joined(separator: " | ") + " |\n|" + String(repeating: "---|", count: Self.scorecardHeader.count) + "\n"
            out += scorecardRows().map { "| " + $0.joined(separator: " | ") + " |\n" }.joined()
            if let p = scores.first?.policy {
                out += "\nEach incident is judged by its own alerts (its `detected_by`, or its kind's symptoms; docs/wargames.md). Deadlines: detection (its first alert) within \(NumberFormat.fixed(p.detectWithin.seconds, 0)) s; first action within the level's response time and mitigation (none of its critical or page alerts firing) within response + escalation ("
                out += p.levels.map { "\($0.name) \(NumberFormat.fixed($0.response.seconds, 0)) s + \(NumberFormat.fixed($0.escalation.seconds, 0)) s" }.joined(separator: ", ")
                out += "); recovery (every one of its alerts clear) within the RTO of \(NumberFormat.fixed(p.rto.seconds, 0)) s. Paged: one of its alerts of severity \(p.pagesFrom.rawValue) or above fired. Budget: the share of the run's fill-rate error budget spent from the incident's start to its end or start + RTO, whichever is later, a step shared by overlapping incidents split equally among them.\n"
            }
            out += "\nAlert quality: \(qualityLine)\n"
            if scores.contains(where: { $0.notified != nil }) {
                out += "\n| Incident | Receivers notified (after the incident began) |\n|---|---|\n"
                for sc in scores { out += "| \(sc.name) | \(Self.notifiedCell(sc)) |\n" }
            }
            if let ids = scores.first?.teamBudgets.map(\.0), !ids.isEmpty {
                out += "\n| Team SLO budget spent | " + ids.joined(separator: " | ") + " |\n|" + String(repeating: "---|", count: ids.count + 1) + "\n"
                for sc in scores {
                    out += "| \(sc.name) | " + sc.teamBudgets.map { $0.1.map { NumberFormat.fixed($0 * 100, 1) + " %" } ?? "—" }.joined(separator: " | ") + " |\n"
                }
                out += "\nEach team SLO's share of the run's error budget spent in the incident's window (its evaluations shared equally by overlapping incidents).\n"
            }
        }
        out += "\n| Error budget | Consumed |\n|---|---|\n"
        for (slo, v) in budgets { out += "| \(slo.rawValue) | \(v.map { NumberFormat.fixed($0 * 100, 1) + " %" } ?? "—") |\n" }
        return out
    }
}

extension PlaybookAction {
    /// The action's name and parameters as `actions.csv` writes them, with names for indices.
    public func describe(_ c: PipelineConfig) -> (name: String, parameters: String) {
        switch self {
        case .pauseShard(let s): ("pause_shard", "shard=\(c.shards[s].name)")
        case .unpauseShard(let s): ("unpause_shard", "shard=\(c.shards[s].name)")
        case .systemPause: ("system_pause", "")
        case .systemUnpause: ("system_unpause", "")
        case .setShardQuotas(let s, let o, let a): ("set_shard_quotas", "shard=\(c.shards[s].name) max_open_jobs=\(o) max_active_jobs=\(a)")
        case .setRouterStrategy(let st): ("set_router_strategy", "strategy=\(st.rawValue)")
        case .setRouterOrder(let order): ("set_router_order", "order=" + order.map { c.providers[$0].id }.joined(separator: ";"))
        case .setProviderWeight(let p, let w): ("set_provider_weight", "provider=\(c.providers[p].id) weight=\(NumberFormat.fixed(w, 3))")
        case .setTenantQuota(let t, let h): ("set_tenant_quota", "tenant=\(TenantID.name(t)) gpu_hours=\(NumberFormat.fixed(h, 3))")
        case .purgeNonceCache: ("purge_nonce_cache", "")
        case .useBackupTSA(let on): ("use_backup_tsa", "enabled=\(on)")
        case .haltAllocations: ("halt_allocations", "")
        case .resumeAllocations: ("resume_allocations", "")
        case .setFields(let changes): ("set", changes.map { $0.describe(c) }.joined(separator: " "))
        case .rollback: ("rollback", "")
        case .resetBreaker(let p): ("reset_breaker", "provider=\(c.providers[p].id)")
        case .halfOpenBreaker(let p): ("half_open_breaker", "provider=\(c.providers[p].id)")
        case .pauseProvider(let p, let paused): (paused ? "pause_provider" : "unpause_provider", "provider=\(c.providers[p].id)")
        case .rotateKeys: ("rotate_keys", "")
        }
    }
}

extension LiveChange {
    /// `path=value` in the scenario schema's terms.
    public func describe(_ c: PipelineConfig) -> String {
        func limiter(_ l: RateLimiterConfig) -> String {
            switch l {
            case .tokenBucket(let r, let b): "token_bucket(rate_per_s=\(NumberFormat.roundTrip(r)),burst=\(NumberFormat.roundTrip(b)))"
            case .slidingWindowLog(let n, let w): "sliding_window_log(limit=\(n),window_s=\(NumberFormat.roundTrip(w.seconds)))"
            case .slidingWindowCounter(let n, let w): "sliding_window_counter(limit=\(n),window_s=\(NumberFormat.roundTrip(w.seconds)))"
            case .unlimited: "unlimited"
            }
        }
        switch self {
        case .routerStrategy(let s): return "router.strategy=\(s.rawValue)"
        case .providerWeight(let p, let w): return "providers[\(c.providers[p].id)].weight=\(NumberFormat.roundTrip(w))"
        case .providerCapacity(let p, let n): return "providers[\(c.providers[p].id)].capacity=\(n)"
        case .providerPrice(let p, let x): return "providers[\(c.providers[p].id)].price_per_gpu_hour=\(NumberFormat.roundTrip(x))"
        case .shard(let s, let k):
            let n = c.shards[s].name
            return "shards[\(n)].max_open_jobs=\(k.maxOpenJobs) shards[\(n)].max_active_jobs=\(k.maxActiveJobs) "
                + "shards[\(n)].reward_cap=\(NumberFormat.roundTrip(k.rewardCap)) shards[\(n)].max_job_duration_s=\(NumberFormat.roundTrip(k.maxJobDuration.seconds))"
        case .dailyQuota(let h): return "policy.daily_quota_gpu_hours=\(NumberFormat.roundTrip(h))"
        case .tenantLimit(let l): return "gateway.tenant_limit=\(limiter(l))"
        case .globalLimit(let l): return "gateway.global_limit=\(limiter(l))"
        }
    }
}
