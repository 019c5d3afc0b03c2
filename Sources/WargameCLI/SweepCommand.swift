import Dispatch
import Foundation
import WargameReports
import WargameScenario

/// Parses `A..B` (inclusive) into a seed list.
func parseSeeds(_ text: String?, command: String) throws(UsageError) -> [UInt64] {
    guard let text else { throw UsageError(message: "Missing '--seeds A..B'.", command: command) }
    let parts = text.components(separatedBy: "..")
    guard parts.count == 2, let a = UInt64(parts[0]), let b = UInt64(parts[1]), a <= b, b - a < 1_000_000 else {
        throw UsageError(message: "The value '\(text)' is invalid for '--seeds': expected A..B with A ≤ B and at most 1000000 seeds.",
                         command: command)
    }
    return Array(a...b)
}

/// `wargame sweep`: one replication per seed, in parallel; per-seed rows and a summary
/// with confidence intervals. Byte-identical whatever `--jobs` is.
enum SweepCommand: Command {
    static let name = "sweep"
    static let abstract = "Run a scenario on a range of seeds in parallel; summarise KPIs and SLO pass fractions."
    static let positionalUsage = "SCENARIO"
    static let options: [OptionSpec] = [
        .alertRules,
        .sloSpec,
        .alertmanagerConfig,
        OptionSpec("seeds", value: "A..B", help: "Seed range, inclusive (required)."),
        OptionSpec("steps", value: "n", help: "Steps per replication.", default: "scenario"),
        OptionSpec("jobs", value: "n", help: "Parallel replications.", default: "cores"),
        LogSelection.option(default: .none, help: "Keep each seed's own outputs in DIR/runs/seed-N/ with both decision logs, routing_decisions.csv only, or none."),
        OptionSpec("shard", value: "I/N", help: "Run only the I-th of N slices of the seeds (for a cluster)."),
        OptionSpec("out", value: "dir", help: "Output directory.", default: "out/<scenario>-sweep"),
        .set,
        .warmup,
    ]
    static let discussion = """
        Writes sweep.csv (one row per seed: every KPI and SLO verdict) and sweep_summary.json/.md
        (mean, sd, 95 % t interval, p5/p50/p95 per KPI; pass fraction with a 95 % Wilson
        interval per SLO). With --shard I/N it writes that slice's sweep_rows.csv and
        sweep_meta.json instead; 'wargame merge' combines the N shards. See docs/scaling.md.
        """

    /// The I-th of N deterministic slices: seeds at positions ≡ I − 1 (mod N), which balances
    /// slices whatever the range.
    struct Shard {
        let index: Int
        let count: Int
        var label: String { "\(index)/\(count)" }

        func slice(_ seeds: [UInt64]) -> [UInt64] {
            var out: [UInt64] = []
            for (k, seed) in seeds.enumerated() where k % count == index - 1 { out.append(seed) }
            return out
        }
    }

    static func run(_ o: ParsedOptions, _ context: CommandContext) throws -> ExitCode {
        try o.expectPositionals(atMost: 1)
        guard let path = o.positionals.first else { throw UsageError(message: "Missing the scenario to sweep.", command: name) }
        guard let scenario = try RunCommand.loadScenario(path, context, overrides: try o.overrides()) else { return .badInput }
        let allSeeds = try parseSeeds(o.string("seeds"), command: name)
        let steps = try o.integer("steps", range: 1...10_000_000, default: scenario.run.steps)
        let jobs = try o.integer("jobs", range: 1...1_024, default: ProcessInfo.processInfo.activeProcessorCount)
        let shard = try parseShard(o.string("shard"))
        var seeds = allSeeds
        var dir = o.string("out") ?? "out/\(scenario.name)-sweep"
        if let shard {
            seeds = shard.slice(allSeeds)
            if o.string("out") == nil { dir += "-shard-\(shard.index)-of-\(shard.count)" }
        }
        var identity = SweepTable.Identity(scenario: scenario.name, scenarioSHA256: scenario.sha256, steps: steps,
                                           firstSeed: allSeeds[0], lastSeed: allSeeds[allSeeds.count - 1], version: Wargame.version)
        identity.overrides = scenario.overrides.map(\.text)
        identity.warmupSteps = scenario.run.warmupSteps
        try ScenarioRunner.preflight(scenario, steps: steps)
        let header = SweepTable.header(slos: scenario.slos, teamSLOs: scenario.teamSLOIDs)
        let selection = try LogSelection.parse(o, default: .none, command: name)
        let outputs = try OutputSet(directory: dir)  // validated before the runs, not after
        let logs = try RunLogs(selection, directory: dir)
        var perSeed: (@Sendable (UInt64) -> ScenarioRunner.Outputs)?
        if let f = logs.outputs { perSeed = { seed in f("seed-\(seed)") } }
        let rows = try ParallelRuns.run(scenario, seeds: seeds, steps: steps, jobs: jobs, console: context.console, logs: perSeed)
        let paths = try write(outputs, shard: shard, identity: identity, slos: scenario.slos, header: header, rows: rows) + logs.commit()
        var line = "wargame sweep: \(scenario.name), seeds \(identity.firstSeed)..\(identity.lastSeed)"
        if let shard { line += " (shard \(shard.label): \(NumberFormat.counted(seeds.count, "seed")))" }
        context.console.out(line + ", \(NumberFormat.counted(steps, "step")), \(NumberFormat.counted(jobs, "job"))\n")
        if shard == nil { context.console.out(passTable(header: header, rows: rows)) }
        context.console.out("Wrote " + paths.joined(separator: ", ") + "\n")
        return .success
    }

