import Foundation
import WargameReports
import WargameScenario

/// What `wargame search` found, as `search.json`, `search.md` and the terminal's lines.
struct SearchReport {
    let setup: SearchCommand.Setup
    let scenario: Scenario
    let lo: Double
    let hi: Double
    let resolution: Double
    let result: SearchCommand.Result

    var seedRange: String { "\(setup.seeds.first!)..\(setup.seeds.last!)" }

    func show(_ x: Double) -> String { Factor.number(x).compact }

    func fraction(_ p: SearchCommand.Point) -> String {
        "\(p.passes)/\(p.runs) = \(NumberFormat.fixed(p.fraction, 3)) (95 % Wilson \(NumberFormat.fixed(p.wilson.low, 3))…\(NumberFormat.fixed(p.wilson.high, 3)))"
    }

    /// Adjacent evaluated points whose pass fractions move against the direction found:
    /// evidence that the response is not monotone in the parameter.
    var contradictions: [(SearchCommand.Point, SearchCommand.Point)] {
        guard let below = result.passesBelow else { return [] }
        let p = result.points
        return p.indices.dropLast().compactMap { i in
            let rising = p[i + 1].fraction > p[i].fraction, falling = p[i + 1].fraction < p[i].fraction
            return (below && rising) || (!below && falling) ? (p[i], p[i + 1]) : nil
        }
    }

    var warnings: [String] {
        var out = contradictions.map { a, b in
            "not monotone: \(setup.param) = \(show(a.value)) passes on \(a.passes)/\(a.runs) seeds but \(show(b.value)) on \(b.passes)/\(b.runs); the bracket assumes the pass fraction "
                + (result.passesBelow == true ? "falls" : "rises") + " as \(setup.param) grows"
        }
        for p in result.points where p.unresolved > 0 {
            out.append("at \(setup.param) = \(show(p.value)), \(NumberFormat.counted(p.unresolved, "run")) had \(setup.slo)'s KPI closer to its threshold than the KPI resolves: those verdicts are below resolution, not measured passes or breaches")
        }
        if let p = result.passing, p.wilson.low < setup.target {
            out.append("the passing end's Wilson interval reaches below the target \(NumberFormat.fixed(setup.target, 2)): with \(NumberFormat.counted(p.runs, "seed")), \(p.passes)/\(p.runs) cannot rule out a true pass rate under the target; more seeds would tighten it")
        }
        return out
    }

    var conclusion: String {
        let slo = setup.slo, t = NumberFormat.fixed(setup.target * 100, 0) + " %"
        guard let pass = result.passing, let fail = result.failing, let below = result.passesBelow else {
            let all = result.points.allSatisfy { $0.fraction >= setup.target }
            let ends = result.points.map { "\(show($0.value)): \($0.passes)/\($0.runs)" }.joined(separator: ", ")
            return "\(slo) \(all ? "passes on ≥ \(t) of seeds \(seedRange) at both ends" : "passes on ≥ \(t) of seeds \(seedRange) at neither end") of \(setup.param) ∈ [\(show(lo)), \(show(hi))] (\(ends)): "
                + "no crossing in this range; it may cross outside it, or not at all."
        }
        let (a, b) = below ? (pass, fail) : (fail, pass)
        return "\(slo) passes on ≥ \(t) of seeds \(seedRange) \(below ? "up to" : "from") \(setup.param) = \(show(pass.value))\(below ? "" : " up") and not at \(show(fail.value)): "
            + "the crossing lies in [\(show(a.value)), \(show(b.value))] (\(below ? "the largest passing value is the lower end" : "the smallest passing value is the upper end")), "
            + "assuming the pass fraction \(below ? "falls" : "rises") monotonically as \(setup.param) grows."
    }

    func reproduce(_ x: Double) -> String {
        var words = ["wargame", "sweep", scenario.files.last ?? setup.path, "--seeds", seedRange, "--steps", String(setup.steps)]
        for o in setup.base { words += ["--set", o.text] }
        words += ["--set", "\(setup.param)=\(show(x))"]
        return ShellWords.join(words)
    }

    func point(_ p: SearchCommand.Point) -> JSONValue {
        .object([("value", .number(p.value, decimals: exactDecimals(p.value))), ("passes", .int(Int64(p.passes))), ("runs", .int(Int64(p.runs))),
                 ("pass_fraction", .number(p.fraction, decimals: 4)), ("wilson95_low", .number(p.wilson.low, decimals: 4)),
                 ("wilson95_high", .number(p.wilson.high, decimals: 4)), ("verdicts_within_resolution", .int(Int64(p.unresolved)))])
    }

