import Foundation
import WargameReports
import WargameScenario

/// `wargame report OUTDIR`: a self-contained `report.html` from the files of any output
/// set — a run, a sweep (or a merged one), a study, a search, a sensitivity analysis.
///
/// The commands that write those sets build their report with the same functions, from
/// their files as written (summaries rendered and read back), so a rebuilt report is byte
/// for byte the one the command wrote.
enum ReportCommand: Command {
    static let name = "report"
    static let abstract = "Write report.html (inline SVG charts, readable offline) from a run, sweep, study, search or sensitivity directory."
    static let positionalUsage = "OUTDIR"
    static let options: [OptionSpec] = []

    static func run(_ o: ParsedOptions, _ context: CommandContext) throws -> ExitCode {
        try o.expectPositionals(atMost: 1)
        guard let dir = o.positionals.first else { throw UsageError(message: "Missing the output directory to report on.", command: name) }
        do {
            let path = try write(dir)
            context.console.out("wrote \(path)\n")
            return .success
        } catch let e as ReportInputError {
            context.console.err("Error: \(e.message)\n")
            return .badInput
        }
    }

    struct ReportInputError: Error { let message: String }

    /// The kinds of output set, by the file that identifies each (checked in this order).
    enum Kind: CaseIterable {
        case study, sweep, search, sensitivity, run
        var file: String {
            switch self {
            case .study: "study.csv"
            case .sweep: "sweep.csv"
            case .search: "search.json"
            case .sensitivity: "sensitivity.json"
            case .run: "kpi_summary.json"
            }
        }
    }

