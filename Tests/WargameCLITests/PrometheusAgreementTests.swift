import Foundation
import Testing
import SimKernel
import WargameReports
@testable import WargameCLI

/// `promtool` on this machine, if any (`make promtool-check` installs it).
let promtool: String? = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first { FileManager.default.isExecutableFile(atPath: $0) }

/// Runs a program to completion; returns its exit status and combined output.
func execute(_ program: String, _ args: [String], in directory: String? = nil) throws -> (status: Int32, output: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: program)
    p.arguments = args
    if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Our alert engine reads the numbers Prometheus would read, and does Prometheus's
/// arithmetic, so the two agree even at a threshold.
@Suite struct AlertSemanticsTests {
    @Test func thresholdsCompareTheExportedRoundedValue() {
        var h = SignalHistory()
        h.add(StepKPIs.make(submitted: 100_000, filled: 79_996))  // 0.79996, exported 0.8000
        #expect(h.latest[.fillRate] == 0.8)
        #expect(!h.holds(.threshold(.fillRate, .below, 0.8)))
        h.add(StepKPIs.make(submitted: 100_000, filled: 79_994))  // exported 0.7999
        #expect(h.holds(.threshold(.fillRate, .below, 0.8)))
    }

    @Test func millisecondSignalsAreExportedAndComparedInSeconds() {
        #expect(Signal.bridgeRTTP95.exported(350.0004) == 0.35)
        #expect(Signal.bridgeRTTP95.exported(350.0006) == 0.350001)
        #expect(Signal.bridgeRTTP95.threshold(350) == 0.35)
        #expect(Signal.bridgeRTTP95.gaugeText(0.350001) == "0.350001")
        #expect(Signal.decisionP95.gaugeText(nil) == "NaN")
        #expect(AlertRulesYAML.expr(.threshold(.bridgeRTTP95, .above, 350), stepLength: .seconds(60))
                == "wargame_step_bridge_rtt_p95_seconds > 0.35")
        #expect(AlertRulesYAML.expr(.threshold(.fillRate, .below, 0.855), stepLength: .seconds(60)) == "wargame_step_fill_rate < 0.855")
    }

    @Test func durationsAreExactPromQL() {
        #expect(AlertRulesYAML.duration(.seconds(3_600)) == "1h")
        #expect(AlertRulesYAML.duration(.seconds(300)) == "5m")
        #expect(AlertRulesYAML.duration(.seconds(45)) == "45s")
        #expect(AlertRulesYAML.duration(SimDuration(microseconds: 90_000_500)) == "90001ms")
        #expect(AlertRulesYAML.duration(.zero) == "0s")
    }

    /// `alert-rules --speed N`: Prometheus times `for:` and range windows on its own clock,
    /// so each is divided by N (rounded up to the millisecond, never shorter than asked);
    /// thresholds and everything else stay as they are.
    @Test func rulesForALiveRehearsalAreScaledByTheSpeed() {
        let rules = [
            AlertRule(name: "Slow", severity: .warning, condition: .threshold(.fillRate, .below, 0.8), holdFor: .minutes(5), summary: "s"),
            AlertRule(name: "Burn", severity: .page, condition: .burnRate(.fillRate, longSteps: 60, shortSteps: 5, factor: 14.4), holdFor: .minutes(2), summary: "b"),
        ]
        let plain = AlertRulesYAML.render(rules, group: "g", stepLength: .seconds(60))
        let live = AlertRulesYAML.render(rules, group: "g", stepLength: .seconds(60), speed: 60)
        #expect(!plain.contains("# Durations"))
        #expect(plain.contains("for: 5m") && plain.contains("[1h]") && plain.contains("[5m]") && plain.contains("for: 2m"))
        #expect(live.contains("# Durations (for: and range windows) divided by 60 for `wargame serve --speed 60`:\n"))
        #expect(live.contains("Scrape and evaluate every 500ms (half a simulated step of 1m, so no step's value is missed).\n"))
        #expect(live.contains("for: 5s") && live.contains("[1m]") && live.contains("[5s]") && live.contains("for: 2s"))
        #expect(live.contains("wargame_step_fill_rate < 0.8") && live.contains(" > 14.4"))
        #expect(!live.contains("[1h]") && !live.contains("for: 5m"))
        // 300 s / 7 = 42.857… s: rounded up, to 42858 ms.
        #expect(AlertRulesYAML.render(rules, group: "g", stepLength: .seconds(60), speed: 7).contains("for: 42858ms"))
        // Slow motion lengthens them.
        #expect(AlertRulesYAML.render(rules, group: "g", stepLength: .seconds(60), speed: 0.5).contains("for: 10m"))
        let r = runCLI(["alert-rules", packageRoot + "/scenarios/baseline.json", "--speed", "60"])
        #expect(r.code == .success && r.out.contains("for: 5s"), "\(r.err)")
        for bad in ["0", "-1", "max", "fast"] {
            #expect(runCLI(["alert-rules", "--speed", bad]).code == .badInput, "\(bad)")
        }
    }

    /// Early in a run a window longer than the run so far covers what there is — as a
    /// `rate()` over a range starting before the first (zero) sample does.
    @Test func burnRatesUseTheStepsThereAreBeforeTheWindowFills() {
        var h = SignalHistory()
        h.add(StepKPIs.make(submitted: 100, filled: 100, dropped: 80))
        #expect(h.errorRatio(.dropped, lastSteps: 60) == (80.0 / 3_600) / (100.0 / 3_600))
        #expect(h.holds(.burnRate(.dropped, longSteps: 60, shortSteps: 5, factor: 14.4)))  // 0.8 / 0.05 = 16 > 14.4
    }

    @Test func theHistoryKeepsTheLongestWindowAnyRuleReads() {
        #expect(SignalHistory.capacity(for: [.burnRate(.fillRate, longSteps: 240, shortSteps: 10, factor: 2)]) == 240)
        var h = SignalHistory(capacity: 240)
        for _ in 0..<100 { h.add(StepKPIs.make(submitted: 10, filled: 10, dropped: 1)) }
        for _ in 0..<100 { h.add(StepKPIs.make(submitted: 10, filled: 10)) }
        #expect(h.increase(.dropped, lastSteps: 240) == 100)
        #expect(h.increase(.submitted, lastSteps: 240) == 2_000)
    }
}

