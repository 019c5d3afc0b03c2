/// A team's Alertmanager configuration as routing needs it: the route tree (matchers,
/// `continue`, grouping and its timers, inherited down the tree as Alertmanager inherits
/// them), the receivers' names and kinds, and the inhibition rules. What only shapes the
/// messages (`global`, `templates`, each receiver's integration settings) is read past;
/// what would change who is notified when and is not modelled (time intervals) is refused.
public struct AlertmanagerConfig: Sendable {
    public let path: String
    public let route: Route
    /// Receivers in file order, with the kinds of their integrations (`pagerduty`, `slack`…).
    public let receivers: [(name: String, kinds: [String])]
    public let inhibitRules: [InhibitRule]

    public struct Route: Sendable {
        /// Where in the file: `route`, `route.routes[0]`… (also the group key's prefix).
        public let path: String
        public let receiver: String
        public let matchers: [LabelMatch]
        public let `continue`: Bool
        /// nil: `group_by: ['...']`, every label.
        public let groupBy: [String]?
        public let groupWaitMs: Int64, groupIntervalMs: Int64, repeatIntervalMs: Int64
        public let routes: [Route]

        /// Alertmanager's `Route.Match`: the deepest matching routes, children in order,
        /// stopping after the first match whose route does not `continue`.
        public func match(_ labels: Labels) -> [Route] {
            guard matchers.allSatisfy({ $0.matches(labels[$0.name]) }) else { return [] }
            var all: [Route] = []
            for child in routes {
                let found = child.match(labels)
                all += found
                if !found.isEmpty && !child.continue { break }
            }
            return all.isEmpty ? [self] : all
        }
    }

    public struct InhibitRule: Sendable {
        public let source: [LabelMatch]
        public let target: [LabelMatch]
        public let equal: [String]
    }

    public static func load(path: String, text: String) throws(SpecError) -> AlertmanagerConfig {
        let doc: YAMLNode
        do { doc = try YAML.parse(text) } catch { throw SpecError(file: path, path: "", line: error.line, message: error.message) }
        return try AlertmanagerConfig(SpecNode(doc, path: "", file: path))
    }

    init(_ doc: SpecNode) throws(SpecError) {
        path = doc.file
        try doc.only(["global", "route", "receivers", "inhibit_rules", "templates"],
                     refusing: ["time_intervals": "time_intervals are not supported: the war game has no calendar; remove the muting from the copy you rehearse with",
                                "mute_time_intervals": "mute_time_intervals are not supported: the war game has no calendar; remove the muting from the copy you rehearse with"])
        var receivers: [(name: String, kinds: [String])] = []
        for r in try doc.list("receivers") {
            let name = try r.string("name")
            guard !receivers.contains(where: { $0.name == name }) else { throw r.child("name").error("the receiver \"\(name)\" is defined twice") }
            let keys = r.node?.entries?.map(\.key) ?? []
            for k in keys where k != "name" && !k.hasSuffix("_configs") {
                throw r.child(k).error("unknown receiver field \"\(k)\" (a receiver has a name and *_configs)")
            }
            receivers.append((name, keys.filter { $0.hasSuffix("_configs") }.map { String($0.dropLast("_configs".count)) }))
        }
        self.receivers = receivers
        let root = doc.child("route")
        guard root.exists else { throw root.error("missing; expected the root route") }
        if root.has("matchers") || root.has("match") || root.has("match_re") {
            throw root.error("the root route must not have any matchers (it receives every alert)")
        }
        guard root.has("receiver") else { throw root.child("receiver").error("missing; the root route needs a receiver") }
        route = try Self.route(root, parent: nil, receivers: receivers.map(\.name))
        var inhibit: [InhibitRule] = []
        if doc.has("inhibit_rules") {
            for r in try doc.list("inhibit_rules") {
                try r.only(["source_matchers", "target_matchers", "source_match", "source_match_re", "target_match", "target_match_re", "equal"])
                let equal = try r.has("equal") ? r.strings("equal") : []
                inhibit.append(InhibitRule(source: try Self.matchers(r, prefix: "source_"), target: try Self.matchers(r, prefix: "target_"), equal: equal))
            }
        }
        inhibitRules = inhibit
    }

