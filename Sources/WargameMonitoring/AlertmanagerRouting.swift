/// A fired alert as Alertmanager receives it: its labels (with `alertname`) and when it
/// fired and resolved (ms; Prometheus sends it from its firing on).
public struct RoutedAlert: Sendable {
    public let labels: Labels
    public let firedAtMs: Int64
    public let resolvedAtMs: Int64?

    public init(labels: Labels, firedAtMs: Int64, resolvedAtMs: Int64?) {
        self.labels = labels
        self.firedAtMs = firedAtMs
        self.resolvedAtMs = resolvedAtMs
    }

    func firing(at t: Int64) -> Bool { firedAtMs <= t && (resolvedAtMs.map { t < $0 } ?? true) }
}

/// The first notification of a firing alert to a receiver.
public struct AlertNotification: Sendable, Equatable {
    /// Index into the alerts routed.
    public let alert: Int
    public let receiver: String
    /// The route that sent it (`route.routes[1]`) and its group's labels.
    public let route: String
    public let group: String
    public let atMs: Int64
}

extension AlertmanagerConfig {
    /// The receivers an alert with `labels` goes to, in route order: what
    /// `amtool config routes test` prints.
    public func receivers(for labels: Labels) -> [String] { route.match(labels).map(\.receiver) }

    /// When each alert is first notified to each receiver, as Alertmanager's dispatcher
    /// times it: an alert joins the group of each route it matches (the route and the
    /// values of its `group_by` labels); a new group flushes `group_wait` after its first
    /// alert, then every `group_interval` while any of its alerts fires; a flush notifies
    /// the alerts firing then and not inhibited (an `inhibit_rules` source firing with the
    /// `equal` labels equal). An alert that resolves before a flush could carry it is never
    /// notified as firing; a group whose alerts have all resolved is gone, and the next
    /// alert starts a new one. Repeats (`repeat_interval`) are not first notifications.
    /// `untilMs` ends the simulation (the run's end).
    public func notifications(_ alerts: [RoutedAlert], untilMs: Int64) -> [AlertNotification] {
        var keys: [String] = [], groups: [String: (route: Route, label: String, members: [Int])] = [:]  // looked up only; `keys` orders
        for (i, a) in alerts.enumerated() {
            for r in route.match(a.labels) {
                let grouping = r.groupBy.map { names in a.labels.keeping(names) } ?? a.labels
                let key = r.path + "\u{0}" + grouping.description
                if groups[key] == nil {
                    keys.append(key)
                    groups[key] = (r, grouping.description, [])
                }
                groups[key]!.members.append(i)
            }
        }
        var out: [AlertNotification] = []
        for key in keys {
            let g = groups[key]!
            let members = g.members.sorted { (alerts[$0].firedAtMs, $0) < (alerts[$1].firedAtMs, $1) }
            var done = Set<Int>()
            while let first = members.first(where: { !done.contains($0) }) {
                var flush = alerts[first].firedAtMs + g.route.groupWaitMs
                while flush <= untilMs {
                    for a in members where !done.contains(a) && alerts[a].firedAtMs <= flush {
                        if !alerts[a].firing(at: flush) { done.insert(a); continue }
                        if inhibited(a, at: flush, alerts) { continue }
                        out.append(AlertNotification(alert: a, receiver: g.route.receiver, route: g.route.path, group: g.label, atMs: flush))
                        done.insert(a)
                    }
                    let alive = members.contains { alerts[$0].firedAtMs <= flush && (alerts[$0].resolvedAtMs.map { $0 > flush } ?? true) }
                    if !alive || members.allSatisfy(done.contains) { break }
                    flush += g.route.groupIntervalMs
                }
                if flush > untilMs { break }
            }
        }
        return out.sorted { ($0.atMs, $0.alert, $0.receiver) < ($1.atMs, $1.alert, $1.receiver) }
    }

    /// Alertmanager's `Inhibitor.Mutes` at `t`: a rule whose target matches the alert and
    /// one of whose sources fires with the `equal` labels equal (a source that matches the
    /// target too does not count when the alert matches both sides).
    func inhibited(_ i: Int, at t: Int64, _ alerts: [RoutedAlert]) -> Bool {
        let l = alerts[i].labels
        func all(_ m: [LabelMatch], _ x: Labels) -> Bool { m.allSatisfy { $0.matches(x[$0.name]) } }
        for rule in inhibitRules where all(rule.target, l) {
            let twoSided = all(rule.source, l)
            for (j, s) in alerts.enumerated() where j != i && s.firing(at: t) && all(rule.source, s.labels) {
                guard rule.equal.allSatisfy({ s.labels[$0] == l[$0] }) else { continue }
                if twoSided && all(rule.target, s.labels) { continue }
                return true
            }
        }
        return false
    }
}
