import Foundation
import WargameReports
import WargameScenario

/// `wargame search`: where an SLO's pass fraction crosses a target as one parameter moves —
/// the largest demand the marketplace sustains, the smallest capacity that holds — by
/// bisection on common random numbers, with a Wilson interval at each end.
enum SearchCommand: Command {
    static let name = "search"
    static let abstract = "Find where an SLO's pass fraction crosses a target as one parameter moves."
    static let positionalUsage = "SCENARIO"
    static let options: [OptionSpec] = [
        .alertRules,
        .sloSpec,
        .alertmanagerConfig,
        OptionSpec("param", value: "PATH", help: "The scenario field to move (required), as in --set."),
        OptionSpec("range", value: "LO..HI", help: "The interval to search (required)."),
        OptionSpec("slo", value: "NAME", help: "The SLO whose pass fraction is judged (required)."),
        OptionSpec("target", value: "p", help: "Pass fraction the SLO must reach over the seeds.", default: "0.95"),
        OptionSpec("seeds", value: "A..B", help: "Seed range, inclusive; every point runs all of them.", default: "1..20"),
        OptionSpec("resolution", value: "x", help: "Stop when the bracket is this narrow.", default: "1 for integers, (HI−LO)/64"),
        OptionSpec("steps", value: "n", help: "Steps per replication.", default: "scenario"),
        OptionSpec("jobs", value: "n", help: "Parallel replications.", default: "cores"),
        OptionSpec("out", value: "dir", help: "Output directory.", default: "out/<scenario>-search"),
        .set,
        .warmup,
    ]
    static let discussion = """
        Assumes the pass fraction changes monotonically with the parameter and warns, naming the
        points, when the evaluated points contradict it. Writes search.json and search.md: the
        bracket [a, b] with each end's pass fraction and 95 % Wilson interval, every evaluated
        point, and the two 'wargame sweep … --set' commands that reproduce the ends.
        See docs/studies.md.
        """

    /// One evaluated value of the parameter.
    struct Point {
        let value: Double
        let passes: Int
        let runs: Int
        /// Runs whose KPI lay closer to the SLO threshold than the KPI resolves there: their
        /// verdicts are within measurement resolution, not measured differences.
        var unresolved = 0
        var fraction: Double { Double(passes) / Double(runs) }
        var wilson: (low: Double, high: Double) { SweepStatistics.wilson(successes: passes, trials: runs) }
    }

    struct Setup {
        let path: String
        let param: String
        let base: [Override]
        let slo: String
        let target: Double
        let seeds: [UInt64]
        let steps: Int
        let jobs: Int
        let integer: Bool
    }

    static func run(_ o: ParsedOptions, _ context: CommandContext) throws -> ExitCode {
        try o.expectPositionals(atMost: 1)
        guard let path = o.positionals.first else { throw UsageError(message: "Missing the scenario to search.", command: name) }
        guard let param = o.string("param") else { throw UsageError(message: "Missing '--param PATH'.", command: name) }
        guard let paramSteps = (try? Override(path: param, value: .null))?.steps else {
            throw UsageError(message: "The value '\(param)' is invalid for '--param': expected a path as in --set.", command: name)
        }
        guard let rangeText = o.string("range") else { throw UsageError(message: "Missing '--range LO..HI'.", command: name) }
        let ends = rangeText.components(separatedBy: "..").compactMap { Double($0) }
        guard ends.count == 2, ends[0].isFinite, ends[1].isFinite, ends[0] < ends[1] else {
            throw UsageError(message: "The value '\(rangeText)' is invalid for '--range': expected LO..HI with LO < HI.", command: name)
        }
        guard let sloName = o.string("slo") else { throw UsageError(message: "Missing '--slo NAME'.", command: name) }
        let target = try o.number("target", range: 0...1, default: 0.95)
        let base = try o.overrides()
        try o.refuseOverlaps(withOverrides: base, [(paramSteps, "--param " + param)])
        guard let scenario = try RunCommand.loadScenario(path, context, overrides: base) else { return .badInput }
        // The scenario's SLOs by name, then the team's (their specs') by id.
        let names = scenario.slos.map(\.name) + scenario.teamSLOIDs.filter { id in !scenario.slos.contains { $0.name == id } }
        guard names.contains(sloName) else {
            var m = "The value '\(sloName)' is invalid for '--slo': expected one of " + names.joined(separator: ", ") + "."
            if let g = closest(to: sloName, in: names) { m += " Did you mean '\(g)'?" }
            throw UsageError(message: m, command: name)
        }
        let type = ScenarioLoader.fieldType(of: param)
        let integer = type == "integer" || (type == nil && ends.allSatisfy { $0 == $0.rounded() } && probeInteger(path, base: base, param: param, at: ends[0]))
        if type != nil && type != "integer" && type != "number" {
            throw UsageError(message: "The value '\(param)' is invalid for '--param': expected a numeric field, found a field of type \(type!).", command: name)
        }
        let (lo, hi) = integer ? (ends[0].rounded(.up), ends[1].rounded(.down)) : (ends[0], ends[1])
        let resolution = try o.number("resolution", range: 1e-12...1e15, default: integer ? 1 : (hi - lo) / 64)
        let setup = Setup(path: path, param: param, base: base, slo: sloName, target: target,
                          seeds: try parseSeeds(o.string("seeds") ?? "1..20", command: name),
                          steps: try o.integer("steps", range: 1...10_000_000, default: scenario.run.steps),
                          jobs: try o.integer("jobs", range: 1...1_024, default: ProcessInfo.processInfo.activeProcessorCount), integer: integer)
        try ScenarioRunner.preflight(scenario, steps: setup.steps)
        let outputs = try OutputSet(directory: o.string("out") ?? "out/\(scenario.name)-search")
        guard let result = try search(setup, lo: lo, hi: hi, resolution: max(resolution, integer ? 1 : 0), context) else { return .badInput }
        let doc = SearchReport(setup: setup, scenario: scenario, lo: lo, hi: hi, resolution: resolution, result: result)
        let json = doc.json().rendered()
        try outputs.open("search.json").write(json)
        try outputs.open("search.md").write(doc.markdown())
        // From the JSON as written, exactly as 'wargame report' rebuilds it.
        try outputs.open("report.html").write(try ReportCommand.searchHTML(try JSONParser.parse(json)))
        let paths = try outputs.commitAll()
        context.console.out(doc.terminal() + "Wrote " + paths.joined(separator: ", ") + "\n")
        return .success
    }

