import Foundation
import Testing
@testable import WargameCLI
import WargameScenario

/// `--set` and `--warmup` on the commands, and what a warm-up leaves out.
@Suite struct WarmupAndOverrideCLITests {
    let baseline = packageRoot + "/scenarios/baseline.json"

    func rows(_ path: String) throws -> [[String]] {
        try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\r\n").filter { !$0.isEmpty }.map { $0.components(separatedBy: ",") }
    }

    @Test func anOverrideIsRecordedWithTheCommandThatReproducesTheRun() throws {
        let out = scratchDirectory(), again = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: out); try? FileManager.default.removeItem(atPath: again) }
        let r = runCLI(["run", baseline, "--steps", "6", "--seed", "3", "--set", "providers[akash].capacity=40", "--set", "router.strategy=p2c", "--out", out])
        #expect(r.code == .success, "\(r.err)")
        let json = try JSONParser.parse(try String(contentsOfFile: out + "/kpi_summary.json", encoding: .utf8))
        #expect(json["run"]?["overrides"] == .array([.string("providers[akash].capacity=40"), .string("router.strategy=\"p2c\"")]))
        guard case .string(let command)? = json["run"]?["command"] else { Issue.record("no command"); return }
        #expect(command.hasSuffix("--seed 3 --steps 6 --set 'providers[akash].capacity=40' --set 'router.strategy=\"p2c\"'"))
        let md = try String(contentsOfFile: out + "/kpi_summary.md", encoding: .utf8)
        #expect(md.contains("- Overrides: `--set providers[akash].capacity=40`, `--set router.strategy=\"p2c\"`"))
        // The recorded command, run again (as its words, the shell's quoting undone), gives the same files.
        let words = ["run", baseline, "--seed", "3", "--steps", "6", "--set", "providers[akash].capacity=40", "--set", "router.strategy=\"p2c\"", "--out", again]
        #expect(runCLI(words).code == .success)
        for f in ["routing_decisions.csv", "kpi_summary.json"] {
            #expect(FileManager.default.contents(atPath: out + "/" + f) == FileManager.default.contents(atPath: again + "/" + f))
        }
        // And the override changed the run: a different digest from the plain scenario.
        let plain = try ScenarioLoader.load(baseline)
        #expect(json["run"]?["scenario_sha256"] != .string(plain.sha256))
    }

    @Test func badOverridesExitTwoNamingThePathOnEveryCommand() {
        for args in [["run", baseline], ["sweep", baseline, "--seeds", "1..2"], ["compare", baseline, baseline, "--seeds", "1..2"],
                     ["hunt", baseline, "--seeds", "1..2"], ["serve", baseline, "--port", "0"]] {
            let r = runCLI(args + ["--set", "demand.order_per_second=2"])
            #expect(r.code == .badInput, "\(args[0])")
            #expect(r.err.contains("--set demand.order_per_second=2: demand.order_per_second: unknown field (did you mean \"orders_per_second\"?)"), "\(args[0]): \(r.err)")
        }
    }

    @Test func theWarmupIsMarkedAndLeftOutOfKPIsAndTotals() throws {
        let out = scratchDirectory(), full = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: out); try? FileManager.default.removeItem(atPath: full) }
        #expect(runCLI(["run", baseline, "--steps", "20", "--warmup", "600", "--out", out]).code == .success)
        #expect(runCLI(["run", baseline, "--steps", "20", "--out", full]).code == .success)
        let series = try rows(out + "/kpi_timeseries.csv")
        let w = series[0].firstIndex(of: "warmup")!, submitted = series[0].firstIndex(of: "submitted")!
        #expect(series.dropFirst().map { $0[w] } == Array(repeating: "1", count: 10) + Array(repeating: "0", count: 10))
        let summary = try JSONParser.parse(try String(contentsOfFile: out + "/kpi_summary.json", encoding: .utf8))
        let measured = series.dropFirst(11).map { Int($0[submitted])! }.reduce(0, +)
        #expect(summary["totals"]?["orders_submitted"] == .number(JSONNumber(value: Double(measured), literal: String(measured), isInteger: true)))
        #expect(summary["run"]?["warmup_steps"] == .number(JSONNumber(value: 10, literal: "10", isInteger: true)))
        // The same simulation (the warm-up changes what is measured, not what happens).
        let a = try rows(out + "/order_events.csv"), b = try rows(full + "/order_events.csv")
        #expect(a.count == b.count && zip(a.dropFirst(), b.dropFirst()).allSatisfy { Array($0.prefix(14)) == Array($1.prefix(14)) })
        let marked = a.dropFirst().filter { $0.count == 15 && $0[14] == "1" }
        #expect(!marked.isEmpty && marked.allSatisfy { Double($0[0])! < 600_000 })
        #expect(a.dropFirst().filter { Double($0[0])! >= 600_000 }.allSatisfy { $0[14].isEmpty })
    }

    @Test func alertsIgnoreTheWarmup() throws {
        // alert-drill fires alerts from early on; with a warm-up past them, nothing fires before its end.
        let drill = packageRoot + "/scenarios/alert-drill.json", out = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let s = try ScenarioLoader.load(drill)
        let steps = s.expect.steps ?? s.run.steps
        let warmup = Double(steps / 2) * s.run.stepLength.seconds
        _ = runCLI(["run", drill, "--steps", String(steps), "--warmup", String(Int(warmup)), "--out", out])
        let alerts = try rows(out + "/alerts.csv").dropFirst()
        #expect(alerts.allSatisfy { Double($0[2])! >= warmup }, "\(alerts)")
        // Not vacuous: without the warm-up, alerts go pending before that time.
        let plain = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: plain) }
        _ = runCLI(["run", drill, "--steps", String(steps), "--out", plain])
        #expect(try rows(plain + "/alerts.csv").dropFirst().contains { Double($0[2])! < warmup })
    }

    @Test func aWarmupAsLongAsTheRunIsRefused() {
        let r = runCLI(["run", baseline, "--steps", "5", "--warmup", "300"])
        #expect(r.code == .badInput)
        #expect(r.err == "Error: The warm-up (run.warmup_s = 300 s, 5 steps) leaves no step to measure in a run of 5 steps.\n")
        let odd = runCLI(["run", baseline, "--steps", "5", "--warmup", "90"])
        #expect(odd.code == .badInput && odd.err.contains("run.warmup_s: expected a multiple of step_s (60 s), found 90"))
    }
}
