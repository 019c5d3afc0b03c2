import Foundation
import WargameReports
import WargameScenario

/// `wargame study`: a full factorial design over `--vary` factors, every point on the same
/// seeds (common random numbers), so differences between points are paired and not noise.
enum StudyCommand: Command {
    static let name = "study"
    static let abstract = "Run a factorial design of variants on common random numbers; KPIs, pass fractions, main effects."
    static let positionalUsage = "SCENARIO"
    static let options: [OptionSpec] = [
        .alertRules,
        .sloSpec,
        .alertmanagerConfig,
        OptionSpec("vary", value: "PATH=V1,V2|PATH=LO..HI:STEP", help: "A factor and its levels (repeatable; the design is their product).",
                   repeatable: true),
        OptionSpec("seeds", value: "A..B", help: "Seed range, inclusive (required); every point runs all of them."),
        OptionSpec("steps", value: "n", help: "Steps per replication.", default: "scenario"),
        OptionSpec("jobs", value: "n", help: "Parallel replications.", default: "cores"),
        LogSelection.option(default: .none, help: "Keep each run's own outputs in DIR/runs/point-P-seed-N/ with both decision logs, routing_decisions.csv only, or none."),
        OptionSpec("shard", value: "I/N", help: "Run only the I-th of N slices of the seeds, for every point ('wargame merge' combines)."),
        OptionSpec("out", value: "dir", help: "Output directory.", default: "out/<scenario>-study"),
        .set,
        .warmup,
    ]
    static let discussion = """
        Writes study.csv (one row per point × seed: point, one column per factor, then the
        columns of sweep.csv), study_summary.json/.md (per point each KPI's mean with a 95 % t
        interval and each SLO's pass fraction with a 95 % Wilson interval; per factor its main
        effect on each KPI, paired on the seeds) and report.html. Byte-identical for any --jobs,
        and for --shard runs combined by 'wargame merge'. See docs/studies.md.
        """

    static let maximumRuns = 10_000_000

    /// A validated design: each point's levels (as cells) and its scenario.
    struct Design {
        let factors: [Factor]
        let points: [(levels: [String], scenario: Scenario)]
    }

    /// Every combination of levels, the first factor varying slowest; each loaded with its
    /// overrides so a bad level is refused before anything runs.
    static func design(_ path: String, base: [Override], factors: [Factor], _ context: CommandContext) throws -> Design? {
        var combos: [[JSON]] = [[]]
        for f in factors { combos = combos.flatMap { c in f.values.map { c + [$0] } } }
        var points: [(levels: [String], scenario: Scenario)] = []
        for combo in combos {
            var overrides: [Override] = []
            for (f, v) in zip(factors, combo) {
                do { overrides.append(try Override(path: f.path, value: v)) } catch { throw UsageError(message: error.description, command: name) }
            }
            guard let s = try RunCommand.loadScenario(path, context, overrides: base + overrides) else { return nil }
            // The table has one verdict column per team SLO, the same at every point.
            if let first = points.first?.scenario, first.teamSLOIDs != s.teamSLOIDs {
                throw UsageError(message: "The design points have different team SLOs (\(first.teamSLOIDs.joined(separator: ", ")) and "
                                 + "\(s.teamSLOIDs.joined(separator: ", "))): a study compares points on the same SLOs; vary something else.", command: name)
            }
            points.append((combo.map(\.cell), s))
        }
        return Design(factors: factors, points: points)
    }

    static func parseFactors(_ o: ParsedOptions) throws(UsageError) -> [Factor] {
        let factors = try parseFactorTexts(o.strings("vary"))
        if factors.isEmpty { throw UsageError(message: "Missing '--vary PATH=V1,V2,…': a study needs at least one factor.", command: name) }
        return factors
    }

    static func parseFactorTexts(_ texts: [String]) throws(UsageError) -> [Factor] {
        var factors: [Factor] = []
        for text in texts {
            do { factors.append(try Factor(parsing: text)) } catch { throw UsageError(message: "--vary " + error.description.dropFirst(6) + ".", command: name) }
        }
        for (i, f) in factors.enumerated() where factors[..<i].contains(where: { $0.path == f.path }) {
            throw UsageError(message: "The factor '\(f.path)' is given twice in --vary.", command: name)
        }
        // A factor inside another (providers[akash] and providers[akash].capacity) would be
        // overwritten by it at some design points.
        try ParsedOptions.refuseOverlaps(factors.map { ((try? Override(path: $0.path, value: .null))?.steps ?? [], "--vary " + $0.path) },
                                         command: name)
        return factors
    }

