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
    /// SLO spec files (Sloth or OpenSLO), listed in `monitoring.slo_specs` or given with `--slo-spec`.
    public var sloSources: [Source] = []
    /// SLOs written in the scenario (`monitoring.slos`), with where each was written.
    var inlineSLOs: [(spec: SLOSpec, file: String)] = []
    /// The team's Alertmanager configuration (`monitoring.alertmanager_config` or
    /// `--alertmanager-config`, which wins), read by the loader.
    public var alertmanagerSource: Source?
    public var alertmanager: AlertmanagerConfig?
    /// Every SLO, inline ones first, then each spec file's; their rules are among `ruleFiles`
    /// (one generated file per source, `SLORules`). Filled by the loader.
    public var slos: [SLOSpec] = []
    /// `detected_by` entries that matched no built-in rule, checked against the rule files.
    public struct DeferredSelector: Sendable {
        let selector: AlertSelector
        let text: String, file: String, path: String
    }
    var deferredSelectors: [DeferredSelector] = []
    struct DeferredName: Sendable { let name: String, file: String, path: String }
    /// `expect.alerts` names that are no built-in rule's, checked against the rule files.
    var deferredNames: [DeferredName] = []
    /// `expect.verdicts` names that are no runbook SLO's, checked against the team SLOs' ids.
    var deferredVerdicts: [DeferredName] = []

    public init() {}

    /// The alerts of rule files given with `--alert-rules`: the scenario's `expect` does not
    /// know them, so `check` does not count their firing as unexpected.
    public var commandLineAlertNames: [String] {
        zip(ruleSources, ruleFiles).filter { $0.0.listedIn == nil }.flatMap { $0.1.rules }.filter { $0.kind == .alert }.map(\.name)
    }

    /// Whether the scenario lists rule files or SLOs (whose compiled rules have alerts too).
    var hasRuleSources: Bool { !ruleSources.isEmpty || !sloSources.isEmpty || !inlineSLOs.isEmpty }

    /// Every alerting rule of every file, in file order.
    public var alertRules: [Rule] { ruleFiles.flatMap(\.rules).filter { $0.kind == .alert } }
}

extension ScenarioSchema {
    static func monitoring(_ f: Fields, _ s: inout Scenario) throws(ScenarioError) {
        try f.object("monitoring", doc: "The team's own monitoring, run inside the war game (docs/own-monitoring.md).") { m throws(ScenarioError) in
            if let items = try m.array("alert_rules", type: "paths", defaultValue: "[]",
                                       doc: "Prometheus rule files (relative to this file), evaluated on the simulated series at every evaluation; their alerts flow into alerts.csv, the scorecard and `expect` like the built-in ones. `--alert-rules FILE` adds more.") {
                s.monitoring.ruleSources = try paths(items, m, key: "alert_rules", what: "a Prometheus rule file")
            }
            try m.bool("builtin_alerts", &s.monitoring.builtinAlerts,
                       doc: "Whether the built-in alert rules (`alerts`) run beside the rule files; false rehearses with the team's rules alone.")
            if let items = try m.array("slo_specs", type: "paths", defaultValue: "[]",
                                       doc: "Sloth (prometheus/v1) or OpenSLO v1 SLO specs (relative to this file): each SLO's SLI is recorded over every alert window, judged against its objective, charged per incident, and its multiwindow burn-rate alerts run like the rule files'. `--slo-spec FILE` adds more.") {
                s.monitoring.sloSources = try paths(items, m, key: "slo_specs", what: "a Sloth or OpenSLO spec")
            }
            var am = ""
            try m.string("alertmanager_config", &am, doc: "An Alertmanager configuration file (relative to this file): every fired alert is routed through its route tree, grouping and inhibition rules, and the scorecard says which receivers each incident reached and when (`notifications.csv`). `--alertmanager-config FILE` replaces it.")
            if !am.isEmpty {
                let dir = (m.file as NSString).deletingLastPathComponent
                s.monitoring.alertmanagerSource = .init(path: am.hasPrefix("/") || dir.isEmpty ? am : dir + "/" + am, listedIn: m.file, jsonPath: m.at("alertmanager_config"))
            }
            if let items = try m.array("slos", type: "objects", defaultValue: "[]",
                                       doc: "SLOs written in the scenario, in the form `wargame slo import` prints (service, name, objective, period, sli, labels, alert, burn_rates).") {
                var inline: [(spec: SLOSpec, file: String)] = []
                for (i, item) in items.enumerated() {
                    do throws(SpecError) {
                        inline.append((try SLOImport.wargame(yaml(item), file: m.file, path: "\(m.at("slos"))[\(i)]"), m.file))
                    } catch {
                        try m.report(ScenarioError(file: m.file, path: error.path, message: error.message))
                    }
                }
                s.monitoring.inlineSLOs = inline
            }
        }
    }
}

