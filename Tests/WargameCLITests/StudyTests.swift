import Foundation
import Testing
@testable import WargameCLI
import WargameReports
import WargameScenario

func csvRows(_ path: String) throws -> [[String]] {
    try #require(CSVReader.parse(try String(contentsOfFile: path, encoding: .utf8)))
}

func jsonFile(_ path: String) throws -> JSON {
    try JSONParser.parse(try String(contentsOfFile: path, encoding: .utf8))
}

@Suite struct StudyTests {
    let baseline = packageRoot + "/scenarios/baseline.json"
    let vary = ["--vary", "demand.orders_per_second=1,1.8", "--vary", "router.strategy=score,p2c"]

    @Test func aTwoByTwoStudyIsTheFourCorrespondingSweeps() throws {
        let out = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = runCLI(["study", baseline] + vary + ["--seeds", "1..3", "--steps", "12", "--jobs", "2", "--out", out + "/study"])
        #expect(r.code == .success, "\(r.err)")
        let study = try csvRows(out + "/study/study.csv")
        #expect(Array(study[0].prefix(4)) == ["point", "demand.orders_per_second", "router.strategy", "seed"])
        #expect(study.count == 1 + 4 * 3)
        var point = 0
        for demand in ["1", "1.8"] {
            for strategy in ["score", "p2c"] {
                point += 1
                let dir = out + "/sweep-\(point)"
                let s = runCLI(["sweep", baseline, "--seeds", "1..3", "--steps", "12", "--jobs", "1", "--out", dir,
                                "--set", "demand.orders_per_second=\(demand)", "--set", "router.strategy=\(strategy)"])
                #expect(s.code == .success)
                let sweep = try csvRows(dir + "/sweep.csv")
                #expect(Array(study[0].dropFirst(3)) == sweep[0])
                let rows = study.dropFirst().filter { $0[0] == String(point) }
                #expect(rows.allSatisfy { $0[1] == demand && $0[2] == strategy })
                #expect(rows.map { Array($0.dropFirst(3)) } == Array(sweep.dropFirst()), "point \(point)")
            }
        }
        // The four points differ (the factors matter), so the comparison above is not vacuous.
        #expect(Set(study.dropFirst().map { Array($0.dropFirst(4)) }).count > 3)
        let summary = try jsonFile(out + "/study/study_summary.json")
        guard case .array(let design)? = summary["design"], design.count == 4 else { Issue.record("no design"); return }
        #expect(design[3]["settings"]?["router.strategy"] == .string("p2c"))
        #expect(design[0]["scenario_sha256"] != design[1]["scenario_sha256"])
        #expect(r.out.contains("SLO passes per design point"))
    }