    /// A shard's rows and metadata, or the whole sweep with its summaries and report. An
    /// output set of the other kind left in the directory goes: its report would describe
    /// other results.
    static func write(_ outputs: OutputSet, shard: Shard?, identity: SweepTable.Identity, slos: [SLO], header: [String],
                      rows: [[String]]) throws(OutputError) -> [String] {
        if let shard {
            var csv = try CSVWriter(file: try outputs.open("sweep_rows.csv"), header: header)
            for r in rows { try csv.writeRow(r) }
            try outputs.open("sweep_meta.json").write(meta(identity, shard: shard, slos: slos, teamSLOs: SweepTable.teamSLOs(in: header)).rendered())
            outputs.replaces(["report.html"])
        } else {
            try writeSweep(outputs, identity: identity, slos: slos, header: header, rows: rows)
        }
        return try outputs.commitAll()
    }

    static func parseShard(_ text: String?) throws(UsageError) -> Shard? {
        guard let text else { return nil }
        let p = text.split(separator: "/")
        guard p.count == 2, let i = Int(p[0]), let n = Int(p[1]), n >= 1, n <= 100_000, i >= 1, i <= n else {
            throw UsageError(message: "The value '\(text)' is invalid for '--shard': expected I/N with 1 ≤ I ≤ N.", command: name)
        }
        return Shard(index: i, count: n)
    }

    static func meta(_ id: SweepTable.Identity, shard: Shard, slos: [SLO], teamSLOs: [String]) -> JSONValue {
        .object([("scenario", .string(id.scenario)), ("scenario_sha256", .string(id.scenarioSHA256)), ("steps", .int(Int64(id.steps))),
                 ("seeds", .string("\(id.firstSeed)..\(id.lastSeed)")), ("shard", .string(shard.label)),
                 ("version", .string(id.version)), ("warmup_steps", .int(Int64(id.warmupSteps))),
                 ("overrides", .array(id.overrides.map { .string($0) })), ("slo_table", StudyTable.sloTable(slos)),
                 ("team_slos", .array(teamSLOs.map { .string($0) }))])
    }

    /// sweep.csv, its summaries and report.html. The report is built from the summary as
    /// written (rendered and read back), exactly as `wargame report` rebuilds it.
    static func writeSweep(_ outputs: OutputSet, identity: SweepTable.Identity, slos: [SLO], header: [String], rows: [[String]]) throws(OutputError) {
        var csv = try CSVWriter(file: try outputs.open("sweep.csv"), header: header)
        for r in rows { try csv.writeRow(r) }
        let summary = SweepTable.summary(identity: identity, slos: slos, header: header, rows: rows).rendered()
        try outputs.open("sweep_summary.json").write(summary)
        try outputs.open("sweep_summary.md").write(SweepTable.markdown(SweepTable.summary(identity: identity, slos: slos, header: header, rows: rows)))
        try outputs.open("report.html").write(ReportCommand.sweepHTML(header: header, rows: rows, summary: try? JSONParser.parse(summary),
                                                                      fallbackTitle: identity.scenario))
    }

    static func passTable(header: [String], rows: [[String]]) -> String {
        var out = "  SLO pass fractions over \(NumberFormat.counted(rows.count, "seed")):\n"
        let columns = header.indices.filter { header[$0].hasPrefix("slo_") }
        // Wide enough for the longest name (a team SLO's id can be long), at least 24.
        let width = columns.map { header[$0].count - 4 + 2 }.max().map { max(24, $0) } ?? 24
        for c in columns {
            let passes = rows.filter { $0[c] == "pass" }.count
            let w = SweepStatistics.wilson(successes: passes, trials: rows.count)
            out += "    " + String(header[c].dropFirst(4)).padding(to: width) + "\(passes)/\(rows.count)  (95 % Wilson "
                + NumberFormat.fixed(w.low, 3) + "…" + NumberFormat.fixed(w.high, 3) + ")\n"
        }
        return out
    }
}
