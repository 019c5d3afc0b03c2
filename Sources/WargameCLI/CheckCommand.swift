import Foundation
import WargameReports
import WargameScenario

/// `wargame check`: runs every scenario on its fixed seeds and compares each SLO's verdict
/// with the one the scenario declares. Exit 0 when all match, 1 when any differs.
enum CheckCommand: Command {
    static let name = "check"
    static let abstract = "Run scenarios on their fixed seeds and assert their expected SLO verdicts."
    static let positionalUsage = "[PATH...]"
    static let options: [OptionSpec] = [
        .alertRules,
        .sloSpec,
        .alertmanagerConfig,
        OptionSpec("rules-test", value: "dir", help: "Also write each run's metrics.prom, alerts.csv and promtool rule test to DIR/<scenario>/seed-<n>/."),
        OptionSpec("junit", value: "file", help: "Also write the results as JUnit XML (a suite per scenario, a case per seed)."),
    ]
    static let discussion = """
        PATH is a scenario file or a directory of them (default: scenarios/). Each scenario's
        "expect" section names its seeds, steps and the SLOs it expects to breach; every other
        SLO must pass. Nothing is written unless --rules-test is given ('make promtool-check'
        runs promtool on what it writes). Exit codes: 0 all verdicts as expected, 1 some
        differ, 2 bad usage or input.
        """

    struct Row {
        let scenario: String
        let seed: UInt64
        let cells: [(slo: String, actual: Verdict, expected: ExpectedVerdict)]
        /// Alerts that fired; and what the scenario's expectations say is wrong with them.
        let alerts: [String]
        let alertProblems: [String]
        /// The run's paging quality, when it has incidents.
        var quality: AlertQuality? = nil
    }

    static func run(_ o: ParsedOptions, _ context: CommandContext) throws -> ExitCode {
        let paths = try scenarioFiles(o.positionals.isEmpty ? ["scenarios"] : o.positionals)
        var scenarios: [Scenario] = []
        for p in paths {
            guard let s = try RunCommand.loadScenario(p, context) else { return .badInput }
            scenarios.append(s)
        }
        let rulesTestRoot = try o.string("rules-test").map { dir throws(OutputError) in try OutputSet(directory: dir) }
        let junit = try o.string("junit").map { file throws(OutputError) in try OutputSet.forFile(file) }
        if rulesTestRoot != nil, let long = scenarios.first(where: { ($0.expect.steps ?? $0.run.steps) > AlertRulesTest.maximumSteps }) {
            throw UsageError(message: "'--rules-test' records at most \(AlertRulesTest.maximumSteps) steps; \(long.name) checks \(long.expect.steps ?? long.run.steps).", command: name)
        }
        var rows: [Row] = []
        for s in scenarios {
            for seed in s.expect.seeds {
                let write = rulesTestRoot.map {
                    ScenarioRunner.Outputs(directory: "\($0.directory)/\(s.name)/seed-\(seed)", logs: .none, rulesTest: true)
                }
                let r = try ScenarioRunner.execute(s, seed: seed, steps: s.expect.steps ?? s.run.steps, write: write)
                let fired = r.report.warGame?.alerts.reduce(into: [String]()) { names, e in
                    if !names.contains(e.rule) { names.append(e.rule) }
                } ?? []
                var problems = s.expect.alerts.filter { !fired.contains($0) }.map { "missing " + $0 }
                let unjudged = s.monitoring.commandLineAlertNames
                problems += fired.filter { !s.expect.alerts.contains($0) && !s.expect.alertsMayFire.contains($0) && !unjudged.contains($0) }.map { "unexpected " + $0 }
                problems += scorecardProblems(r.report.warGame?.scores ?? [], s.expect)
                if let wg = r.report.warGame { problems += qualityProblems(wg, s.expect) + notifiedProblems(wg, s.expect) }
                rows.append(Row(scenario: s.name, seed: seed,
                                cells: r.report.results.map { ($0.slo.name, $0.verdict, s.expect.expected($0.slo.name)) }
                                    + r.report.teamSLOs.map { ($0.id, $0.verdict, s.expect.expected($0.id)) },
                                alerts: fired, alertProblems: problems,
                                quality: r.report.warGame.flatMap { $0.quality.incidents > 0 ? $0.quality : nil }))
            }
        }
        context.console.out(table(rows))
        context.console.out(qualitySummary(rows))
        var fractions: [(scenario: String, line: String, ok: Bool)] = []
        for s in scenarios {
            guard let range = s.expect.passFractionSeeds, !s.expect.minimumPassFractions.isEmpty else { continue }
            let steps = s.expect.passFractionSteps ?? s.run.steps
            let sweep = try ParallelRuns.run(s, seeds: Array(range), steps: steps,
                                             jobs: ProcessInfo.processInfo.activeProcessorCount, console: nil)
            let header = SweepTable.header(slos: s.slos, teamSLOs: s.teamSLOIDs)
            for (slo, minimum) in s.expect.minimumPassFractions {
                let c = header.firstIndex(of: "slo_" + slo)!
                let passes = sweep.filter { $0[c] == "pass" }.count
                let fraction = Double(passes) / Double(sweep.count)
                let line = "\(slo) held on \(passes)/\(sweep.count) seeds \(range.lowerBound)..\(range.upperBound) "
                    + "(\(NumberFormat.fixed(fraction, 3)); required ≥ \(NumberFormat.fixed(minimum, 3)))"
                fractions.append((s.name, line, fraction >= minimum))
                context.console.out("\(s.name): " + line + (fraction >= minimum ? "\n" : " !\n"))
            }
        }
        let fractionProblems = fractions.filter { !$0.ok }.count
        if let (outputs, file) = junit {
            try outputs.open(file).write(junitReport(scenarios, rows, fractions).rendered())
            context.console.out("Wrote " + (try outputs.commitAll()).joined() + "\n")
        }
        if let rulesTestRoot {
            try rulesTestRoot.commitAll()
            context.console.out("Wrote a promtool rule test per run under \(rulesTestRoot.directory)/\n")
        }
        let mismatches = rows.flatMap(\.cells).filter { !$0.expected.admits($0.actual) }.count
            + rows.map(\.alertProblems.count).reduce(0, +) + fractionProblems
        context.console.out(mismatches == 0
            ? "\nAll \(rows.count) scenario runs gave their expected verdicts.\n"
            : "\n\(mismatches) verdict(s) or alert(s) differ from what the scenarios declare (marked !).\n")
        return mismatches == 0 ? .success : .sloBreached
    }