    /// The decimals that write `x` exactly (up to 9), and never fewer than `decimals`: an
    /// evaluated value is an input the user may `--set` again (bisection gives 1.8671875),
    /// not a measurement to round to the resolution.
    func exactDecimals(_ x: Double) -> Int {
        var d = decimals
        while d < 9, Double(NumberFormat.fixed(x, d)) != x { d += 1 }
        return d
    }

    /// Enough decimals for the resolution (at least one for real parameters).
    var decimals: Int { setup.integer ? 0 : min(9, max(1, Int((-log10(resolution)).rounded(.up)) + 1)) }

    func json() -> JSONValue {
        var bracket: JSONValue = .null
        if let p = result.passing, let f = result.failing {
            bracket = .object([("passing", point(p)), ("failing", point(f)),
                               ("reproduce", .array([.string(reproduce(p.value)), .string(reproduce(f.value))]))])
        }
        return .object([
            ("scenario", .string(scenario.name)), ("scenario_sha256", .string(scenario.sha256)),
            ("param", .string(setup.param)), ("integer", .bool(setup.integer)),
            ("range", .array([.number(lo, decimals: decimals), .number(hi, decimals: decimals)])),
            ("resolution", .number(resolution, decimals: max(decimals, 1))),
            ("slo", .string(setup.slo)), ("target", .number(setup.target, decimals: 4)),
            ("seeds", .string(seedRange)), ("steps", .int(Int64(setup.steps))), ("warmup_steps", .int(Int64(scenario.run.warmupSteps))),
            ("overrides", .array(setup.base.map { .string($0.text) })),
            ("passes_below", result.passesBelow.map { .bool($0) } ?? .null),
            ("bracket", bracket), ("conclusion", .string(conclusion)),
            ("monotone", .bool(contradictions.isEmpty)), ("warnings", .array(warnings.map { .string($0) })),
            ("evaluated", .array(result.points.map(point))),
        ])
    }

    func markdown() -> String {
        var out = "# Search: \(setup.param) for \(setup.slo) on \(scenario.name)\n\n"
        out += "Seeds \(seedRange) at every point (common random numbers), \(NumberFormat.counted(setup.steps, "step")) each"
        out += scenario.run.warmupSteps > 0 ? ", the first \(scenario.run.warmupSteps) left out as warm-up" : ""
        out += "; target pass fraction \(NumberFormat.fixed(setup.target, 2)); \(setup.param) ∈ [\(show(lo)), \(show(hi))], resolution \(show(resolution))"
        out += setup.integer ? " (integer field)" : ""
        out += ".\n" + (setup.base.isEmpty ? "" : "Overrides: " + setup.base.map { "`--set \($0.text)`" }.joined(separator: ", ") + ".\n")
        out += "\n**\(conclusion)**\n\n"
        if let p = result.passing, let f = result.failing {
            out += "| end | \(setup.param) | passes | 95 % Wilson interval |\n|---|---|---|---|\n"
            out += "| passing | \(show(p.value)) | \(p.passes)/\(p.runs) | \(NumberFormat.fixed(p.wilson.low, 3))…\(NumberFormat.fixed(p.wilson.high, 3)) |\n"
            out += "| failing | \(show(f.value)) | \(f.passes)/\(f.runs) | \(NumberFormat.fixed(f.wilson.low, 3))…\(NumberFormat.fixed(f.wilson.high, 3)) |\n\n"
            out += "Reproduce the ends:\n\n```sh\n\(reproduce(p.value))\n\(reproduce(f.value))\n```\n\n"
        }
        if !warnings.isEmpty { out += "Warnings:\n\n" + warnings.map { "- \($0)\n" }.joined() + "\n" }
        out += "## Every evaluated point\n\n| \(setup.param) | passes | pass fraction | 95 % Wilson interval |\n|---|---|---|---|\n"
        for p in result.points {
            out += "| \(show(p.value)) | \(p.passes)/\(p.runs) | \(NumberFormat.fixed(p.fraction, 3)) | \(NumberFormat.fixed(p.wilson.low, 3))…\(NumberFormat.fixed(p.wilson.high, 3)) |\n"
        }
        return out
    }

    func terminal() -> String {
        var out = "wargame search: \(scenario.name), \(setup.param) ∈ [\(show(lo)), \(show(hi))], \(setup.slo) ≥ \(NumberFormat.fixed(setup.target, 2)) of seeds \(seedRange)\n"
        for p in result.points { out += "  \(setup.param) = \(show(p.value)): \(fraction(p))\n" }
        out += conclusion + "\n"
        for w in warnings { out += "warning: \(w)\n" }
        if let p = result.passing, let f = result.failing { out += "Reproduce:\n  \(reproduce(p.value))\n  \(reproduce(f.value))\n" }
        return out
    }
}
