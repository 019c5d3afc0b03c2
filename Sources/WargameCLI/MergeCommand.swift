import Foundation
import WargameReports
import WargameScenario

/// `wargame merge`: combines `sweep --shard` or `study --shard` outputs into the files a
/// single process would have written, byte for byte.
enum MergeCommand: Command {
    static let name = "merge"
    static let abstract = "Combine 'sweep --shard' or 'study --shard' outputs into one sweep or study."
    static let positionalUsage = "DIR..."
    static let options: [OptionSpec] = [OptionSpec("out", value: "dir", help: "Output directory.", default: "out/<scenario>-sweep (or -study)")]

    static func field(_ j: JSON, _ k: String) -> String {
        switch j[k] { case .string(let s)?: s; case .number(let n)?: n.literal; case let v?: v.compact; default: "" }
    }

    static func run(_ o: ParsedOptions, _ context: CommandContext) throws -> ExitCode {
        guard !o.positionals.isEmpty else { throw UsageError(message: "Missing shard directories to merge.", command: name) }
        let study = FileManager.default.fileExists(atPath: o.positionals[0] + "/study_meta.json")
        let problems = ShardProblems()
        do {
            return try merge(o.positionals, study: study, out: o.string("out"), problems, context)
        } catch let e as ShardProblems {
            context.console.err(e.report)
            return .badInput
        }
    }

    static func merge(_ dirs: [String], study: Bool, out: String?, _ problems: ShardProblems, _ context: CommandContext) throws -> ExitCode {
        var shards: [ShardFiles] = []
        for d in dirs { if let s = try ShardFiles.read(d, study: study, problems) { shards.append(s) } }
        guard problems.messages.isEmpty, let first = shards.first else { throw problems }
        try checkAgreement(shards, problems)
        guard problems.messages.isEmpty else { throw problems }
        let m = first.meta
        // Sorted by (point, seed) for studies, by seed for sweeps: the single-process order.
        let seedColumn = first.header.firstIndex(of: "seed")!
        var keyed: [(point: Int, seed: UInt64, row: [String], origin: String)] = []
        for s in shards {
            for r in s.rows { keyed.append((study ? Int(r.cells[0])! : 0, UInt64(r.cells[seedColumn])!, r.cells, "\(s.rowsFile):\(r.line)")) }
        }
        keyed.sort { ($0.point, $0.seed) < ($1.point, $1.seed) }
        try checkCoverage(keyed.map { ($0.point, $0.seed, $0.origin) }, meta: m, study: study, problems)
        if study { try checkLevels(keyed.map { ($0.point, Array($0.row[1...m.factors.count]), $0.origin) }, problems) }
        guard problems.messages.isEmpty else { throw problems }

        var sweepID = SweepTable.Identity(scenario: m.scenario, scenarioSHA256: m.scenarioSHA256, steps: m.steps,
                                          firstSeed: m.firstSeed, lastSeed: m.lastSeed, version: m.version)
        sweepID.warmupSteps = m.warmupSteps
        sweepID.overrides = m.overrides
        let rows = keyed.map(\.row)
        let outputs = try OutputSet(directory: out ?? "out/\(sweepID.scenario)-\(study ? "study" : "sweep")")
        let paths: [String]
        if study {
            let identity = StudyTable.Identity(sweep: sweepID, factors: m.factors, pointSHA256: m.pointSHA256)
            paths = try StudyCommand.write(outputs, shard: nil, identity: identity, slos: m.sloTable, header: first.header, rows: rows)
        } else {
            paths = try SweepCommand.write(outputs, shard: nil, identity: sweepID, slos: m.sloTable, header: first.header, rows: rows)
        }
        context.console.out("merged \(NumberFormat.counted(shards.count, "shard")), \(NumberFormat.counted(rows.count, "row")): " + paths.joined(separator: ", ") + "\n")
        return .success
    }