    static func junitReport(_ scenarios: [Scenario], _ rows: [Row], _ fractions: [(scenario: String, line: String, ok: Bool)]) -> JUnitReport {
        JUnitReport(name: "wargame check", suites: scenarios.map { s in
            var cases = rows.filter { $0.scenario == s.name }.map { r in
                JUnitReport.Case(
                    name: "seed \(r.seed)",
                    failures: r.cells.filter { !$0.expected.admits($0.actual) }.map { "\($0.slo): expected \($0.expected.rawValue), got \($0.actual.rawValue)" }
                        + r.alertProblems.map { $0.replacingOccurrences(of: "missing ", with: "alert expected but not fired: ")
                                                  .replacingOccurrences(of: "unexpected ", with: "alert fired but not expected: ") },
                    output: "SLO verdicts: " + r.cells.map { "\($0.slo) \($0.actual.rawValue)" }.joined(separator: ", ")
                        + "\nalerts fired: " + (r.alerts.isEmpty ? "none" : r.alerts.joined(separator: ", ")))
            }
            let mine = fractions.filter { $0.scenario == s.name }
            if let range = s.expect.passFractionSeeds, !mine.isEmpty {
                cases.append(JUnitReport.Case(name: "pass fractions over seeds \(range.lowerBound)..\(range.upperBound)",
                                              failures: mine.filter { !$0.ok }.map(\.line), output: mine.map(\.line).joined(separator: "\n")))
            }
            return JUnitReport.Suite(name: s.name, properties: [("scenario_files", s.files.joined(separator: ", ")),
                                                                ("scenario_sha256", s.sha256),
                                                                ("steps", String(s.expect.steps ?? s.run.steps))], cases: cases)
        })
    }

