import Foundation
import WargameReports
import WargameScenario

/// `wargame sensitivity`: which knob matters. Each parameter is moved −δ and +δ on its
/// own, every variant on the base's seeds, and its effect is the paired difference from the
/// base — so even small effects stand out of the noise — ranked per KPI.
enum SensitivityCommand: Command {
    static let name = "sensitivity"
    static let abstract = "Rank parameters by their paired effect on each KPI (one at a time, ±δ)."
    static let positionalUsage = "SCENARIO"
    static let options: [OptionSpec] = [
        OptionSpec("seeds", value: "A..B", help: "Seed range, inclusive (required); every variant runs all of them."),
        OptionSpec("delta", value: "d", help: "Relative change each way (integers move by at least 1).", default: "0.2"),
        OptionSpec("params", value: "PATH,…", help: "Parameters to move (a+b moves both together).", default: "the documented set"),
        OptionSpec("steps", value: "n", help: "Steps per replication.", default: "scenario"),
        OptionSpec("jobs", value: "n", help: "Parallel replications.", default: "cores"),
        OptionSpec("out", value: "dir", help: "Output directory.", default: "out/<scenario>-sensitivity"),
        .set,
        .warmup,
    ]
    static let discussion = """
        The default parameters: demand.orders_per_second; each provider's capacity and its
        acknowledgement latency (ack_median_ms and ack_p95_ms together); each bridge's relayers
        and timeout_ms; the gateway limiters' rates; policy.workers; provenance.batch_size and
        batch_interval_s. Writes sensitivity.csv (one row per variant × seed),
        sensitivity.json/.md (effects with 95 % paired intervals, ranked per KPI) and
        report.html (a tornado chart per KPI). See docs/studies.md.
        """

    /// One parameter (a group of paths moved together) and its two variants.
    struct Knob {
        let paths: [String]
        let values: [Double]
        let integer: [Bool]
        var name: String { Self.display(paths) }
        /// Each side's values and scenario, or why it could not be run (outside the field's range).
        var sides: [(values: [Double], scenario: Scenario?, problem: String?)] = []

        /// `providers[akash].{ack_median_ms,ack_p95_ms}` for paths sharing a prefix.
        static func display(_ paths: [String]) -> String {
            guard paths.count > 1, let dot = paths[0].lastIndex(of: ".") else { return paths.joined(separator: "+") }
            let prefix = paths[0][...dot]
            guard paths.allSatisfy({ $0.hasPrefix(prefix) }) else { return paths.joined(separator: "+") }
            return prefix + "{" + paths.map { String($0.dropFirst(prefix.count)) }.joined(separator: ",") + "}"
        }
    }

    static func moved(_ v: Double, by factor: Double, integer: Bool, up: Bool) -> Double {
        guard integer else { return Double(String(format: "%.12g", v * factor))! }
        let r = (v * factor).rounded()
        if r != v { return r }
        return up ? v + 1 : v - 1
    }

    static func run(_ o: ParsedOptions, _ context: CommandContext) throws -> ExitCode {
        try o.expectPositionals(atMost: 1)
        guard let path = o.positionals.first else { throw UsageError(message: "Missing the scenario to analyse.", command: name) }
        let base = try o.overrides()
        let seeds = try parseSeeds(o.string("seeds"), command: name)
        guard seeds.count >= 2 else { throw UsageError(message: "Paired intervals need at least two seeds.", command: name) }
        let delta = try o.number("delta", range: 1e-6...0.99, default: 0.2)
        guard let scenario = try RunCommand.loadScenario(path, context, overrides: base) else { return .badInput }
        var groups = Knobs.defaults(for: scenario)
        if let text = o.string("params") { groups = try parseParams(text) }
        let knobs = try makeKnobs(groups, path: path, base: base, scenario: scenario, delta: delta)
        let steps = try o.integer("steps", range: 1...10_000_000, default: scenario.run.steps)
        return try runVariants(o, context, path: path, scenario: scenario, seeds: seeds, delta: delta, knobs: knobs, steps: steps)
    }