    static func kind(of dir: String) throws -> Kind {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ReportInputError(message: "\(dir): expected an output directory, found " + (FileManager.default.fileExists(atPath: dir) ? "a file" : "nothing at this path"))
        }
        for k in Kind.allCases where FileManager.default.fileExists(atPath: dir + "/" + k.file) { return k }
        throw ReportInputError(message: "\(dir): expected the outputs of run, sweep, study, search or sensitivity ("
                               + Kind.allCases.map(\.file).joined(separator: ", ") + "), found none of them")
    }

    static func csv(_ path: String) throws -> [[String]] {
        let text: String
        switch InputFile.text(path) {
        case .success(let t): text = t
        case .failure(let p): throw ReportInputError(message: "\(path): expected a CSV file, found \(p.found)")
        }
        guard let records = CSVReader.parse(text), let header = records.first, records.allSatisfy({ $0.count == header.count }) else {
            throw ReportInputError(message: "\(path): expected RFC 4180 CSV with a header and rows of equal length")
        }
        return records
    }

    /// A JSON file the set's command wrote, or why it cannot be read.
    static func json(_ path: String, _ what: String) throws -> JSON {
        switch InputFile.text(path, limit: 256 << 20) {
        case .success(let t):
            guard let j = try? JSONParser.parse(t) else { throw ReportInputError(message: "\(path): expected \(what), found malformed JSON") }
            return j
        case .failure(let p): throw ReportInputError(message: "\(path): expected \(what), found \(p.found)")
        }
    }

    /// Builds and writes the report; returns its path.
    @discardableResult
    static func write(_ dir: String) throws -> String {
        let html: String
        switch try kind(of: dir) {
        case .study: html = try study(dir)
        case .sweep:
            let rows = try csv(dir + "/sweep.csv")
            html = sweepHTML(header: rows[0], rows: Array(rows.dropFirst()), summary: try? json(dir + "/sweep_summary.json", "a sweep summary"),
                             fallbackTitle: (dir as NSString).lastPathComponent)
        case .search: html = try searchHTML(json(dir + "/search.json", "the results 'wargame search' writes"))
        case .sensitivity: html = try sensitivityHTML(json(dir + "/sensitivity.json", "the results 'wargame sensitivity' writes"))
        case .run: html = HTMLReport.run(try input(dir))
        }
        let outputs = try OutputSet(directory: dir)
        try outputs.open("report.html").write(html)
        return try outputs.commitAll()[0]
    }

    /// A sweep's report from its rows and its summary (identity and SLO table).
    static func sweepHTML(header: [String], rows: [[String]], summary: JSON?, fallbackTitle: String) -> String {
        var title = fallbackTitle, notes: [String] = []
        if let summary {
            if case .string(let s)? = summary["scenario"] { title = s }
            notes.append("\(MergeCommand.field(summary, "steps")) steps each"
                         + (MergeCommand.field(summary, "warmup_steps").isEmpty || MergeCommand.field(summary, "warmup_steps") == "0" ? ""
                            : ", the first \(MergeCommand.field(summary, "warmup_steps")) left out as warm-up") + ".")
            let overrides = MergeCommand.strings(summary["overrides"])
            if !overrides.isEmpty { notes.append("Overrides: " + overrides.map { "--set " + $0 }.joined(separator: " ")) }
        }
        return HTMLReport.sweep(title: title, header: header, rows: rows, slos: MergeCommand.slos(summary?["slo_table"]), notes: notes)
    }

    /// A search's report from `search.json`.
    static func searchHTML(_ j: JSON) throws -> String {
        func number(_ v: JSON?) -> Double? { if case .number(let n)? = v { n.value } else { nil } }
        guard case .array(let evaluated)? = j["evaluated"], let target = number(j["target"]) else {
            throw ReportInputError(message: "search.json: expected the evaluated points and the target 'wargame search' writes")
        }
        let points = evaluated.compactMap { p -> (x: Double, label: String, passes: Int, runs: Int, fraction: Double, low: Double, high: Double)? in
            guard case .number(let v)? = p["value"], let passes = number(p["passes"]), let runs = number(p["runs"]), let fraction = number(p["pass_fraction"]),
                  let low = number(p["wilson95_low"]), let high = number(p["wilson95_high"]) else { return nil }
            return (v.value, v.literal, Int(passes), Int(runs), fraction, low, high)
        }
        var bracket: ClosedRange<Double>?
        if let a = number(j["bracket"]?["passing"]?["value"]), let b = number(j["bracket"]?["failing"]?["value"]) { bracket = min(a, b)...max(a, b) }
        let param = MergeCommand.field(j, "param"), seeds = MergeCommand.field(j, "seeds")
        var notes = ["\(MergeCommand.field(j, "slo")) on seeds \(seeds) at every value (common random numbers), \(MergeCommand.field(j, "steps")) steps each; "
                     + "target pass fraction \(NumberFormat.fixed(target, 2)); \(param) searched to a resolution of \(MergeCommand.field(j, "resolution"))."]
        let overrides = MergeCommand.strings(j["overrides"])
        if !overrides.isEmpty { notes.append("Overrides: " + overrides.map { "--set " + $0 }.joined(separator: " ")) }
        return HTMLReport.search(title: MergeCommand.field(j, "scenario") + ": " + param, notes: notes, conclusion: MergeCommand.field(j, "conclusion"),
                                 warnings: MergeCommand.strings(j["warnings"]), param: param, points: points, target: target, bracket: bracket,
                                 integer: j["integer"] == .bool(true), reproduce: MergeCommand.strings(j["bracket"]?["reproduce"]))
    }

    /// A sensitivity analysis's report from `sensitivity.json`: a tornado chart per KPI and
    /// the table of effects.
    static func sensitivityHTML(_ j: JSON) throws -> String {
        guard case .array(let params)? = j["parameters"], case .object(let ranking)? = j["ranking"] else {
            throw ReportInputError(message: "sensitivity.json: expected the parameters and rankings 'wargame sensitivity' writes")
        }
        typealias Interval = (mean: Double, low: Double, high: Double)
        func effect(_ p: JSON, _ side: String, _ kpi: KPI) -> (interval: Interval, significant: Bool)? {
            let e = p[side]?["effects"]?[kpi.rawValue]
            guard case .number(let m)? = e?["mean_change"], case .number(let lo)? = e?["ci95_low"], case .number(let hi)? = e?["ci95_high"] else { return nil }
            return ((m.value, lo.value, hi.value), e?["significant"] == .bool(true))
        }
        func values(_ p: JSON, _ side: String) -> String {
            guard case .array(let v)? = p[side]?["values"] else { return "" }
            return v.map { if case .number(let n) = $0 { Factor.number(n.value).compact } else { $0.compact } }.joined(separator: "+")
        }
        func text(_ e: (interval: Interval, significant: Bool)?, _ kpi: KPI) -> String {
            guard let e else { return "—" }
            let d = kpi.decimals(extra: 1)
            return (e.interval.mean >= 0 ? "+" : "") + NumberFormat.fixed(e.interval.mean, d) + " (" + NumberFormat.fixed(e.interval.low, d) + "…"
                + NumberFormat.fixed(e.interval.high, d) + ")" + (e.significant ? "*" : "")
        }
        var charts: [(kpi: KPI, bars: [(name: String, down: Interval?, up: Interval?)])] = []
        var rows: [[String]] = []
        for kpi in KPI.allCases {
            let order = MergeCommand.strings(ranking.first { $0.key == kpi.rawValue }?.value)
            let ranked = order.compactMap { name in params.first { $0["name"] == .string(name) } }
            charts.append((kpi, ranked.map { p in (MergeCommand.field(p, "name"), effect(p, "minus", kpi)?.interval, effect(p, "plus", kpi)?.interval) }))
            for (rank, p) in ranked.enumerated() {
                rows.append([kpi.rawValue, String(rank + 1), MergeCommand.field(p, "name"), values(p, "minus"), text(effect(p, "minus", kpi), kpi),
                             values(p, "plus"), text(effect(p, "plus", kpi), kpi)])
            }
        }
        let notes = ["δ = \(MergeCommand.field(j, "delta")); seeds \(MergeCommand.field(j, "seeds")) on every variant (common random numbers), "
                     + "\(MergeCommand.field(j, "steps")) steps each."]
        return HTMLReport.sensitivity(title: MergeCommand.field(j, "scenario"), notes: notes, kpis: charts, table: rows)
    }

    /// A study's report from study.csv and, for its identity and SLO thresholds, study_summary.json.
    static func study(_ dir: String) throws -> String {
        let rows = try csv(dir + "/study.csv")
        guard StudyTable.factors(in: rows[0]).count >= 1 else {
            throw ReportInputError(message: "\(dir)/study.csv: expected the columns point, the factors, seed, … written by 'wargame study'")
        }
        let summary = try? json(dir + "/study_summary.json", "a study summary")
        var sweep = SweepTable.Identity(scenario: (dir as NSString).lastPathComponent, scenarioSHA256: "", steps: 0, firstSeed: 0, lastSeed: 0, version: "")
        if let summary {
            if case .string(let s)? = summary["scenario"] { sweep.scenario = s }
            if case .number(let n)? = summary["steps"] { sweep.steps = n.int ?? 0 }
            if case .number(let n)? = summary["warmup_steps"] { sweep.warmupSteps = n.int ?? 0 }
            let ends = MergeCommand.field(summary, "seeds").components(separatedBy: "..").compactMap { UInt64($0) }
            if ends.count == 2 { (sweep.firstSeed, sweep.lastSeed) = (ends[0], ends[1]) }
            sweep.overrides = MergeCommand.strings(summary["overrides"])
        }
        let identity = StudyTable.Identity(sweep: sweep, factors: StudyTable.factors(in: rows[0]), pointSHA256: [])
        return StudyCommand.report(identity: identity, slos: MergeCommand.slos(summary?["slo_table"]), header: rows[0], rows: Array(rows.dropFirst()))
    }

    static func input(_ dir: String) throws -> RunReportInput {
        let series = try csv(dir + "/kpi_timeseries.csv")
        let j = try json(dir + "/kpi_summary.json", "a run summary written by 'wargame run'")
        func s(_ v: JSON?) -> String {
            switch v {
            case .string(let x)?: x
            case .number(let n)?: n.literal
            case .bool(let b)?: String(b)
            default: "—"
            }
        }
        func seconds(_ v: JSON?) -> String { if case .number(let n)? = v { return NumberFormat.fixed(n.value, 0) + " s" } else { return "—" } }
        let run = j["run"]
        var slos: [[String]] = []
        if case .array(let items)? = j["slos"] {
            for i in items {
                slos.append([s(i["name"]), s(i["op"]) + " " + s(i["threshold"]), s(i["observed"]), s(i["verdict"]) == "pass" ? "PASS" : "FAIL"])
            }
        }
        var incidents: [[String]] = []
        if case .array(let items)? = j["incidents"] {
            for i in items {
                incidents.append([s(i["name"]), seconds(i["start_s"]) + " – " + seconds(i["end_s"]),
                                  seconds(i["time_to_detect_s"]), seconds(i["time_to_mitigate_s"]), seconds(i["time_to_recover_s"])])
            }
        }
        var scorecard: [[String]] = []
        if case .array(let items)? = j["scorecard"] {
            for i in items {
                func cell(_ time: String, _ met: String) -> String {
                    var seconds: Double?, ok: Bool?
                    if case .number(let n)? = i[time] { seconds = n.value }
                    if case .bool(let b)? = i[met] { ok = b }
                    return WarGameOutcome.scorecardCell(seconds: seconds, met: ok)
                }
                var budget = "—"
                if case .number(let b)? = i["error_budget_consumed"]?["fill_rate"] { budget = NumberFormat.fixed(b.value * 100, 1) + " %" }
                // The same cells as the run's printed scorecard (WarGameOutcome.scorecardRows).
                let by = s(i["detected_by"])
                scorecard.append([s(i["incident"]), s(i["severity"]),
                                  cell("time_to_detect_s", "detected_in_time") + (by.isEmpty ? "" : " (\(by))"),
                                  i["paged"] == .bool(true) ? "yes" : "no",
                                  cell("time_to_first_action_s", "responded_in_time"), cell("time_to_mitigate_s", "mitigated_in_time"),
                                  cell("time_to_recover_s", "recovered_within_rto"), budget,
                                  i["all_deadlines_met"] == .bool(true) ? "met" : "MISSED"])
            }
        }
        var notes: [String] = []
        if let q = j["alert_quality"], case .number? = q["pages"] {
            func n(_ k: String) -> Int { if case .number(let x)? = q[k] { Int(x.value) } else { 0 } }
            var quality = AlertQuality()
            (quality.firings, quality.unattributed, quality.pages) = (n("firings"), n("alerts_unattributed"), n("pages"))
            (quality.pagesAttributed, quality.incidents, quality.incidentsPaged) = (n("pages_attributed"), n("incidents"), n("incidents_paged"))
            notes.append("Alert quality: " + quality.line(pagesFrom: s(q["pages_from"])) + ".")
        }
        var windows: [(name: String, start: Double, end: Double)] = []
        if case .array(let items)? = j["incidents"] {
            for i in items {
                if case .number(let a)? = i["start_s"], case .number(let b)? = i["end_s"] { windows.append((s(i["name"]), a.value, b.value)) }
            }
        }
        let alertTable = (try? csv(dir + "/alerts.csv")) ?? []
        let alertRows = alertTable.dropFirst()
        let incidentColumn = alertTable.first?.firstIndex(of: "incident")
        let actionRows = (try? csv(dir + "/actions.csv"))?.dropFirst() ?? []
        var input = RunReportInput(
            title: s(run?["scenario"]),
            identity: ["Scenario files: " + ((run?["scenario_files"]).flatMap { if case .array(let a) = $0 { a.map { s($0) }.joined(separator: ", ") } else { nil } } ?? ""),
                       "Scenario SHA-256: " + s(run?["scenario_sha256"]),
                       "Seed \(s(run?["seed"])), \(s(run?["steps"])) steps of \(s(run?["step_s"])) s, wargame \(s(run?["version"]))"],
            timeseriesHeader: series[0], timeseries: Array(series.dropFirst()), slos: slos, incidents: incidents, scorecard: scorecard,
            alerts: alertRows.compactMap { r in Double(r[3]).map { ReportAlert(rule: r[0], severity: r[1], firedAt: $0, resolvedAt: Double(r[4]), incident: incidentColumn.map { $0 < r.count ? r[$0] : "" } ?? "") } },
            actions: actionRows.compactMap { r in Double(r[0]).map { (time: $0, action: r[3] + (r[4].isEmpty ? "" : " " + r[4])) } })
        input.incidentWindows = windows
        input.scorecardNotes = notes
        let table = MergeCommand.slos(j["slos"])
        if !table.isEmpty { input.sloLines = table }
        if case .number(let step)? = run?["step_s"] { input.stepSeconds = step.value }
        return input
    }
}
