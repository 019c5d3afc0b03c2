import Foundation
import Testing
@testable import WargameCLI
import WargameScenario

/// The runbooks' levers and commands, exercised as an operator would use them.
@Suite struct RunbookTests {
    let outage = packageRoot + "/scenarios/provider-outage-akash.json"

    func share(_ dir: String, _ providers: [String]) throws -> Double {
        let j = try jsonFile(dir + "/kpi_summary.json")
        return providers.reduce(0) { total, p in
            if case .number(let n)? = j["provider_share"]?[p] { return total + n.value }
            return total
        }
    }

    /// Aurora "Failover to Backup Provider": "Increase weight for flux/vast/aethir". Under the
    /// default strategy (score) that must move traffic to them.
    @Test func raisingRouterWeightsShiftsTrafficUnderTheDefaultStrategy() throws {
        let out = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        #expect(try ScenarioLoader.load(outage).pipeline.router.strategy == .score)
        #expect(runCLI(["run", outage, "--seed", "1", "--out", out + "/plain"]).code != .badInput)
        #expect(runCLI(["run", outage, "--seed", "1", "--out", out + "/weighted", "--set", "providers[flux].weight=6",
                        "--set", "providers[vast].weight=6", "--set", "providers[aethir].weight=6"]).code != .badInput)
        let backups = ["flux", "vast", "aethir"]
        let before = try share(out + "/plain", backups), after = try share(out + "/weighted", backups)
        #expect(after > before + 0.05, "share of flux+vast+aethir: \(before) → \(after)")
        #expect(FileManager.default.contents(atPath: out + "/plain/routing_decisions.csv")
                != FileManager.default.contents(atPath: out + "/weighted/routing_decisions.csv"))
    }
}
