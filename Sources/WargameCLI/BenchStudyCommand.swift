import Foundation
import WargameReports
import WargameScenario

/// `wargame bench study`: the study an analyst runs most — demand × router strategy, 3 × 3,
/// 50 seeds, a simulated day each — timed end to end, without writing files.
enum BenchStudyCommand: Command {
    static let name = "bench study"
    static let abstract = "Benchmark a 3 × 3 study (demand × router strategy) over a simulated day (build with -c release)."
    static let positionalUsage = "[SCENARIO]"
    static let options: [OptionSpec] = [
        OptionSpec("vary", value: "PATH=V1,V2", help: "Factors (repeatable).", default: "demand.orders_per_second=0.8,1.2,1.6 and router.strategy=score,p2c,weighted",
                   repeatable: true),
        OptionSpec("seeds", value: "A..B", help: "Seed range.", default: "1..50"),
        OptionSpec("steps", value: "n", help: "Steps per replication.", default: "1440"),
        OptionSpec("jobs", value: "n", help: "Parallel replications.", default: "cores"),
    ]

    static func run(_ o: ParsedOptions, _ context: CommandContext) throws -> ExitCode {
        try o.expectPositionals(atMost: 1)
        let path = o.positionals.first ?? "scenarios/baseline.json"
        var factors = try StudyCommand.parseFactorTexts(o.strings("vary"))
        if factors.isEmpty {
            factors = try StudyCommand.parseFactorTexts(["demand.orders_per_second=0.8,1.2,1.6", "router.strategy=score,p2c,weighted"])
        }
        guard let design = try StudyCommand.design(path, base: [], factors: factors, context) else { return .badInput }
        let seeds = try parseSeeds(o.string("seeds") ?? "1..50", command: name)
        let steps = try o.integer("steps", range: 1...10_000_000, default: 1_440)
        let jobs = try o.integer("jobs", range: 1...1_024, default: ProcessInfo.processInfo.activeProcessorCount)
        let runs = design.points.count * seeds.count
        let clock = ContinuousClock(), start = clock.now
        let totals = try ParallelRuns.map(count: runs, jobs: jobs, progress: nil) { i in
            let r = try ScenarioRunner.execute(design.points[i / seeds.count].scenario, seed: seeds[i % seeds.count], steps: steps).report
            return (orders: r.totals.submitted, events: Int(r.totals.events))
        }
        let seconds = Progress.seconds(clock.now - start)
        let orders = totals.reduce(0) { $0 + $1.orders }, events = totals.reduce(0) { $0 + $1.events }
        context.console.out(figures([
            ("scenario", design.points[0].scenario.name), ("build", buildConfiguration),
            ("design", factors.map { "\($0.path)×\($0.values.count)" }.joined(separator: " ")),
            ("points", String(design.points.count)), ("seeds", String(seeds.count)), ("steps", String(steps)), ("jobs", String(jobs)),
            ("runs", String(runs)), ("seconds", NumberFormat.fixed(seconds, 3)),
            ("runs_per_second", NumberFormat.fixed(Double(runs) / seconds, 2)),
            ("orders", String(orders)), ("orders_per_second", NumberFormat.fixed(Double(orders) / seconds, 0)),
            ("orders_per_second_per_job", NumberFormat.fixed(Double(orders) / seconds / Double(min(jobs, runs)), 0)),
            ("events_per_second", NumberFormat.fixed(Double(events) / seconds, 0)),
            ("peak_rss_mb", NumberFormat.fixed(peakResidentMegabytes(), 1)),
        ]))
        return .success
    }
}
