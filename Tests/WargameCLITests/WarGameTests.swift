import Foundation
import Testing
import SimKernel
import WargameModels
import WargameReports
import WargameScenario
@testable import WargameCLI

func scenario(_ name: String, _ edit: (inout Scenario) -> Void = { _ in }) throws -> Scenario {
    var s = try ScenarioLoader.load(packageRoot + "/scenarios/\(name).json")
    edit(&s)
    return s
}

func run(_ s: Scenario, seed: UInt64 = 1, steps: Int? = nil) throws -> RunReport {
    try ScenarioRunner.execute(s, seed: seed, steps: steps ?? s.run.steps).report
}

/// The playbook changes the outcome: the same war game on the same seed, with and without
/// the runbook's response.
@Suite struct PlaybookOutcomeTests {
    @Test func loweringShardQuotasTurnsDropsIntoImmediateRefusals() throws {
        let without = try run(try scenario("shard-congestion"))
        let with = try run(try scenario("shard-congestion-lower-quotas"))
        #expect(with.warGame!.actions.map(\.action) == ["set_shard_quotas"])
        #expect(with.kpis[.droppedRatio]! < 0.05 && without.kpis[.droppedRatio]! >= 0.05)
        #expect(with.recorder.outcomes(.rejected, .shardFull) > without.recorder.outcomes(.rejected, .shardFull))
    }

    @Test func aBackupTSAKeepsCoverageAboveTheFailClosedThreshold() throws {
        let without = try run(try scenario("tsa-outage-no-backup"))
        let with = try run(try scenario("tsa-outage-with-backup"))
        #expect(with.kpis[.provenanceCoverage]! >= 0.95)
        #expect(without.kpis[.provenanceCoverage]! < 0.80)
        #expect(with.recorder.outcomes(.rejected, .failClosed) == 0 && without.recorder.outcomes(.rejected, .failClosed) > 0)
    }

    /// Failover alerts page on-call; draining akash (weight 0 under weighted routing) stops
    /// the churn that automatic failover alone keeps up for the whole outage.
    @Test func drainingAFailedProviderStopsTheFailovers() throws {
        let without = try run(try scenario("provider-outage-akash"))
        let with = try run(try scenario("provider-outage-akash") { s in
            s.playbook = [PlaybookRule(name: "drain akash", trigger: .when(.threshold(.failovers5m, .above, 10), holdFor: .zero),
                                       actions: [.setProviderWeight(provider: 0, weight: 0), .setRouterStrategy(.weighted)])]
        })
        #expect(with.warGame!.actions.count == 2)
        #expect(with.totals.failovers * 2 < without.totals.failovers, "\(with.totals.failovers) vs \(without.totals.failovers)")
    }

    @Test func aScriptedSystemPauseRefusesEveryAdmissionInItsWindow() throws {
        let paused = try run(try scenario("system-pause-resume"))
        let baseline = try run(try scenario("baseline"))
        #expect(paused.warGame!.actions.map(\.time) == [.zero + .minutes(20), .zero + .minutes(30)])
        #expect(paused.recorder.outcomes(.rejected, .systemPaused) > 500)
        #expect(paused.kpis[.fillRateP95]! < 0.5 && baseline.kpis[.fillRateP95]! >= 0.8)
    }
}

@Suite struct AlertTests {
    func history(fill: [Double]) -> [SignalHistory] {
        var h = SignalHistory(), out: [SignalHistory] = []
        for f in fill {
            var k = StepKPIs.make(submitted: 100, filled: Int(f * 100))
            k.step = out.count
            h.add(k)
            out.append(h)
        }
        return out
    }

