import Foundation
import SimKernel
import WargameModels

/// A symptom an incident shows: a family of alert signals. An incident kind's default
/// symptoms decide which alerts can detect it, page for it and hold its recovery open.
public enum Symptom: String, Sendable, CaseIterable {
    case fillRate = "fill_rate"
    case bridgeRTT = "bridge_rtt"
    case coverage = "provenance_coverage"
    case decisionTime = "policy_decision_time"
    case failovers
    case dropped = "dropped_requests"
    case breakers = "circuit_breakers"
    case rateLimiting = "rate_limiting"
    case shardQuota = "shard_quota"

    /// The `signal` labels of the alerts that show it: threshold signals and, for the three
    /// budget SLOs, their burn-rate pages.
    public var signals: [String] {
        switch self {
        case .fillRate: [Signal.fillRate.rawValue]                  // burn rate: BudgetSLO.fillRate, same name
        case .bridgeRTT: [Signal.bridgeRTTP95.rawValue]
        case .coverage: [Signal.coverage.rawValue]                  // burn rate: BudgetSLO.coverage, same name
        case .decisionTime: [Signal.decisionP95.rawValue]
        case .failovers: [Signal.failovers5m.rawValue]
        case .dropped: [Signal.dropped5m.rawValue, BudgetSLO.dropped.rawValue]
        case .breakers: [Signal.openBreakers.rawValue]
        case .rateLimiting: [Signal.rateLimitedRatio.rawValue]
        case .shardQuota: [Signal.shardOpenUsage.rawValue]
        }
    }

    /// Each incident kind's symptoms (docs/wargames.md, "Which alerts detect an incident").
    public static func defaults(for kind: Incident.Kind) -> [Symptom] {
        switch kind {
        case .providerOutage, .failureRate: [.fillRate, .failovers, .breakers, .dropped]
        case .priceSpike: [.fillRate]
        case .bridgeCongestion: [.bridgeRTT]
        case .relayerOutage: [.bridgeRTT, .dropped]
        case .bridgeLoss: [.bridgeRTT, .dropped, .fillRate]
        case .demandSurge: [.rateLimiting, .decisionTime, .fillRate, .dropped, .shardQuota]
        case .tsaOutage, .ipfsOutage: [.coverage, .fillRate]
        case .replayAttack, .invalidSignatures: [.fillRate]
        case .shardCongestion: [.fillRate, .dropped, .shardQuota]
        }
    }
}

/// One label matcher, as in PromQL and Alertmanager: `label="v"`, `!=`, `=~` (a regular
/// expression, anchored at both ends as Prometheus anchors it), `!~`.
public struct LabelMatcher: Sendable, Equatable {
    public enum Op: String, Sendable, CaseIterable { case equal = "=", notEqual = "!=", matches = "=~", notMatches = "!~" }
    public let label: String
    public let op: Op
    public let value: String

    public init(label: String, op: Op, value: String) throws(SelectorError) {
        self.label = label
        self.op = op
        self.value = value
        if op == .matches || op == .notMatches, (try? NSRegularExpression(pattern: "^(?:" + value + ")$")) == nil {
            throw SelectorError(message: "\(label)\(op.rawValue)\"\(value)\": not a valid regular expression")
        }
    }

    public func matches(_ labels: [(String, String)]) -> Bool {
        let v = labels.first { $0.0 == label }?.1 ?? ""
        switch op {
        case .equal: return v == value
        case .notEqual: return v != value
        case .matches, .notMatches:
            let re = try? NSRegularExpression(pattern: "^(?:" + value + ")$")
            let hit = re?.firstMatch(in: v, range: NSRange(v.startIndex..., in: v)) != nil
            return op == .matches ? hit : !hit
        }
    }

    public var text: String { "\(label)\(op.rawValue)\"\(value)\"" }
}

public struct SelectorError: Error, Sendable {
    public let message: String
}

/// One entry of an incident's `detected_by`: an alert name (`BridgeRTTHigh`), or label
/// matchers in braces that must all hold (`{signal="bridge_rtt_p95_ms",severity!="warning"}`).
/// Built-in alerts carry the labels `alertname`, `severity` and `signal`.
public struct AlertSelector: Sendable, Equatable {
    public let matchers: [LabelMatcher]

    public init(matchers: [LabelMatcher]) { self.matchers = matchers }

