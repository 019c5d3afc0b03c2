import Foundation
import WargameReports
import WargameScenario

/// `wargame warmup`: how long a run takes to forget its empty start. Runs the seeds from
/// time zero (any configured warm-up ignored), averages each signal across them step by
/// step, and applies MSER-5; prints the evidence and the `--warmup` it suggests.
enum WarmupCommand: Command {
    static let name = "warmup"
    static let abstract = "Suggest a warm-up from the time series by MSER-5 over the seeds."
    static let positionalUsage = "SCENARIO"
    static let options: [OptionSpec] = [
        OptionSpec("seeds", value: "A..B", help: "Seed range, inclusive (required)."),
        OptionSpec("steps", value: "n", help: "Steps per replication (the warm-up must fit well inside).", default: "scenario"),
        OptionSpec("jobs", value: "n", help: "Parallel replications.", default: "cores"),
        .set,
    ]
    static let discussion = """
        Signals: the per-step fill rate, bridge RTT p95, policy decision p95 and the number of
        jobs running on providers. For each, MSER-5 on the mean across seeds gives a truncation
        point; the suggestion is the latest of them. Per-seed MSER-5 points are shown as a check
        of stability. A minimum in the second half of the run is flagged: run longer. Diurnal
        demand never reaches a steady state; read the suggestion with that in mind.
        """

    /// One watched signal: its name and how to read it from a step.
    static let signals: [(name: String, read: @Sendable (StepKPIs) -> Double?)] = [
        ("fill_rate", { $0.fillRate.map { min(1, $0) } }),
        ("bridge_rtt_p95_ms", { $0.bridgeRTTMilliseconds(0.95) }),
        ("policy_decision_p95_ms", { $0.decisionTimeMilliseconds(0.95) }),
        ("running_jobs", { Double($0.runningJobs) }),
    ]

    static func run(_ o: ParsedOptions, _ context: CommandContext) throws -> ExitCode {
        try o.expectPositionals(atMost: 1)
        guard let path = o.positionals.first else { throw UsageError(message: "Missing the scenario to analyse.", command: name) }
        guard var scenario = try RunCommand.loadScenario(path, context, overrides: try o.overrides()) else { return .badInput }
        let seeds = try parseSeeds(o.string("seeds"), command: name)
        let steps = try o.integer("steps", range: 20...10_000_000, default: scenario.run.steps)
        let jobs = try o.integer("jobs", range: 1...1_024, default: ProcessInfo.processInfo.activeProcessorCount)
        let configured = scenario.run.warmupSteps
        scenario.run.warmup = .zero
        let runScenario = scenario
        let progress = Progress(label: "\(scenario.name) seeds", total: seeds.count, console: context.console)
        // Per seed, per signal, per step (nil where the step had no data).
        let series: [[[Double?]]] = try ParallelRuns.map(count: seeds.count, jobs: jobs, progress: progress) { i in
            let box = SeriesBox(signals: signals.count)
            _ = try ScenarioRunner.execute(runScenario, seed: seeds[i], steps: steps, onStep: { k in
                for (s, signal) in signals.enumerated() { box.values[s].append(signal.read(k)) }
            })
            return box.values
        }
        let stepSeconds = scenario.run.stepLength.seconds
        var out = "wargame warmup: \(scenario.name), seeds \(seeds.first!)..\(seeds.last!), \(NumberFormat.counted(steps, "step")) of \(NumberFormat.fixed(stepSeconds, 0)) s, MSER-5\n"
        if configured > 0 { out += "  (the scenario's own warm-up, \(NumberFormat.counted(configured, "step")), is ignored here)\n" }
        var suggestion = 0, boundary: [String] = []
        var rows = [["signal", "truncate at", "MSER(0)", "MSER(d*)", "mean before", "mean after", "per-seed d* median / max"]]
        for (s, signal) in signals.enumerated() {
            let mean: [Double?] = (0..<steps).map { t in
                let xs = series.compactMap { $0[s][t] }
                return xs.isEmpty ? nil : xs.reduce(0, +) / Double(xs.count)
            }
            guard mean.allSatisfy({ $0 != nil }), let r = MSER.truncation(mean.map { $0! }) else {
                rows.append([signal.name, "no data in some steps", "", "", "", "", ""])
                continue
            }
            let values = mean.map { $0! }
            let perSeed = series.compactMap { seed -> Int? in
                guard seed[s].allSatisfy({ $0 != nil }) else { return nil }
                return MSER.truncation(seed[s].map { $0! })?.observations
            }.sorted()
            let before = r.observations > 0 ? values[..<r.observations].reduce(0, +) / Double(r.observations) : nil
            let after = values[r.observations...].reduce(0, +) / Double(values.count - r.observations)
            let d = signal.name == "fill_rate" ? 4 : signal.name == "running_jobs" ? 1 : 3
            rows.append([signal.name, "\(NumberFormat.counted(r.observations, "step")) (\(NumberFormat.fixed(Double(r.observations) * stepSeconds, 0)) s)",
                         String(format: "%.3g", r.statistic[0]), String(format: "%.3g", r.statistic[r.batches]),
                         before.map { NumberFormat.fixed($0, d) } ?? "—", NumberFormat.fixed(after, d),
                         perSeed.isEmpty ? "—" : "\(perSeed[perSeed.count / 2]) / \(perSeed.last!)"])
            suggestion = max(suggestion, r.observations)
            if r.atBoundary { boundary.append(signal.name) }
        }
        out += TextTable.render(rows, indent: "  ") + "\n"
        if !boundary.isEmpty {
            out += "warning: " + boundary.joined(separator: ", ") + " settled only at the last candidate (half the run): the run may be too short to reach steady state; try more --steps.\n"
        }
        if scenario.pipeline.demand.diurnalAmplitude > 0 {
            out += "note: demand follows a daily cycle (diurnal_amplitude \(NumberFormat.fixed(scenario.pipeline.demand.diurnalAmplitude, 2))), so no run is stationary; the truncation removes the empty start, not the cycle.\n"
        }
        let seconds = Int((Double(suggestion) * stepSeconds).rounded())
        out += "Suggested warm-up: \(NumberFormat.counted(suggestion, "step")) = \(seconds) s  (--warmup \(seconds), or \"run\": { \"warmup_s\": \(seconds) })\n"
        context.console.out(out)
        return .success
    }

    /// Collects one run's signals inside its `onStep` callback.
    final class SeriesBox: @unchecked Sendable {
        var values: [[Double?]]
        init(signals: Int) { values = Array(repeating: [], count: signals) }
    }
}
