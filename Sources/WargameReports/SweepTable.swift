/// `sweep.csv` rows and the sweep summary.
///
/// The summary is always computed from the *formatted* rows — parsed back from their fixed
/// decimals — whether the rows were just produced or read from shard files, which is what
/// makes a merged sweep byte-identical to a single-process one.
public enum SweepTable {
    /// `teamSLOs`: the ids of the team's SLO specs (`monitoring`), each a verdict column
    /// `slo_team:ID` after the scenario's own — summarised like them; the colon keeps them
    /// apart, since a scenario's SLO names cannot contain one.
    public static func header(slos: [SLO], teamSLOs: [String] = []) -> [String] {
        ["seed"] + KPI.allCases.map(\.rawValue) + slos.map { "slo_" + $0.name } + teamSLOs.map { teamColumnPrefix + $0 }
    }

    public static let teamColumnPrefix = "slo_team:"

    /// The team SLO ids of a header's `slo_team:` columns.
    public static func teamSLOs(in header: [String]) -> [String] {
        header.filter { $0.hasPrefix(teamColumnPrefix) }.map { String($0.dropFirst(teamColumnPrefix.count)) }
    }

    public static func row(seed: UInt64, _ r: RunReport) -> [String] {
        [String(seed)] + KPI.allCases.map { RunReport.format($0, r.kpis[$0]).replacingOccurrences(of: "n/a", with: "") }
            + r.results.map(\.verdict.rawValue) + r.teamSLOs.map(\.verdict.rawValue)
    }

    /// Why `cell` cannot be in column `column` of a row this table writes, or nil when it
    /// can: seeds are canonical unsigned integers, KPIs empty (not available) or written
    /// with exactly their fixed decimals and in their range, verdicts `pass` or `breach`.
    /// `merge` checks every cell of every shard with it, so a corrupted or hand-edited
    /// shard is refused instead of being summarised.
    public static func problem(column: String, cell: String) -> String? {
        if column == "seed" {
            return isCanonicalInteger(cell) && UInt64(cell) != nil ? nil : "expected a seed (an integer in 0…2^64−1)"
        }
        if column.hasPrefix("slo_") {
            return Verdict(rawValue: cell) != nil ? nil : "expected a verdict, " + Verdict.allCases.map(\.rawValue).joined(separator: " or ")
        }
        guard let kpi = KPI(rawValue: column) else { return nil }
        if cell.isEmpty { return nil }
        let d = kpi.decimals
        // A latency is written with the decimals its histogram bucket resolves (0 to 3).
        let allowed = kpi.isLatency ? 0...d : d...d
        let expected = "expected " + kpi.rangeText
            + (kpi.isLatency ? " written with at most \(d) decimals" : d == 0 ? " written as an integer" : " written with \(d) decimals")
            + ", or empty for n/a"
        let parts = cell.split(separator: ".", omittingEmptySubsequences: false)
        let decimals = parts.count == 2 ? parts[1].count : 0
        guard isCanonicalInteger(String(parts[0])), parts.count <= 2, allowed.contains(decimals), parts.count == 1 || decimals > 0,
              parts.count == 1 || parts[1].allSatisfy({ $0.isASCII && $0.isNumber }),
              let value = Double(cell), value.isFinite, kpi.range.contains(value) else { return expected }
        return nil
    }

