import Foundation
import WargameReports
import WargameScenario

/// The effects a sensitivity run measured, and its files.
struct SensitivityAnalysis {
    typealias Effect = SweepStatistics.Difference
    let scenario: Scenario
    let seeds: [UInt64]
    let steps: Int
    let delta: Double
    let knobs: [SensitivityCommand.Knob]
    /// (knob, side) per variant; (−1, −1) is the base.
    let variants: [(knob: Int, side: Int)]
    /// Sweep rows, variant-major then seed.
    let rows: [[String]]

    var header: [String] { SweepTable.header(slos: scenario.slos, teamSLOs: scenario.teamSLOIDs) }
    static let sides = ["minus", "plus"]

    func column(_ kpi: KPI) -> Int { header.firstIndex(of: kpi.rawValue)! }

    func values(variant v: Int, _ kpi: KPI) -> [Double?] {
        rows[(v * seeds.count)..<((v + 1) * seeds.count)].map { Double($0[column(kpi)]) }
    }

    /// The paired change in `kpi` from the base when knob k moves to side s; nil when the side
    /// could not run or fewer than two seeds have the KPI in both.
    func effect(_ k: Int, _ s: Int, _ kpi: KPI) -> Effect? {
        guard let v = variants.firstIndex(where: { $0.knob == k && $0.side == s }) else { return nil }
        let pairs = zip(values(variant: 0, kpi), values(variant: v, kpi)).compactMap { a, b in a.flatMap { x in b.map { (x, $0) } } }
        return SweepStatistics.paired(pairs.map(\.0), pairs.map(\.1))
    }

    /// Knob indices for `kpi`, largest effect (either side) first.
    func ranking(_ kpi: KPI) -> [Int] {
        func size(_ k: Int) -> Double { [0, 1].compactMap { effect(k, $0, kpi).map { abs($0.mean) } }.max() ?? -1 }
        return knobs.indices.sorted { (size($0), knobs[$1].name) > (size($1), knobs[$0].name) }
    }

    func valuesText(_ xs: [Double]) -> String { xs.map { Factor.number($0).compact }.joined(separator: "+") }

    func effectText(_ e: Effect?, _ kpi: KPI) -> String {
        guard let e else { return "—" }
        let d = kpi.decimals(extra: 1)
        return (e.mean >= 0 ? "+" : "") + NumberFormat.fixed(e.mean, d) + " (" + NumberFormat.fixed(e.ciLow, d) + "…" + NumberFormat.fixed(e.ciHigh, d) + ")" + (e.significant ? "*" : "")
    }

    func json() -> JSONValue {
        func effectJSON(_ e: Effect?, _ kpi: KPI) -> JSONValue {
            guard let e else { return .null }
            let d = kpi.decimals(extra: 2)
            return .object([("mean_change", .number(e.mean, decimals: d)), ("ci95_low", .number(e.ciLow, decimals: d)),
                            ("ci95_high", .number(e.ciHigh, decimals: d)), ("significant", .bool(e.significant))])
        }
        let params: [JSONValue] = knobs.enumerated().map { k, knob in
            var m: [(String, JSONValue)] = [("name", .string(knob.name)), ("paths", .array(knob.paths.map { .string($0) })),
                                            ("values", .array(knob.values.map { .number($0, decimals: 6) }))]
            for (s, side) in knob.sides.enumerated() {
                var sm: [(String, JSONValue)] = [("values", .array(side.values.map { .number($0, decimals: 6) }))]
                if let p = side.problem { sm.append(("not_run", .string(p))) }
                sm.append(("effects", .object(KPI.allCases.map { ($0.rawValue, effectJSON(effect(k, s, $0), $0)) })))
                m.append((Self.sides[s], .object(sm)))
            }
            return .object(m)
        }
        return .object([
            ("scenario", .string(scenario.name)), ("scenario_sha256", .string(scenario.sha256)),
            ("seeds", .string("\(seeds.first!)..\(seeds.last!)")), ("steps", .int(Int64(steps))),
            ("warmup_steps", .int(Int64(scenario.run.warmupSteps))), ("delta", .number(delta, decimals: 4)),
            ("overrides", .array(scenario.overrides.map { .string($0.text) })),
            ("base", .object(KPI.allCases.map { kpi in
                (kpi.rawValue, SweepStatistics.summarize(values(variant: 0, kpi).compactMap { $0 }).map { .number($0.mean, decimals: kpi.decimals(extra: 2)) } ?? .null)
            })),
            ("parameters", .array(params)),
            ("ranking", .object(KPI.allCases.map { kpi in (kpi.rawValue, .array(ranking(kpi).map { .string(knobs[$0].name) })) })),
        ])
    }

