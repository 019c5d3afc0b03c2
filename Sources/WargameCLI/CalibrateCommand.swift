import Foundation
import WargameCalibration
import WargameReports
import WargameScenario

/// `wargame calibrate`: fit a base scenario's directly observed parameters to telemetry and
/// write a calibrated scenario that extends it, with every estimate's interval, sample size
/// and goodness of fit (docs/calibration.md).
enum CalibrateCommand: Command {
    static let name = "calibrate"
    static let abstract = "Fit a scenario's parameters to observed telemetry (maximum likelihood, with intervals and goodness of fit)."
    static let positionalUsage = "BASE_SCENARIO"
    static let options: [OptionSpec] = [
        OptionSpec("from", value: "path", help: "Observed data (repeatable): a run's output directory, a saved query_range .json, or a .csv of samples.",
                   repeatable: true),
        OptionSpec("prometheus", value: "url", help: "Read the data from a Prometheus server's HTTP API (http://host:port), over --start…--end."),
        OptionSpec("start", value: "time", help: "With --prometheus: the window's start, RFC 3339 or Unix seconds."),
        OptionSpec("end", value: "time", help: "With --prometheus: the window's end."),
        OptionSpec("step", value: "duration", help: "With --prometheus: the query resolution (the arrival counts' interval).", default: "60s"),
        OptionSpec("timeout", value: "duration", help: "With --prometheus: the longest wait for each request.", default: "30s"),
        OptionSpec("mapping", value: "file", help: "Which series feed which parameter, for a production whose names differ (docs/calibration.md).",
                   default: "the wargame_* names"),
        OptionSpec("seed", value: "n", help: "Seed of the goodness-of-fit bootstrap.", default: "1"),
        OptionSpec("moments-seeds", value: "A..B", help: "Seeds of the simulated-moments runs (common random numbers at every value tried); none skips them.", default: "1..8"),
        OptionSpec("jobs", value: "n", help: "Parallel simulated-moments runs.", default: "cores"),
        OptionSpec("out", value: "dir", help: "Output directory.", default: "out/<scenario>-calibration"),
    ]
    static let discussion = """
        Fits, by maximum likelihood: the order arrival rate (and, from 20 hours of data or more,
        the diurnal amplitude and peak hour), order sizes, every provider's acknowledgement
        latency and failure probability, every bridge's relay work and loss probability, the
        policy checks' times, the TSAs' and IPFS's latency and success probability; by
        simulated moments, each bridge's background load from its mean round trip and one scale
        of the providers' capacities from the fill rate, when the load reached them. A parameter
        the data cannot identify keeps its base value and says why. Writes calibrated.json (a
        scenario that extends the base), calibration.json, calibration.md and report.html
        (observed against fitted CDF and a Q–Q plot for every fitted latency). See docs/calibration.md.
        """

    static func run(_ o: ParsedOptions, _ context: CommandContext) throws -> ExitCode {
        try o.expectPositionals(atMost: 1)
        guard let path = o.positionals.first else { throw UsageError(message: "Missing the base scenario to calibrate.", command: name) }
        let sources = o.strings("from")
        let prometheus = try prometheusSource(o)
        guard !sources.isEmpty || prometheus != nil else {
            throw UsageError(message: "Missing the observed data: give --from PATH (repeatable) or --prometheus URL --start T --end T.", command: name)
        }
        let seed = UInt64(try o.integer("seed", range: 0...Int.max, default: 1))
        guard let scenario = try RunCommand.loadScenario(path, context) else { return .badInput }
        let mapping: SeriesMapping
        do { mapping = try o.string("mapping").map { p throws(TelemetryError) in try SeriesMapping.load(p) } ?? SeriesMapping() } catch {
            throw InputError(message: error.description)
        }
        var telemetry = Telemetry()
        for s in sources {
            do { try TelemetryReader.read(s, arrivalsMetric: mapping.ordersSubmitted.metric, into: &telemetry) } catch {
                throw InputError(message: error.description)
            }
        }
        try prometheus?.fetch(mapping, into: &telemetry)
        let outDir = o.string("out") ?? "out/\(scenario.name)-calibration"
        let outputs = try OutputSet(directory: outDir)
        let direct = Calibrator(base: scenario.pipeline, mapping: mapping, seed: seed).estimates(from: telemetry)
        func report(_ estimates: [ParameterEstimate]) -> CalibrationReport {
            CalibrationReport(baseScenario: path, extendsPath: relativePath(from: outDir, to: path), baseName: scenario.name,
                              sources: telemetry.sources, window: telemetry.window, seed: seed, estimates: estimates)
        }
        let c = scenario.pipeline.policy
        let checks = (median: c.checkMedian.map(\.milliseconds), p95: c.checkP95.map(\.milliseconds))
        // The calibrated values must make a valid scenario: loading the base with them as
        // overrides runs every schema check (ranges, p95 ≥ median) on exactly what is written.
        let directOverrides: [Override]
        do {
            directOverrides = try overrides(report(direct).settings(base: checks))
            _ = try ScenarioLoader.load(path, overrides: directOverrides)
        } catch {
            context.console.err("Error: internal error: the calibrated values do not make a valid scenario: \(error)\n")
            return .internalError
        }
        let moments = try simulatedMoments(o, path: path, scenario: scenario, telemetry: telemetry, mapping: mapping, applying: directOverrides)
        let report = report(direct + moments)
        do { _ = try ScenarioLoader.load(path, overrides: try overrides(report.settings(base: checks))) } catch {
            context.console.err("Error: internal error: the calibrated values do not make a valid scenario: \(error)\n")
            return .internalError
        }
        try outputs.open("calibrated.json").write(report.calibratedScenario(base: checks))
        try outputs.open("calibration.json").write(report.json().rendered())
        try outputs.open("calibration.md").write(report.markdown())
        try outputs.open("report.html").write(report.html())
        let paths = try outputs.commitAll()
        context.console.out(terminal(report) + "Wrote " + paths.joined(separator: ", ") + "\n")
        return .success
    }

