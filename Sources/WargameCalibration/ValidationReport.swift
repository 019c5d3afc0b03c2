import WargameReports

/// `validation.json`, `validation.md` and the terminal table of `validate-model`.
public struct ValidationReport: Sendable {
    public let scenario: String, name: String, source: String
    public let window: Double
    public let steps: Int
    public let seeds: [UInt64]
    public let validation: ModelValidation
    /// KPIs left out: the observation or the runs have no value for them.
    public let skipped: [String]

    public init(scenario: String, name: String, source: String, window: Double, steps: Int, seeds: [UInt64], validation: ModelValidation, skipped: [String]) {
        self.scenario = scenario; self.name = name; self.source = source; self.window = window; self.steps = steps
        self.seeds = seeds; self.validation = validation; self.skipped = skipped
    }

    static func n(_ x: Double) -> JSONValue { .significant(x, digits: 6) }

    public func json() -> JSONValue {
        .object([
            ("validation", .object([
                ("scenario", .string(scenario)), ("observed", .string(source)), ("window_s", .number(window, decimals: 0)),
                ("steps", .int(Int64(steps))), ("seeds", .string("\(seeds.first ?? 0)..\(seeds.last ?? 0)")), ("replications", .int(Int64(seeds.count))),
                ("alpha", .number(validation.alpha, decimals: 2)), ("method", .string("holm_bonferroni")),
                ("reproduced", .bool(validation.reproduced)), ("skipped", .array(skipped.map { .string($0) })),
            ])),
            ("kpis", .array(validation.results.map { r in
                .object([("kpi", .string(r.kpi)), ("observed", Self.n(r.observed)), ("simulated_mean", Self.n(r.mean)), ("simulated_sd", Self.n(r.sd)),
                         ("n", .int(Int64(r.n))), ("interval", .array([Self.n(r.interval.low), Self.n(r.interval.high)])),
                         ("method", .string(r.method)), ("p_value", .number(r.pValue, decimals: 4)),
                         ("holm_threshold", r.method == "t" ? .number(r.threshold, decimals: 4) : .null), ("verdict", .string(r.verdict.rawValue))])
            })),
        ])
    }

    var rows: [[String]] {
        validation.results.map { r in
            [r.kpi, NumberFormat.significant(r.observed, 5), NumberFormat.significant(r.mean, 5),
             NumberFormat.significant(r.interval.low, 4) + " – " + NumberFormat.significant(r.interval.high, 4),
             (r.pValue < 0.0001 ? "< 0.0001" : NumberFormat.fixed(r.pValue, 4)) + (r.method == "rank" ? " (rank)" : ""),
             r.verdict == .notJudged ? "not judged" : r.verdict.rawValue]
        }
    }

    static let header = ["KPI", "observed", "simulated mean", "95 % prediction interval", "p", "verdict"]

    var headline: String {
        let rejected = validation.results.filter { $0.verdict == .rejected }.map(\.kpi)
        return rejected.isEmpty
            ? "every judged KPI reproduced (Holm–Bonferroni, family-wise 5 %)"
            : "NOT reproduced: " + rejected.joined(separator: ", ") + " (Holm–Bonferroni, family-wise 5 %)"
    }

    public func terminal() -> String {
        "wargame validate-model: \(name) against \(source), \(NumberFormat.counted(seeds.count, "seed")) of \(steps) steps: \(headline)\n"
            + TextTable.render([Self.header] + rows, indent: "  ")
    }

    public func markdown() -> String {
        var out = "# Validation of \(name)\n\n"
        out += "Scenario `\(scenario)` against the observed window `\(source)` (\(NumberFormat.significant(window / 3_600, 4)) h), "
        out += "simulated on \(NumberFormat.counted(seeds.count, "seed")) (\(seeds.first ?? 0)..\(seeds.last ?? 0)) of \(steps) steps. **\(headline).**\n\n"
        out += TextTable.markdown([Self.header] + rows) + "\n"
        out += "Each KPI's p-value is that of a t prediction interval over the seeds (assuming the KPI is roughly normal across seeds), "
        out += "or, for a KPI the model gives fewer than \(ModelValidation.minimumDistinct) distinct values, the observation's rank among them "
        out += "(not judged when outside them: too few seeds to reject). Holm–Bonferroni keeps the chance of rejecting a correct model "
        out += "on any KPI at most \(NumberFormat.fixed(validation.alpha * 100, 0)) %.\n"
        if !skipped.isEmpty { out += "\nNot compared (no value observed or simulated): " + skipped.joined(separator: ", ") + ".\n" }
        return out
    }
}