    /// The shards come from one command: the same metadata but the shard label, the same
    /// columns, and exactly one of each label 1/N … N/N.
    static func checkAgreement(_ shards: [ShardFiles], _ problems: ShardProblems) throws(ShardProblems) {
        let first = shards[0]
        for s in shards.dropFirst() {
            for (a, b) in zip(first.meta.agreed, s.meta.agreed) where a.text != b.text {
                try problems.add("\(s.metaFile): \(a.key): expected \(a.text) as in \(first.metaFile), found \(b.text)")
            }
            if s.meta.shardCount != first.meta.shardCount {
                try problems.add("\(s.metaFile): shard: expected one of \(first.meta.shardCount) shards as in \(first.metaFile), found \(s.meta.shardIndex)/\(s.meta.shardCount)")
            }
            if s.header != first.header { try problems.add("\(s.rowsFile): line 1: expected the same columns as \(first.rowsFile)") }
        }
        guard problems.messages.isEmpty else { return }
        let n = first.meta.shardCount
        for i in 1...n {
            let holders = shards.filter { $0.meta.shardIndex == i }
            if holders.count > 1 {
                try problems.add("shard \(i)/\(n) is given more than once: " + holders.map(\.dir).joined(separator: ", "))
            }
        }
        let missing = (1...n).filter { i in !shards.contains { $0.meta.shardIndex == i } }
        if !missing.isEmpty {
            try problems.add("expected all \(n) shards, missing " + missing.prefix(10).map { "\($0)/\(n)" }.joined(separator: ", ")
                             + (missing.count > 10 ? " and \(missing.count - 10) more" : ""))
        }
    }

    /// Every (point, seed) of the design exactly once; `rows` sorted by (point, seed).
    static func checkCoverage(_ rows: [(point: Int, seed: UInt64, origin: String)], meta m: ShardFiles.Meta, study: Bool,
                              _ problems: ShardProblems) throws(ShardProblems) {
        for (a, b) in zip(rows, rows.dropFirst()) where a.point == b.point && a.seed == b.seed {
            try problems.add("\(b.origin): seed \(b.seed)" + (study ? " of point \(b.point)" : "") + " is already at \(a.origin)")
        }
        let points = study ? m.pointSHA256.count : 1
        var k = 0, missing: [String] = []
        for p in 1...points {
            for seed in m.firstSeed...m.lastSeed {
                while k < rows.count && (rows[k].point, rows[k].seed) < (study ? p : 0, seed) { k += 1 }
                if k < rows.count && rows[k].point == (study ? p : 0) && rows[k].seed == seed { continue }
                missing.append(study ? "point \(p) seed \(seed)" : "seed \(seed)")
            }
        }
        if !missing.isEmpty {
            try problems.add("the shards' rows do not cover seeds \(m.firstSeed)..\(m.lastSeed)" + (study ? " for every point" : "")
                             + ": missing " + missing.prefix(10).joined(separator: ", ") + (missing.count > 10 ? " and \(missing.count - 10) more" : ""))
        }
    }

    /// A design point has one set of levels, whichever shard wrote its rows.
    static func checkLevels(_ rows: [(point: Int, levels: [String], origin: String)], _ problems: ShardProblems) throws(ShardProblems) {
        var seen: [Int: (levels: [String], origin: String)] = [:]
        for r in rows {
            if let s = seen[r.point] {
                if s.levels != r.levels {
                    try problems.add("\(r.origin): point \(r.point): expected the levels " + s.levels.joined(separator: ",")
                                     + " as at \(s.origin), found " + r.levels.joined(separator: ","))
                }
            } else {
                seen[r.point] = (r.levels, r.origin)
            }
        }
    }

    static func strings(_ j: JSON?) -> [String] {
        guard case .array(let items)? = j else { return [] }
        return items.compactMap { if case .string(let s) = $0 { s } else { nil } }
    }

    /// The SLO table recorded with a study, for the report's threshold lines.
    static func slos(_ j: JSON?) -> [SLO] {
        guard case .array(let items)? = j else { return [] }
        return items.compactMap { i in
            guard case .string(let name)? = i["name"], case .string(let k)? = i["kpi"], let kpi = KPI(rawValue: k),
                  case .string(let op)? = i["op"], let comparison = Comparison(rawValue: op), case .number(let t)? = i["threshold"] else { return nil }
            return SLO(name: name, kpi: kpi, comparison: comparison, threshold: t.value)
        }
    }
}
