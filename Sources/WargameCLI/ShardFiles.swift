import WargameReports
import WargameScenario

/// One shard directory of `sweep --shard` or `study --shard`, read and checked cell by
/// cell before `merge` trusts any of it.
///
/// A shard is data someone could have edited, truncated or copied from another run; a
/// merge that summarised it anyway would publish confidence intervals over garbage. So
/// every metadata field must have its type and range, every cell must be what the sweep
/// table writes (`SweepTable.problem`), and every row must belong to this shard's slice
/// of the seeds. Problems are collected (up to `ShardProblems.limit`), each naming the
/// file and the field, or the line and column of the cell.
struct ShardFiles {
    let dir: String
    let kind: String
    let meta: Meta
    let header: [String]
    /// Rows with the line each came from, for messages about duplicates.
    let rows: [(line: Int, cells: [String])]

    var metaFile: String { "\(dir)/\(kind)_meta.json" }
    var rowsFile: String { "\(dir)/\(kind)_rows.csv" }

    /// The metadata a shard carries, each field checked for type and range.
    struct Meta {
        var scenario = "", scenarioSHA256 = "", version = ""
        var steps = 0, warmupSteps = 0
        var firstSeed: UInt64 = 0, lastSeed: UInt64 = 0
        var shardIndex = 0, shardCount = 0
        var overrides: [String] = []
        // Studies only.
        var factors: [String] = []
        var pointSHA256: [String] = []
        var sloTable: [SLO] = []
        /// The team's SLO ids (`SweepTable.header`'s `slo_team:` columns).
        var teamSLOs: [String] = []
        /// Each agreed field as it reads, for comparing shards with each other.
        var agreed: [(key: String, text: String)] = []
    }

    static func sweepKeys(study: Bool) -> [String] {
        ["scenario", "scenario_sha256", "steps", "seeds", "shard", "version", "warmup_steps", "overrides", "slo_table", "team_slos"]
            + (study ? ["factors", "point_sha256"] : [])
    }

    /// Reads and checks `dir`; every problem goes to `problems`. Nil when the files could
    /// not be read or parsed at all.
    static func read(_ dir: String, study: Bool, _ problems: ShardProblems) throws(ShardProblems) -> ShardFiles? {
        let kind = study ? "study" : "sweep"
        let metaFile = "\(dir)/\(kind)_meta.json", rowsFile = "\(dir)/\(kind)_rows.csv"
        let metaText: String, rowsText: String
        switch (InputFile.text(metaFile, limit: 16 << 20), InputFile.text(rowsFile)) {
        case (.success(let m), .success(let r)): (metaText, rowsText) = (m, r)
        case (.failure(let p), _):
            try problems.add("\(metaFile): expected the metadata 'wargame \(kind) --shard' writes, found \(p.found)")
            return nil
        case (_, .failure(let p)):
            try problems.add("\(rowsFile): expected the rows 'wargame \(kind) --shard' writes, found \(p.found)")
            return nil
        }
        let json: JSON
        do { json = try JSONParser.parse(metaText) } catch {
            try problems.add("\(metaFile): malformed JSON at line \(error.line), column \(error.column): \(error.message)")
            return nil
        }
        guard let meta = try checkMeta(json, file: metaFile, study: study, problems) else { return nil }
        let records: [CSVReader.Record]
        do { records = try CSVReader.records(rowsText) } catch {
            try problems.add("\(rowsFile): line \(error.line): expected RFC 4180 CSV, found \(error.message)")
            return nil
        }
        guard let head = records.first else {
            try problems.add("\(rowsFile): expected a header row, found an empty file")
            return nil
        }
        guard try checkHeader(head.fields, meta: meta, file: rowsFile, study: study, problems) else { return nil }
        var rows: [(line: Int, cells: [String])] = []
        for r in records.dropFirst() {
            guard r.fields.count == head.fields.count else {
                try problems.add("\(rowsFile): line \(r.line): expected \(head.fields.count) fields as in the header, found \(r.fields.count)")
                continue
            }
            if try checkRow(r, header: head.fields, meta: meta, file: rowsFile, study: study, problems) { rows.append((r.line, r.fields)) }
        }
        return ShardFiles(dir: dir, kind: kind, meta: meta, header: head.fields, rows: rows)
    }

