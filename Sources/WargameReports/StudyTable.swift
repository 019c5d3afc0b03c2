/// `study.csv` and what a study concludes from it.
///
/// Like `SweepTable`, every statistic is computed from the *formatted* rows, so a study merged
/// from shards and one run in a single process write the same bytes. Rows are ordered by
/// design point, then seed; columns are `point`, one per factor (named by its path), then
/// the columns of `sweep.csv`.
public enum StudyTable {
    public static func header(factors: [String], slos: [SLO], teamSLOs: [String] = []) -> [String] {
        ["point"] + factors + SweepTable.header(slos: slos, teamSLOs: teamSLOs)
    }

    public static func row(point: Int, levels: [String], sweepRow: [String]) -> [String] {
        [String(point)] + levels + sweepRow
    }

    /// Who ran what: the study's part of `study_summary.json` (and of shard metadata).
    public struct Identity: Sendable, Equatable {
        public var sweep: SweepTable.Identity
        public var factors: [String]
        /// SHA-256 of each point's effective configuration, in point order.
        public var pointSHA256: [String]

        public init(sweep: SweepTable.Identity, factors: [String], pointSHA256: [String]) {
            self.sweep = sweep
            self.factors = factors
            self.pointSHA256 = pointSHA256
        }
    }

    /// The header's factor names: the columns between `point` and `seed`.
    public static func factors(in header: [String]) -> [String] {
        guard header.first == "point", let s = header.firstIndex(of: "seed") else { return [] }
        return Array(header[1..<s])
    }

    /// The SLO table as summaries record it (so a report can draw thresholds).
    public static func sloTable(_ slos: [SLO]) -> JSONValue {
        .array(slos.map { .object([("name", .string($0.name)), ("kpi", .string($0.kpi.rawValue)), ("op", .string($0.comparison.rawValue)),
                                   ("threshold", .number($0.threshold, decimals: $0.kpi.decimals(extra: 2)))]) })
    }

    public static func summary(identity id: Identity, slos: [SLO], header: [String], rows: [[String]]) -> JSONValue {
        let a = StudyAnalysis(header: header, rows: rows)
        func interval(_ s: SweepStatistics.Summary?, _ d: Int) -> JSONValue {
            guard let s else { return .null }
            return .object([("n", .int(Int64(s.count))), ("mean", .number(s.mean, decimals: d)),
                            ("ci95_low", .number(s.ciLow, decimals: d)), ("ci95_high", .number(s.ciHigh, decimals: d))])
        }
        let points: [JSONValue] = a.points.enumerated().map { p, point in
            .object([
                ("point", .int(Int64(point.point))),
                ("settings", .object(zip(a.factors, point.levels).map { ($0, .string($1)) })),
                ("scenario_sha256", .string(p < id.pointSHA256.count ? id.pointSHA256[p] : "")),
                ("kpis", .object(a.kpis.indices.map { k in (a.kpis[k].rawValue, interval(point.kpis[k], a.kpis[k].decimals(extra: 2))) })),
                ("slos", .object(a.slos.indices.map { s in
                    let r = point.slos[s]
                    return (a.slos[s], .object([("passes", .int(Int64(r.passes))), ("runs", .int(Int64(r.runs))),
                                                ("pass_fraction", .number(r.fraction, decimals: 4)),
                                                ("wilson95_low", .number(r.low, decimals: 4)), ("wilson95_high", .number(r.high, decimals: 4))]))
                })),
            ])
        }
        let effects: [JSONValue] = a.factors.indices.map { f in
            .object([("factor", .string(a.factors[f])), ("kpis", .object(a.kpis.indices.map { k in
                let d = a.kpis[k].decimals(extra: 2)
                return (a.kpis[k].rawValue, .array(a.effects[f][k].map { e in
                    var m: [(String, JSONValue)] = [("value", .string(e.level)), ("mean", interval(e.summary, d))]
                    if let v = e.vsFirst {
                        let below = a.belowResolution(v, kpi: k, factor: f)
                        m.append(("vs_first_level", .object([("difference", .number(v.mean, decimals: d)), ("ci95_low", .number(v.ciLow, decimals: d)),
                                                             ("ci95_high", .number(v.ciHigh, decimals: d)), ("significant", .bool(v.significant)),
                                                             ("below_resolution", .bool(below))])))
                    }
                    return .object(m)
                }))
            }))])
        }
        let s = id.sweep
        return .object([
            ("scenario", .string(s.scenario)), ("scenario_sha256", .string(s.scenarioSHA256)),
            ("steps", .int(Int64(s.steps))), ("seeds", .string("\(s.firstSeed)..\(s.lastSeed)")),
            ("replications_per_point", .int(Int64(a.points.first?.runs ?? 0))), ("points", .int(Int64(a.points.count))),
            ("version", .string(s.version)), ("warmup_steps", .int(Int64(s.warmupSteps))),
            ("overrides", .array(s.overrides.map { .string($0) })),
            ("slo_table", sloTable(slos)),
            ("factors", .array(a.factors.indices.map { f in .object([("path", .string(a.factors[f])), ("values", .array(a.levels[f].map { .string($0) }))]) })),
            ("design", .array(points)),
            ("main_effects", .array(effects)),
        ])
    }