    /// Scenario files under the given paths, sorted (directories: their *.json files).
    static func scenarioFiles(_ paths: [String]) throws -> [String] {
        var out: [String] = []
        for p in paths {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: p, isDirectory: &isDir) else {
                throw UsageError(message: "No scenario file or directory at '\(p)'.", command: name)
            }
            if isDir.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: p)) ?? []
                out += names.filter { $0.hasSuffix(".json") }.sorted().map { p.hasSuffix("/") ? p + $0 : p + "/" + $0 }
            } else {
                out.append(p)
            }
        }
        return out
    }

    /// The scorecard deadlines `expect.scorecard` asserts, checked on every incident.
    /// `expect.notified`: each named incident reached exactly the receivers listed.
    static func notifiedProblems(_ wg: WarGameOutcome, _ e: Expectations) -> [String] {
        e.notified.compactMap { n in
            let reached = wg.scores.first { $0.name == n.incident }?.notified?.map(\.receiver) ?? []
            guard Set(reached) != Set(n.receivers) else { return nil }
            return "\(n.incident) notified [\(reached.joined(separator: ", "))], expected [\(n.receivers.joined(separator: ", "))]"
        }
    }

    static func scorecardProblems(_ scores: [IncidentScore], _ e: Expectations) -> [String] {
        var out: [String] = []
        for s in scores {
            for (label, value, limit) in [("detected", s.detected, e.detectedWithin), ("first action", s.firstAction, e.firstActionWithin),
                                          ("mitigated", s.mitigated, e.mitigatedWithin), ("recovered", s.recovered, e.recoveredWithin)] {
                guard let limit else { continue }
                if let value, value <= limit { continue }
                out.append("scorecard: \(s.name) \(label) " + (value.map { "after \(NumberFormat.fixed($0.seconds, 0)) s" } ?? "never")
                           + ", expected within \(NumberFormat.fixed(limit.seconds, 0)) s")
            }
            if let met = e.deadlinesMet, s.allMet != met {
                out.append("scorecard: \(s.name) \(s.allMet ? "met" : "missed") its \(s.severity) deadlines, expected \(met ? "met" : "missed")")
            }
        }
        return out
    }

    /// Per war game with incidents, its paging quality over its checked seeds: recall
    /// (incidents a linked paging alert fired for), precision (pages attributed to an
    /// incident) and the firings attributed to none.
    static func qualitySummary(_ rows: [Row]) -> String {
        var names: [String] = []
        for r in rows where r.quality != nil && !names.contains(r.scenario) { names.append(r.scenario) }
        guard !names.isEmpty else { return "" }
        let header = ["war game", "seeds", "incidents paged (recall)", "pages attributed (precision)", "firings unattributed"]
        let body: [[String]] = names.map { n in
            let qs = rows.filter { $0.scenario == n }.compactMap(\.quality)
            let inc = qs.reduce(0) { $0 + $1.incidents }, paged = qs.reduce(0) { $0 + $1.incidentsPaged }
            let pages = qs.reduce(0) { $0 + $1.pages }, useful = qs.reduce(0) { $0 + $1.pagesAttributed }
            return [n, String(qs.count), "\(paged)/\(inc) (\(NumberFormat.fixed(Double(paged) / Double(max(1, inc)), 2)))",
                    pages > 0 ? "\(useful)/\(pages) (\(NumberFormat.fixed(Double(useful) / Double(pages), 2)))" : "no pages",
                    String(qs.reduce(0) { $0 + $1.unattributed })]
        }
        return "\nAlert quality over the checked seeds:\n" + TextTable.render([header] + body, indent: "  ")
    }

    /// The alert quality `expect.alert_quality` asserts.
    static func qualityProblems(_ wg: WarGameOutcome, _ e: Expectations) -> [String] {
        var out: [String] = []
        let q = wg.quality
        if let paged = e.everyIncidentPaged, (q.incidentsPaged == q.incidents) != paged {
            let missed = wg.scores.filter { !$0.paged }.map(\.name)
            out.append("alert quality: " + (paged ? "not paged for " + missed.joined(separator: ", ") : "every incident paged for") + ", expected "
                       + (paged ? "every incident paged for" : "at least one not"))
        }
        if let most = e.maxUnattributed, q.unattributed > most {
            out.append("alert quality: \(NumberFormat.counted(q.unattributed, "firing")) attributed to no incident, expected at most \(most)")
        }
        if let least = e.minPrecision, (q.precision ?? 1) < least {
            out.append("alert quality: page precision \(NumberFormat.fixed(q.precision ?? 1, 4)) (\(q.pagesAttributed) of \(q.pages)), expected at least \(NumberFormat.fixed(least, 4))")
        }
        return out
    }

    static func table(_ rows: [Row]) -> String {
        var slos: [String] = []
        for r in rows { for c in r.cells where !slos.contains(c.slo) { slos.append(c.slo) } }
        let header = ["scenario", "seed"] + slos + ["alerts fired"]
        let body: [[String]] = rows.map { r in
            [r.scenario, String(r.seed)] + slos.map { name in
                guard let c = r.cells.first(where: { $0.slo == name }) else { return "-" }
                return (c.actual == .pass ? "pass" : "BREACH") + (c.expected.admits(c.actual) ? "" : " !")
            } + [(r.alerts.isEmpty ? "none" : r.alerts.joined(separator: " "))
                 + (r.alertProblems.isEmpty ? "" : " ! (" + r.alertProblems.joined(separator: ", ") + ")")]
        }
        return TextTable.render([header] + body)
    }
}

