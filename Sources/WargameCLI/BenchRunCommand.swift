import Foundation
import WargameReports
import WargameScenario

/// `wargame bench run`: a whole scenario run with every output written, timed. Prints
/// `name: value` lines: simulated orders per second is the headline figure, peak RSS
/// shows whether memory stays flat as STEPS grows.
///
/// Then, as its second block (`scale_…`), the scale scenario — 10,000 tenants at 200
/// orders/s over a simulated day — with every output but the two decision logs (at this
/// size they would be about 8 GB of disk, written at the speed the first block measures),
/// and its resident memory a quarter, half and all the way through the day: flat memory
/// means the three agree.
///
/// With the team's monitoring (`--alert-rules` and the rest), each timed run follows one of
/// the same scenario without it, and the median of the pairs' ratios says what the rules
/// cost: in wall time (what a user waits; the rules run beside the simulation,
/// `RuleLane`) and in CPU (what they cost a machine whose cores are all busy, as a sweep's are).
enum BenchRunCommand: Command {
    static let name = "bench run"
    static let abstract = "Benchmark a full scenario run with all outputs written (build with -c release)."
    static let positionalUsage = "[SCENARIO]"
    static let options: [OptionSpec] = [
        OptionSpec("steps", value: "n", help: "Simulated steps.", default: "10000"),
        OptionSpec("seed", value: "n", help: "Run seed.", default: "1"),
        OptionSpec("repeat", value: "n", help: "Timed runs of the first block; medians are reported.", default: "3"),
        OptionSpec("out", value: "dir", help: "Where the outputs go; the last run's stay there.", default: "a temporary directory, removed afterwards"),
        OptionSpec("scale", value: "scenario|none", help: "The scale scenario of the second block, or none.",
                   default: "scenarios/scale/10k-tenants.json"),
        .alertRules,
        .sloSpec,
        .alertmanagerConfig,
    ]

