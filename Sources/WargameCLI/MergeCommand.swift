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

    struct Bad: Error { let message: String }

    /// What one shard directory holds.
    struct ShardFiles {
        let dir: String
        let meta: JSON
        let header: [String]
        let rows: [[String]]
    }

    static func read(_ dir: String, study: Bool) throws(Bad) -> ShardFiles {
        let kind = study ? "study" : "sweep"
        guard let text = try? String(contentsOfFile: "\(dir)/\(kind)_meta.json", encoding: .utf8), let meta = try? JSONParser.parse(text),
              let csv = try? String(contentsOfFile: "\(dir)/\(kind)_rows.csv", encoding: .utf8) else {
            throw Bad(message: "\(dir): expected \(kind)_meta.json and \(kind)_rows.csv from 'wargame \(kind) --shard'")
        }
        guard let records = CSVReader.parse(csv), let header = records.first,
              records.dropFirst().allSatisfy({ $0.count == header.count }) else {
            throw Bad(message: "\(dir)/\(kind)_rows.csv: expected RFC 4180 CSV with a header and rows of equal length")
        }
        return ShardFiles(dir: dir, meta: meta, header: header, rows: Array(records.dropFirst()))
    }

    static func field(_ j: JSON, _ k: String) -> String {
        switch j[k] { case .string(let s)?: s; case .number(let n)?: n.literal; case let v?: v.compact; default: "" }
    }

    static func run(_ o: ParsedOptions, _ context: CommandContext) throws -> ExitCode {
        guard !o.positionals.isEmpty else { throw UsageError(message: "Missing shard directories to merge.", command: name) }
        let study = FileManager.default.fileExists(atPath: o.positionals[0] + "/study_meta.json")
        do {
            return try merge(o.positionals, study: study, out: o.string("out"), context)
        } catch let e as Bad {
            context.console.err("Error: \(e.message)\n")
            return .badInput
        }
    }

    static func merge(_ dirs: [String], study: Bool, out: String?, _ context: CommandContext) throws -> ExitCode {
        let shards = try dirs.map { d throws(Bad) in try read(d, study: study) }
        let first = shards[0]
        let keys = ["scenario", "scenario_sha256", "steps", "seeds", "version", "warmup_steps", "overrides"]
            + (study ? ["factors", "point_sha256", "slo_table"] : [])
        for s in shards {
            if s.header != first.header { throw Bad(message: "\(s.dir): expected the same columns as \(first.dir)") }
            if keys.contains(where: { field(s.meta, $0) != field(first.meta, $0) }) {
                throw Bad(message: "\(s.dir): expected the same scenario, design, steps and seeds as \(first.dir)")
            }
        }
        let labels = shards.map { field($0.meta, "shard") }
        let n = Int(labels[0].split(separator: "/").last ?? "") ?? 0
        let expected = (1...max(1, n)).map { "\($0)/\(n)" }
        guard Set(labels) == Set(expected), labels.count == n else {
            throw Bad(message: "expected shards " + expected.joined(separator: ", ") + ", found " + labels.sorted().joined(separator: ", "))
        }
        let range = field(first.meta, "seeds").components(separatedBy: "..").compactMap { UInt64($0) }
        guard range.count == 2, range[0] <= range[1] else { throw Bad(message: "\(first.dir): expected seeds A..B in the metadata") }
        let seedColumn = first.header.firstIndex(of: "seed") ?? 0
        // Sorted by (point, seed) for studies, by seed for sweeps: the single-process order.
        var keyed: [(point: Int, seed: UInt64, row: [String])] = []
        for s in shards {
            for r in s.rows {
                guard let seed = UInt64(r[seedColumn]), let point = study ? Int(r[0]) : 0 else {
                    throw Bad(message: "\(s.dir): expected numeric point and seed columns, found \(r.prefix(seedColumn + 1).joined(separator: ","))")
                }
                keyed.append((point, seed, r))
            }
        }
        keyed.sort { ($0.point, $0.seed) < ($1.point, $1.seed) }
        let points = Set(keyed.map(\.point)).sorted()
        for p in points where keyed.filter({ $0.point == p }).map(\.seed) != Array(range[0]...range[1]) {
            throw Bad(message: "the shards' rows do not cover seeds \(field(first.meta, "seeds")) exactly once" + (study ? " for point \(p)" : ""))
        }
        var sweepID = SweepTable.Identity(scenario: field(first.meta, "scenario"), scenarioSHA256: field(first.meta, "scenario_sha256"),
                                          steps: Int(field(first.meta, "steps")) ?? 0, firstSeed: range[0], lastSeed: range[1],
                                          version: field(first.meta, "version"))
        sweepID.warmupSteps = Int(field(first.meta, "warmup_steps")) ?? 0
        sweepID.overrides = strings(first.meta["overrides"])
        guard ScenarioName.isValid(sweepID.scenario) else {
            throw Bad(message: "\(first.dir)/\(study ? "study" : "sweep")_meta.json: scenario: expected \(ScenarioName.rule), found \(JSON.string(sweepID.scenario).described)")
        }
        let rows = keyed.map(\.row)
        let outputs = try OutputSet(directory: out ?? "out/\(sweepID.scenario)-\(study ? "study" : "sweep")")
        let paths: [String]
        if study {
            let identity = StudyTable.Identity(sweep: sweepID, factors: strings(first.meta["factors"]), pointSHA256: strings(first.meta["point_sha256"]))
            paths = try StudyCommand.write(outputs, shard: nil, identity: identity, slos: slos(first.meta["slo_table"]), header: first.header, rows: rows)
        } else {
            paths = try SweepCommand.write(outputs, shard: nil, identity: sweepID, header: first.header, rows: rows)
        }
        context.console.out("merged \(shards.count) shards, \(rows.count) rows: " + paths.joined(separator: ", ") + "\n")
        return .success
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
