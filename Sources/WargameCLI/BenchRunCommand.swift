import Foundation
import WargameReports
import WargameScenario

/// `wargame bench run`: a whole scenario run with every output written, timed. Prints
/// `name: value` lines: simulated orders per second is the headline figure, peak RSS
/// shows whether memory stays flat as STEPS grows.
enum BenchRunCommand: Command {
    static let name = "bench run"
    static let abstract = "Benchmark a full scenario run with all outputs written (build with -c release)."
    static let positionalUsage = "[SCENARIO]"
    static let options: [OptionSpec] = [
        OptionSpec("steps", value: "n", help: "Simulated steps.", default: "10000"),
        OptionSpec("seed", value: "n", help: "Run seed.", default: "1"),
        OptionSpec("out", value: "dir", help: "Where the outputs go (removed afterwards).", default: "a temporary directory"),
    ]

    static func run(_ o: ParsedOptions, _ context: CommandContext) throws -> ExitCode {
        try o.expectPositionals(atMost: 1)
        guard let scenario = try RunCommand.loadScenario(o.positionals.first ?? "scenarios/baseline.json", context) else {
            return .badInput
        }
        let steps = try o.integer("steps", range: 1...10_000_000, default: 10_000)
        let seed = try o.seed("seed", default: 1)
        let dir = o.string("out") ?? NSTemporaryDirectory() + "wargame-bench-\(ProcessInfo.processInfo.processIdentifier)"
        defer { if o.string("out") == nil { try? FileManager.default.removeItem(atPath: dir) } }
        let clock = ContinuousClock()
        let start = clock.now
        let result = try ScenarioRunner.execute(scenario, seed: seed, steps: steps, write: .init(directory: dir), console: context.console)
        let seconds = Progress.seconds(clock.now - start)
        let t = result.report.totals
        let bytes = result.paths.compactMap { try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int }.reduce(0, +)
        let lines: [(String, String)] = [
            ("scenario", scenario.name), ("build", buildConfiguration), ("steps", String(steps)),
            ("orders", String(t.submitted)), ("events", String(t.events)),
            ("wall_seconds", NumberFormat.fixed(seconds, 3)),
            ("orders_per_second", NumberFormat.fixed(Double(t.submitted) / seconds, 0)),
            ("events_per_second", NumberFormat.fixed(Double(t.events) / seconds, 0)),
            ("output_mb", NumberFormat.fixed(Double(bytes) / 1_048_576, 1)),
            ("peak_rss_mb", NumberFormat.fixed(peakResidentMegabytes(), 1)),
        ]
        context.console.out(figures(lines))
        return .success
    }
}

/// `wargame bench sweep`: the same seeds with one job, then with N, timed: seeds per second
/// for each and the parallel speed-up.
enum BenchSweepCommand: Command {
    static let name = "bench sweep"
    static let abstract = "Benchmark a seed sweep with 1 job and with N jobs (build with -c release)."
    static let positionalUsage = "[SCENARIO]"
    static let options: [OptionSpec] = [
        OptionSpec("seeds", value: "A..B", help: "Seed range.", default: "1..200"),
        OptionSpec("jobs", value: "n", help: "Parallel jobs to compare with one.", default: "cores"),
        OptionSpec("steps", value: "n", help: "Steps per replication.", default: "scenario"),
    ]

    static func run(_ o: ParsedOptions, _ context: CommandContext) throws -> ExitCode {
        try o.expectPositionals(atMost: 1)
        guard let scenario = try RunCommand.loadScenario(o.positionals.first ?? "scenarios/baseline.json", context) else { return .badInput }
        let seeds = try parseSeeds(o.string("seeds") ?? "1..200", command: name)
        let jobs = try o.integer("jobs", range: 1...1_024, default: ProcessInfo.processInfo.activeProcessorCount)
        let steps = try o.integer("steps", range: 1...10_000_000, default: scenario.run.steps)
        let clock = ContinuousClock()
        var seconds: [Double] = []
        var outputs: [[[String]]] = []
        for j in [1, jobs] {
            let start = clock.now
            outputs.append(try ParallelRuns.run(scenario, seeds: seeds, steps: steps, jobs: j, console: nil))
            seconds.append(Progress.seconds(clock.now - start))
        }
        context.console.out(figures([
            ("scenario", scenario.name), ("build", buildConfiguration), ("seeds", String(seeds.count)), ("steps", String(steps)),
            ("jobs", String(jobs)),
            ("seconds_1_job", NumberFormat.fixed(seconds[0], 3)),
            ("seeds_per_second_1_job", NumberFormat.fixed(Double(seeds.count) / seconds[0], 2)),
            ("seconds_\(jobs)_jobs", NumberFormat.fixed(seconds[1], 3)),
            ("seeds_per_second_\(jobs)_jobs", NumberFormat.fixed(Double(seeds.count) / seconds[1], 2)),
            ("speedup", NumberFormat.fixed(seconds[0] / seconds[1], 2)),
            ("identical_rows", outputs[0] == outputs[1] ? "yes" : "NO"),
            ("peak_rss_mb", NumberFormat.fixed(peakResidentMegabytes(), 1)),
        ]))
        return outputs[0] == outputs[1] ? .success : .internalError
    }
}
