import Foundation
import WargameMonitoring
import WargameReports

/// The user's own monitoring run inside the war game: Prometheus rule files (their alerts
/// evaluated on the simulated series beside, or instead of, the built-in rules).
public struct MonitoringSettings: Sendable {
    /// A rule file as listed: where it was listed, so an error in it names the listing.
    public struct Source: Sendable, Equatable {
        public let path: String
        /// The scenario file and JSON path that listed it, or nil for `--alert-rules`.
        public let listedIn: String?
        public let jsonPath: String
    }
    public var ruleSources: [Source] = []
    /// Parsed by the loader once every layer is applied (`ScenarioLoader.loadRuleFiles`).
    public var ruleFiles: [RuleFile] = []
    /// Whether the built-in rules (`alerts`) run too.
    public var builtinAlerts = true
    /// `detected_by` entries that matched no built-in rule, checked against the rule files.
    public struct DeferredSelector: Sendable {
        let selector: AlertSelector
        let text: String, file: String, path: String
    }
    var deferredSelectors: [DeferredSelector] = []
    struct DeferredName: Sendable { let name: String, file: String, path: String }
    /// `expect.alerts` names that are no built-in rule's, checked against the rule files.
    var deferredNames: [DeferredName] = []

    public init() {}

    /// The alerts of rule files given with `--alert-rules`: the scenario's `expect` does not
    /// know them, so `check` does not count their firing as unexpected.
    public var commandLineAlertNames: [String] {
        zip(ruleSources, ruleFiles).filter { $0.0.listedIn == nil }.flatMap { $0.1.rules }.filter { $0.kind == .alert }.map(\.name)
    }

    /// Every alerting rule of every file, in file order.
    public var alertRules: [Rule] { ruleFiles.flatMap(\.rules).filter { $0.kind == .alert } }
}

extension ScenarioSchema {
    static func monitoring(_ f: Fields, _ s: inout Scenario) throws(ScenarioError) {
        try f.object("monitoring", doc: "The team's own monitoring, run inside the war game (docs/own-monitoring.md).") { m throws(ScenarioError) in
            if let items = try m.array("alert_rules", type: "paths", defaultValue: "[]",
                                       doc: "Prometheus rule files (relative to this file), evaluated on the simulated series at every evaluation; their alerts flow into alerts.csv, the scorecard and `expect` like the built-in ones. `--alert-rules FILE` adds more.") {
                let dir = (m.file as NSString).deletingLastPathComponent
                var sources: [MonitoringSettings.Source] = []
                for (i, item) in items.enumerated() {
                    guard case .string(let p) = item, !p.isEmpty else {
                        try m.report(ScenarioError(file: m.file, path: "\(m.at("alert_rules"))[\(i)]", message: "expected the path of a Prometheus rule file, found \(item.described)"))
                        continue
                    }
                    let path = p.hasPrefix("/") || dir.isEmpty ? p : dir + "/" + p
                    sources.append(.init(path: path, listedIn: m.file, jsonPath: "\(m.at("alert_rules"))[\(i)]"))
                }
                s.monitoring.ruleSources = sources
            }
            try m.bool("builtin_alerts", &s.monitoring.builtinAlerts,
                       doc: "Whether the built-in alert rules (`alerts`) run beside the rule files; false rehearses with the team's rules alone.")
        }
    }
}

extension ScenarioLoader {
    /// A rule file larger than this is refused: no real one comes near it.
    static let maximumRuleFileBytes = 16 << 20