    func tableRows(_ kpi: KPI) -> [[String]] {
        ranking(kpi).enumerated().map { rank, k in
            [kpi.rawValue, String(rank + 1), knobs[k].name, valuesText(knobs[k].sides[0].values), effectText(effect(k, 0, kpi), kpi),
             valuesText(knobs[k].sides[1].values), effectText(effect(k, 1, kpi), kpi)]
        }
    }

    func markdown() -> String {
        var out = "# Sensitivity: \(scenario.name)\n\n"
        out += "Each parameter moved −\(NumberFormat.fixed(delta * 100, 0)) % and +\(NumberFormat.fixed(delta * 100, 0)) % on its own (integers by at least 1), "
        out += "every variant on seeds \(seeds.first!)..\(seeds.last!) like the base (common random numbers), \(NumberFormat.counted(steps, "step")) each"
        out += scenario.run.warmupSteps > 0 ? ", the first \(scenario.run.warmupSteps) left out as warm-up" : ""
        out += ". An effect is the mean paired change from the base with its 95 % t interval; * marks an interval that excludes zero.\n"
        if !scenario.overrides.isEmpty { out += "Overrides: " + scenario.overrides.map { "`--set \($0.text)`" }.joined(separator: ", ") + ".\n" }
        for k in knobs.indices { for s in knobs[k].sides where s.problem != nil { out += "\n- `\(knobs[k].name)` = \(valuesText(s.values)) not run: \(s.problem!)" } }
        for kpi in KPI.allCases {
            out += "\n\n## \(kpi.rawValue)\n\n| rank | parameter | −δ value | effect at −δ | +δ value | effect at +δ |\n|---|---|---|---|---|---|\n"
            out += tableRows(kpi).map { "| " + $0.dropFirst().joined(separator: " | ") + " |" }.joined(separator: "\n")
        }
        return out + "\n"
    }

    func write(_ outputs: OutputSet) throws {
        var csv = try CSVWriter(file: try outputs.open("sensitivity.csv"), header: ["parameter", "side", "values"] + header)
        for (v, variant) in variants.enumerated() {
            let name = variant.knob < 0 ? "base" : knobs[variant.knob].name
            let side = variant.knob < 0 ? "base" : Self.sides[variant.side]
            let vals = variant.knob < 0 ? "" : valuesText(knobs[variant.knob].sides[variant.side].values)
            for r in rows[(v * seeds.count)..<((v + 1) * seeds.count)] { try csv.writeRow([name, side, vals] + r) }
        }
        let json = json().rendered()
        try outputs.open("sensitivity.json").write(json)
        try outputs.open("sensitivity.md").write(markdown())
        // From the JSON as written, exactly as 'wargame report' rebuilds it.
        try outputs.open("report.html").write(try ReportCommand.sensitivityHTML(try JSONParser.parse(json)))
    }

    func terminal() -> String {
        var out = "wargame sensitivity: \(scenario.name), \(NumberFormat.counted(knobs.count, "parameter")) ±\(NumberFormat.fixed(delta * 100, 0)) %, seeds \(seeds.first!)..\(seeds.last!), \(NumberFormat.counted(steps, "step"))\n"
        for kpi in KPI.allCases {
            out += "  \(kpi.rawValue): top parameters (effect at −δ / +δ, * = significant)\n"
            for (rank, k) in ranking(kpi).prefix(5).enumerated() {
                out += "    \(rank + 1). \(knobs[k].name): \(effectText(effect(k, 0, kpi), kpi)) / \(effectText(effect(k, 1, kpi), kpi))\n"
            }
        }
        return out
    }
}