extension ScenarioSchema {
    /// Files listed relative to the listing scenario, as it lists `extends`.
    static func paths(_ items: [JSON], _ m: Fields, key: String, what: String) throws(ScenarioError) -> [MonitoringSettings.Source] {
        let dir = (m.file as NSString).deletingLastPathComponent
        var sources: [MonitoringSettings.Source] = []
        for (i, item) in items.enumerated() {
            guard case .string(let p) = item, !p.isEmpty else {
                try m.report(ScenarioError(file: m.file, path: "\(m.at(key))[\(i)]", message: "expected the path of \(what), found \(item.described)"))
                continue
            }
            let path = p.hasPrefix("/") || dir.isEmpty ? p : dir + "/" + p
            sources.append(.init(path: path, listedIn: m.file, jsonPath: "\(m.at(key))[\(i)]"))
        }
        return sources
    }

    /// JSON as the YAML nodes the SLO reader takes (line 0: errors name the JSON path).
    static func yaml(_ j: JSON) -> YAMLNode {
        switch j {
        case .object(let members): YAMLNode(.mapping(members.map { YAMLEntry(key: $0.key, value: yaml($0.value), line: 0) }), line: 0)
        case .array(let items): YAMLNode(.sequence(items.map(yaml)), line: 0)
        case .string(let s): YAMLNode(.scalar(s, quoted: true), line: 0)
        case .number(let n): YAMLNode(.scalar(n.literal, quoted: false), line: 0)
        case .bool(let b): YAMLNode(.scalar(b ? "true" : "false", quoted: false), line: 0)
        case .null: YAMLNode(.scalar("", quoted: false), line: 0)
        }
    }
}

extension ScenarioLoader {
    /// A rule file larger than this is refused: no real one comes near it.
    static let maximumRuleFileBytes = 16 << 20

    /// Reads and parses every listed rule file (scenario fields first, then `extra` from the
    /// command line), folding their bytes into the scenario's digest.
    /// Reads the Alertmanager configuration, the command line's if given.
    static func loadAlertmanager(_ s: inout Scenario, extra: String?, digest: inout SHA256,
                                 reader: (String) -> Result<[UInt8], InputFile.Problem>) throws(ScenarioError) {
        if let extra { s.monitoring.alertmanagerSource = .init(path: extra, listedIn: nil, jsonPath: "") }
        guard let source = s.monitoring.alertmanagerSource else {
            if let n = s.expect.notified.first {
                throw ScenarioError(file: n.file, path: n.path, message: "expect.notified needs an Alertmanager configuration (monitoring.alertmanager_config or --alertmanager-config)")
            }
            return
        }
        let text = try source.read("an Alertmanager configuration", option: "--alertmanager-config", digest: &digest, reader: reader)
        do { s.monitoring.alertmanager = try AlertmanagerConfig.load(path: source.path, text: text) } catch { throw error.scenarioError }
        let names = s.monitoring.alertmanager?.receivers.map(\.name) ?? []
        for n in s.expect.notified {
            for (i, r) in n.receivers.enumerated() where !names.contains(r) {
                var m = "expected a receiver of \(source.path) (" + names.joined(separator: ", ") + "), found \"\(r)\""
                if let g = closest(to: r, in: names) { m += " (did you mean \"\(g)\"?)" }
                throw ScenarioError(file: n.file, path: "\(n.path)[\(i)]", message: m)
            }
        }
    }