    /// Each signal has its own slot: writing one changes no other, and reads give back
    /// what was written (a case added to `Signal` without a slot fails here).
    @Test func everySignalHasItsOwnSlot() {
        var v = SignalValues()
        for (i, s) in Signal.allCases.enumerated() {
            #expect(v[s] == nil)
            v[s] = Double(i) + 0.5
        }
        for (i, s) in Signal.allCases.enumerated() { #expect(v[s] == Double(i) + 0.5, "\(s)") }
        v[.coverage] = nil
        #expect(v[.coverage] == nil && v[.fillRate] == 0.5 && v[.shardOpenUsage] == Double(Signal.allCases.count) - 0.5)
    }

    /// Prometheus semantics: pending when the condition first holds, firing once it has held
    /// for `for`, resolved when it stops holding; a dip shorter than `for` never fires.
    @Test func alertsGoPendingThenFireAfterForThenResolve() {
        let rule = AlertRule(name: "Low", severity: .warning, condition: .threshold(.fillRate, .below, 0.8),
                             holdFor: .minutes(3), summary: "")
        var e = AlertEvaluator(rules: [rule])
        let fills = [0.9, 0.5, 0.5, 0.9, 0.5, 0.5, 0.5, 0.5, 0.9]
        for (i, h) in history(fill: fills).enumerated() { _ = e.evaluate(h, at: .zero + .minutes(Int64(i + 1))) }
        #expect(e.episodes.count == 1)
        #expect(e.episodes[0].pendingAt == .zero + .minutes(5))
        #expect(e.episodes[0].firedAt == .zero + .minutes(8))
        #expect(e.episodes[0].resolvedAt == .zero + .minutes(9))
    }

    @Test func burnRateNeedsBothWindows() {
        let cond = Condition.burnRate(.dropped, longSteps: 6, shortSteps: 2, factor: 10)
        var h = SignalHistory()
        for _ in 0..<5 { h.add(StepKPIs.make(submitted: 100, filled: 100)) }
        h.add(StepKPIs.make(submitted: 100, filled: 0, dropped: 100))
        // Short window: 100/200 = 0.5 → burn 10 (not > 10); long: 100/600 → 3.3.
        #expect(!h.holds(cond))
        h.add(StepKPIs.make(submitted: 100, filled: 0, dropped: 100))
        h.add(StepKPIs.make(submitted: 100, filled: 0, dropped: 100))
        h.add(StepKPIs.make(submitted: 100, filled: 0, dropped: 100))
        h.add(StepKPIs.make(submitted: 100, filled: 0, dropped: 100))
        // Long: 500/600 → 16.7; short: 200/200 → 20.
        #expect(h.holds(cond))
    }

    /// Every generated rule has alert, expr, for, labels.severity and annotations.summary,
    /// and every expression names only metrics that metrics.prom exports.
    @Test func alertRulesYAMLHasTheRequiredStructure() throws {
        let r = runCLI(["alert-rules", packageRoot + "/scenarios/baseline.json"])
        #expect(r.code == .success)
        let lines = r.out.split(separator: "\n").map(String.init)
        #expect(lines.contains("groups:") && lines.contains("    rules:"))
        let starts = lines.indices.filter { lines[$0].hasPrefix("      - alert: ") }
        #expect(starts.count == AlertRule.defaults.count)
        for (k, start) in starts.enumerated() {
            let block = Array(lines[start..<(k + 1 < starts.count ? starts[k + 1] : lines.count)])
            for key in ["        expr: ", "        for: ", "        labels:", "          severity: ", "        annotations:", "          summary: "] {
                #expect(block.contains { $0.hasPrefix(key) }, "rule \(block[0]) lacks \(key)")
            }
        }
        let out = scratchDirectory()
        _ = runCLI(["run", packageRoot + "/scenarios/baseline.json", "--steps", "3", "--out", out])
        let prom = try String(contentsOfFile: out + "/metrics.prom", encoding: .utf8)
        let exported = Set(prom.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { String($0.split(separator: " ")[2]) })
        for line in lines where line.hasPrefix("        expr: ") {
            for metric in line.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }).map(String.init) where metric.hasPrefix("wargame_") {
                #expect(exported.contains(metric), "\(metric) is not in metrics.prom")
            }
        }
    }
}

extension StepKPIs {
    static func make(submitted: Int, filled: Int, dropped: Int = 0) -> StepKPIs {
        var recorder = KPIRecorder(providers: 1)
        var k = recorder.closeStep(submitted: submitted, openBreakers: 0)
        k.filled = filled
        k.dropped = dropped
        return k
    }
}