    public static func markdown(identity id: Identity, header: [String], rows: [[String]]) -> String {
        let a = StudyAnalysis(header: header, rows: rows), s = id.sweep
        var out = "# Study: \(s.scenario)\n\n"
        out += "\(a.points.count) design points × seeds \(s.firstSeed)..\(s.lastSeed) (common random numbers: every point runs the same seeds), "
        out += "\(NumberFormat.counted(s.steps, "step")) each" + (s.warmupSteps > 0 ? ", the first \(s.warmupSteps) left out as warm-up" : "") + "; "
        out += "base scenario SHA-256 `\(s.scenarioSHA256)`.\n"
        if !s.overrides.isEmpty { out += "Overrides on every point: " + s.overrides.map { "`--set \($0)`" }.joined(separator: ", ") + ".\n" }
        out += "\nFactors: " + a.factors.indices.map { "`\(a.factors[$0])` ∈ {" + a.levels[$0].joined(separator: ", ") + "}" }.joined(separator: "; ") + ".\n"
        out += "\n## SLO pass fraction per point (95 % Wilson interval)\n\n"
        out += "| point | " + (a.factors + a.slos).joined(separator: " | ") + " |\n|" + String(repeating: "---|", count: 1 + a.factors.count + a.slos.count) + "\n"
        for p in a.points {
            out += "| \(p.point) | " + p.levels.joined(separator: " | ") + " | "
            out += p.slos.map { "\($0.passes)/\($0.runs) (\(NumberFormat.fixed($0.low, 2))…\(NumberFormat.fixed($0.high, 2)))" }.joined(separator: " | ") + " |\n"
        }
        out += "\n## KPI mean per point (95 % t interval)\n\n"
        out += "| point | " + (a.factors + a.kpis.map(\.rawValue)).joined(separator: " | ") + " |\n|" + String(repeating: "---|", count: 1 + a.factors.count + a.kpis.count) + "\n"
        for p in a.points {
            out += "| \(p.point) | " + p.levels.joined(separator: " | ") + " | "
            out += a.kpis.indices.map { k in p.kpis[k].map { cell($0, a.kpis[k].decimals(extra: 1)) } ?? "—" }.joined(separator: " | ") + " |\n"
        }
        out += "\n## Main effects\n\nEach level's mean over the other factors' levels, and its paired difference from the first level (same seeds).\n"
        for f in a.factors.indices {
            out += "\n### `\(a.factors[f])`\n\n| KPI | " + a.levels[f].joined(separator: " | ") + " |\n|" + String(repeating: "---|", count: 1 + a.levels[f].count) + "\n"
            for k in a.kpis.indices {
                let d = a.kpis[k].decimals(extra: 1)
                out += "| \(a.kpis[k].rawValue) | " + a.effects[f][k].map { e in
                    var c = e.summary.map { NumberFormat.fixed($0.mean, d) } ?? "—"
                    if let v = e.vsFirst {
                        let delta = a.belowResolution(v, kpi: k, factor: f) ? "below resolution" : NumberFormat.fixed(v.mean, d)
                        c += " (Δ " + delta + (v.significant ? "*" : "") + ")"
                    }
                    return c
                }.joined(separator: " | ") + " |\n"
            }
        }
        out += "\n\\* the 95 % interval of the paired difference excludes zero. \"Below resolution\": the mean difference is smaller than the KPI resolves at that level (`KPI.resolution`: a latency's histogram bucket, a ratio's 1e-4, one failover), so it is not a measured effect.\n"
        return out
    }

    static func cell(_ s: SweepStatistics.Summary, _ d: Int) -> String {
        NumberFormat.fixed(s.mean, d) + " (" + NumberFormat.fixed(s.ciLow, d) + "…" + NumberFormat.fixed(s.ciHigh, d) + ")"
    }
}