    static func loadRuleFiles(_ s: inout Scenario, extra: [String], extraSLOSpecs: [String] = [], digest: inout SHA256,
                              reader: (String) -> Result<[UInt8], InputFile.Problem>) throws(ScenarioError) {
        s.monitoring.ruleSources += extra.map { .init(path: $0, listedIn: nil, jsonPath: "") }
        let sloRules = try loadSLOs(&s, extra: extraSLOSpecs, digest: &digest, reader: reader)
        var files: [RuleFile] = []
        for source in s.monitoring.ruleSources {
            let text = try source.read("a Prometheus rule file", option: "--alert-rules", digest: &digest, reader: reader)
            do {
                files.append(try RuleFile.load(path: source.path, text: text))
            } catch {
                throw ScenarioError(file: error.file, path: "", message: "\(error.location): \(error.message)")
            }
        }
        s.monitoring.ruleSources += sloRules.map(\.source)
        files += sloRules.map(\.file)
        if s.monitoring.builtinAlerts {
            for (source, file) in zip(s.monitoring.ruleSources, files) {
                guard let clash = file.rules.first(where: { r in r.kind == .alert && s.alerts.contains { $0.name == r.name } }) else { continue }
                throw source.error("\(file.path): the alert \"\(clash.name)\" has a built-in alert's name; rename it, or set monitoring.builtin_alerts to false")
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

extension MonitoringSettings.Source {
    /// An error about the file, reported where it was listed (the scenario's field), or
    /// against the file itself when the command line gave it.
    func error(_ message: String) -> ScenarioError {
        listedIn.map { ScenarioError(file: $0, path: jsonPath, message: message) } ?? ScenarioError(file: path, path: "", message: message)
    }

    /// The file as UTF-8 text (`what` names it in errors); its bytes, and `option` with its
    /// path when the command line gave it, go into the scenario's digest.
    func read(_ what: String, option: String, digest: inout SHA256,
              reader: (String) -> Result<[UInt8], InputFile.Problem>) throws(ScenarioError) -> String {
        let bytes: [UInt8]
        switch reader(path) {
        case .success(let b): bytes = b
        case .failure(let problem): throw error("expected \(what) at \(path), found \(problem.found)")
        }
        guard let text = String(bytes: bytes, encoding: .utf8) else { throw error("\(path): expected UTF-8 YAML, found invalid UTF-8") }
        if listedIn == nil { digest.update(Array("\(option) \(path)\n".utf8)) }
        digest.update(bytes)
        return text
    }
}

extension SpecError {
    /// As the scenario loader reports it: against the file, with its path and line.
    var scenarioError: ScenarioError {
        let at = [path, line > 0 ? "(line \(line))" : ""].filter { !$0.isEmpty }.joined(separator: " ")
        return ScenarioError(file: file, path: "", message: (at.isEmpty ? "" : at + ": ") + message)
    }
}

extension ScenarioLoader {
    /// Reads every SLO spec (scenario-listed, then `extra`), joins the inline SLOs, and
    /// compiles each source's SLOs into a rule file (`SLORules`), listed like the spec.
    static func loadSLOs(_ s: inout Scenario, extra: [String], digest: inout SHA256,
                         reader: (String) -> Result<[UInt8], InputFile.Problem>) throws(ScenarioError) -> [(source: MonitoringSettings.Source, file: RuleFile)] {
        s.monitoring.sloSources += extra.map { .init(path: $0, listedIn: nil, jsonPath: "") }
        var groups: [(source: MonitoringSettings.Source, specs: [SLOSpec])] = []
        if let first = s.monitoring.inlineSLOs.first {
            groups.append((.init(path: "slos", listedIn: first.file, jsonPath: "monitoring.slos"), s.monitoring.inlineSLOs.map(\.spec)))
        }
        for source in s.monitoring.sloSources {
            let text = try source.read("a Sloth or OpenSLO spec", option: "--slo-spec", digest: &digest, reader: reader)
            do { groups.append((source, try SLOImport.load(path: source.path, text: text))) } catch { throw error.scenarioError }
        }
        var seen: [String: String] = [:]
        var out: [(source: MonitoringSettings.Source, file: RuleFile)] = []
        for (source, specs) in groups {
            for spec in specs {
                if let other = seen[spec.id] {
                    throw ScenarioError(file: source.listedIn ?? source.path, path: source.jsonPath,
                                        message: "the SLO \"\(spec.id)\" is defined twice (in \(other) and \(source.path)); SLO ids (service-name) must be unique")
                }
                seen[spec.id] = source.path
            }
            let generated = "slo_rules(\(source.path))"
            do {
                out.append((source, try RuleFile.load(path: generated, text: SLORules.text(specs))))
            } catch {
                throw ScenarioError(file: source.listedIn ?? source.path, path: source.jsonPath, message: "the rules generated from these SLOs do not load: \(error.description)")
            }
        }
        s.monitoring.slos = groups.flatMap(\.specs)
        let known = s.slos.map(\.name) + s.monitoring.slos.map(\.id)
        for d in s.monitoring.deferredVerdicts where !known.contains(d.name) {
            var m = "expected an SLO name or team SLO id (" + known.joined(separator: ", ") + "), found \"\(d.name)\""
            if let g = closest(to: d.name, in: known) { m += " (did you mean \"\(g)\"?)" }
            throw ScenarioError(file: d.file, path: d.path, message: m)
        }
        return out
    }
}

extension MonitoringSettings {
    /// The metric families a rule reads, through the recording rules of the files: a rule
    /// reading `aurora:fill_ratio:rate5m` reads what that recording rule reads.
    ///
    /// A selector reads only the recording rules whose constant labels its `=` matchers
    /// accept: every SLO records `slo:sli_error:ratio_rate5m`, and an SLO's alert selects its
    /// own by `sloth_id`.
    public func families(of rule: Rule) -> [String] {
        let records = ruleFiles.flatMap(\.rules).filter { $0.kind == .record }
        func producers(_ sel: VectorSelector) -> [Rule] {
            records.filter { r in
                r.name == sel.metricName && sel.matchers.allSatisfy { m in
                    guard m.op == .equal, m.name != "__name__", let l = r.labels.first(where: { $0.name == m.name }), l.template.isConstant else { return true }
                    return l.template.source == m.value
                }
            }
        }
        var out: [String] = [], queue = rule.expr.selectors.map(\.0), seen: [VectorSelector] = []
        while let sel = queue.first {
            queue.removeFirst()
            guard let name = sel.metricName, !seen.contains(sel) else { continue }
            seen.append(sel)
            let from = producers(sel)
            if from.isEmpty {
                if !out.contains(name) { out.append(name) }
            } else {
                queue += from.flatMap { $0.expr.selectors.map(\.0) }
            }
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

extension Scenario {
    /// The team's SLO ids in spec order: one verdict column each in sweep tables.
    public var teamSLOIDs: [String] { monitoring.slos.map(\.id) }
}
