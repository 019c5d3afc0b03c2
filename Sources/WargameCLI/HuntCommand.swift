import Foundation
import SimKernel
import WargameReports
import WargameScenario

/// `wargame hunt`: finds the seeds whose run breaches an SLO (or any), and for each the
/// first step that breached on its own and the shortest STEPS that still reproduces the
/// breach — with the command that replays it.
enum HuntCommand: Command {
    static let name = "hunt"
    static let abstract = "Find seeds that breach an SLO, with the first breaching step and the shortest replay."
    static let positionalUsage = "SCENARIO"
    static let options: [OptionSpec] = [
        OptionSpec("seeds", value: "A..B", help: "Seed range to search, inclusive (required)."),
        OptionSpec("slo", value: "name", help: "The SLO to hunt.", default: "any"),
        OptionSpec("steps", value: "n", help: "Steps per run.", default: "scenario"),
        OptionSpec("max", value: "n", help: "Stop after this many finds.", default: "10"),
        .set,
        .warmup,
    ]

    struct Find: Equatable {
        let seed: UInt64
        let slos: [String]
        let firstBreachStep: Int?
        let shortestSteps: Int
    }

    static func run(_ o: ParsedOptions, _ context: CommandContext) throws -> ExitCode {
        try o.expectPositionals(atMost: 1)
        guard let path = o.positionals.first else { throw UsageError(message: "Missing the scenario to hunt in.", command: name) }
        guard let scenario = try RunCommand.loadScenario(path, context, overrides: try o.overrides()) else { return .badInput }
        let seeds = try parseSeeds(o.string("seeds"), command: name)
        let steps = try o.integer("steps", range: 1...10_000_000, default: scenario.run.steps)
        let limit = try o.integer("max", range: 1...100_000, default: 10)
        let slo = o.string("slo")
        if let slo, !scenario.slos.contains(where: { $0.name == slo }) {
            var m = "The value '\(slo)' is invalid for '--slo': expected one of " + scenario.slos.map(\.name).joined(separator: ", ") + "."
            if let g = closest(to: slo, in: scenario.slos.map(\.name)) { m += " Did you mean '\(g)'?" }
            throw UsageError(message: m, command: name)
        }
        let finds = try hunt(scenario, seeds: seeds, steps: steps, slo: slo, limit: limit)
        context.console.out(report(finds, scenario: scenario, path: path, seeds: seeds, slo: slo))
        return .success
    }

    static func hunt(_ s: Scenario, seeds: [UInt64], steps: Int, slo: String?, limit: Int) throws -> [Find] {
        var finds: [Find] = []
        for seed in seeds {
            var perStep: [StepKPIs] = []
            let r = try ScenarioRunner.execute(s, seed: seed, steps: steps) { perStep.append($0) }
            let breached = r.report.results.filter { $0.verdict == .breach && (slo == nil || $0.slo.name == slo) }
            guard !breached.isEmpty else { continue }
            let names = breached.map(\.slo.name)
            let first = perStep.firstIndex { step in breached.contains { violates($0.slo, step) } }
            finds.append(Find(seed: seed, slos: names, firstBreachStep: first,
                              shortestSteps: try shortest(s, seed: seed, steps: steps, slos: names)))
            if finds.count >= limit { break }
        }
        return finds
    }

    /// Whether one step on its own violates the SLO's threshold (for KPIs a step can show).
    static func violates(_ slo: SLO, _ k: StepKPIs) -> Bool {
        let value: Double? = switch slo.kpi {
        case .fillRateP50, .fillRateP95: k.fillRate
        case .bridgeRTTP95: k.bridgeRTTMilliseconds(0.95)
        case .provenanceCoverage: k.coverage
        case .policyDecisionP95: k.decisionTimeMilliseconds(0.95)
        case .droppedRatio: k.submitted > 0 ? Double(k.dropped) / Double(k.submitted) : nil
        case .failoversPer5mMax: Double(k.failovers)
        }
        return value.map { !slo.comparison.holds($0, slo.threshold) } ?? false
    }

    /// The fewest steps whose run still breaches one of `slos`: a binary search over run
    /// lengths, then checked, so the replay command is guaranteed to reproduce.
    static func shortest(_ s: Scenario, seed: UInt64, steps: Int, slos: [String]) throws -> Int {
        func breaches(_ n: Int) throws -> Bool {
            try ScenarioRunner.execute(s, seed: seed, steps: n).report.results
                .contains { $0.verdict == .breach && slos.contains($0.slo.name) }
        }
        var lo = 1, hi = steps
        while lo < hi {
            let mid = (lo + hi) / 2
            if try breaches(mid) { hi = mid } else { lo = mid + 1 }
        }
        return try breaches(lo) ? lo : steps
    }

    static func report(_ finds: [Find], scenario: Scenario, path: String, seeds: [UInt64], slo: String?) -> String {
        var out = "wargame hunt: \(scenario.name), seeds \(seeds.first!)..\(seeds.last!), SLO \(slo ?? "any"): \(finds.count) breaching seed(s)\n"
        for f in finds {
            out += "  seed \(f.seed): \(f.slos.joined(separator: ", ")) breached; first breaching step "
                + (f.firstBreachStep.map(String.init) ?? "n/a") + "; shortest reproduction \(f.shortestSteps) steps\n"
            out += "    wargame run \(path) --seed \(f.seed) --steps \(f.shortestSteps)\n"
        }
        return out
    }
}