    /// Reads and parses every listed rule file (scenario fields first, then `extra` from the
    /// command line), folding their bytes into the scenario's digest.
    static func loadRuleFiles(_ s: inout Scenario, extra: [String], digest: inout SHA256,
                              reader: (String) -> Result<[UInt8], InputFile.Problem>) throws(ScenarioError) {
        s.monitoring.ruleSources += extra.map { .init(path: $0, listedIn: nil, jsonPath: "") }
        var files: [RuleFile] = []
        for source in s.monitoring.ruleSources {
            func fail(_ m: String) -> ScenarioError {
                source.listedIn.map { ScenarioError(file: $0, path: source.jsonPath, message: m) } ?? ScenarioError(file: source.path, path: "", message: m)
            }
            let bytes: [UInt8]
            switch reader(source.path) {
            case .success(let b): bytes = b
            case .failure(let problem): throw fail("expected a Prometheus rule file at \(source.path), found \(problem.found)")
            }
            guard let text = String(bytes: bytes, encoding: .utf8) else { throw fail("\(source.path): expected UTF-8 YAML, found invalid UTF-8") }
            do {
                files.append(try RuleFile.load(path: source.path, text: text))
            } catch {
                throw ScenarioError(file: error.file, path: "", message: "\(error.location): \(error.message)")
            }
            if source.listedIn == nil { digest.update(Array("--alert-rules \(source.path)\n".utf8)) }
            digest.update(bytes)
        }
        if s.monitoring.builtinAlerts {
            for (source, file) in zip(s.monitoring.ruleSources, files) {
                guard let clash = file.rules.first(where: { r in r.kind == .alert && s.alerts.contains { $0.name == r.name } }) else { continue }
                let m = "\(file.path): the alert \"\(clash.name)\" has a built-in alert's name; rename it, or set monitoring.builtin_alerts to false"
                throw source.listedIn.map { ScenarioError(file: $0, path: source.jsonPath, message: m) } ?? ScenarioError(file: file.path, path: "", message: m)
            }
        }
        s.monitoring.ruleFiles = files
        let known = s.alerts.map(\.name) + s.monitoring.alertRules.map(\.name)
        for d in s.monitoring.deferredNames where !known.contains(d.name) {
            var m = "expected an alert rule name, found \"\(d.name)\""
            if let g = closest(to: d.name, in: known) { m += " (did you mean \"\(g)\"?)" }
            throw ScenarioError(file: d.file, path: d.path, message: m)
        }
        for d in s.monitoring.deferredSelectors where !s.monitoring.alertRules.contains(where: { s.monitoring.couldMatch($0, d.selector) }) {
            let names = s.alerts.map(\.name) + s.monitoring.alertRules.map(\.name)
            var m = "\"\(d.text)\" selects none of the alert rules (" + names.joined(separator: ", ") + ")"
            if let c = closest(to: d.text, in: names) { m += " (did you mean \"\(c)\"?)" }
            throw ScenarioError(file: d.file, path: d.path, message: m)
        }
    }
}

extension MonitoringSettings {
    /// The metric families a rule reads, through the recording rules of the files: a rule
    /// reading `aurora:fill_ratio:rate5m` reads what that recording rule reads.
    public func families(of rule: Rule) -> [String] {
        let records = ruleFiles.flatMap(\.rules).filter { $0.kind == .record }
        var out: [String] = [], queue = rule.expr.selectors.compactMap { $0.0.metricName }, seen: Set<String> = []
        while let f = queue.first {
            queue.removeFirst()
            guard seen.insert(f).inserted else { continue }
            let producers = records.filter { $0.name == f }
            if producers.isEmpty { out.append(f) } else { queue += producers.flatMap { $0.expr.selectors.compactMap { $0.0.metricName } } }
        }
        return out
    }

    /// The label sets a firing of `rule` is matched with, for attribution: its name, its
    /// constant labels, and each `signal` the families it reads imply (none: no signal).
    public func attributionLabels(_ rule: Rule) -> [[(String, String)]] {
        var base: [(String, String)] = [("alertname", rule.name)]
        for (n, t) in rule.labels where t.isConstant { base.append((n, t.source)) }
        if rule.labels.contains(where: { $0.name == "signal" }) { return [base] }
        let signals = Signal.signals(readingFamilies: families(of: rule))
        return signals.isEmpty ? [base] : signals.map { base + [("signal", $0)] }
    }

    /// Whether some firing of `rule` could match: a matcher on a label the rule does not fix
    /// (one its series bring, or a templated one) might hold, so it does not rule it out.
    func couldMatch(_ rule: Rule, _ selector: AlertSelector) -> Bool {
        attributionLabels(rule).contains { known in
            selector.matchers.allSatisfy { m in known.contains { $0.0 == m.label } ? m.matches(known) : true }
        }
    }
}