/// The statistics of a study, from its rows: per point, per factor level.
public struct StudyAnalysis {
    public struct PassCount { public let passes: Int, runs: Int, fraction: Double, low: Double, high: Double }
    public struct Point { public let point: Int; public let levels: [String]; public let runs: Int
                          public let kpis: [SweepStatistics.Summary?]; public let slos: [PassCount] }
    public struct LevelEffect { public let level: String; public let summary: SweepStatistics.Summary?; public let vsFirst: SweepStatistics.Difference? }

    public let factors: [String]
    /// Each factor's levels in design order.
    public let levels: [[String]]
    public let kpis = KPI.allCases
    public let slos: [String]
    public let points: [Point]
    /// factor × KPI × level.
    public let effects: [[[LevelEffect]]]

    /// Whether a level's paired difference from the first level is smaller than the KPI
    /// resolves at the first level's mean.
    public func belowResolution(_ d: SweepStatistics.Difference, kpi k: Int, factor f: Int) -> Bool {
        let near = effects[f][k].first?.summary?.mean ?? 0
        return kpis[k].belowResolution(d.mean, at: abs(near))
    }

    public init(header: [String], rows: [[String]]) {
        factors = StudyTable.factors(in: header)
        let seedColumn = factors.count + 1
        let kpiColumns = KPI.allCases.map { header.firstIndex(of: $0.rawValue) ?? -1 }
        let sloColumns = header.indices.filter { header[$0].hasPrefix("slo_") }
        slos = sloColumns.map { String(header[$0].dropFirst(4)) }
        func value(_ r: [String], _ c: Int) -> Double? { c >= 0 && c < r.count ? Double(r[c]) : nil }
        levels = factors.indices.map { f in rows.reduce(into: [String]()) { if !$0.contains($1[f + 1]) { $0.append($1[f + 1]) } } }
        var groups: [(point: Int, rows: [[String]])] = []
        for r in rows {
            let p = Int(r[0]) ?? 0
            if groups.last?.point == p { groups[groups.count - 1].rows.append(r) } else { groups.append((p, [r])) }
        }
        points = groups.map { g in
            Point(point: g.point, levels: Array(g.rows[0][1..<seedColumn]), runs: g.rows.count,
                  kpis: kpiColumns.map { c in SweepStatistics.summarize(g.rows.compactMap { value($0, c) }) },
                  slos: sloColumns.map { c in
                      let k = g.rows.filter { $0[c] == Verdict.pass.rawValue }.count, n = g.rows.count
                      let w = SweepStatistics.wilson(successes: k, trials: n)
                      return PassCount(passes: k, runs: n, fraction: n > 0 ? Double(k) / Double(n) : 0, low: w.low, high: w.high)
                  })
        }
        // Main effects on common random numbers: per seed, the mean over the points at a level.
        var seedIndex: [String: Int] = [:]
        for r in rows where seedIndex[r[seedColumn]] == nil { seedIndex[r[seedColumn]] = seedIndex.count }
        let levels = self.levels
        effects = factors.indices.map { f in
            var levelIndex: [String: Int] = [:]
            for (i, l) in levels[f].enumerated() { levelIndex[l] = i }
            return kpiColumns.map { c in
                // sums[level][seed], counts, and whether any point lacked the KPI there.
                var sums = [[Double]](repeating: [Double](repeating: 0, count: seedIndex.count), count: levels[f].count)
                var counts = sums.map { $0.map { _ in 0 } }
                var missing = sums.map { $0.map { _ in false } }
                for r in rows {
                    let l = levelIndex[r[f + 1]]!, s = seedIndex[r[seedColumn]]!
                    if let x = value(r, c) { sums[l][s] += x; counts[l][s] += 1 } else { missing[l][s] = true }
                }
                let perLevel: [[Double?]] = sums.indices.map { l in
                    sums[l].indices.map { s in counts[l][s] > 0 && !missing[l][s] ? sums[l][s] / Double(counts[l][s]) : nil }
                }
                return levels[f].indices.map { l in
                    let pairs = zip(perLevel[0], perLevel[l]).compactMap { a, b in a.flatMap { x in b.map { (x, $0) } } }
                    return LevelEffect(level: levels[f][l], summary: SweepStatistics.summarize(perLevel[l].compactMap { $0 }),
                                       vsFirst: l == 0 ? nil : SweepStatistics.paired(pairs.map(\.0), pairs.map(\.1)))
                }
            }
        }
    }
}