    /// Digits only, and no leading zero but in "0" itself.
    public static func isCanonicalInteger(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } && (s.utf8.count == 1 || s.utf8.first != 48)
    }

    /// Identity of the sweep, written with shard rows and into the summary.
    public struct Identity: Sendable, Equatable {
        public var scenario: String
        public var scenarioSHA256: String
        public var steps: Int
        public var firstSeed: UInt64
        public var lastSeed: UInt64
        public var version: String
        /// `--set` overrides (`PATH=VALUE`) and the warm-up, part of what was run.
        public var overrides: [String] = []
        public var warmupSteps = 0

        public init(scenario: String, scenarioSHA256: String, steps: Int, firstSeed: UInt64, lastSeed: UInt64, version: String) {
            self.scenario = scenario
            self.scenarioSHA256 = scenarioSHA256
            self.steps = steps
            self.firstSeed = firstSeed
            self.lastSeed = lastSeed
            self.version = version
        }
    }

    public static func summary(identity id: Identity, slos: [SLO], header: [String], rows: [[String]]) -> JSONValue {
        var kpis: [(String, JSONValue)] = []
        for kpi in KPI.allCases {
            let c = header.firstIndex(of: kpi.rawValue)!
            let values = rows.compactMap { Double($0[c]) }
            let d = kpi.decimals(extra: 2)
            guard let s = SweepStatistics.summarize(values) else { kpis.append((kpi.rawValue, .null)); continue }
            kpis.append((kpi.rawValue, .object([
                ("n", .int(Int64(s.count))), ("mean", .number(s.mean, decimals: d)), ("sd", .number(s.standardDeviation, decimals: d)),
                ("ci95_low", .number(s.ciLow, decimals: d)), ("ci95_high", .number(s.ciHigh, decimals: d)),
                ("p5", .number(s.p5, decimals: d)), ("p50", .number(s.p50, decimals: d)), ("p95", .number(s.p95, decimals: d)),
            ])))
        }
        let table = slos
        var fractions: [(String, JSONValue)] = []
        for (c, name) in header.enumerated() where name.hasPrefix("slo_") {
            let passes = rows.filter { $0[c] == Verdict.pass.rawValue }.count
            let w = SweepStatistics.wilson(successes: passes, trials: rows.count)
            fractions.append((String(name.dropFirst(4)), .object([
                ("passes", .int(Int64(passes))), ("runs", .int(Int64(rows.count))),
                ("pass_fraction", .number(rows.isEmpty ? 0 : Double(passes) / Double(rows.count), decimals: 4)),
                ("wilson95_low", .number(w.low, decimals: 4)), ("wilson95_high", .number(w.high, decimals: 4)),
            ])))
        }
        return .object([
            ("scenario", .string(id.scenario)), ("scenario_sha256", .string(id.scenarioSHA256)),
            ("steps", .int(Int64(id.steps))), ("seeds", .string("\(id.firstSeed)..\(id.lastSeed)")),
            ("replications", .int(Int64(rows.count))), ("version", .string(id.version)),
            ("warmup_steps", .int(Int64(id.warmupSteps))), ("overrides", .array(id.overrides.map { .string($0) })),
            ("slo_table", StudyTable.sloTable(table)),
            ("kpis", .object(kpis)), ("slos", .object(fractions)),
        ])
    }

    public static func markdown(_ summary: JSONValue) -> String {
        guard case .object(let top) = summary else { return "" }
        func get(_ m: [(String, JSONValue)], _ k: String) -> JSONValue? { m.first { $0.0 == k }?.1 }
        func text(_ v: JSONValue?) -> String {
            switch v {
            case .string(let s)?: s
            case .int(let n)?: String(n)
            case .number(let x, let d)?: NumberFormat.fixed(x, d)
            default: "—"
            }
        }
        var out = "# Sweep: \(text(get(top, "scenario")))\n\n"
        out += "Seeds \(text(get(top, "seeds"))) (\(text(get(top, "replications"))) replications), \(text(get(top, "steps"))) steps each, "
        out += "scenario SHA-256 `\(text(get(top, "scenario_sha256")))`"
        if case .int(let w)? = get(top, "warmup_steps"), w > 0 { out += ", the first \(w) steps of each left out as warm-up" }
        out += ".\n"
        if case .array(let o)? = get(top, "overrides"), !o.isEmpty { out += "Overrides: " + o.map { "`--set \(text($0))`" }.joined(separator: ", ") + ".\n" }
        out += "\n"
        out += "| KPI | mean | sd | 95 % CI | p5 | p50 | p95 |\n|---|---|---|---|---|---|---|\n"
        if case .object(let kpis)? = get(top, "kpis") {
            for (name, v) in kpis {
                guard case .object(let m) = v else { out += "| \(name) | — | — | — | — | — | — |\n"; continue }
                out += "| \(name) | \(text(get(m, "mean"))) | \(text(get(m, "sd"))) | \(text(get(m, "ci95_low")))…\(text(get(m, "ci95_high"))) | "
                out += "\(text(get(m, "p5"))) | \(text(get(m, "p50"))) | \(text(get(m, "p95"))) |\n"
            }
        }
        out += "\n| SLO | passes | pass fraction | 95 % Wilson interval |\n|---|---|---|---|\n"
        if case .object(let slos)? = get(top, "slos") {
            for (name, v) in slos {
                guard case .object(let m) = v else { continue }
                out += "| \(name) | \(text(get(m, "passes")))/\(text(get(m, "runs"))) | \(text(get(m, "pass_fraction"))) | "
                out += "\(text(get(m, "wilson95_low")))…\(text(get(m, "wilson95_high"))) |\n"
            }
        }
        return out
    }
}
