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

/// Runs replications in parallel on `jobs` threads. Each replication is independent (its own
/// pipeline and streams); results land in per-seed slots, so completion order never shows.
final class ParallelRuns: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var completed = 0
    private var results: [[String]?]
    private var failure: Error?
    private var progress: Progress?

    init(count: Int, progress: Progress?) {
        results = Array(repeating: nil, count: count)
        self.progress = progress
    }

    static func run(_ scenario: Scenario, seeds: [UInt64], steps: Int, jobs: Int, console: Console?) throws -> [[String]] {
        let box = ParallelRuns(count: seeds.count, progress: console.map { Progress(label: "\(scenario.name) seeds", total: seeds.count, console: $0) })
        DispatchQueue.concurrentPerform(iterations: max(1, min(jobs, seeds.count))) { _ in
            while let i = box.take() {
                do {
                    let r = try ScenarioRunner.execute(scenario, seed: seeds[i], steps: steps)
                    box.store(i, SweepTable.row(seed: seeds[i], r.report))
                } catch {
                    box.fail(error)
                }
            }
        }
        return try box.finish()
    }

    private func take() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard failure == nil, next < results.count else { return nil }
        next += 1
        return next - 1
    }

    private func store(_ i: Int, _ row: [String]) {
        lock.lock(); defer { lock.unlock() }
        results[i] = row
        completed += 1
        progress?.update(completed)
    }

    private func fail(_ error: Error) {
        lock.lock(); defer { lock.unlock() }
        if failure == nil { failure = error }
    }

    private func finish() throws -> [[String]] {
        progress?.finish()
        if let failure { throw failure }
        return results.map { $0! }
    }
}

/// `wargame sweep`: one replication per seed, in parallel; per-seed rows and a summary
/// with confidence intervals. Byte-identical whatever `--jobs` is.
enum SweepCommand: Command {
    static let name = "sweep"
    static let abstract = "Run a scenario on a range of seeds in parallel; summarise KPIs and SLO pass fractions."
    static let positionalUsage = "SCENARIO"
    static let options: [OptionSpec] = [
        OptionSpec("seeds", value: "A..B", help: "Seed range, inclusive (required)."),
        OptionSpec("steps", value: "n", help: "Steps per replication.", default: "scenario"),
        OptionSpec("jobs", value: "n", help: "Parallel replications.", default: "cores"),
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
        try ScenarioRunner.checkWarmup(scenario, steps: steps)
        let header = SweepTable.header(slos: scenario.slos)
        let outputs = try OutputSet(directory: dir)  // validated before the runs, not after
        let rows = try ParallelRuns.run(scenario, seeds: seeds, steps: steps, jobs: jobs, console: context.console)
        let paths = try write(outputs, shard: shard, identity: identity, header: header, rows: rows)
        var line = "wargame sweep: \(scenario.name), seeds \(identity.firstSeed)..\(identity.lastSeed)"
        if let shard { line += " (shard \(shard.label): \(seeds.count) seeds)" }
        context.console.out(line + ", \(steps) steps, \(jobs) jobs\n")
        if shard == nil { context.console.out(passTable(header: header, rows: rows)) }
        context.console.out("Wrote " + paths.joined(separator: ", ") + "\n")
        return .success
    }

