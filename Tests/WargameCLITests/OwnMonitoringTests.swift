import Foundation
import Testing
import WargameReports
import WargameScenario
@testable import WargameCLI

/// The team's own rule files inside the war game (docs/own-monitoring.md).
@Suite struct OwnMonitoringTests {
    static let rules = packageRoot + "/scenarios/monitoring/aurora-alert-rules.yaml"

    func alerts(_ dir: String) throws -> [[String]] {
        try #require(CSVReader.parse(String(contentsOfFile: dir + "/alerts.csv", encoding: .utf8)))
    }

    /// Their alerts land in alerts.csv with their labels, are attributed to the incidents
    /// whose symptoms their expressions read, and count in the scorecard.
    @Test func theirAlertsFlowIntoAlertsCSVAndTheScorecard() throws {
        let dir = scratchDirectory()
        let r = runCLI(["run", packageRoot + "/scenarios/alert-drill.json", "--alert-rules", Self.rules, "--out", dir, "--logs", "none"])
        #expect(r.code == .sloBreached, "\(r.err)")
        let rows = try alerts(dir)
        let h = rows[0]
        let (rule, incident, labels) = (h.firstIndex(of: "rule")!, h.firstIndex(of: "incident")!, h.firstIndex(of: "labels")!)
        let tsa = rows.filter { $0[rule] == "TimestampAuthorityFailing" }
        #expect(Set(tsa.map { $0[labels] }) == ["{severity=\"critical\",team=\"provenance\",tsa=\"primary\"}", "{severity=\"critical\",team=\"provenance\",tsa=\"backup\"}"])
        #expect(tsa.allSatisfy { $0[incident] == "both TSAs down" })
        // A bridge alert is a symptom of bridge incidents only, by the families it reads.
        let lost = rows.filter { $0[rule] == "BridgeMessagesLost" }
        #expect(lost.count == 2 && lost.allSatisfy { $0[incident] == "bridges lose messages" })
        // Histograms are scraped whole (_bucket series), and an alert on a recording rule is
        // attributed by the families the recording rule reads.
        #expect(rows.contains { $0[rule] == "LawBridgeRTTHigh" && $0[incident] == "bridges congested" })
        #expect(rows.contains { $0[rule] == "BridgeRoundTripSlow" && $0[labels].contains("bridge=") && $0[incident] == "bridges congested" })
        #expect(r.out.contains("TimestampAuthorityFailing"))
    }

    @Test func theSameRunTwiceIsByteIdentical() throws {
        let (a, b) = (scratchDirectory(), scratchDirectory())
        for d in [a, b] {
            _ = runCLI(["run", packageRoot + "/scenarios/bridge-congestion.json", "--alert-rules", Self.rules, "--out", d, "--logs", "none"])
        }
        for f in ["alerts.csv", "kpi_summary.json"] {
            #expect(try Data(contentsOf: URL(fileURLWithPath: a + "/" + f)) == Data(contentsOf: URL(fileURLWithPath: b + "/" + f)), "\(f)")
        }
    }

    /// A scenario lists rule files relative to itself, may run them alone, and may name
    /// their alerts in `detected_by` and `expect`.
    @Test func aScenarioListsItsRuleFilesAndNamesTheirAlerts() throws {
        let dir = scratchDirectory()
        try FileManager.default.createDirectory(atPath: dir + "/ops", withIntermediateDirectories: true)
        try """
        groups:
          - name: ours
            rules:
              - alert: FailoversSurging
                expr: increase(wargame_failover_events_total[5m]) > 5
                labels: {severity: page}
                annotations:
                  summary: "{{ $value | humanize }} failovers in 5m"
        """.write(toFile: dir + "/ops/rules.yml", atomically: true, encoding: .utf8)
        let path = writeScenario("s.json", """
        {"version": 1, "extends": "\(packageRoot)/scenarios/provider-outage-akash.json", "name": "own-rules",
         "monitoring": {"alert_rules": ["ops/rules.yml"], "builtin_alerts": false},
         "incidents": [{"name": "akash down", "kind": "provider_outage", "providers": ["akash"], "start_s": 600, "duration_s": 1800,
                        "detected_by": ["FailoversSurging"]}],
         "expect": {"alerts": ["FailoversSurging"], "verdicts": {"failover_events": "breach"}}}
        """, in: dir)
        let v = runCLI(["validate", path])
        #expect(v.code == .success, "\(v.err)")
        let out = dir + "/out"
        let r = runCLI(["run", path, "--out", out, "--logs", "none"])
        #expect(r.code != .badInput && r.code != .internalError, "\(r.err)")
        let rows = try alerts(out).dropFirst()
        #expect(!rows.isEmpty && rows.allSatisfy { $0[0] == "FailoversSurging" }, "the built-in rules are off")
        // Failovers before the outage are noise; the firing inside it is the incident's.
        #expect(rows.contains { $0[6] == "akash down" } && rows.allSatisfy { $0[6] == "akash down" || Double($0[3])! < 600 })
        let summary = try String(contentsOfFile: out + "/kpi_summary.json", encoding: .utf8)
        #expect(summary.contains("\"detected_by\": \"FailoversSurging\""))
        let check = runCLI(["check", path])
        #expect(check.code == .success, "\(check.out)\(check.err)")
    }

