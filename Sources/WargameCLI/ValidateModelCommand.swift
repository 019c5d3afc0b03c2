import Foundation
import WargameCalibration
import WargameReports
import WargameScenario

/// `wargame validate-model`: does the model reproduce an observed window's KPIs? The
/// scenario runs on many seeds over the window's length and each observed KPI is set
/// against the simulated distribution, the family judged at a stated size (docs/calibration.md).
enum ValidateModelCommand: Command {
    static let name = "validate-model"
    static let abstract = "Check that a scenario reproduces observed KPIs (prediction intervals over seeds, Holm–Bonferroni at 5 %)."
    static let positionalUsage = "SCENARIO"
    static let options: [OptionSpec] = [
        OptionSpec("observed", value: "path", help: "The observed window: a run's output directory or its kpi_summary.json."),
        OptionSpec("prometheus", value: "url", help: "Read the observed KPIs from a Prometheus server over --start…--end instead."),
        OptionSpec("start", value: "time", help: "With --prometheus: the window's start, RFC 3339 or Unix seconds."),
        OptionSpec("end", value: "time", help: "With --prometheus: the window's end."),
        OptionSpec("seeds", value: "A..B", help: "Seeds the model runs on (required; at least 10, 30 or more for power)."),
        OptionSpec("jobs", value: "n", help: "Parallel runs.", default: "cores"),
        OptionSpec("timeout", value: "duration", help: "With --prometheus: the longest wait for each request.", default: "30s"),
        OptionSpec("out", value: "dir", help: "Output directory.", default: "out/<scenario>-validation"),
        .set,
    ]
    static let discussion = """
        Compares fill rate p50/p95, bridge RTT p95, provenance coverage, policy decision p95,
        dropped ratio, failovers per 5 min and the order rate. Each KPI's p-value comes from a
        t prediction interval over the seeds (or, for a KPI the model gives fewer than 5 distinct
        values, from the observation's rank, which is reported as not judged when outside);
        the family is judged by Holm–Bonferroni at 5 %. Writes validation.json and
        validation.md. Exit codes: 0 every KPI reproduced, 1 a KPI not reproduced, 2 bad usage
        or input, 3 internal error.
        """

    static func run(_ o: ParsedOptions, _ context: CommandContext) throws -> ExitCode {
        try o.expectPositionals(atMost: 1)
        guard let path = o.positionals.first else { throw UsageError(message: "Missing the scenario to validate.", command: name) }
        let seeds = try parseSeeds(o.string("seeds"), command: name)
        guard seeds.count >= 10 else { throw UsageError(message: "A prediction interval needs at least 10 seeds, found \(seeds.count).", command: name) }
        guard (o.string("observed") == nil) != (o.string("prometheus") == nil) else {
            throw UsageError(message: "Give the observed window: --observed PATH or --prometheus URL --start T --end T (one of them).", command: name)
        }
        guard let scenario = try RunCommand.loadScenario(path, context, overrides: try o.overrides()) else { return .badInput }
        let observed = try observation(o)
        let stepSeconds = scenario.run.stepLength.seconds
        let steps = Int((observed.window / stepSeconds).rounded()) + scenario.run.warmupSteps
        guard steps >= 1 else { throw InputError(message: "\(observed.source): the observed window (\(observed.window) s) is shorter than one step.") }
        let jobs = try o.integer("jobs", range: 1...1_024, default: ProcessInfo.processInfo.activeProcessorCount)
        let outputs = try OutputSet(directory: o.string("out") ?? "out/\(scenario.name)-validation")
        let buckets = observed.quantilesFromBuckets
        let progress = Progress(label: "\(scenario.name) validation runs", total: seeds.count, console: context.console)
        let rows = try ParallelRuns.map(count: seeds.count, jobs: jobs, progress: progress) { i in
            let r = try ScenarioRunner.execute(scenario, seed: seeds[i], steps: steps).report
            let window = Double(steps - scenario.run.warmupSteps) * stepSeconds
            return KPI.allCases.map { kpi -> Double? in
                guard buckets else { return r.kpis[kpi] }
                switch kpi {
                case .bridgeRTTP95: return histogramQuantile(0.95, r.recorder.bridgeRTTHistogram)
                case .policyDecisionP95: return histogramQuantile(0.95, r.recorder.decisionHistogram)
                default: return r.kpis[kpi]
                }
            } + [Double(r.totals.submitted) / window]
        }
        var names: [String] = [], obs: [Double] = [], simulated: [[Double]] = [], skipped: [String] = []
        for (k, name) in ObservedKPIs.names.enumerated() {
            let values = rows.compactMap { $0[k] }
            guard let x = observed.values[k], values.count >= 10 else { skipped.append(name); continue }
            names.append(name); obs.append(x); simulated.append(values)
        }
        let v = ModelValidation(names: names, observed: obs, simulated: simulated)
        let report = ValidationReport(scenario: path, name: scenario.name, source: observed.source, window: observed.window, steps: steps,
                                      seeds: seeds, validation: v, skipped: skipped)
        try outputs.open("validation.json").write(report.json().rendered())
        try outputs.open("validation.md").write(report.markdown())
        let paths = try outputs.commitAll()
        context.console.out(report.terminal() + "Wrote " + paths.joined(separator: ", ") + "\n")
        return v.reproduced ? .success : .sloBreached
    }

    static func observation(_ o: ParsedOptions) throws -> ObservedKPIs {
        if let path = o.string("observed") {
            for option in ["start", "end", "timeout"] where o.string(option) != nil {
                throw UsageError(message: "'--\(option)' belongs to '--prometheus'.", command: name)
            }
            do { return try ObservedKPIs.read(path) } catch { throw InputError(message: error.description) }
        }
        guard let url = o.string("prometheus"), let startText = o.string("start"), let endText = o.string("end") else {
            throw UsageError(message: "'--prometheus' needs the window: give --start and --end.", command: name)
        }
        let start = try PrometheusSource.time(startText, option: "start", command: name)
        let end = try PrometheusSource.time(endText, option: "end", command: name)
        guard end > start else { throw UsageError(message: "The window is empty: --end (\(endText)) must be after --start (\(startText)).", command: name) }
        let timeout = try PrometheusSource.duration(o.string("timeout") ?? "30s", option: "timeout", command: name)
        do { _ = try HTTPClient.Endpoint(url) } catch { throw UsageError(message: "The value '\(url)' is invalid for '--prometheus': \(error.message).", command: name) }
        let source = PrometheusSource(base: url.hasSuffix("/") ? String(url.dropLast()) : url, start: start, end: end, step: 60, client: HTTPClient(timeout: timeout))
        return try source.kpis()
    }
}