@Suite struct PromtoolAgreementTests {
    let drill = packageRoot + "/scenarios/alert-drill.json"

    /// The alert-drill war game fires every default rule; its rule test's input series must
    /// be the very numbers metrics.prom shows at the end (counters summed step by step).
    @Test func theRuleTestSeriesEndWhereTheExpositionEnds() throws {
        let out = scratchDirectory()
        let r = runCLI(["run", drill, "--steps", "155", "--rules-test", "--out", out])
        #expect(r.code == .sloBreached, "\(r.err)")
        let test = try String(contentsOfFile: out + "/alert_rules_test.yml", encoding: .utf8)
        let prom = try String(contentsOfFile: out + "/metrics.prom", encoding: .utf8)
        let lines = test.components(separatedBy: "\n")
        var checked = 0
        for (i, line) in lines.enumerated() where line.hasPrefix("      - series: '") {
            let metric = String(line.dropFirst("      - series: '".count).dropLast())
            let values = lines[i + 1].components(separatedBy: "'")[1].split(separator: " ")
            #expect(values.count == 156)
            let exported = prom.components(separatedBy: "\n").first { $0.hasPrefix(metric + " ") }
            #expect(exported == metric + " " + values.last!, "\(metric)")
            checked += 1
        }
        #expect(checked == Signal.allCases.count + BudgetSLO.Counter.allCases.count)  // every step gauge and counter
        let fired = Set(try String(contentsOfFile: out + "/alerts.csv", encoding: .utf8).components(separatedBy: "\r\n").dropFirst()
            .compactMap { $0.split(separator: ",").first.map(String.init) })
        #expect(fired == Set(AlertRule.defaults.map(\.name)))
    }

    @Test(.enabled(if: promtool != nil, "needs promtool (make promtool-check installs it)"))
    func prometheusFiresExactlyWhatTheSimulatorFired() throws {
        let out = scratchDirectory()
        #expect(runCLI(["run", drill, "--seed", "2", "--rules-test", "--out", out]).code == .sloBreached)
        let checked = try execute(promtool!, ["check", "rules", "alert_rules.yml"], in: out)
        #expect(checked.status == 0, "\(checked.output)")
        let tested = try execute(promtool!, ["test", "rules", "alert_rules_test.yml"], in: out)
        #expect(tested.status == 0, "\(tested.output)")
        let lint = try execute("/bin/sh", ["-c", "\(promtool!) check metrics < metrics.prom"], in: out)
        #expect(lint.status == 0 && lint.output.isEmpty, "\(lint.output)")
    }

    /// Away from the defaults: 30-second steps, a `for` that is not a multiple of the step,
    /// odd burn-rate windows and factor, a threshold with more digits than the gauge's unit.
    @Test(.enabled(if: promtool != nil, "needs promtool (make promtool-check installs it)"))
    func prometheusAgreesWithOddStepsWindowsAndThresholds() throws {
        let dir = scratchDirectory()
        let file = writeScenario("odd.json", """
            { "version": 1, "extends": "\(drill)", "name": "odd-windows", "run": { "step_s": 30, "steps": 300 },
              "alerts": [ { "name": "FillRateLow", "for_s": 45.5 },
                { "name": "OddBurn", "severity": "page", "burn_rate": "dropped_requests", "long_steps": 7, "short_steps": 3,
                  "factor": 9.75, "summary": "odd windows" },
                { "name": "RttOdd", "severity": "warning", "signal": "bridge_rtt_p95_ms", "op": ">=", "threshold": 412.345,
                  "for_s": 75, "summary": "odd threshold" } ] }
            """, in: dir)
        let out = dir + "/out"
        #expect(runCLI(["run", file, "--rules-test", "--out", out]).code == .sloBreached)
        let rules = try String(contentsOfFile: out + "/alert_rules.yml", encoding: .utf8)
        #expect(rules.contains("for: 45500ms") && rules.contains("[210s]") && rules.contains(">= 0.412345"))
        let fired = try String(contentsOfFile: out + "/alerts.csv", encoding: .utf8)
        #expect(fired.contains("\r\nOddBurn,") && fired.contains("\r\nRttOdd,"))
        let tested = try execute(promtool!, ["test", "rules", "alert_rules_test.yml"], in: out)
        #expect(tested.status == 0, "\(tested.output)")
    }

    @Test func rulesTestsAreLimitedInLength() {
        let r = runCLI(["run", drill, "--steps", "10001", "--rules-test", "--out", scratchDirectory()])
        #expect(r.code == .badInput)
        #expect(r.err.hasPrefix("Error: '--rules-test' records at most 10000 steps, found --steps 10001."))
    }
}