    static func run(_ o: ParsedOptions, _ context: CommandContext) throws -> ExitCode {
        try o.expectPositionals(atMost: 1)
        guard let path = o.positionals.first else { throw UsageError(message: "Missing the scenario to study.", command: name) }
        let factors = try parseFactors(o)
        let base = try o.overrides()
        try o.refuseOverlaps(withOverrides: base, factors.map { ((try? Override(path: $0.path, value: .null))?.steps ?? [], "--vary " + $0.path) })
        let allSeeds = try parseSeeds(o.string("seeds"), command: name)
        let points = factors.reduce(1) { $0 * $1.values.count }
        guard points * allSeeds.count <= maximumRuns else {
            throw UsageError(message: "The design has \(NumberFormat.counted(points, "point")) × \(NumberFormat.counted(allSeeds.count, "seed")); expected at most \(maximumRuns) runs.", command: name)
        }
        guard let scenario = try RunCommand.loadScenario(path, context, overrides: base),
              let design = try design(path, base: base, factors: factors, context) else { return .badInput }
        let steps = try o.integer("steps", range: 1...10_000_000, default: scenario.run.steps)
        let jobs = try o.integer("jobs", range: 1...1_024, default: ProcessInfo.processInfo.activeProcessorCount)
        let shard = try SweepCommand.parseShard(o.string("shard"))
        for p in design.points { try ScenarioRunner.preflight(p.scenario, steps: steps) }
        let seeds = shard?.slice(allSeeds) ?? allSeeds
        var dir = o.string("out") ?? "out/\(scenario.name)-study"
        if let shard, o.string("out") == nil { dir += "-shard-\(shard.index)-of-\(shard.count)" }
        var sweepID = SweepTable.Identity(scenario: scenario.name, scenarioSHA256: scenario.sha256, steps: steps, firstSeed: allSeeds[0],
                                          lastSeed: allSeeds[allSeeds.count - 1], version: Wargame.version)
        sweepID.overrides = scenario.overrides.map(\.text)
        sweepID.warmupSteps = scenario.run.warmupSteps
        let identity = StudyTable.Identity(sweep: sweepID, factors: factors.map(\.path), pointSHA256: design.points.map(\.scenario.sha256))
        let header = StudyTable.header(factors: factors.map(\.path), slos: scenario.slos, teamSLOs: scenario.teamSLOIDs)
        let selection = try LogSelection.parse(o, default: .none, command: name)
        let outputs = try OutputSet(directory: dir)
        let logs = try RunLogs(selection, directory: dir)
        let perRun = logs.outputs

        let runs = design.points.count * seeds.count
        let progress = Progress(label: "\(scenario.name) study runs", total: runs, console: context.console)
        let rows = try ParallelRuns.map(count: runs, jobs: jobs, progress: progress) { i in
            let p = i / seeds.count, seed = seeds[i % seeds.count], point = design.points[p]
            let report = try ScenarioRunner.execute(point.scenario, seed: seed, steps: steps, write: perRun?("point-\(p + 1)-seed-\(seed)")).report
            return StudyTable.row(point: p + 1, levels: point.levels, sweepRow: SweepTable.row(seed: seed, report))
        }
        let paths = try write(outputs, shard: shard, identity: identity, slos: scenario.slos, header: header, rows: rows) + logs.commit()
        var line = "wargame study: \(scenario.name), \(NumberFormat.counted(design.points.count, "point")) × seeds \(sweepID.firstSeed)..\(sweepID.lastSeed)"
        if let shard { line += " (shard \(shard.label): \(NumberFormat.counted(seeds.count, "seed")))" }
        context.console.out(line + ", \(NumberFormat.counted(steps, "step")), \(NumberFormat.counted(jobs, "job"))\n")
        if shard == nil { context.console.out(table(header: header, rows: rows)) }
        context.console.out("Wrote " + paths.joined(separator: ", ") + "\n")
        return .success
    }

    static func write(_ outputs: OutputSet, shard: SweepCommand.Shard?, identity: StudyTable.Identity, slos: [SLO], header: [String],
                      rows: [[String]]) throws(OutputError) -> [String] {
        if let shard {
            var csv = try CSVWriter(file: try outputs.open("study_rows.csv"), header: header)
            for r in rows { try csv.writeRow(r) }
            var meta = SweepCommand.meta(identity.sweep, shard: shard, slos: slos, teamSLOs: SweepTable.teamSLOs(in: header))
            if case .object(let m) = meta {
                meta = .object(m + [("factors", .array(identity.factors.map { .string($0) })),
                                    ("point_sha256", .array(identity.pointSHA256.map { .string($0) }))])
            }
            try outputs.open("study_meta.json").write(meta.rendered())
            outputs.replaces(["report.html"])
        } else {
            var csv = try CSVWriter(file: try outputs.open("study.csv"), header: header)
            for r in rows { try csv.writeRow(r) }
            try outputs.open("study_summary.json").write(StudyTable.summary(identity: identity, slos: slos, header: header, rows: rows).rendered())
            try outputs.open("study_summary.md").write(StudyTable.markdown(identity: identity, header: header, rows: rows))
            try outputs.open("report.html").write(report(identity: identity, slos: slos, header: header, rows: rows))
        }
        return try outputs.commitAll()
    }

    static func report(identity: StudyTable.Identity, slos: [SLO], header: [String], rows: [[String]]) -> String {
        let s = identity.sweep
        var notes = ["Seeds \(s.firstSeed)..\(s.lastSeed) on every design point (common random numbers), \(NumberFormat.counted(s.steps, "step")) each"
                     + (s.warmupSteps > 0 ? ", the first \(s.warmupSteps) left out as warm-up." : ".")]
        if !s.overrides.isEmpty { notes.append("Overrides on every point: " + s.overrides.map { "--set " + $0 }.joined(separator: " ")) }
        var thresholds: [String: Double] = [:]
        for slo in slos.reversed() { thresholds[slo.kpi.rawValue] = slo.threshold }
        return HTMLReport.study(title: s.scenario, notes: notes, header: header, rows: rows, thresholds: thresholds)
    }

    /// The terminal's view: per point, each SLO's passes out of the seeds.
    static func table(header: [String], rows: [[String]]) -> String {
        let a = StudyAnalysis(header: header, rows: rows)
        var lines = [["point"] + a.factors + a.slos]
        for p in a.points { lines.append([String(p.point)] + p.levels + p.slos.map { "\($0.passes)/\($0.runs)" }) }
        return "  SLO passes per design point:\n" + TextTable.render(lines, indent: "    ") + "\n"
    }
}