    static func overrides(_ settings: [(path: String, setting: CalibrationReport.Setting)]) throws(OverrideError) -> [Override] {
        try settings.map { s throws(OverrideError) in
            switch s.setting {
            case .number(let x): try Override(path: s.path, value: Factor.number(x))
            case .list(let xs): try Override(path: s.path, value: .array(xs.map(Factor.number)))
            }
        }
    }

    static func keptEstimate(_ path: String, _ base: Double, series: String, _ why: String) -> ParameterEstimate {
        WargameCalibration.keptEstimate(path, base, "simulated", series: series, n: 0, why)
    }

    /// The Prometheus source of `--prometheus`, `--start`, `--end` and `--step`, checked together.
    static func prometheusSource(_ o: ParsedOptions) throws -> PrometheusSource? {
        guard let url = o.string("prometheus") else {
            for option in ["start", "end", "step", "timeout"] where o.string(option) != nil {
                throw UsageError(message: "'--\(option)' belongs to '--prometheus'; give the server's URL too.", command: name)
            }
            return nil
        }
        guard let startText = o.string("start"), let endText = o.string("end") else {
            throw UsageError(message: "'--prometheus' needs the window: give --start and --end.", command: name)
        }
        let start = try PrometheusSource.time(startText, option: "start", command: name)
        let end = try PrometheusSource.time(endText, option: "end", command: name)
        guard end > start else { throw UsageError(message: "The window is empty: --end (\(endText)) must be after --start (\(startText)).", command: name) }
        let step = try PrometheusSource.duration(o.string("step") ?? "60s", option: "step", command: name)
        let timeout = try PrometheusSource.duration(o.string("timeout") ?? "30s", option: "timeout", command: name)
        do { _ = try HTTPClient.Endpoint(url) } catch { throw UsageError(message: "The value '\(url)' is invalid for '--prometheus': \(error.message).", command: name) }
        return PrometheusSource(base: url.hasSuffix("/") ? String(url.dropLast()) : url, start: start, end: end, step: step, client: HTTPClient(timeout: timeout))
    }

    static func terminal(_ r: CalibrationReport) -> String {
        let out = "wargame calibrate: \(r.baseName), \(NumberFormat.counted(r.fitted.count, "parameter")) fitted, \(r.estimates.count - r.fitted.count) kept\n"
        var rows = [["parameter", "base", "estimate", "95 % interval", "n", "fit p"]]
        for e in r.estimates {
            rows.append([e.path, NumberFormat.significant(e.base, 5), e.fitted ? NumberFormat.significant(e.value, 5) : "kept",
                         e.estimate.map { NumberFormat.significant($0.low, 4) + " – " + NumberFormat.significant($0.high, 4) } ?? "-",
                         String(e.n), e.gof.map { NumberFormat.fixed($0.pValue, 3) } ?? "-"])
        }
        return out + TextTable.render(rows, indent: "  ")
    }

    /// `file` as seen from `dir` (both made absolute): `../../scenarios/baseline.json`.
    static func relativePath(from dir: String, to file: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        func parts(_ p: String) -> [String] {
            let absolute = p.hasPrefix("/") ? p : cwd + "/" + p
            var out: [String] = []
            for c in absolute.split(separator: "/") where c != "." {
                if c == ".." { if !out.isEmpty { out.removeLast() } } else { out.append(String(c)) }
            }
            return out
        }
        let d = parts(dir), f = parts(file)
        var common = 0
        while common < d.count && common < f.count - 1 && d[common] == f[common] { common += 1 }
        return (Array(repeating: "..", count: d.count - common) + f[common...]).joined(separator: "/")
    }
}
