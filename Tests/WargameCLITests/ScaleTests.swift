import Foundation
import Testing
@testable import WargameCLI
import WargameScenario

/// The scale scenario that `bench run` reports on its second block: it must load, be the
/// size the issue names, and run; the bench's second block must carry its figures.
@Suite struct ScaleTests {
    @Test func theScaleScenarioIsTenThousandTenantsAt200OrdersASecondForADay() throws {
        let out = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = runCLI(["run", packageRoot + "/scenarios/scale/10k-tenants.json", "--steps", "2", "--out", out])
        #expect(r.code == .success || r.code == .sloBreached, "\(r.err)")
        let summary = try jsonFile(out + "/kpi_summary.json")
        if case .number(let n)? = summary["totals"]?["orders_submitted"] {
            // 200 orders/s for 120 s: Poisson, so within 5 standard deviations of 24,000.
            #expect(abs(n.value - 24_000) < 5 * 24_000.0.squareRoot(), "orders \(n.value)")
        } else {
            Issue.record("no orders_submitted in kpi_summary.json")
        }
        let scenario = try ScenarioLoader.load(packageRoot + "/scenarios/scale/10k-tenants.json")
        #expect(scenario.pipeline.demand.tenants == 10_000 && scenario.pipeline.demand.ordersPerSecond == 200)
        #expect(scenario.run.steps * Int(scenario.run.stepLength.seconds) == 86_400)
    }

    /// The second block of `bench run`: a small stand-in scale scenario, so the test is
    /// quick; what is checked is that the block is there, with memory sampled three times.
    @Test func benchRunReportsTheScaleScenarioAsItsSecondBlock() throws {
        let dir = scratchDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let small = dir + "/small-scale.json"
        try """
            { "version": 1, "extends": "\(packageRoot)/scenarios/baseline.json", "name": "small-scale",
              "run": { "step_s": 60, "steps": 8 }, "demand": { "tenants": 200, "orders_per_second": 20 } }
            """.write(toFile: small, atomically: true, encoding: .utf8)
        let r = runCLI(["bench", "run", packageRoot + "/scenarios/baseline.json", "--steps", "3", "--scale", small, "--out", dir + "/bench"])
        #expect(r.code == .success, "\(r.err)")
        let lines = r.out.split(separator: "\n").map(String.init)
        #expect(lines.contains("scale_scenario: small-scale"))
        #expect(lines.contains("scale_tenants: 200"))
        #expect(lines.contains("scale_decision_logs: off"))
        #expect(lines.filter { $0.hasPrefix("scale_rss_mb_at_step_") }.map { $0.split(separator: ":")[0] }
                == ["scale_rss_mb_at_step_2", "scale_rss_mb_at_step_4", "scale_rss_mb_at_step_8"])
        #expect(lines.firstIndex { $0.hasPrefix("orders_per_second:") }! < lines.firstIndex { $0.hasPrefix("scale_orders_per_second:") }!)
        #expect(!FileManager.default.fileExists(atPath: dir + "/bench-scale"), "the scale run's outputs are removed")
        let none = runCLI(["bench", "run", packageRoot + "/scenarios/baseline.json", "--steps", "2", "--scale", "none"])
        #expect(none.code == .success && !none.out.contains("scale_"))
    }

    /// Repeated runs into a directory the user named replace their own outputs and leave
    /// everything else there alone.
    @Test func benchRunRepeatsKeepTheUsersOtherFiles() throws {
        let dir = scratchDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "mine".write(toFile: dir + "/notes.txt", atomically: true, encoding: .utf8)
        let r = runCLI(["bench", "run", packageRoot + "/scenarios/baseline.json", "--steps", "2", "--scale", "none",
                        "--repeat", "2", "--out", dir])
        #expect(r.code == .success, "\(r.err)")
        #expect(r.out.contains("repeats: 2"))
        #expect((try? String(contentsOfFile: dir + "/notes.txt", encoding: .utf8)) == "mine")
        #expect(FileManager.default.fileExists(atPath: dir + "/kpi_summary.json"))
    }
}