    // MARK: metadata

    static func checkMeta(_ json: JSON, file: String, study: Bool, _ problems: ShardProblems) throws(ShardProblems) -> Meta? {
        guard case .object(let members) = json else {
            try problems.add("\(file): expected a JSON object, found \(json.described)")
            return nil
        }
        let keys = sweepKeys(study: study)
        for m in members where !keys.contains(m.key) {
            try problems.add("\(file): \(m.key): expected only the fields " + keys.joined(separator: ", ") + ", found this one too")
        }
        var meta = Meta(), ok = true
        func bad(_ key: String, _ expected: String) throws(ShardProblems) {
            ok = false
            try problems.add("\(file): \(key): expected \(expected), found " + (json[key]?.described ?? "nothing"))
        }
        func string(_ key: String) -> String? { if case .string(let s)? = json[key] { s } else { nil } }
        func integer(_ key: String, _ range: ClosedRange<Int>) -> Int? {
            if case .number(let n)? = json[key], let v = n.int, range.contains(v) { v } else { nil }
        }
        func strings(_ key: String) -> [String]? {
            guard case .array(let items)? = json[key] else { return nil }
            let out = items.compactMap { if case .string(let s) = $0 { s } else { nil } }
            return out.count == items.count ? out : nil
        }
        func isDigest(_ s: String) -> Bool { s.utf8.count == 64 && s.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) } }

        if let s = string("scenario"), ScenarioName.isValid(s) { meta.scenario = s } else { try bad("scenario", ScenarioName.rule) }
        if let s = string("scenario_sha256"), isDigest(s) { meta.scenarioSHA256 = s } else { try bad("scenario_sha256", "64 lowercase hex digits") }
        if let v = integer("steps", 1...10_000_000) { meta.steps = v } else { try bad("steps", "an integer in 1…10000000") }
        let ends = string("seeds")?.components(separatedBy: "..") ?? []
        if ends.count == 2, SweepTable.isCanonicalInteger(ends[0]), SweepTable.isCanonicalInteger(ends[1]),
           let a = UInt64(ends[0]), let b = UInt64(ends[1]), a <= b, b - a < 1_000_000 {
            (meta.firstSeed, meta.lastSeed) = (a, b)
        } else {
            try bad("seeds", "\"A..B\" with A ≤ B and at most 1000000 seeds")
        }
        let label = string("shard")?.split(separator: "/", omittingEmptySubsequences: false) ?? []
        if label.count == 2, let i = Int(label[0]), let n = Int(label[1]), n >= 1, n <= 100_000, i >= 1, i <= n, "\(i)/\(n)" == string("shard") {
            (meta.shardIndex, meta.shardCount) = (i, n)
        } else {
            try bad("shard", "\"I/N\" with 1 ≤ I ≤ N ≤ 100000")
        }
        if let s = string("version"), !s.isEmpty { meta.version = s } else { try bad("version", "the wargame version, a non-empty string") }
        if let v = integer("warmup_steps", 0...max(0, meta.steps - 1)) { meta.warmupSteps = v } else {
            try bad("warmup_steps", "an integer in 0…\(max(0, meta.steps - 1)) (fewer than the steps)")
        }
        if let o = strings("overrides") { meta.overrides = o } else { try bad("overrides", "an array of strings PATH=VALUE") }
        let table = json["slo_table"] ?? .null
        let slos = MergeCommand.slos(table)
        if case .array(let items) = table, slos.count == items.count,
           slos.allSatisfy({ $0.threshold.isFinite && ScenarioName.isValid($0.name) }), Set(slos.map(\.name)).count == slos.count {
            meta.sloTable = slos
        } else {
            try bad("slo_table", "an array of objects with a distinct name, kpi, op and a finite threshold")
        }
        if let ids = strings("team_slos"), ids.allSatisfy({ !$0.isEmpty }), Set(ids).count == ids.count { meta.teamSLOs = ids } else {
            try bad("team_slos", "an array of distinct, non-empty SLO ids")
        }
        if study {
            if let f = strings("factors"), !f.isEmpty, Set(f).count == f.count { meta.factors = f } else {
                try bad("factors", "a non-empty array of distinct factor paths")
            }
            if let d = strings("point_sha256"), !d.isEmpty, d.allSatisfy(isDigest) { meta.pointSHA256 = d } else {
                try bad("point_sha256", "a non-empty array of SHA-256 digests (64 lowercase hex digits)")
            }
        }
        guard ok else { return nil }
        meta.agreed = keys.filter { $0 != "shard" }.map { ($0, json[$0]?.compact ?? "") }
        return meta
    }

    // MARK: rows

    static func checkHeader(_ header: [String], meta: Meta, file: String, study: Bool, _ problems: ShardProblems) throws(ShardProblems) -> Bool {
        let expected = (study ? ["point"] + meta.factors : []) + SweepTable.header(slos: meta.sloTable, teamSLOs: meta.teamSLOs)
        guard header == expected else {
            try problems.add("\(file): line 1: expected the header " + expected.joined(separator: ",") + ", found " + header.joined(separator: ","))
            return false
        }
        return true
    }

    /// Checks every cell of one row and that its seed is in this shard's slice.
    static func checkRow(_ r: CSVReader.Record, header: [String], meta: Meta, file: String, study: Bool,
                         _ problems: ShardProblems) throws(ShardProblems) -> Bool {
        var ok = true
        func bad(_ column: Int, _ expected: String) throws(ShardProblems) {
            ok = false
            try problems.add("\(file): line \(r.line), column \(column + 1) (\(header[column])): \(expected), found "
                             + String(JSON.string(r.fields[column]).described.dropFirst("the string ".count)))
        }
        let factorColumns = study ? 1..<(meta.factors.count + 1) : 1..<1
        for (c, cell) in r.fields.enumerated() {
            if study && c == 0 {
                if !SweepTable.isCanonicalInteger(cell) || !(1...meta.pointSHA256.count).contains(Int(cell) ?? 0) {
                    try bad(c, "expected a design point in 1…\(meta.pointSHA256.count)")
                }
            } else if factorColumns.contains(c) {
                if cell.isEmpty { try bad(c, "expected the factor's level") }
            } else if let why = SweepTable.problem(column: header[c], cell: cell) {
                try bad(c, why)
            }
        }
        guard ok, let c = header.firstIndex(of: "seed"), let seed = UInt64(r.fields[c]) else { return false }
        guard seed >= meta.firstSeed && seed <= meta.lastSeed else {
            try bad(c, "expected a seed in \(meta.firstSeed)..\(meta.lastSeed) (the metadata's seeds)")
            return false
        }
        if Int((seed - meta.firstSeed) % UInt64(meta.shardCount)) != meta.shardIndex - 1 {
            try bad(c, "expected a seed of shard \(meta.shardIndex)/\(meta.shardCount)'s slice (every \(NumberFormat.ordinal(meta.shardCount)) from \(meta.firstSeed + UInt64(meta.shardIndex - 1)))")
            return false
        }
        return true
    }
}

/// The problems found in the shards, up to a limit, as `merge` reports them.
/// One merge owns it on one thread, so its mutable state needs no lock.
final class ShardProblems: Error, @unchecked Sendable {
    static let limit = 20
    private(set) var messages: [String] = []
    private(set) var truncated = false

    /// Records `message`; at the limit, throws to stop reading.
    func add(_ message: String) throws(ShardProblems) {
        messages.append(message)
        if messages.count >= Self.limit {
            truncated = true
            throw self
        }
    }

    var report: String {
        var out = messages.map { "Error: \($0)\n" }.joined()
        if truncated {
            out += "Stopped after \(Self.limit) errors; nothing was merged.\n"
        } else if messages.count > 1 {
            out += "\(messages.count) errors; nothing was merged.\n"
        }
        return out
    }
}
