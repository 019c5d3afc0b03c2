import Foundation
import WargameReports
import WargameScenario

/// `wargame report OUTDIR`: a self-contained `report.html` from a run's (or a sweep's) files.
enum ReportCommand: Command {
    static let name = "report"
    static let abstract = "Write report.html (inline SVG charts, readable offline) from a run, sweep or study directory."
    static let positionalUsage = "OUTDIR"
    static let options: [OptionSpec] = []

    static func run(_ o: ParsedOptions, _ context: CommandContext) throws -> ExitCode {
        try o.expectPositionals(atMost: 1)
        guard let dir = o.positionals.first else { throw UsageError(message: "Missing the run or sweep directory.", command: name) }
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

    /// Builds and writes the report; returns its path.
    @discardableResult
    static func write(_ dir: String) throws -> String {
        let html: String
        if FileManager.default.fileExists(atPath: dir + "/study.csv") {
            html = try study(dir)
        } else if FileManager.default.fileExists(atPath: dir + "/sweep.csv") {
            let rows = try csv(dir + "/sweep.csv")
            let summary = try? JSONParser.parse((try? InputFile.text(dir + "/sweep_summary.json").get()) ?? "")
            var title = (dir as NSString).lastPathComponent
            if case .string(let s)? = summary?["scenario"] { title = s }
            html = HTMLReport.sweep(title: title, header: rows[0], rows: Array(rows.dropFirst()))
        } else {
            html = HTMLReport.run(try input(dir))
        }
        let outputs = try OutputSet(directory: dir)
        try outputs.open("report.html").write(html)
        return try outputs.commitAll()[0]
    }

    /// A study's report from study.csv and, for its identity and SLO thresholds, study_summary.json.
    static func study(_ dir: String) throws -> String {
        let rows = try csv(dir + "/study.csv")
        guard StudyTable.factors(in: rows[0]).count >= 1 else {
            throw ReportInputError(message: "\(dir)/study.csv: expected the columns point, the factors, seed, … written by 'wargame study'")
        }
        let summary = try? JSONParser.parse((try? InputFile.text(dir + "/study_summary.json").get()) ?? "")
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
        guard let text = try? InputFile.text(dir + "/kpi_summary.json").get(), let j = try? JSONParser.parse(text) else {
            throw ReportInputError(message: "\(dir)/kpi_summary.json: expected a run summary written by 'wargame run'")
        }
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
                scorecard.append([s(i["incident"]), s(i["severity"]), cell("time_to_detect_s", "detected_in_time"),
                                  cell("time_to_first_action_s", "responded_in_time"), cell("time_to_mitigate_s", "mitigated_in_time"),
                                  cell("time_to_recover_s", "recovered_within_rto"), budget,
                                  i["all_deadlines_met"] == .bool(true) ? "met" : "MISSED"])
            }
        }
        let alertRows = (try? csv(dir + "/alerts.csv"))?.dropFirst() ?? []
        let actionRows = (try? csv(dir + "/actions.csv"))?.dropFirst() ?? []
        return RunReportInput(
            title: s(run?["scenario"]),
            identity: ["Scenario files: " + ((run?["scenario_files"]).flatMap { if case .array(let a) = $0 { a.map { s($0) }.joined(separator: ", ") } else { nil } } ?? ""),
                       "Scenario SHA-256: " + s(run?["scenario_sha256"]),
                       "Seed \(s(run?["seed"])), \(s(run?["steps"])) steps of \(s(run?["step_s"])) s, wargame \(s(run?["version"]))"],
            timeseriesHeader: series[0], timeseries: Array(series.dropFirst()), slos: slos, incidents: incidents, scorecard: scorecard,
            alerts: alertRows.compactMap { r in Double(r[3]).map { (rule: r[0], severity: r[1], firedAt: $0, resolvedAt: Double(r[4])) } },
            actions: actionRows.compactMap { r in Double(r[0]).map { (time: $0, action: r[3] + (r[4].isEmpty ? "" : " " + r[4])) } })
    }
}