    /// Defaults as Alertmanager's: 30 s group wait, 5 m group interval, 4 h repeat.
    static func route(_ n: SpecNode, parent: Route?, receivers: [String]) throws(SpecError) -> Route {
        try n.only(["receiver", "group_by", "continue", "matchers", "match", "match_re", "group_wait", "group_interval", "repeat_interval", "routes"],
                   refusing: ["mute_time_intervals": "mute_time_intervals are not supported: the war game has no calendar",
                              "active_time_intervals": "active_time_intervals are not supported: the war game has no calendar"])
        let receiver = try n.optionalString("receiver") ?? parent?.receiver ?? ""
        guard receivers.contains(receiver) else { throw n.child("receiver").error("undefined receiver \"\(receiver)\" (receivers: \(receivers.joined(separator: ", ")))") }
        var groupBy: [String]? = parent.map { $0.groupBy } ?? []
        if n.has("group_by") {
            let g = try n.strings("group_by")
            groupBy = g.contains("...") ? nil : g
            if g.contains("...") && g.count > 1 { throw n.child("group_by").error("'...' must be the only element of group_by") }
        }
        func duration(_ key: String, _ inherited: Int64?, _ fallback: Int64) throws(SpecError) -> Int64 {
            guard let t = try n.optionalString(key) else { return inherited ?? fallback }
            guard let ms = PrometheusDuration.parse(t) else { throw n.child(key).error("expected a duration such as 30s or 5m, found \"\(t)\"") }
            return ms
        }
        let cont = try n.optionalString("continue") ?? "false"
        guard cont == "true" || cont == "false" else { throw n.child("continue").error("expected true or false, found \"\(cont)\"") }
        let wait = try duration("group_wait", parent?.groupWaitMs, 30_000)
        let interval = try duration("group_interval", parent?.groupIntervalMs, 300_000)
        guard interval > 0 else { throw n.child("group_interval").error("expected a duration above 0") }
        let repeatMs = try duration("repeat_interval", parent?.repeatIntervalMs, 4 * 3_600_000)
        let path = n.path
        let matchers = try Self.matchers(n, prefix: "")
        var children: [Route] = []
        let shell = Route(path: path, receiver: receiver, matchers: matchers, continue: cont == "true", groupBy: groupBy,
                          groupWaitMs: wait, groupIntervalMs: interval, repeatIntervalMs: repeatMs, routes: [])
        if n.has("routes") {
            for c in try n.list("routes") { children.append(try route(c, parent: shell, receivers: receivers)) }
        }
        return Route(path: path, receiver: receiver, matchers: matchers, continue: cont == "true", groupBy: groupBy,
                     groupWaitMs: wait, groupIntervalMs: interval, repeatIntervalMs: repeatMs, routes: children)
    }

    /// `<prefix>matchers` (Alertmanager's matcher strings), `<prefix>match` (equality) and
    /// `<prefix>match_re` (anchored regular expressions), all of which must hold.
    static func matchers(_ n: SpecNode, prefix: String) throws(SpecError) -> [LabelMatch] {
        var out: [LabelMatch] = []
        if n.has(prefix + "matchers") {
            let c = n.child(prefix + "matchers")
            for (i, text) in try n.strings(prefix + "matchers").enumerated() {
                do { out += try AlertmanagerMatchers.parse(text) } catch {
                    throw SpecNode(nil, path: "\(c.path)[\(i)]", file: n.file, line: c.line).error("\(error.message), in \"\(text)\"")
                }
            }
        }
        for (key, op) in [(prefix + "match", LabelMatch.Op.equal), (prefix + "match_re", .matches)] {
            for p in try n.labels(key) {
                do { out.append(try LabelMatch(name: p.name, op: op, value: p.value)) } catch { throw n.child(key).child(p.name).error(error.message) }
            }
        }
        return out
    }
}