/// `wargame golden`: SHA-256 digests of every output file for fixed scenario × seed pairs.
/// Verifies them (exit 1 on any change) or, with `--record`, writes them anew.
enum GoldenCommand: Command {
    static let name = "golden"
    static let abstract = "Verify (or --record) the SHA-256 digests of outputs for fixed scenario × seed pairs."
    static let options: [OptionSpec] = [
        OptionSpec("file", value: "path", help: "The digest file.", default: "Tests/golden/digests.json"),
        OptionSpec("root", value: "dir", help: "Directory the cases' scenario paths are relative to.", default: "."),
        OptionSpec("record", value: nil, help: "Re-record the digests instead of verifying them."),
    ]
    static let discussion = """
        Re-record only when an output is meant to change (a new column, a model change, a
        formatting fix), and say why in the commit; a digest changing for any other reason
        is a determinism or regression bug.
        """

    struct Case { let scenario: String; let seed: UInt64; let steps: Int; var digests: [(String, String)] }

    static func run(_ o: ParsedOptions, _ context: CommandContext) throws -> ExitCode {
        try o.expectPositionals(atMost: 0)
        let root = o.string("root") ?? "."
        let file = o.string("file") ?? root + "/Tests/golden/digests.json"
        let cases = try load(file)
        var fresh: [Case] = []
        var changed = 0
        for c in cases {
            var now = c
            now.digests = try digests(c, root: root)
            for (name, sha) in now.digests where c.digests.first(where: { $0.0 == name })?.1 != sha {
                changed += 1
                context.console.out("changed: \(c.scenario) seed \(c.seed) steps \(c.steps): \(name)\n")
            }
            fresh.append(now)
        }
        if o.has("record") {
            let (outputs, name) = try OutputSet.forFile(file)
            try outputs.open(name).write(render(fresh).rendered())
            try outputs.commitAll()
            context.console.out("recorded \(NumberFormat.counted(fresh.count, "case")) in \(file)\n")
            return .success
        }
        context.console.out(changed == 0 ? "golden digests match (\(NumberFormat.counted(cases.count, "case")))\n" : "\(changed) digest(s) changed\n")
        return changed == 0 ? .success : .sloBreached
    }

    /// Runs one case into a scratch directory and digests each output.
    static func digests(_ c: Case, root: String) throws -> [(String, String)] {
        // Files are recorded relative to the root, so digests do not depend on where the run happens from.
        guard let scenario = try? ScenarioLoader.load(root == "." ? c.scenario : root + "/" + c.scenario, relativeTo: root) else {
            throw UsageError(message: "Golden case names an invalid scenario '\(c.scenario)'.", command: name)
        }
        let dir = NSTemporaryDirectory() + "wargame-golden-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try ScenarioRunner.execute(scenario, seed: c.seed, steps: c.steps, write: .init(directory: dir))
        return try ScenarioRunner.files.map { f in
            (f, SHA256.hex([UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/" + f)))))
        }
    }

    static func load(_ file: String) throws -> [Case] {
        guard let text = try? InputFile.text(file).get(), let json = try? JSONParser.parse(text), case .array(let items)? = json["cases"] else {
            throw UsageError(message: "Cannot read golden digests from '\(file)'.", command: name)
        }
        return items.compactMap { item in
            guard case .string(let s)? = item["scenario"], case .number(let seedNumber)? = item["seed"], let seed = seedNumber.uint64,
                  case .number(let stepsNumber)? = item["steps"], let steps = stepsNumber.int, steps >= 1 else { return nil }
            var digests: [(String, String)] = []
            if case .object(let members)? = item["files"] {
                for m in members { if case .string(let sha) = m.value { digests.append((m.key, sha)) } }
            }
            return Case(scenario: s, seed: seed, steps: steps, digests: digests)
        }
    }

    static func render(_ cases: [Case]) -> JSONValue {
        .object([("cases", .array(cases.map { c in
            .object([("scenario", .string(c.scenario)), ("seed", .uint(c.seed)), ("steps", .int(Int64(c.steps))),
                     ("files", .object(c.digests.map { ($0.0, .string($0.1)) }))])
        }))])
    }
}