    @Test func outputsAreByteIdenticalForAnyJobsAndForMergedShards() throws {
        let out = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let args = ["study", baseline] + vary + ["--seeds", "1..5", "--steps", "6"]
        #expect(runCLI(args + ["--jobs", "1", "--out", out + "/one"]).code == .success)
        #expect(runCLI(args + ["--jobs", "3", "--out", out + "/three"]).code == .success)
        for i in 1...2 { #expect(runCLI(args + ["--shard", "\(i)/2", "--jobs", "2", "--out", out + "/shard\(i)"]).code == .success) }
        #expect(runCLI(["merge", out + "/shard2", out + "/shard1", "--out", out + "/merged"]).code == .success)
        for f in ["study.csv", "study_summary.json", "study_summary.md", "report.html"] {
            let one = FileManager.default.contents(atPath: out + "/one/" + f)
            #expect(one != nil && one == FileManager.default.contents(atPath: out + "/three/" + f), "\(f) with 3 jobs")
            #expect(one == FileManager.default.contents(atPath: out + "/merged/" + f), "\(f) merged")
        }
        // The report can be rebuilt from the directory, identically.
        let before = FileManager.default.contents(atPath: out + "/one/report.html")
        #expect(runCLI(["report", out + "/one"]).code == .success)
        #expect(FileManager.default.contents(atPath: out + "/one/report.html") == before)
        let html = try String(contentsOfFile: out + "/one/report.html", encoding: .utf8)
        #expect(html.contains("Pass-fraction heat maps") && html.contains("against router.strategy"))
        // Pass counts over their Wilson interval in narrow cells, and headers that may break
        // after '_' and '.', so a study's seven SLO columns fit the page (seen in Chromium).
        #expect(html.contains("<th>fill_<wbr/>rate_<wbr/>p95</th>") && html.contains("<th>router.<wbr/>strategy</th>"))
        #expect(html.contains("/5<br/><span class=\"ci\">"))
        _ = try scanReport(out + "/one/report.html")  // still well-formed XML
    }

    @Test func badDesignsExitTwoBeforeRunningAnything() {
        let bad = runCLI(["study", baseline, "--vary", "router.strategy=score,p2cc", "--seeds", "1..2"])
        #expect(bad.code == .badInput && bad.err.contains("--set router.strategy=\"p2cc\": router.strategy: expected one of"))
        let typo = runCLI(["study", baseline, "--vary", "demand.order_per_second=1,2", "--seeds", "1..2"])
        #expect(typo.code == .badInput && typo.err.contains("(did you mean \"orders_per_second\"?)"))
        let none = runCLI(["study", baseline, "--seeds", "1..2"])
        #expect(none.code == .badInput && none.err.contains("a study needs at least one factor"))
        let twice = runCLI(["study", baseline, "--vary", "demand.tenants=5,6", "--vary", "demand.tenants=7", "--seeds", "1..2"])
        #expect(twice.code == .badInput && twice.err.contains("given twice"))
        let range = runCLI(["study", baseline, "--vary", "demand.tenants=9..1:1", "--seeds", "1..2"])
        #expect(range.code == .badInput && range.err.contains("expected LO ≤ HI"))
    }
}

@Suite struct SearchTests {
    let baseline = packageRoot + "/scenarios/baseline.json"

    func passes(_ dir: String, _ slo: String) throws -> (Int, Int) {
        let s = try jsonFile(dir + "/sweep_summary.json")
        guard case .number(let p)? = s["slos"]?[slo]?["passes"], case .number(let n)? = s["slos"]?[slo]?["runs"] else { throw CocoaError(.fileReadCorruptFile) }
        return (p.int!, n.int!)
    }

    @Test func aMonotoneResponseGivesABracketThatSweepsConfirm() throws {
        // The fill_rate_p95 SLO's own threshold: a seed passes exactly when its KPI ≥ the threshold,
        // so the pass fraction can only fall as the threshold rises.
        let out = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = runCLI(["search", baseline, "--param", "slos[fill_rate_p95].threshold", "--range", "0.5..1", "--slo", "fill_rate_p95",
                        "--target", "0.8", "--seeds", "1..10", "--steps", "10", "--resolution", "0.01", "--out", out + "/search"])
        #expect(r.code == .success, "\(r.err)")
        let j = try jsonFile(out + "/search/search.json")
        guard case .number(let a)? = j["bracket"]?["passing"]?["value"], case .number(let b)? = j["bracket"]?["failing"]?["value"],
              case .array(let commands)? = j["bracket"]?["reproduce"] else { Issue.record("no bracket: \(r.out)"); return }
        #expect(a.value < b.value && b.value - a.value <= 0.01 + 1e-9)
        #expect(j["passes_below"] == .bool(true) && j["monotone"] == .bool(true))
        #expect(commands.count == 2 && r.out.contains("wargame sweep"))
        // search.json records the values run, not rounded to the resolution: exactly what
        // the reproduce commands (and the sweeps below) set.
        for (recorded, command) in zip([a, b], commands) {
            guard case .string(let line) = command, let set = line.split(separator: "=").last else { Issue.record("\(command)"); continue }
            #expect(Double(recorded.literal) == Double(set.filter { $0 != "'" }), "\(recorded.literal) vs \(line)")
        }
        // The sweeps at both ends agree with the search.
        for (value, dir, passing) in [(a.literal, "/low", true), (b.literal, "/high", false)] {
            #expect(runCLI(["sweep", baseline, "--seeds", "1..10", "--steps", "10", "--set", "slos[fill_rate_p95].threshold=\(value)", "--out", out + dir]).code != .badInput)
            let (p, n) = try passes(out + dir, "fill_rate_p95")
            #expect((Double(p) / Double(n) >= 0.8) == passing, "\(value): \(p)/\(n)")
        }
    }