    public static func parse(_ text: String) throws(SelectorError) -> AlertSelector {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard t.hasPrefix("{") else {
            guard !t.isEmpty, t.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == ":" }) else {
                throw SelectorError(message: "expected an alert name or label matchers in braces ({label=\"value\", …}), found \"\(text)\"")
            }
            return AlertSelector(matchers: [try LabelMatcher(label: "alertname", op: .equal, value: t)])
        }
        guard t.hasSuffix("}"), t.count >= 2 else { throw SelectorError(message: "unclosed brace in \"\(text)\"") }
        var rest = Substring(t.dropFirst().dropLast())
        var out: [LabelMatcher] = []
        while true {
            rest = rest.drop { $0 == " " }
            if rest.isEmpty { break }
            let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            guard !name.isEmpty else { throw SelectorError(message: "expected a label name at \"\(rest)\" in \"\(text)\"") }
            rest = rest.dropFirst(name.count).drop { $0 == " " }
            guard let op = [LabelMatcher.Op.notEqual, .matches, .notMatches, .equal].first(where: { rest.hasPrefix($0.rawValue) }) else {
                throw SelectorError(message: "expected =, !=, =~ or !~ after \(name) in \"\(text)\"")
            }
            rest = rest.dropFirst(op.rawValue.count).drop { $0 == " " }
            guard rest.first == "\"" else { throw SelectorError(message: "expected a quoted value after \(name)\(op.rawValue) in \"\(text)\"") }
            rest = rest.dropFirst()
            var value = "", escaped = false, closed = false
            while let c = rest.first {
                rest = rest.dropFirst()
                if escaped { value.append(c); escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { closed = true; break } else { value.append(c) }
            }
            guard closed else { throw SelectorError(message: "unterminated quoted value after \(name)\(op.rawValue) in \"\(text)\"") }
            out.append(try LabelMatcher(label: String(name), op: op, value: value))
            rest = rest.drop { $0 == " " }
            if rest.first == "," { rest = rest.dropFirst() } else if !rest.isEmpty {
                throw SelectorError(message: "expected , or } at \"\(rest)\" in \"\(text)\"")
            }
        }
        guard !out.isEmpty else { throw SelectorError(message: "empty matcher list \"\(text)\"") }
        return AlertSelector(matchers: out)
    }

    public func matches(_ labels: [(String, String)]) -> Bool { matchers.allSatisfy { $0.matches(labels) } }

    public var text: String {
        if matchers.count == 1, matchers[0].label == "alertname", matchers[0].op == .equal { return matchers[0].value }
        return "{" + matchers.map(\.text).joined(separator: ",") + "}"
    }
}

/// Which alerts are an incident's own symptoms: the selectors of its `detected_by`, or the
/// default symptoms of its kind. Only these alerts detect it, page for it, mitigate and
/// recover it, and have their firings attributed to it.
public struct IncidentDetection: Sendable, Equatable {
    /// Any one matching links an alert.
    public var selectors: [AlertSelector]
    /// The kind's symptoms when `detected_by` is not given (for the docs and the summary).
    public var symptoms: [Symptom]

    public init(selectors: [AlertSelector], symptoms: [Symptom] = []) {
        self.selectors = selectors
        self.symptoms = symptoms
    }

    /// The default for an incident kind: every alert whose `signal` is one of its symptoms'.
    public static func defaults(for kind: Incident.Kind) -> IncidentDetection {
        let symptoms = Symptom.defaults(for: kind)
        let signals = symptoms.flatMap(\.signals)
        let matcher = try! LabelMatcher(label: "signal", op: .matches, value: signals.joined(separator: "|"))
        return IncidentDetection(selectors: [AlertSelector(matchers: [matcher])], symptoms: symptoms)
    }

    public func links(_ rule: AlertRule) -> Bool {
        let labels = rule.labels
        return selectors.contains { $0.matches(labels) }
    }
}

extension AlertRule {
    /// The labels a firing of this rule carries for matching: `alertname`, `severity`, and
    /// `signal` (the threshold's signal, or the budget SLO a burn-rate rule watches).
    public var labels: [(String, String)] {
        let signal: String = switch condition {
        case .threshold(let s, _, _): s.rawValue
        case .burnRate(let slo, _, _, _): slo.rawValue
        }
        return [("alertname", name), ("severity", severity.rawValue), ("signal", signal)]
    }
}

