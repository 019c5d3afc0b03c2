import Foundation
import Testing
import SimKernel
import WargameModels
import WargameReports
import WargameScenario
@testable import WargameCLI

/// Each incident is judged by its own symptoms: detection, recovery and paging come from
/// the alerts linked to it, and firings are attributed to the incidents they belong to.
@Suite struct IncidentAttributionTests {
    func number(_ j: JSON?) -> Double? { if case .number(let n)? = j { n.value } else { nil } }

    /// alert-drill seed 1: bridges congested (6,600 s) is detected by its own BridgeRTTHigh
    /// at 7,260 s — 660 s in, past the 600 s deadline — not by CoverageLow re-firing from
    /// the TSA outage; alerts.csv names each firing's incidents.
    @Test func alertDrillBridgeCongestionIsDetectedByItsOwnAlert() throws {
        let dir = scratchDirectory()
        let r = runCLI(["run", packageRoot + "/scenarios/alert-drill.json", "--seed", "1", "--out", dir])
        #expect(r.code == .sloBreached)
        let summary = try jsonFile(dir + "/kpi_summary.json")
        guard case .array(let cards)? = summary["scorecard"] else { Issue.record("no scorecard"); return }
        let congested = try #require(cards.first { $0["incident"] == .string("bridges congested") })
        #expect(number(congested["time_to_detect_s"]) == 660 && congested["detected_in_time"] == .bool(false))
        #expect(congested["detected_by"] == .string("BridgeRTTHigh") && congested["all_deadlines_met"] == .bool(false))
        #expect(congested["linked_alerts"] == .array([.string("BridgeRTTHigh"), .string("BridgeRTTCritical")]))
        let rows = try #require(CSVReader.parse(String(contentsOfFile: dir + "/alerts.csv", encoding: .utf8)))
        let incident = try #require(rows[0].firstIndex(of: "incident"))
        #expect(rows[0].last == "labels")
        #expect(rows.contains { $0[0] == "BridgeRTTHigh" && $0[3] == "7260.000" && $0[incident] == "bridges congested" })
        #expect(rows.contains { $0[0] == "BridgeRTTHigh" && $0.last == "{severity=\"warning\",signal=\"bridge_rtt_p95_ms\"}" })
        #expect(rows.dropFirst().filter { $0[0].hasPrefix("DecisionTime") }.allSatisfy { $0[incident] == "" }, "no incident is a slow policy engine")
        #expect(rows.contains { $0[incident] == "akash and flux down;bridges lose messages" })
        // The quality figures agree with the column.
        let unattributed = rows.dropFirst().filter { $0[incident] == "" }.count
        #expect(number(summary["alert_quality"]?["alerts_unattributed"]) == Double(unattributed) && unattributed > 0)
        #expect(r.out.contains("bridges congested      SEV2      660 s ✗ (BridgeRTTHigh)"))
    }

