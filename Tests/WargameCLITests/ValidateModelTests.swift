import Foundation
import Testing
@testable import WargameCalibration
@testable import WargameCLI
import WargameReports
import WargameScenario

@Suite struct ValidateModelTests {
    /// The KPIs `validate-model` compares, of one run.
    static func kpis(_ s: Scenario, seed: UInt64, steps: Int) throws -> [Double?] {
        let r = try ScenarioRunner.execute(s, seed: seed, steps: steps).report
        return KPI.allCases.map { r.kpis[$0] } + [Double(r.totals.submitted) / (Double(steps) * s.run.stepLength.seconds)]
    }

    /// Size and power over 40 observation seeds (the test). The model, baseline at
    /// 30 steps, runs on 20 seeds; 40 observations of the true scenario must be accepted on
    /// at least 36 (the family-wise size is 5 %: 38 expected), and 40 observations whose
    /// demand is 20 % higher rejected on at least 36.
    @Test func acceptsTheTrueModelAndRejectsDemandTwentyPercentOff() throws {
        let path = packageRoot + "/scenarios/baseline.json"
        let truth = try ScenarioLoader.load(path)
        let busier = try ScenarioLoader.load(path, overrides: [try Override(parsing: "demand.orders_per_second=1.44")])
        let steps = 30
        let jobs: [(Scenario, UInt64)] = (1...20).map { (truth, UInt64($0)) } + (1_001...1_040).map { (truth, UInt64($0)) }
            + (2_001...2_040).map { (busier, UInt64($0)) }
        let rows = try ParallelRuns.map(count: jobs.count, jobs: 2, progress: nil) { i in try Self.kpis(jobs[i].0, seed: jobs[i].1, steps: steps) }
        let model = Array(rows[0..<20])
        func verdict(_ observed: [Double?]) -> ModelValidation {
            var names: [String] = [], obs: [Double] = [], sim: [[Double]] = []
            for (k, name) in ObservedKPIs.names.enumerated() {
                guard let x = observed[k] else { continue }
                names.append(name); obs.append(x); sim.append(model.compactMap { $0[k] })
            }
            return ModelValidation(names: names, observed: obs, simulated: sim)
        }
        let accepted = rows[20..<60].filter { verdict($0).reproduced }.count
        let rejected = rows[60..<100].filter { !verdict($0).reproduced }.count
        #expect(accepted >= 36, "the true scenario accepted on \(accepted)/40")
        #expect(rejected >= 36, "demand 20 % off rejected on \(rejected)/40")
    }

    /// Student's t against known quantiles, and Holm stopping at the first p that holds.
    @Test func tPredictionAndHolm() {
        #expect(abs(Special.studentQuantile(0.975, degreesOfFreedom: 19) - 2.0930240544) < 1e-6)
        #expect(abs(Special.studentTwoSided(2.0930240544, degreesOfFreedom: 19) - 0.05) < 1e-8)
        let sim = (0..<20).map { Double($0) }  // mean 9.5, sd 5.92
        let v = ModelValidation(names: ["a", "b", "c"], observed: [9.5, 60, 24], simulated: [sim, sim, sim])
        #expect(v.results.map(\.verdict) == [.reproduced, .rejected, .reproduced])  // c: p ≈ 0.02 > 0.05/2 after b
        #expect(!v.reproduced)
        // A KPI the model gives a single value: outside it cannot be rejected on 20 seeds.
        let flat = ModelValidation(names: ["coverage"], observed: [0.99], simulated: [Array(repeating: 1, count: 20)])
        #expect(flat.results[0].verdict == .notJudged && flat.reproduced)
    }

    @Test func commandJudgesAnObservedRunAndExitsOneWhenNotReproduced() throws {
        let dir = scratchDirectory()
        let base = packageRoot + "/scenarios/baseline.json"
        #expect([.success, .sloBreached].contains(runCLI(["run", base, "--steps", "20", "--seed", "900", "--logs", "none", "--set", "demand.orders_per_second=2",
                                                          "--out", dir + "/obs"]).code))
        let r = runCLI(["validate-model", base, "--observed", dir + "/obs", "--seeds", "1..12", "--out", dir + "/val"])
        #expect(r.code == .sloBreached, "\(r.err)")
        #expect(r.out.contains("NOT reproduced: orders_per_second"))
        let json = try JSONParser.parse(try String(contentsOfFile: dir + "/val/validation.json", encoding: .utf8))
        #expect(json["validation"]?["reproduced"] == .bool(false))
        #expect(runCLI(["validate-model", base, "--observed", dir + "/obs", "--seeds", "1..5"]).err.contains("at least 10 seeds"))
        #expect(runCLI(["validate-model", base, "--seeds", "1..12"]).code == .badInput)
        let missing = runCLI(["validate-model", base, "--observed", dir + "/nothing", "--seeds", "1..12", "--out", dir + "/v2"])
        #expect(missing.code == .badInput && missing.err.contains(dir + "/nothing/kpi_summary.json") == false
                && missing.err.contains(dir + "/nothing"))
    }
}
