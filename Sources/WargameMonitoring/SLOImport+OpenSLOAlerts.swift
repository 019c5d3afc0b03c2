/// OpenSLO v1 alert policies: each `burnrate` condition becomes one of the SLO's burn-rate
/// conditions, read literally — the error ratio over `lookbackWindow` at or above
/// `threshold` × the budget (one window, not the workbook's two), held for `alertAfter`
/// (the rule's `for:`). Conditions whose severity is page-like (page, critical, high,
/// sev1, sev2, p1, p2) page; the rest open tickets; the condition's own severity word is
/// the alert's `severity` label, as the team's Alertmanager routes would read it.
extension SLOImport {
    /// `alertPolicies` of an SLO: inline `AlertPolicy` objects or `alertPolicyRef`s to
    /// `AlertPolicy` documents of the same file (`policies`, by name).
    static func alertPolicies(_ list: [SpecNode], policies: [(name: String, node: SpecNode)], conditions: [(name: String, node: SpecNode)],
                              into spec: inout SLOSpec) throws(SpecError) {
        var rates: [(rate: SLOSpec.BurnRate, severity: String, forMs: Int64, at: SpecNode)] = []
        for item in list {
            let policy = try resolve(item, ref: "alertPolicyRef", kind: "AlertPolicy", among: policies)
            try policy.only(["description", "alertWhenBreaching", "alertWhenResolved", "alertWhenNoData", "conditions"],
                            refusing: ["notificationTargets": "notificationTargets are not supported: who is notified is the Alertmanager config's to say (--alertmanager-config)"])
            if let noData = try policy.optionalString("alertWhenNoData"), noData == "true" {
                throw policy.child("alertWhenNoData").error("alertWhenNoData: true is not supported: an SLO without traffic to measure holds here")
            }
            if let breaching = try policy.optionalString("alertWhenBreaching"), breaching == "false" {
                throw policy.child("alertWhenBreaching").error("alertWhenBreaching: false is not supported: a burn-rate alert fires when the SLO is burning")
            }
            for c in try policy.list("conditions") {
                let condition = try resolve(c, ref: "conditionRef", kind: "AlertCondition", among: conditions)
                rates.append(try burnRate(condition))
            }
        }
        spec.burnRates = rates.map(\.rate)
        // One Prometheus rule per level: its conditions must agree on what the rule carries.
        for severity in SLOSpec.BurnRate.Severity.allCases {
            let mine = rates.filter { $0.rate.severity == severity }
            guard let first = mine.first else { continue }
            for r in mine.dropFirst() {
                if r.severity != first.severity {
                    throw r.at.child("severity").error("expected \"\(first.severity)\" like the other \(severity.rawValue) conditions (they become one alert rule), found \"\(r.severity)\"")
                }
                if r.forMs != first.forMs {
                    throw r.at.child("condition").child("alertAfter").error("expected the same alertAfter as the other \(severity.rawValue) conditions (they become one alert rule's for:)")
                }
            }
            let level = SLOSpec.AlertLevel(labels: [Labels.Pair("severity", first.severity)], forMs: first.forMs)
            if severity == .page { spec.page = level } else { spec.ticket = level }
        }
    }

    /// The spec of a list item that is either `{ref: NAME}`, naming a `kind` document of
    /// the same file (`among`), or an inline `{kind, metadata, spec}` object.
    static func resolve(_ item: SpecNode, ref: String, kind: String, among documents: [(name: String, node: SpecNode)]) throws(SpecError) -> SpecNode {
        if item.has(ref) {
            try item.only([ref])
            let name = try item.string(ref)
            guard let found = documents.first(where: { $0.name == name }) else {
                throw item.child(ref).error("expected the name of an \(kind) document in this file, found \"\(name)\"")
            }
            return found.node
        }
        try item.only(["kind", "metadata", "spec"])
        let k = try item.string("kind")
        guard k == kind else { throw item.child("kind").error("expected \(kind), found \"\(k)\"") }
        return item.child("spec")
    }

    static let pageSeverities: Set<String> = ["page", "pager", "critical", "high", "sev1", "sev2", "p1", "p2"]

    /// One `AlertCondition` spec as a single-window burn rate.
    static func burnRate(_ n: SpecNode) throws(SpecError) -> (rate: SLOSpec.BurnRate, severity: String, forMs: Int64, at: SpecNode) {
        try n.only(["description", "severity", "condition"])
        let severity = try n.string("severity")
        let c = n.child("condition")
        try c.only(["kind", "op", "threshold", "lookbackWindow", "alertAfter"])
        let kind = try c.string("kind")
        guard kind == "burnrate" else { throw c.child("kind").error("expected burnrate (the only condition kind OpenSLO v1 defines), found \"\(kind)\"") }
        let op = try c.string("op")
        guard op == "gt" || op == "gte" else { throw c.child("op").error("expected gt or gte (an alert on a burn rate above its threshold), found \"\(op)\"") }
        let threshold = try c.number("threshold")
        guard threshold > 0 else { throw c.child("threshold").error("expected a burn rate above 0, found \(threshold)") }
        let lookback = try duration(c, "lookbackWindow")
        let after = c.has("alertAfter") ? try duration(c, "alertAfter") : 0
        let rate = SLOSpec.BurnRate(pageSeverities.contains(severity.lowercased()) ? .page : .ticket, long: lookback, short: lookback,
                                    factor: threshold, inclusive: op == "gte")
        return (rate, severity, after, n)
    }
}
