import Foundation
import Testing
import WargameReports
@testable import WargameCLI

let amtool: String? = ["/usr/bin/amtool", "/usr/local/bin/amtool"].first { FileManager.default.isExecutableFile(atPath: $0) }

/// The team's Alertmanager configuration in the war game (`--alertmanager-config`).
@Suite struct AlertmanagerRoutingTests {
    static let config = packageRoot + "/scenarios/monitoring/aurora-alertmanager.yml"

    @Test func receiversPerIncidentInTheScorecardAndNotificationsCSV() throws {
        let dir = scratchDirectory()
        let r = runCLI(["run", packageRoot + "/scenarios/alert-drill.json", "--alertmanager-config", Self.config, "--out", dir, "--logs", "none"])
        #expect(r.code == .sloBreached, "\(r.err)")
        let rows = try #require(CSVReader.parse(String(contentsOfFile: dir + "/notifications.csv", encoding: .utf8)))
        #expect(rows[0] == ["notified_at_s", "receiver", "alert", "labels", "fired_at_s", "route", "group", "incident"])
        let h = rows[0]
        let (at, receiver, alert, fired, route) = (h.firstIndex(of: "notified_at_s")!, h.firstIndex(of: "receiver")!, h.firstIndex(of: "alert")!,
                                                   h.firstIndex(of: "fired_at_s")!, h.firstIndex(of: "route")!)
        for row in rows.dropFirst() {
            let wait = Double(row[at])! - Double(row[fired])!
            // A page's route waits 10 s, the others 30 s (or a group interval later, or longer while muted).
            #expect(wait >= (row[route] == "route.routes[0]" ? 10 : 30), "\(row)")
            #expect(row[route] != "route.routes[0]" || row[receiver] == "pagerduty-oncall")
        }
        // Critical alerts page; warnings go to the ops channel.
        #expect(rows.contains { $0[alert] == "CoverageCritical" && $0[receiver] == "pagerduty-oncall" })
        #expect(rows.contains { $0[alert] == "CoverageLow" && $0[receiver] == "slack-ops" })
        let summary = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/kpi_summary.json"))) as? [String: Any])
        let scorecard = try #require(summary["scorecard"] as? [[String: Any]])
        let tsa = try #require(scorecard.first { $0["incident"] as? String == "both TSAs down" })
        let notified = try #require(tsa["notified"] as? [[String: Any]])
        #expect(notified.compactMap { $0["receiver"] as? String }.contains("pagerduty-oncall"))
        #expect(r.out.contains("notified (receiver, after the incident began):"))
    }

    @Test func checkAssertsTheReceiversOfEachIncident() throws {
        let dir = scratchDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        func scenario(_ receivers: String) throws -> String {
            let path = dir + "/s\(receivers.count).json"
            try """
            { "version": 1, "extends": "\(packageRoot)/scenarios/alert-drill.json",
              "monitoring": { "alertmanager_config": "\(Self.config)" },
              "expect": { "alerts_may_fire": ["DecisionTimeCritical", "DecisionTimeHigh", "FailoversHigh", "FailoversCritical", "CircuitBreakerOpen",
                "DroppedRequestsHigh", "DroppedRequestsCritical", "FillRateLow", "FillRateCritical", "CoverageCritical", "CoverageLow",
                "DroppedBudgetBurn", "FillBudgetBurn", "CoverageBudgetBurn", "BridgeRTTHigh", "RateLimitingHigh", "BridgeRTTCritical",
                "RateLimitingCritical", "ShardNearQuota", "EmergencyPause"],
                "verdicts": { "fill_rate_p50": "any", "fill_rate_p95": "any", "bridge_rtt_p95": "any", "provenance_coverage": "any",
                  "policy_decision_p95": "any", "dropped_requests": "any", "failover_events": "any" },
                "notified": { "tenant 7 flood": \(receivers) } } }
            """.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let right = runCLI(["check", try scenario(#"["slack-ops", "pagerduty-oncall"]"#)])
        #expect(right.code == .success, "\(right.out)\(right.err)")
        let wrong = runCLI(["check", try scenario(#"["slack-ops"]"#)])
        #expect(wrong.code == .sloBreached && wrong.out.contains("tenant 7 flood notified [slack-ops, pagerduty-oncall], expected [slack-ops]"), "\(wrong.out)")
        let unknown = runCLI(["check", try scenario(#"["pagerduty"]"#)])
        #expect(unknown.code == .badInput && unknown.err.contains("expect.notified.tenant 7 flood[0]") && unknown.err.contains("did you mean \"pagerduty-oncall\""), "\(unknown.err)")
    }

    @Test func aBadConfigIsBadInputNamingFileAndField() throws {
        let dir = scratchDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let text = try String(contentsOfFile: Self.config, encoding: .utf8).replacingOccurrences(of: "receiver: jira-tickets", with: "receiver: jira")
        try text.write(toFile: dir + "/am.yml", atomically: true, encoding: .utf8)
        let r = runCLI(["run", packageRoot + "/scenarios/baseline.json", "--alertmanager-config", dir + "/am.yml", "--out", dir + "/out"])
        #expect(r.code == .badInput)
        #expect(r.err.contains(dir + "/am.yml") && r.err.contains("route.routes[3].receiver") && r.err.contains("undefined receiver \"jira\""), "\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/out"), "nothing written")
    }

    /// Alertmanager's own tool routes every label set the drill fires to the same receivers.
    @Test(.enabled(if: amtool != nil, "needs amtool (make amtool-check installs it)"))
    func amtoolAgreesOnEveryLabelSetOfTheDrill() throws {
        let dir = scratchDirectory()
        _ = runCLI(["run", packageRoot + "/scenarios/alert-drill.json", "--alert-rules", packageRoot + "/scenarios/monitoring/aurora-alert-rules.yaml",
                    "--slo-spec", packageRoot + "/scenarios/monitoring/aurora-slos.sloth.yaml", "--out", dir, "--logs", "none"])
        let rows = try #require(CSVReader.parse(String(contentsOfFile: dir + "/alerts.csv", encoding: .utf8)))
        let (rule, labels) = (rows[0].firstIndex(of: "rule")!, rows[0].firstIndex(of: "labels")!)
        let pattern = try NSRegularExpression(pattern: #"([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)""#)
        var seen: Set<[String]> = []
        for row in rows.dropFirst() {
            let cell = row[labels]
            let pairs = pattern.matches(in: cell, range: NSRange(cell.startIndex..., in: cell)).map { m in
                String(cell[Range(m.range(at: 1), in: cell)!]) + "=" + String(cell[Range(m.range(at: 2), in: cell)!])
            }
            let args = ["alertname=" + row[rule]] + pairs
            guard seen.insert(args).inserted else { continue }
            let ours = runCLI(["routes-test", "--alertmanager-config", Self.config] + args)
            let theirs = try execute(amtool!, ["config", "routes", "test", "--config.file=" + Self.config] + args, in: dir)
            #expect(ours.out.trimmingCharacters(in: .whitespacesAndNewlines) == theirs.output.split(separator: "\n").last.map(String.init), "\(args)")
        }
        #expect(seen.count > 10)
    }
}