    static func makeKnobs(_ groups: [[String]], path: String, base: [Override], scenario: Scenario, delta: Double) throws -> [Knob] {
        var knobs: [Knob] = []
        for g in groups {
            var values: [Double] = []
            for p in g {
                guard let v = Knobs.value(of: p, in: scenario) else {
                    throw UsageError(message: "The parameter '\(p)' is not one sensitivity can read; it knows: " + Knobs.known.joined(separator: ", ") + ".", command: name)
                }
                values.append(v)
            }
            var k = Knob(paths: g, values: values, integer: g.map { ScenarioLoader.fieldType(of: $0) == "integer" })
            for up in [false, true] {
                let shifted = zip(values, k.integer).map { v, i in Self.moved(v, by: up ? 1 + delta : 1 - delta, integer: i, up: up) }
                var overrides = base
                for (p, v) in zip(g, shifted) { overrides.append(try Override(path: p, value: Factor.number(v))) }
                let loaded = Result { () throws(ScenarioError) in try ScenarioLoader.load(path, overrides: overrides) }
                switch loaded {
                case .success(let sc): k.sides.append((shifted, sc, nil))
                case .failure(let e): k.sides.append((shifted, nil, e.description))
                }
            }
            knobs.append(k)
        }
        return knobs
    }

    static func runVariants(_ o: ParsedOptions, _ context: CommandContext, path: String, scenario: Scenario, seeds: [UInt64],
                            delta: Double, knobs: [Knob], steps: Int) throws -> ExitCode {
        let jobs = try o.integer("jobs", range: 1...1_024, default: ProcessInfo.processInfo.activeProcessorCount)
        try ScenarioRunner.preflight(scenario, steps: steps)
        let outputs = try OutputSet(directory: o.string("out") ?? "out/\(scenario.name)-sensitivity")

        // Variant 0 is the base; then each knob's runnable sides.
        var variants: [(knob: Int, side: Int, scenario: Scenario)] = [(-1, -1, scenario)]
        for (k, knob) in knobs.enumerated() {
            for (s, side) in knob.sides.enumerated() { if let sc = side.scenario { variants.append((k, s, sc)) } }
        }
        let runs = variants
        let progress = Progress(label: "\(scenario.name) sensitivity runs", total: variants.count * seeds.count, console: context.console)
        let rows = try ParallelRuns.map(count: variants.count * seeds.count, jobs: jobs, progress: progress) { i in
            let v = runs[i / seeds.count], seed = seeds[i % seeds.count]
            return SweepTable.row(seed: seed, try ScenarioRunner.execute(v.scenario, seed: seed, steps: steps).report)
        }
        let analysis = SensitivityAnalysis(scenario: scenario, seeds: seeds, steps: steps, delta: delta, knobs: knobs,
                                           variants: variants.map { ($0.knob, $0.side) }, rows: rows)
        try analysis.write(outputs)
        let paths = try outputs.commitAll()
        context.console.out(analysis.terminal() + "Wrote " + paths.joined(separator: ", ") + "\n")
        return .success
    }

    static func parseParams(_ text: String) throws(UsageError) -> [[String]] {
        var groups: [[String]] = []
        for item in text.split(separator: ",") {
            let g = item.split(separator: "+").map(String.init)
            for p in g where (try? Override(path: p, value: .null)) == nil {
                throw UsageError(message: "The value '\(p)' is invalid for '--params': expected a path as in --set.", command: name)
            }
            groups.append(g)
        }
        if groups.isEmpty { throw UsageError(message: "The value '\(text)' is invalid for '--params': expected PATH,….", command: name) }
        // A parameter listed twice (or one inside another) would be moved twice, or undone.
        try ParsedOptions.refuseOverlaps(groups.joined().map { ((try? Override(path: $0, value: .null))?.steps ?? [], "--params " + $0) },
                                         command: name)
        return groups
    }
}
