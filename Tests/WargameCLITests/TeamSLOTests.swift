import Foundation
import Testing
import WargameReports
@testable import WargameCLI

/// The team's SLO specs inside the war game (`--slo-spec`, `monitoring.slos`, `slo import`).
@Suite struct TeamSLOTests {
    static let sloth = packageRoot + "/scenarios/monitoring/aurora-slos.sloth.yaml"
    static let openSLO = packageRoot + "/scenarios/monitoring/aurora-slos.openslo.yaml"

    func json(_ dir: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/kpi_summary.json"))) as? [String: Any])
    }

    /// Each SLO gets a verdict, a budget spent over the run and per incident, and its
    /// burn-rate page detects the incident whose symptom it measures.
    @Test func specsGetVerdictsBudgetsAndAlerts() throws {
        let dir = scratchDirectory()
        let r = runCLI(["run", packageRoot + "/scenarios/alert-drill.json", "--slo-spec", Self.sloth, "--slo-spec", Self.openSLO,
                        "--set", "monitoring.builtin_alerts=false", "--out", dir, "--logs", "none"])
        #expect(r.code == .sloBreached, "\(r.err)")
        let summary = try json(dir)
        let team = try #require(summary["team_slos"] as? [[String: Any]])
        #expect(team.compactMap { $0["id"] as? String } == ["aurora-orders-kept", "aurora-provenance-coverage", "aurora-bridge-rtt", "aurora-policy-decisions-fast"])
        for slo in team {
            let (ratio, budget) = (try #require(slo["error_ratio"] as? Double), try #require(slo["error_budget_consumed"] as? Double))
            let objective = try #require(slo["objective"] as? Double)
            // Budget used is the error ratio over the budget, to the printed precision: the
            // ratio has 6 decimals (±5e-7, so ±5e-7 / budget once divided), the share 4 (±5e-5).
            #expect(abs(budget - ratio / (1 - objective)) <= 5e-5 + 5e-7 / (1 - objective) + 1e-9)
            #expect((slo["verdict"] as? String) == (ratio <= 1 - objective + 1e-9 ? "pass" : "breach"))
        }
        let scorecard = try #require(summary["scorecard"] as? [[String: Any]])
        let tsa = try #require(scorecard.first { $0["incident"] as? String == "both TSAs down" })
        let budgets = try #require(tsa["error_budget_consumed"] as? [String: Any])
        #expect((budgets["aurora-provenance-coverage"] as? Double ?? 0) > 0)
        // An SLO's alert is linked by the families its own SLI reads, not every SLO's: the
        // bridge and policy SLOs are no TSA outage's symptoms (orders-kept reads submitted
        // orders, a fill-rate family, which a TSA outage's are).
        #expect((tsa["linked_alerts"] as? [String]) == ["AuroraOrdersDroppedBudgetBurn", "AuroraProvenanceBudgetBurn"])
        // Page-severity burn alerts carry Sloth's labels and are attributed by the families they read.
        let rows = try #require(CSVReader.parse(String(contentsOfFile: dir + "/alerts.csv", encoding: .utf8)))
        let h = rows[0]
        let (rule, incident, labels) = (h.firstIndex(of: "rule")!, h.firstIndex(of: "incident")!, h.firstIndex(of: "labels")!)
        let provenance = rows.filter { $0[rule] == "AuroraProvenanceBudgetBurn" }
        #expect(provenance.count == 1 && provenance[0][labels].contains("sloth_severity=\"page\"") && provenance[0][incident].contains("both TSAs down"))
        #expect(r.out.contains("Team SLO") && r.out.contains("aurora-orders-kept"))
    }

    /// `slo import` prints JSON a scenario can carry; the scenario then runs exactly the
    /// alerts `--slo-spec` runs.
    @Test func importedFragmentRunsTheSameAlertsAsTheSpec() throws {
        try fragmentRunsTheSameAlerts(Self.sloth, count: 2)
    }

    func fragmentRunsTheSameAlerts(_ spec: String, count: Int) throws {
        let dir = scratchDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let imported = runCLI(["slo", "import", spec])
        #expect(imported.code == .success, "\(imported.err)")
        let fragment = try #require(JSONSerialization.jsonObject(with: Data(imported.out.utf8)) as? [String: Any])
        var monitoring = try #require(fragment["monitoring"] as? [String: Any])
        monitoring["builtin_alerts"] = false
        let scenario: [String: Any] = ["version": 1, "extends": packageRoot + "/scenarios/alert-drill.json", "monitoring": monitoring]
        try JSONSerialization.data(withJSONObject: scenario).write(to: URL(fileURLWithPath: dir + "/inline.json"))
        _ = runCLI(["run", dir + "/inline.json", "--out", dir + "/a", "--logs", "none"])
        _ = runCLI(["run", packageRoot + "/scenarios/alert-drill.json", "--slo-spec", spec, "--set", "monitoring.builtin_alerts=false",
                    "--out", dir + "/b", "--logs", "none"])
        let a = try String(contentsOfFile: dir + "/a/alerts.csv", encoding: .utf8), b = try String(contentsOfFile: dir + "/b/alerts.csv", encoding: .utf8)
        #expect(a == b && a.contains("BudgetBurn"))
        #expect(try (json(dir + "/a")["team_slos"] as? [[String: Any]])?.count == count)
    }

    @Test func aBadSpecIsBadInputNamingFileAndField() throws {
        let dir = scratchDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let spec = try String(contentsOfFile: Self.sloth, encoding: .utf8).replacingOccurrences(of: "objective: 99.5", with: "objective: 150")
        try spec.write(toFile: dir + "/bad.yaml", atomically: true, encoding: .utf8)
        let r = runCLI(["run", packageRoot + "/scenarios/baseline.json", "--slo-spec", dir + "/bad.yaml", "--out", dir + "/out"])
        #expect(r.code == .badInput)
        #expect(r.err.contains(dir + "/bad.yaml") && r.err.contains("slos[1].objective") && r.err.contains("found 150"), "\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/out"), "nothing written")
        let imported = runCLI(["slo", "import", dir + "/bad.yaml"])
        #expect(imported.code == .badInput && imported.err.contains("slos[1].objective") && imported.out.isEmpty)
        // An inline SLO is checked by its scenario path.
        try #"{"version": 1, "monitoring": {"slos": [{"service": "a", "name": "b", "objective": 99, "sli": {"error_ratio_query": "x"}}]}}"#
            .write(toFile: dir + "/inline.json", atomically: true, encoding: .utf8)
        let inline = runCLI(["run", dir + "/inline.json", "--out", dir + "/out2"])
        #expect(inline.code == .badInput && inline.err.contains("monitoring.slos[0].objective"), "\(inline.err)")
    }

    /// `check` judges team SLOs by id in `expect.verdicts` (unnamed ones must pass), and
    /// their burn alerts in `expect.alerts`.
    @Test func checkJudgesTeamSLOVerdicts() throws {
        let dir = scratchDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        func scenario(_ verdict: String) throws -> String {
            let path = dir + "/\(verdict.count).json"
            try """
            { "version": 1, "extends": "\(packageRoot)/scenarios/tsa-outage-no-backup.json",
              "monitoring": { "slo_specs": ["\(Self.sloth)"] },
              "expect": { "alerts_may_fire": ["CoverageCritical", "CoverageLow", "CoverageBudgetBurn", "FillRateLow", "FillRateCritical", "FillBudgetBurn"],
                "alerts": ["AuroraProvenanceBudgetBurn"],
                "verdicts": { "provenance_coverage": "any", "fill_rate_p50": "any", "fill_rate_p95": "any", \(verdict) } } }
            """.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let breach = runCLI(["check", try scenario(#""aurora-provenance-coverage": "breach""#)])
        #expect(breach.code == .success, "\(breach.out)\(breach.err)")
        #expect(breach.out.contains("aurora-provenance-coverage"))
        let pass = runCLI(["check", try scenario(#""aurora-provenance-coverage": "pass""#)])
        #expect(pass.code == .sloBreached)
        let typo = runCLI(["check", try scenario(#""aurora-provenance": "pass""#)])
        #expect(typo.code == .badInput && typo.err.contains("expect.verdicts.aurora-provenance") && typo.err.contains("did you mean \"aurora-provenance-coverage\""), "\(typo.err)")
    }

    /// Prometheus, fed the run's series, fires exactly the SLO alerts the run fired.
    @Test(.enabled(if: promtool != nil, "needs promtool (make promtool-check installs it)"))
    func promtoolAgreesOnTheCompiledSLORules() throws {
        let out = scratchDirectory()
        let r = runCLI(["run", packageRoot + "/scenarios/alert-drill.json", "--slo-spec", Self.sloth, "--slo-spec", Self.openSLO,
                        "--rules-test", "--out", out, "--logs", "none"])
        #expect(r.code != .badInput && r.code != .internalError, "\(r.err)")
        let tested = try execute(promtool!, ["test", "rules", "user_rules_test.yml"], in: out)
        #expect(tested.status == 0, "\(tested.output.prefix(4000))")
    }

    /// An OpenSLO alert policy's burn-rate condition, read literally (one window, `gte`,
    /// `alertAfter` as `for:`), fires in the war game when and as Prometheus fires it.
    @Test(.enabled(if: promtool != nil, "needs promtool (make promtool-check installs it)"))
    func promtoolAgreesOnOpenSLOAlertPolicies() throws {
        let policy = """
              alertPolicies:
                - kind: AlertPolicy
                  metadata: {name: decisions-burn}
                  spec:
                    conditions:
                      - kind: AlertCondition
                        metadata: {name: fast-burn}
                        spec:
                          severity: critical
                          condition: {kind: burnrate, op: gte, threshold: 2, lookbackWindow: 10m, alertAfter: 3m}

            """
        let text = try String(contentsOfFile: Self.openSLO, encoding: .utf8)
            .replacingOccurrences(of: "  indicatorRef: policy-decision-under-25ms\n", with: "  indicatorRef: policy-decision-under-25ms\n" + policy)
        #expect(text.contains("decisions-burn"))
        let (dir, out) = (scratchDirectory(), scratchDirectory())
        let spec = dir + "/slos.yaml"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try text.write(toFile: spec, atomically: true, encoding: .utf8)
        let r = runCLI(["run", packageRoot + "/scenarios/alert-drill.json", "--slo-spec", spec, "--rules-test", "--out", out, "--logs", "none"])
        #expect(r.code != .badInput && r.code != .internalError, "\(r.err)")
        let alerts = try String(contentsOfFile: out + "/alerts.csv", encoding: .utf8)
        #expect(alerts.contains("PolicyDecisionsFastBudgetBurn,critical"), "the condition fires in alert-drill")
        let tested = try execute(promtool!, ["test", "rules", "user_rules_test.yml"], in: out)
        #expect(tested.status == 0, "\(tested.output.prefix(4000))")
        // `slo import` spells the policy out (one window, gte, for) and runs the same alerts.
        try fragmentRunsTheSameAlerts(spec, count: 2)
    }

    /// A sweep has a verdict column per team SLO, each seed's the verdict its run gives;
    /// shards carry the ids in their metadata and merge into the same bytes as one sweep;
    /// the summary counts the team's passes beside the scenario's.
    @Test func sweepsShardsAndMergesCarryTeamSLOVerdicts() throws {
        let drill = packageRoot + "/scenarios/alert-drill.json"
        let args = ["--seeds", "1..3", "--slo-spec", Self.sloth]
        let (whole, s1, s2, merged, single) = (scratchDirectory(), scratchDirectory(), scratchDirectory(), scratchDirectory(), scratchDirectory())
        #expect(runCLI(["sweep", drill] + args + ["--out", whole]).code != .internalError)
        #expect(runCLI(["sweep", drill] + args + ["--shard", "1/2", "--out", s1]).code == .success)
        #expect(runCLI(["sweep", drill] + args + ["--shard", "2/2", "--out", s2]).code == .success)
        let m = runCLI(["merge", s1, s2, "--out", merged])
        #expect(m.code != .badInput && m.code != .internalError, "\(m.err)")
        for file in ["sweep.csv", "sweep_summary.json"] {
            #expect(try Data(contentsOf: URL(fileURLWithPath: merged + "/" + file)) == Data(contentsOf: URL(fileURLWithPath: whole + "/" + file)), "\(file)")
        }
        let records = try CSVReader.records(String(contentsOfFile: whole + "/sweep.csv", encoding: .utf8))
        let header = try #require(records.first?.fields)
        let ids = ["aurora-orders-kept", "aurora-provenance-coverage"]
        #expect(Array(header.suffix(2)) == ids.map { "slo_team:" + $0 })
        // Seed 2's cells are the verdicts `run --seed 2` gives.
        _ = runCLI(["run", drill, "--seed", "2", "--slo-spec", Self.sloth, "--out", single, "--logs", "none"])
        let team = try #require(try json(single)["team_slos"] as? [[String: Any]])
        let row = try #require(records.first { $0.fields.first == "2" }?.fields)
        #expect(Array(row.suffix(2)) == team.compactMap { $0["verdict"] as? String })
        let summary = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: whole + "/sweep_summary.json"))) as? [String: Any])
        let slos = try #require(summary["slos"] as? [String: Any])
        for (k, id) in ids.enumerated() {
            let entry = try #require(slos["team:" + id] as? [String: Any])
            let passes = records.dropFirst().filter { $0.fields[header.count - 2 + k] == "pass" }.count
            #expect(entry["runs"] as? Int == 3 && entry["passes"] as? Int == passes)
        }
    }

    /// `search --slo` takes a team SLO's id as it takes a scenario SLO's name.
    @Test func searchJudgesATeamSLO() throws {
        let drill = packageRoot + "/scenarios/alert-drill.json"
        let bad = runCLI(["search", drill, "--param", "demand.orders_per_second", "--range", "0.5..2", "--slo", "aurora-orders-kep",
                          "--slo-spec", Self.sloth, "--seeds", "1..2"])
        #expect(bad.code == .badInput && bad.err.contains("aurora-provenance-coverage") && bad.err.contains("Did you mean 'aurora-orders-kept'?"), "\(bad.err)")
        let out = scratchDirectory()
        let r = runCLI(["search", drill, "--param", "demand.orders_per_second", "--range", "0.5..2", "--slo", "aurora-orders-kept",
                        "--slo-spec", Self.sloth, "--seeds", "1..2", "--out", out])
        #expect(r.code == .success, "\(r.err)")
        #expect(try String(contentsOfFile: out + "/search.json", encoding: .utf8).contains("aurora-orders-kept"))
    }
}