/// Which incidents each alert firing belongs to: those whose linked rules include the
/// alert's and whose window holds the moment it fired. The window runs from the incident's
/// start to its end or start + RTO, whichever is later (effects outlast a short incident).
/// An alert already firing when an incident starts is not the new incident's: it counts
/// only when it fires anew.
public struct IncidentAttribution: Sendable {
    public let names: [String]
    public let windows: [Range<SimTime>]
    /// Per incident, the names of its linked built-in rules in rule order.
    public let linkedRules: [[String]]
    /// Per incident, what links an alert of the team's rule files to it.
    let detection: [IncidentDetection]

    public init(incidents: [Incident], detection: [IncidentDetection], rules: [AlertRule], policy: ResponsePolicy) {
        names = incidents.map(\.name)
        windows = incidents.map { $0.start..<max($0.end, $0.start + policy.rto) }
        let d = incidents.indices.map { k in k < detection.count ? detection[k] : .defaults(for: incidents[k].kind) }
        self.detection = d
        linkedRules = incidents.indices.map { k in rules.filter { d[k].links($0) }.map(\.name) }
    }

    /// Whether an alert is one of incident `k`'s symptoms: a built-in rule by name, a rule
    /// file's alert when one of its label sets matches a `detected_by` selector (by default
    /// the kind's `signal` matcher).
    public func links(_ k: Int, _ e: AlertEpisode) -> Bool {
        guard let sets = e.matchSets else { return linkedRules[k].contains(e.rule) }
        return sets.contains { set in detection[k].selectors.contains { $0.matches(set) } }
    }

    /// Indices of the incidents a firing is attributed to, in incident order.
    public func incidents(of e: AlertEpisode) -> [Int] {
        names.indices.filter { windows[$0].contains(e.firedAt) && links($0, e) }
    }

    /// `alerts.csv`'s `incident` cell: the incidents' names, `;`-separated, empty for none.
    public func cell(_ e: AlertEpisode) -> String { incidents(of: e).map { names[$0] }.joined(separator: ";") }
}

extension Signal {
    /// The `signal` labels a user's alert rule carries for attribution, from the metric
    /// families its expression reads: the built-in signals those families measure or feed
    /// (docs/own-monitoring.md has the table). A rule reading none of them has no signal and
    /// detects only incidents whose `detected_by` names it.
    public static func signals(readingFamilies families: [String]) -> [String] {
        var out: [String] = []
        for f in families {
            for (prefixes, signals) in familySignals where prefixes.contains(where: { f.hasPrefix($0) }) {
                for s in signals where !out.contains(s) { out.append(s) }
            }
        }
        return out
    }

    /// Metric-name prefixes (of /metrics and the :9109 service families) and their signals.
    public static let familySignals: [([String], [String])] = [
        (["wargame_orders_filled", "wargame_orders_submitted", "wargame_fill_rate", "wargame_step_fill_rate", "fill_rate",
          "orders_filled", "orders_submitted", "wargame_provider_filled", "wargame_filled_gpu", "wargame_provider_ack",
          "wargame_provider_running", "wargame_provider_capacity", "provider_capacity", "provider_running"], [Signal.fillRate.rawValue]),
        (["wargame_orders_final"], [Signal.fillRate.rawValue, Signal.dropped5m.rawValue]),
        (["wargame_bridge_", "wargame_step_bridge", "bridge_rtt"], [Signal.bridgeRTTP95.rawValue]),
        (["wargame_jobs_uncovered", "wargame_jobs_decided", "wargame_provenance", "wargame_step_provenance", "provenance_coverage",
          "wargame_tsa_", "wargame_ipfs_"], [Signal.coverage.rawValue]),
        (["wargame_policy_", "wargame_step_policy", "policy_decision"], [Signal.decisionP95.rawValue]),
        (["wargame_failover", "wargame_step_failover", "failover_events"], [Signal.failovers5m.rawValue]),
        (["wargame_orders_dropped", "wargame_step_dropped", "wargame_dropped", "orders_dropped"], [Signal.dropped5m.rawValue, BudgetSLO.dropped.rawValue]),
        (["wargame_provider_breaker", "wargame_breaker", "wargame_step_open_breakers", "provider_active"], [Signal.openBreakers.rawValue]),
        (["wargame_step_rate_limited", "tenant_quota"], [Signal.rateLimitedRatio.rawValue]),
        (["wargame_step_system_paused"], [Signal.systemPaused.rawValue]),
        (["wargame_shard_", "wargame_step_shard", "shard_"], [Signal.shardOpenUsage.rawValue]),
    ]
}