    /// `detected_by` overrides the kind's symptoms, by name or by label matchers.
    @Test func detectedByOverridesTheDefaultSymptoms() throws {
        func congested(_ detectedBy: String) throws -> JSON {
            let dir = scratchDirectory()
            let r = runCLI(["run", packageRoot + "/scenarios/alert-drill.json", "--set", "incidents[3].detected_by=" + detectedBy,
                            "--logs", "none", "--out", dir])
            #expect(r.code == .sloBreached, "\(r.err)")
            guard case .array(let cards)? = try jsonFile(dir + "/kpi_summary.json")["scorecard"] else { return .null }
            return cards[3]
        }
        // By CoverageLow: the old, wrong credit (its re-firing from the TSA outage, 120 s in).
        let byCoverage = try congested(#"["CoverageLow"]"#)
        #expect(number(byCoverage["time_to_detect_s"]) == 120 && byCoverage["detected_by"] == .string("CoverageLow"))
        // Only the critical RTT alert: fired at 8,100 s.
        let critical = try congested(#"["{signal=\"bridge_rtt_p95_ms\", severity=~\"crit.*\"}"]"#)
        #expect(number(critical["time_to_detect_s"]) == 1_500 && critical["linked_alerts"] == .array([.string("BridgeRTTCritical")]))
        #expect(critical["paged"] == .bool(true))
    }

    @Test func badSelectorsAreRefusedWithTheirPath() {
        let cases: [(String, String)] = [
            (#"["BridgeRTTHgh"]"#, #"incidents[0].detected_by[0]: "BridgeRTTHgh" selects none of the alert rules"#),
            (#"["{signal=~\"(\"}"]"#, "incidents[0].detected_by[0]: signal=~\"(\": not a valid regular expression"),
            (#"["{signal=\"x\""]"#, "incidents[0].detected_by[0]: unclosed brace"),
            (#"[]"#, "incidents[0].detected_by: expected at least one alert name or label matcher"),
            (#"[3]"#, "incidents[0].detected_by[0]: expected an alert name or label matchers"),
        ]
        for (value, message) in cases {
            let dir = scratchDirectory()
            let file = writeScenario("bad.json", """
                { "version": 1, "extends": "\(packageRoot)/scenarios/baseline.json",
                  "incidents": [ { "kind": "ipfs_outage", "start_s": 60, "duration_s": 60, "detected_by": \(value) } ] }
                """, in: dir)
            let r = runCLI(["run", file, "--out", dir + "/out"])
            #expect(r.code == .badInput && r.err.contains(message), "\(value): \(r.err)")
            #expect(!FileManager.default.fileExists(atPath: dir + "/out"))
        }
    }

    /// Overlapping incidents share a step's bad events instead of each counting all of
    /// them: their budgets add up to no more than the run spent.
    @Test func overlappingIncidentsDoNotCountTheSameBadEventsTwice() throws {
        let r = try run(try scenario("alert-drill"))
        let wg = try #require(r.warGame)
        let perIncident = wg.scores.compactMap { $0.budgets.first { $0.0 == .fillRate }?.1 }.reduce(0, +)
        let runBudget = try #require(wg.budgets.first { $0.0 == .fillRate }?.1)
        #expect(perIncident <= runBudget * 1.05, "incidents \(perIncident) vs run \(runBudget)")
        #expect(perIncident > runBudget * 0.5)
    }

    /// check asserts alert quality: a war game with unattributed firings fails max_unattributed 0.
    @Test func checkAssertsAlertQuality() {
        let dir = scratchDirectory()
        func check(_ quality: String) -> (code: ExitCode, out: String, err: String) {
            // Any verdict and any alert: only the alert quality is asserted.
            let verdicts = SLO.aurora.map { "\"\($0.name)\": \"any\"" }.joined(separator: ", ")
            let alerts = AlertRule.defaults.map { "\"\($0.name)\"" }.joined(separator: ", ")
            let file = writeScenario("q.json", """
                { "version": 1, "extends": "\(packageRoot)/scenarios/alert-drill.json", "name": "q",
                  "expect": { "seeds": [1], "verdicts": { \(verdicts) }, "alerts_may_fire": [\(alerts)], "alert_quality": \(quality) } }
                """, in: dir)
            return runCLI(["check", file])
        }
        let strict = check(#"{ "max_unattributed": 0, "min_precision": 0.99, "every_incident_paged": true }"#)
        #expect(strict.code == .sloBreached)
        #expect(strict.out.contains("alert quality: 5 firings attributed to no incident, expected at most 0"))
        #expect(strict.out.contains("alert quality: page precision 0.8333 (15 of 18), expected at least 0.9900"))
        #expect(!strict.out.contains("not paged for"))
        #expect(strict.out.contains("Alert quality over the checked seeds:") && strict.out.contains("5/5 (1.00)"))
        let loose = check(#"{ "max_unattributed": 5, "min_precision": 0.8, "every_incident_paged": true }"#)
        #expect(loose.code == .success, "\(loose.out)")
    }
}