    static func run(_ o: ParsedOptions, _ context: CommandContext) throws -> ExitCode {
        try o.expectPositionals(atMost: 1)
        var scale: Scenario?
        let scalePath = o.string("scale") ?? "scenarios/scale/10k-tenants.json"
        if scalePath != "none" {
            guard let s = try RunCommand.loadScenario(scalePath, context) else { return .badInput }
            scale = s
        }
        guard let scenario = try RunCommand.loadScenario(o.positionals.first ?? "scenarios/baseline.json", context) else {
            return .badInput
        }
        let steps = try o.integer("steps", range: 1...10_000_000, default: 10_000)
        let seed = try o.seed("seed", default: 1)
        let repeats = try o.integer("repeat", range: 1...100, default: 3)
        let dir = o.string("out") ?? NSTemporaryDirectory() + "wargame-bench-\(ProcessInfo.processInfo.processIdentifier)"
        defer { if o.string("out") == nil { try? FileManager.default.removeItem(atPath: dir) } }
        let clock = ContinuousClock()
        var walls: [Double] = [], simulationCPU: [Double] = [], processCPU: [Double] = []
        var result: ScenarioRunner.Result?
        var bare = scenario
        bare.monitoring = MonitoringSettings()
        let withRules = !scenario.monitoring.ruleFiles.isEmpty
        var bareWalls: [Double] = [], bareSimulationCPU: [Double] = [], bareProcessCPU: [Double] = []
        defer { try? FileManager.default.removeItem(atPath: dir + "-bare") }
        for _ in 0..<repeats {  // each run replaces the last one's files (written atomically)
            if withRules {
                let (start, thread, process) = (clock.now, CPUTime.thread(), CPUTime.process())
                _ = try ScenarioRunner.execute(bare, seed: seed, steps: steps, write: .init(directory: dir + "-bare"), console: context.console)
                bareWalls.append(Progress.seconds(clock.now - start))
                bareSimulationCPU.append(CPUTime.thread() - thread)
                bareProcessCPU.append(CPUTime.process() - process)
            }
            let (start, thread, process) = (clock.now, CPUTime.thread(), CPUTime.process())
            result = try ScenarioRunner.execute(scenario, seed: seed, steps: steps, write: .init(directory: dir), console: context.console)
            walls.append(Progress.seconds(clock.now - start))
            simulationCPU.append(CPUTime.thread() - thread)
            processCPU.append(CPUTime.process() - process)
        }
        guard let result else { return .internalError }
        let (seconds, simulation) = (median(walls), median(simulationCPU))
        let t = result.report.totals
        let bytes = result.paths.compactMap { try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int }.reduce(0, +)
        var lines: [(String, String)] = [
            ("scenario", scenario.name), ("build", buildConfiguration), ("steps", String(steps)),
            ("orders", String(t.submitted)), ("events", String(t.events)), ("repeats", String(repeats)),
            ("wall_seconds", NumberFormat.fixed(seconds, 3)),
            ("wall_seconds_range", NumberFormat.fixed(walls.min()!, 3) + "-" + NumberFormat.fixed(walls.max()!, 3)),
            ("orders_per_second", NumberFormat.fixed(Double(t.submitted) / seconds, 0)),
            ("events_per_second", NumberFormat.fixed(Double(t.events) / seconds, 0)),
            // The simulation's own thread; the decision logs are formatted and written on a
            // second one (DecisionLogWriter), whose time, and the kernel's, the process figure adds.
            ("simulation_thread_cpu_seconds", NumberFormat.fixed(simulation, 3)),
            ("orders_per_simulation_cpu_second", NumberFormat.fixed(Double(t.submitted) / simulation, 0)),
            ("process_cpu_seconds", NumberFormat.fixed(median(processCPU), 3)),
            ("output_mb", NumberFormat.fixed(Double(bytes) / 1_048_576, 1)),
            ("peak_rss_mb", NumberFormat.fixed(peakResidentMegabytes(), 1)),
        ]
        if withRules {
            // Per pair (each run with the rules right after one without), then the median:
            // a shared machine's speed drifts between pairs more than within one.
            func ratio(_ a: [Double], _ b: [Double]) -> String {
                let r = zip(a, b).map { $0 / $1 }
                return NumberFormat.fixed(median(r), 3) + " (pairs " + NumberFormat.fixed(r.min()!, 3) + "-" + NumberFormat.fixed(r.max()!, 3) + ")"
            }
            lines += [
                ("rule_files", String(scenario.monitoring.ruleFiles.count)),
                ("rules", String(scenario.monitoring.ruleFiles.reduce(0) { $0 + $1.rules.count })),
                ("without_rules_wall_seconds", NumberFormat.fixed(median(bareWalls), 3)),
                ("without_rules_process_cpu_seconds", NumberFormat.fixed(median(bareProcessCPU), 3)),
                ("rules_wall_ratio", ratio(walls, bareWalls)),
                ("rules_simulation_thread_cpu_ratio", ratio(simulationCPU, bareSimulationCPU)),
                ("rules_process_cpu_ratio", ratio(processCPU, bareProcessCPU)),
            ]
        }
        context.console.out(figures(lines))
        if let scale { try runScale(scale, seed: seed, directory: dir + "-scale", context) }
        return .success
    }

    /// The second block: the scale scenario at its own steps (a day), decision logs off.
    static func runScale(_ scenario: Scenario, seed: UInt64, directory: String, _ context: CommandContext) throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let steps = scenario.run.steps
        let marks = [steps / 4, steps / 2, steps]
        let resident = ResidentSamples()
        var step = 0, peakRunning = 0
        let clock = ContinuousClock()
        let start = clock.now
        let result = try ScenarioRunner.execute(scenario, seed: seed, steps: steps, write: .init(directory: directory, logs: .none),
                                                console: context.console, onStep: { kpis in
            step += 1
            peakRunning = max(peakRunning, kpis.runningJobs)
            if marks.contains(step) { resident.values.append(residentMegabytes()) }
        })
        let seconds = Progress.seconds(clock.now - start)
        let t = result.report.totals
        let hours = scenario.run.stepLength.seconds * Double(steps) / 3_600
        var lines: [(String, String)] = [
            ("scale_scenario", scenario.name), ("scale_tenants", String(scenario.pipeline.demand.tenants)),
            ("scale_steps", String(steps)), ("scale_simulated_hours", NumberFormat.fixed(hours, 1)),
            ("scale_orders", String(t.submitted)), ("scale_peak_running_jobs", String(peakRunning)),
            ("scale_wall_seconds", NumberFormat.fixed(seconds, 3)),
            ("scale_orders_per_second", NumberFormat.fixed(Double(t.submitted) / seconds, 0)),
            ("scale_decision_logs", "off"),
        ]
        for (mark, mb) in zip(marks, resident.values) {
            lines.append(("scale_rss_mb_at_step_\(mark)", NumberFormat.fixed(mb, 1)))
        }
        lines.append(("scale_peak_rss_mb", NumberFormat.fixed(peakResidentMegabytes(), 1)))
        context.console.out(figures(lines))
    }
}