    static func write(_ outputs: OutputSet, shard: Shard?, identity: SweepTable.Identity, header: [String],
                      rows: [[String]]) throws(OutputError) -> [String] {
        if let shard {
            var csv = try CSVWriter(file: try outputs.open("sweep_rows.csv"), header: header)
            for r in rows { try csv.writeRow(r) }
            try outputs.open("sweep_meta.json").write(meta(identity, shard: shard).rendered())
        } else {
            try writeSweep(outputs, identity: identity, header: header, rows: rows)
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

    static func meta(_ id: SweepTable.Identity, shard: Shard) -> JSONValue {
        .object([("scenario", .string(id.scenario)), ("scenario_sha256", .string(id.scenarioSHA256)), ("steps", .int(Int64(id.steps))),
                 ("seeds", .string("\(id.firstSeed)..\(id.lastSeed)")), ("shard", .string(shard.label)),
                 ("version", .string(id.version)), ("warmup_steps", .int(Int64(id.warmupSteps))),
                 ("overrides", .array(id.overrides.map { .string($0) }))])
    }

    static func writeSweep(_ outputs: OutputSet, identity: SweepTable.Identity, header: [String], rows: [[String]]) throws(OutputError) {
        var csv = try CSVWriter(file: try outputs.open("sweep.csv"), header: header)
        for r in rows { try csv.writeRow(r) }
        let summary = SweepTable.summary(identity: identity, header: header, rows: rows)
        try outputs.open("sweep_summary.json").write(summary.rendered())
        try outputs.open("sweep_summary.md").write(SweepTable.markdown(summary))
    }

    static func passTable(header: [String], rows: [[String]]) -> String {
        var out = "  SLO pass fractions over \(rows.count) seeds:\n"
        for (c, name) in header.enumerated() where name.hasPrefix("slo_") {
            let passes = rows.filter { $0[c] == "pass" }.count
            let w = SweepStatistics.wilson(successes: passes, trials: rows.count)
            out += "    " + String(name.dropFirst(4)).padding(to: 24) + "\(passes)/\(rows.count)  (95 % Wilson "
                + NumberFormat.fixed(w.low, 3) + "…" + NumberFormat.fixed(w.high, 3) + ")\n"
        }
        return out
    }
}

/// `wargame merge`: combines shard outputs into the sweep a single process would write.
enum MergeCommand: Command {
    static let name = "merge"
    static let abstract = "Combine 'sweep --shard' outputs into one sweep.csv and summary."
    static let positionalUsage = "DIR..."
    static let options: [OptionSpec] = [OptionSpec("out", value: "dir", help: "Output directory.", default: "out/<scenario>-sweep")]

    static func run(_ o: ParsedOptions, _ context: CommandContext) throws -> ExitCode {
        guard !o.positionals.isEmpty else { throw UsageError(message: "Missing shard directories to merge.", command: name) }
        var metas: [(dir: String, json: JSON)] = [], header: [String]? = nil, rows: [[String]] = []
        for dir in o.positionals {
            guard let text = try? String(contentsOfFile: dir + "/sweep_meta.json", encoding: .utf8), let meta = try? JSONParser.parse(text),
                  let csv = try? String(contentsOfFile: dir + "/sweep_rows.csv", encoding: .utf8) else {
                context.console.err("Error: \(dir): expected sweep_meta.json and sweep_rows.csv from 'wargame sweep --shard'\n")
                return .badInput
            }
            metas.append((dir, meta))
            let lines = csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }.map { $0.components(separatedBy: ",") }
            if let h = header, h != lines[0] {
                context.console.err("Error: \(dir)/sweep_rows.csv: expected the same columns as the other shards\n")
                return .badInput
            }
            header = lines[0]
            rows += lines.dropFirst()
        }
        func field(_ j: JSON, _ k: String) -> String {
            switch j[k] { case .string(let s)?: s; case .number(let n)?: n.literal; case let v?: v.compact; default: "" }
        }
        let first = metas[0].json
        for m in metas where ["scenario", "scenario_sha256", "steps", "seeds", "version", "warmup_steps", "overrides"].contains(where: { field(m.json, $0) != field(first, $0) }) {
            context.console.err("Error: \(m.dir)/sweep_meta.json: expected the same scenario, steps and seeds as \(metas[0].dir)\n")
            return .badInput
        }
        let shards = metas.map { field($0.json, "shard") }
        let n = Int(shards[0].split(separator: "/").last ?? "") ?? 0
        let expectedShards = (1...max(1, n)).map { "\($0)/\(n)" }
        guard Set(shards) == Set(expectedShards), shards.count == n else {
            context.console.err("Error: expected shards " + expectedShards.joined(separator: ", ") + ", found " + shards.sorted().joined(separator: ", ") + "\n")
            return .badInput
        }
        let range = field(first, "seeds").components(separatedBy: "..").compactMap { UInt64($0) }
        rows.sort { UInt64($0[0])! < UInt64($1[0])! }
        guard range.count == 2, rows.map({ UInt64($0[0])! }) == Array(range[0]...range[1]) else {
            context.console.err("Error: the shards' rows do not cover seeds \(field(first, "seeds")) exactly once\n")
            return .badInput
        }
        var identity = SweepTable.Identity(scenario: field(first, "scenario"), scenarioSHA256: field(first, "scenario_sha256"),
                                           steps: Int(field(first, "steps")) ?? 0, firstSeed: range[0], lastSeed: range[1],
                                           version: field(first, "version"))
        identity.warmupSteps = Int(field(first, "warmup_steps")) ?? 0
        if case .array(let items)? = first["overrides"] {
            identity.overrides = items.compactMap { if case .string(let s) = $0 { s } else { nil } }
        }
        guard ScenarioName.isValid(identity.scenario) else {
            context.console.err("Error: \(metas[0].dir)/sweep_meta.json: scenario: expected \(ScenarioName.rule), found \(JSON.string(identity.scenario).described)\n")
            return .badInput
        }
        let outputs = try OutputSet(directory: o.string("out") ?? "out/\(identity.scenario)-sweep")
        let paths = try SweepCommand.write(outputs, shard: nil, identity: identity, header: header!, rows: rows)
        context.console.out("merged \(metas.count) shards, \(rows.count) seeds: " + paths.joined(separator: ", ") + "\n")
        return .success
    }
}