    /// Bisection of 0.5…4 evaluates 1.8125, 1.8671875, …: search.json records each value
    /// as run, as the console and the reproduce commands print it, not rounded to 1.813.
    @Test func evaluatedValuesAreRecordedExactly() throws {
        let out = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = runCLI(["search", baseline, "--param", "demand.orders_per_second", "--range", "0.5..4", "--slo", "fill_rate_p95",
                        "--seeds", "1..3", "--steps", "30", "--out", out])
        #expect(r.code == .success, "\(r.err)")
        let printed = r.out.split(separator: "\n").compactMap { line -> Double? in
            let prefix = "  demand.orders_per_second = "
            guard line.hasPrefix(prefix), let colon = line.firstIndex(of: ":") else { return nil }
            return Double(line[line.index(line.startIndex, offsetBy: prefix.count)..<colon])
        }
        guard case .array(let evaluated)? = try jsonFile(out + "/search.json")["evaluated"] else { Issue.record("no evaluated points"); return }
        let recorded = evaluated.compactMap { p -> Double? in if case .number(let n)? = p["value"] { Double(n.literal) } else { nil } }
        #expect(printed.count >= 5 && recorded.sorted() == printed.sorted(), "\(recorded) vs \(printed)")
        #expect(recorded.contains { $0 != ($0 * 1_000).rounded() / 1_000 }, "some value needs more than the resolution's decimals: \(recorded)")
    }