/// Resident-memory samples taken from the step callback.
final class ResidentSamples { var values: [Double] = [] }

/// The process's resident set now, in MB: /proc/self/statm on Linux; elsewhere the peak,
/// the nearest figure without platform calls.
func residentMegabytes() -> Double {
    #if os(Linux)
    if let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) {
        let fields = statm.split(separator: " ")
        if fields.count > 1, let pages = Double(fields[1]) {
            return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
        }
    }
    #endif
    return peakResidentMegabytes()
}

/// `wargame bench sweep`: the same seeds with one job, then with N, timed: seeds per second
/// for each and the parallel speed-up.
///
/// Beside the wall time, each phase's process CPU time: orders per CPU second is orders per
/// second per busy core, the figure a per-core target is about, and it does not count the
/// time a shared VM's host takes the cores away (which wall time does).
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
        var seconds: [Double] = [], cpuSeconds: [Double] = []
        var outputs: [[[String]]] = []
        var orders = 0
        for j in [1, jobs] {
            let start = clock.now
            let cpuStart = CPUTime.process()
            let results = try ParallelRuns.map(count: seeds.count, jobs: j, progress: nil) { i in
                let r = try ScenarioRunner.execute(scenario, seed: seeds[i], steps: steps).report
                return (row: SweepTable.row(seed: seeds[i], r), orders: r.totals.submitted)
            }
            seconds.append(Progress.seconds(clock.now - start))
            cpuSeconds.append(max(CPUTime.process() - cpuStart, 1e-9))
            outputs.append(results.map(\.row))
            orders = results.reduce(0) { $0 + $1.orders }
        }
        context.console.out(figures([
            ("scenario", scenario.name), ("build", buildConfiguration), ("seeds", String(seeds.count)), ("steps", String(steps)),
            ("jobs", String(jobs)),
            ("orders", String(orders)),
            ("seconds_1_job", NumberFormat.fixed(seconds[0], 3)),
            ("seeds_per_second_1_job", NumberFormat.fixed(Double(seeds.count) / seconds[0], 2)),
            ("orders_per_second_1_job", NumberFormat.fixed(Double(orders) / seconds[0], 0)),
            ("cpu_seconds_1_job", NumberFormat.fixed(cpuSeconds[0], 3)),
            ("orders_per_cpu_second_1_job", NumberFormat.fixed(Double(orders) / cpuSeconds[0], 0)),
            ("seconds_\(jobs)_jobs", NumberFormat.fixed(seconds[1], 3)),
            ("seeds_per_second_\(jobs)_jobs", NumberFormat.fixed(Double(seeds.count) / seconds[1], 2)),
            ("orders_per_second_\(jobs)_jobs", NumberFormat.fixed(Double(orders) / seconds[1], 0)),
            ("cpu_seconds_\(jobs)_jobs", NumberFormat.fixed(cpuSeconds[1], 3)),
            ("orders_per_cpu_second_\(jobs)_jobs", NumberFormat.fixed(Double(orders) / cpuSeconds[1], 0)),
            ("speedup", NumberFormat.fixed(seconds[0] / seconds[1], 2)),
            ("identical_rows", outputs[0] == outputs[1] ? "yes" : "NO"),
            ("peak_rss_mb", NumberFormat.fixed(peakResidentMegabytes(), 1)),
        ]))
        return outputs[0] == outputs[1] ? .success : .internalError
    }
}