    /// Whether the schema refuses a fractional value at `param` as "expected an integer".
    static func probeInteger(_ path: String, base: [Override], param: String, at x: Double) -> Bool {
        guard let o = try? Override(path: param, value: Factor.number(x.rounded(.down) + 0.5)) else { return false }
        do { _ = try ScenarioLoader.load(path, overrides: base + [o]); return false } catch { return error.message.contains("expected an integer") }
    }

    struct Result {
        var points: [Point]
        /// The passing and the failing end of the final bracket; nil when no crossing was found.
        var passing: Point?
        var failing: Point?
        /// "below" when values below the crossing pass (demand), "above" when above pass (capacity).
        var passesBelow: Bool?
    }

    static func search(_ s: Setup, lo: Double, hi: Double, resolution: Double, _ context: CommandContext) throws -> Result? {
        var cache: [Point] = []
        func evaluate(_ x: Double) throws -> Point? {
            if let p = cache.first(where: { $0.value == x }) { return p }
            let o = try Override(path: s.param, value: Factor.number(x))
            guard let scenario = try RunCommand.loadScenario(s.path, context, overrides: s.base + [o]) else { return nil }
            let progress = Progress(label: "\(s.param)=\(Factor.number(x).compact)", total: s.seeds.count, console: context.console)
            let rows = try ParallelRuns.map(count: s.seeds.count, jobs: s.jobs, progress: progress) { i -> (pass: Bool, unresolved: Bool) in
                let report = try ScenarioRunner.execute(scenario, seed: s.seeds[i], steps: s.steps).report
                guard let r = report.results.first(where: { $0.slo.name == s.slo }) else {
                    // A team SLO: its error ratio is exact, so no verdict is below resolution.
                    return (report.teamSLOs.first { $0.id == s.slo }?.verdict == .pass, false)
                }
                let unresolved = r.observed.map { r.slo.kpi.belowResolution($0 - r.slo.threshold, at: $0) } ?? false
                return (r.verdict == .pass, unresolved)
            }
            var p = Point(value: x, passes: rows.filter(\.pass).count, runs: rows.count)
            p.unresolved = rows.filter(\.unresolved).count
            cache.append(p)
            return p
        }
        guard let a = try evaluate(lo), let b = try evaluate(hi) else { return nil }
        let passA = a.fraction >= s.target, passB = b.fraction >= s.target
        guard passA != passB else { return Result(points: cache, passing: nil, failing: nil, passesBelow: nil) }
        var pass = passA ? a : b, fail = passA ? b : a
        while abs(fail.value - pass.value) > resolution * (1 + 1e-9) {
            // Midpoints on the resolution's grid from LO, so evaluated values read as numbers a
            // person would pick (1.74, not 1.744140625); integers on the integers.
            let step = s.integer ? 1 : resolution
            let k = ((pass.value + fail.value) / 2 - lo) / step
            let candidates = [k.rounded(), k.rounded(.down), k.rounded(.up)].map { Double(String(format: "%.12g", lo + $0 * step))! }
            let (a, b) = (min(pass.value, fail.value), max(pass.value, fail.value))
            guard let mid = candidates.first(where: { $0 > a && $0 < b }) else { break }
            guard let m = try evaluate(mid) else { return nil }
            if m.fraction >= s.target { pass = m } else { fail = m }
        }
        return Result(points: cache.sorted { $0.value < $1.value }, passing: pass, failing: fail, passesBelow: passA)
    }
}