    @Test func integerParametersSearchIntegers() throws {
        let out = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = runCLI(["search", baseline, "--param", "bridges[axelar].relayers", "--range", "1..6", "--slo", "bridge_rtt_p95",
                        "--seeds", "1..4", "--steps", "8", "--out", out])
        #expect(r.code == .success, "\(r.err)")
        let j = try jsonFile(out + "/search.json")
        #expect(j["integer"] == .bool(true))
        guard case .array(let points)? = j["evaluated"] else { Issue.record("no points"); return }
        for p in points { if case .number(let v)? = p["value"] { #expect(v.value == v.value.rounded()) } }
        // One relayer cannot carry axelar's share (p95 far above 350 ms); the bracket is [2, 1].
        #expect(j["bracket"]?["failing"]?["value"] == .number(JSONNumber(value: 1, literal: "1", isInteger: true)))
        #expect(j["bracket"]?["passing"]?["value"] == .number(JSONNumber(value: 2, literal: "2", isInteger: true)))
        #expect(j["passes_below"] == .bool(false))
    }

    @Test func nonMonotoneEvidenceIsNamed() throws {
        let scenario = try ScenarioLoader.load(baseline)
        let setup = SearchCommand.Setup(path: baseline, param: "x", base: [], slo: "fill_rate_p95", target: 0.9, seeds: [1, 2, 3, 4],
                                        steps: 5, jobs: 1, integer: false)
        let points = [SearchCommand.Point(value: 1, passes: 4, runs: 4), SearchCommand.Point(value: 2, passes: 2, runs: 4),
                      SearchCommand.Point(value: 3, passes: 3, runs: 4), SearchCommand.Point(value: 4, passes: 0, runs: 4)]
        let report = SearchReport(setup: setup, scenario: scenario, lo: 1, hi: 4, resolution: 1,
                                  result: .init(points: points, passing: points[0], failing: points[1], passesBelow: true))
        #expect(report.contradictions.map { [$0.0.value, $0.1.value] } == [[2, 3]])
        #expect(report.warnings.first?.hasPrefix("not monotone: x = 2 passes on 2/4 seeds but 3 on 3/4") == true)
    }

    @Test func badSearchesExitTwo() {
        let slo = runCLI(["search", baseline, "--param", "demand.orders_per_second", "--range", "1..2", "--slo", "bridge_rtt_p59"])
        #expect(slo.code == .badInput && slo.err.contains("Did you mean 'bridge_rtt_p95'?"))
        let range = runCLI(["search", baseline, "--param", "demand.orders_per_second", "--range", "2..1", "--slo", "fill_rate_p95"])
        #expect(range.code == .badInput && range.err.contains("expected LO..HI with LO < HI"))
        let type = runCLI(["search", baseline, "--param", "router.strategy", "--range", "1..2", "--slo", "fill_rate_p95"])
        #expect(type.code == .badInput && type.err.contains("expected a numeric field"))
        let field = runCLI(["search", baseline, "--param", "demand.order_per_second", "--range", "1..2", "--slo", "fill_rate_p95", "--seeds", "1..2", "--steps", "2"])
        #expect(field.code == .badInput && field.err.contains("did you mean \"orders_per_second\""))
    }
}

@Suite struct SensitivityAndWarmupTests {
    let baseline = packageRoot + "/scenarios/baseline.json"

    @Test func effectsArePairedDifferencesRankedPerKPI() throws {
        let out = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = runCLI(["sensitivity", baseline, "--seeds", "1..4", "--steps", "8", "--params",
                        "demand.orders_per_second,bridges[axelar].relayers,providers[akash].ack_median_ms+providers[akash].ack_p95_ms", "--out", out])
        #expect(r.code == .success, "\(r.err)")
        let j = try jsonFile(out + "/sensitivity.json")
        guard case .array(let ranking)? = j["ranking"]?["bridge_rtt_p95_ms"] else { Issue.record("no ranking"); return }
        #expect(ranking.first == .string("bridges[axelar].relayers"))
        #expect(ranking.contains(.string("providers[akash].{ack_median_ms,ack_p95_ms}")))
        // The reported effect is the mean paired difference of the rows in sensitivity.csv.
        let rows = try csvRows(out + "/sensitivity.csv")
        let c = rows[0].firstIndex(of: "bridge_rtt_p95_ms")!
        let base = rows.filter { $0[1] == "base" }.map { Double($0[c])! }
        let minus = rows.filter { $0[0] == "bridges[axelar].relayers" && $0[1] == "minus" }
        #expect(minus.first?[2] == "1" && base.count == 4 && minus.count == 4)
        let mean = zip(base, minus.map { Double($0[c])! }).map { $1 - $0 }.reduce(0, +) / 4
        guard case .array(let params)? = j["parameters"], case .number(let reported)? = params[1]["minus"]?["effects"]?["bridge_rtt_p95_ms"]?["mean_change"]
        else { Issue.record("no effect"); return }
        #expect(abs(reported.value - mean) < 1e-4)
        #expect(FileManager.default.fileExists(atPath: out + "/report.html") && FileManager.default.fileExists(atPath: out + "/sensitivity.md"))
        let unknown = runCLI(["sensitivity", baseline, "--seeds", "1..2", "--params", "router.strategy"])
        #expect(unknown.code == .badInput && unknown.err.contains("not one sensitivity can read"))
    }

    @Test func warmupSuggestsAWholeNumberOfBatchesWithItsEvidence() {
        let r = runCLI(["warmup", baseline, "--seeds", "1..3", "--steps", "120", "--jobs", "2"])
        #expect(r.code == .success, "\(r.err)")
        for signal in ["fill_rate", "bridge_rtt_p95_ms", "policy_decision_p95_ms", "running_jobs"] { #expect(r.out.contains("  \(signal) ")) }
        guard let line = r.out.components(separatedBy: "\n").first(where: { $0.hasPrefix("Suggested warm-up: ") }),
              let steps = Int(line.dropFirst("Suggested warm-up: ".count).prefix { $0.isNumber }) else { Issue.record("\(r.out)"); return }
        #expect(steps % 5 == 0 && steps <= 60)
        #expect(line.contains("--warmup \(steps * 60)"))
    }
}