    @Test(arguments: [
        ("expr: topk(3, wargame_orders_dropped_total)", "the aggregation topk is not supported"),
        ("expr: label_replace(up, \"a\", \"b\", \"c\", \"d\")", "the function label_replace() is not supported"),
        ("expr: rate(wargame_orders_dropped_total[5m:1m])", "subqueries"),
        ("expr: up\n        labels: {severity: \"{{ $labels.x | title }}\"}", "\"title\" is not supported"),
        ("expr: rate(wargame_orders_dropped_total)", "expected type range vector"),
        ("expr: up\n        for: soon", "for: expected a duration"),
    ])
    func unsupportedConstructsAreRefusedNamingFileGroupRuleAndConstruct(_ rule: String, _ words: String) throws {
        let dir = scratchDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "groups:\n  - name: g1\n    rules:\n      - alert: A1\n        \(rule)\n".write(toFile: dir + "/r.yml", atomically: true, encoding: .utf8)
        let r = runCLI(["run", packageRoot + "/scenarios/baseline.json", "--alert-rules", dir + "/r.yml", "--out", dir + "/out"])
        #expect(r.code == .badInput)
        #expect(r.err.contains(dir + "/r.yml") && r.err.contains("group \"g1\"") && r.err.contains("alert \"A1\"") && r.err.contains(words), "\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/out"), "nothing written")
    }

    /// The live endpoint shows what the war game's own evaluation has firing: the built-in
    /// rules' alerts and the team's, with their labels, in valid exposition format.
    @Test func liveMetricsShowWhatIsFiring() throws {
        let s = try ScenarioLoader.load(packageRoot + "/scenarios/alert-drill.json", alertRules: [Self.rules])
        var texts: [String] = []
        _ = try ScenarioRunner.execute(s, seed: 1, steps: s.run.steps, onSnapshot: { texts.append(PrometheusText.render($0)) })
        #expect(texts.count == s.run.steps)
        #expect(texts.contains { $0.contains(#"wargame_alert_firing{alertname="TimestampAuthorityFailing",severity="critical",team="provenance",tsa="primary"} 1"#) })
        #expect(texts.contains { $0.contains(#"wargame_alert_firing{alertname="CoverageCritical",severity="critical",signal="provenance_coverage"} 1"#) })
        #expect(!texts[0].contains("wargame_alert_firing{"))  // nothing fires in the first minute
        for t in texts { #expect(Exposition(t).problems.isEmpty) }
        // A finished run's metrics.prom has no such family: nothing fires after the run.
        let dir = scratchDirectory()
        _ = runCLI(["run", packageRoot + "/scenarios/alert-drill.json", "--alert-rules", Self.rules, "--out", dir, "--logs", "none"])
        #expect(try !String(contentsOfFile: dir + "/metrics.prom", encoding: .utf8).contains("wargame_alert_firing"))
    }

    @Test func aMissingRuleFileIsBadInput() {
        let r = runCLI(["run", packageRoot + "/scenarios/baseline.json", "--alert-rules", "/nonexistent/rules.yml", "--out", scratchDirectory()])
        #expect(r.code == .badInput && r.err.contains("/nonexistent/rules.yml"))
    }

    /// A scrape writes the families laid out as at the last scrape straight into the rule
    /// engine's buffer; `--rules-test` needs every sample's text, so it scrapes sample by
    /// sample. promtool judges only the second, so the two must agree: the same alerts, at
    /// the same instants, with the same values, on a war game whose series come and go.
    @Test(arguments: ["alert-drill", "three-providers-down"])
    func theFastScrapeAgreesWithTheTextOne(_ scenario: String) throws {
        let (fast, text) = (scratchDirectory(), scratchDirectory())
        let args = ["run", packageRoot + "/scenarios/\(scenario).json", "--alert-rules", Self.rules, "--logs", "none", "--out"]
        let a = runCLI(args + [fast]), b = runCLI(args + [text, "--rules-test"])
        #expect(a.code == b.code && a.code != .badInput && a.code != .internalError, "\(a.err)\(b.err)")
        let alerts = try String(contentsOfFile: fast + "/alerts.csv", encoding: .utf8)
        #expect(alerts.split(whereSeparator: \.isNewline).count > 3, "the rules fire in \(scenario)")
        #expect(alerts == (try String(contentsOfFile: text + "/alerts.csv", encoding: .utf8)))
        #expect(try String(contentsOfFile: fast + "/kpi_summary.json", encoding: .utf8)
                == (try String(contentsOfFile: text + "/kpi_summary.json", encoding: .utf8)))
    }

    /// promtool, fed the series this run exported, fires exactly the alerts the run fired
    /// from the team's rules — on every shipped war game (`make promtool-check` runs them all).
    @Test(.enabled(if: promtool != nil, "needs promtool (make promtool-check installs it)"),
          arguments: ["alert-drill", "three-providers-down", "tsa-outage-no-backup"])
    func promtoolAgreesOnTheirRules(_ scenario: String) throws {
        let out = scratchDirectory()
        let r = runCLI(["run", packageRoot + "/scenarios/\(scenario).json", "--alert-rules", Self.rules, "--rules-test", "--out", out, "--logs", "none"])
        #expect(r.code != .badInput && r.code != .internalError, "\(r.err)")
        let tested = try execute(promtool!, ["test", "rules", "user_rules_test.yml"], in: out)
        #expect(tested.status == 0, "\(tested.output.prefix(4000))")
    }
}
