import Foundation
import WargameReports
import WargameScenario

/// `wargame compare A B`: two scenario variants on the same seeds with common random
/// numbers — every component draws from the same named streams in both — so per-seed
/// differences come from the variant, not from noise.
enum CompareCommand: Command {
    static let name = "compare"
    static let abstract = "Compare two scenarios on the same seeds (common random numbers): paired KPI differences."
    static let positionalUsage = "A B"
    static let options: [OptionSpec] = [
        OptionSpec("seeds", value: "A..B", help: "Seed range, inclusive (required)."),
        OptionSpec("steps", value: "n", help: "Steps per replication.", default: "A's"),
        OptionSpec("jobs", value: "n", help: "Parallel replications.", default: "cores"),
        OptionSpec("independent", value: nil, help: "Run B on different seeds (no common random numbers), for contrast."),
        .set,
        .warmup,
    ]

    struct Result {
        let kpi: KPI
        let meanA: Double?
        let meanB: Double?
        let difference: SweepStatistics.Difference?
    }

    static func run(_ o: ParsedOptions, _ context: CommandContext) throws -> ExitCode {
        guard o.positionals.count == 2 else { throw UsageError(message: "Expected two scenarios to compare.", command: name) }
        guard let a = try RunCommand.loadScenario(o.positionals[0], context, overrides: try o.overrides()),
              let b = try RunCommand.loadScenario(o.positionals[1], context, overrides: try o.overrides()) else { return .badInput }
        let seeds = try parseSeeds(o.string("seeds"), command: name)
        guard seeds.count >= 2 else { throw UsageError(message: "Comparing needs at least two seeds.", command: name) }
        let steps = try o.integer("steps", range: 1...10_000_000, default: a.run.steps)
        let jobs = try o.integer("jobs", range: 1...1_024, default: ProcessInfo.processInfo.activeProcessorCount)
        let results = try compare(a, b, seeds: seeds, steps: steps, jobs: jobs, independent: o.has("independent"))
        context.console.out(table(a.name, b.name, seeds: seeds, independent: o.has("independent"), results))
        return .success
    }

    /// Runs both variants and returns, per KPI, both means and the B − A difference.
    static func compare(_ a: Scenario, _ b: Scenario, seeds: [UInt64], steps: Int, jobs: Int, independent: Bool) throws -> [Result] {
        let rowsA = try ParallelRuns.run(a, seeds: seeds, steps: steps, jobs: jobs, console: nil)
        let seedsB = independent ? seeds.map { $0 &+ 1_000_003 } : seeds
        let rowsB = try ParallelRuns.run(b, seeds: seedsB, steps: steps, jobs: jobs, console: nil)
        let header = SweepTable.header(slos: a.slos, teamSLOs: a.teamSLOIDs)
        return KPI.allCases.map { kpi in
            let c = header.firstIndex(of: kpi.rawValue)!
            // Keep only seeds where both variants have the KPI, so pairs stay pairs.
            let pairs = zip(rowsA, rowsB).compactMap { ra, rb in Double(ra[c]).flatMap { x in Double(rb[c]).map { (x, $0) } } }
            let xa = pairs.map(\.0), xb = pairs.map(\.1)
            let diff = independent ? SweepStatistics.welch(xa, xb) : SweepStatistics.paired(xa, xb)
            return Result(kpi: kpi, meanA: SweepStatistics.summarize(xa)?.mean, meanB: SweepStatistics.summarize(xb)?.mean, difference: diff)
        }
    }

    static func table(_ a: String, _ b: String, seeds: [UInt64], independent: Bool, _ results: [Result]) -> String {
        var out = "wargame compare: \(b) − \(a) on seeds \(seeds.first!)..\(seeds.last!) ("
            + (independent ? "independent seeds, Welch interval" : "common random numbers, paired") + ")\n"
        let header = ["KPI", "mean " + a, "mean " + b, "difference", "95 % CI", "significant"]
        let rows: [[String]] = results.map { r in
            let d = r.kpi.decimals(extra: 1)
            func f(_ x: Double?) -> String { x.map { NumberFormat.fixed($0, d) } ?? "n/a" }
            // A difference smaller than the KPI resolves near these values is not a number to print.
            let near = max(abs(r.meanA ?? 0), abs(r.meanB ?? 0))
            let resolution = r.kpi.resolution(at: near)
            let below = r.difference.map { r.kpi.belowResolution($0.mean, at: near) } ?? false
            let difference = below ? "below resolution (< " + NumberFormat.fixed(resolution, r.kpi.decimals) + ")" : f(r.difference?.mean)
            return [r.kpi.rawValue, f(r.meanA), f(r.meanB), difference,
                    r.difference.map { d in
                        r.kpi.belowResolution(d.ciLow, at: near) && r.kpi.belowResolution(d.ciHigh, at: near)
                            ? "within ± " + NumberFormat.fixed(resolution, r.kpi.decimals) : f(d.ciLow) + " … " + f(d.ciHigh)
                    } ?? "n/a",
                    r.difference.map { $0.significant ? "yes" : "no" } ?? "n/a"]
        }
        out += TextTable.render([header] + rows, indent: "  ")
        return out
    }
}
