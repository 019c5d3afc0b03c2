/// One alert of a rule (one label set) from pending to resolution.
public struct UserAlert: Sendable {
    public let rule: String
    public let labels: Labels
    public var annotations: [(name: String, value: String)]
    public var value: Double
    /// When the expression first returned this label set (Prometheus's `ActiveAt`), ms.
    public let activeAt: Int64
    public var firedAt: Int64?
    public var resolvedAt: Int64?
    var keepFiringSince: Int64?

    public var isFiring: Bool { firedAt != nil && resolvedAt == nil }
}

/// An alerting rule's alerts, advanced by each evaluation exactly as Prometheus 2.x's
/// `AlertingRule.Eval` advances them: a new label set is pending from that evaluation;
/// pending for `for`, it fires; absent, a pending alert is dropped and a firing one
/// resolves — unless `keep_firing_for` holds it, counted from the first evaluation that
/// missed it. An alert already active keeps its `ActiveAt` and takes the new value and
/// annotations.
struct AlertState {
    let rule: Rule
    /// Active (pending or firing) alerts, in the order they became active.
    var active: [UserAlert] = []

    init(rule: Rule) { self.rule = rule }

    /// Applies one evaluation's result; returns the alerts that fired and resolved now.
    mutating func advance(_ result: [Sample], at t: Int64) throws(PromQLError) -> (fired: [UserAlert], resolved: [UserAlert]) {
        if result.isEmpty && active.isEmpty { return ([], []) }  // nothing pending, firing or kept
        var current: [(labels: Labels, annotations: [(name: String, value: String)], value: Double)] = []
        var seen = Set<Labels>()
        for s in result {
            var labels = s.labels.withoutName
            for (name, template) in rule.labels { labels.set(name, template.expand(labels: s.labels.withoutName, value: s.value)) }
            labels.set("alertname", rule.name)
            guard seen.insert(labels).inserted else {
                throw PromQLError(message: "vector contains metrics with the same labelset after applying alert labels")
            }
            let annotations = rule.annotations.map { ($0.name, $0.template.expand(labels: s.labels.withoutName, value: s.value)) }
            current.append((labels, annotations, s.value))
        }
        var fired: [UserAlert] = [], resolved: [UserAlert] = []
        var index: [Labels: Int] = [:]  // looked up only
        for (i, a) in active.enumerated() { index[a.labels] = i }
        for c in current {
            if let i = index[c.labels] {
                active[i].value = c.value
                active[i].annotations = c.annotations
                active[i].keepFiringSince = nil
            } else {
                index[c.labels] = active.count
                active.append(UserAlert(rule: rule.name, labels: c.labels, annotations: c.annotations, value: c.value, activeAt: t))
            }
        }
        var kept: [UserAlert] = []
        for var a in active {
            if !seen.contains(a.labels) {
                guard a.firedAt != nil else { continue }  // a pending alert is dropped
                if a.keepFiringSince == nil { a.keepFiringSince = t }
                if rule.keepFiringForMs > 0 && t - a.keepFiringSince! < rule.keepFiringForMs {
                    kept.append(a)
                    continue
                }
                a.resolvedAt = t
                resolved.append(a)
                continue
            }
            if a.firedAt == nil && t - a.activeAt >= rule.forMs {
                a.firedAt = t
                fired.append(a)
            }
            kept.append(a)
        }
        active = kept
        return (fired.sorted { $0.labels < $1.labels }, resolved.sorted { $0.labels < $1.labels })
    }

    var firing: [UserAlert] { active.filter(\.isFiring).sorted { $0.labels < $1.labels } }
}
