import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import SimKernel
@testable import WargameReports
@testable import WargameCLI

/// Collects what the report's XML holds: charts, their drawn shapes, and any parse error.
final class ReportScan: NSObject, XMLParserDelegate {
    var svgs = 0, shapesWithPoints = 0, polylinesPerSVG: [Int] = [], scripts = 0, externalRefs = 0, texts: [String] = []
    var inText = false

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        switch name {
        case "svg": svgs += 1; polylinesPerSVG.append(0)
        case "polyline", "polygon":
            let points = attributes["points"] ?? ""
            if points.split(separator: " ").count >= 2 {
                shapesWithPoints += 1
                polylinesPerSVG[polylinesPerSVG.count - 1] += 1
            }
        case "script": scripts += 1
        case "text": inText = true
        default: break
        }
        for (k, v) in attributes where (k == "src" || k == "href") && v.hasPrefix("http") { externalRefs += 1 }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { if inText { texts.append(string) } }
    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "text" { inText = false }
    }
}

func scanReport(_ path: String) throws -> ReportScan {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    let parser = XMLParser(data: data)
    let scan = ReportScan()
    parser.delegate = scan
    #expect(parser.parse(), "report.html is not well-formed: \(parser.parserError.map { "\($0)" } ?? "")")
    return scan
}

@Suite struct ReportTests {
    @Test func aWarGameReportIsWellFormedAndEveryChartHasData() throws {
        let out = scratchDirectory()
        let r = runCLI(["run", packageRoot + "/scenarios/provider-outage-akash.json", "--steps", "45", "--out", out, "--report"])
        #expect(r.code == .sloBreached)  // failover events breach, as the war game declares
        #expect(r.out.contains("Wrote \(out)/report.html"))
        let scan = try scanReport(out + "/report.html")
        #expect(scan.svgs == 7)  // the timeline, then six metric charts
        #expect(scan.polylinesPerSVG.dropFirst().allSatisfy { $0 >= 1 }, "\(scan.polylinesPerSVG)")
        #expect(scan.scripts == 0 && scan.externalRefs == 0)
        #expect(scan.texts.contains("simulated time (minutes)") && scan.texts.contains("RTT (ms)"))
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(html.contains("FailoversHigh") && html.contains("akash down"))  // alert table, incident table
    }

    /// Alerts get a lane each, named, coloured by severity; nothing shades the metric
    /// charts (full-height bands once covered an alert drill's charts edge to edge).
    @Test func alertsHaveLanesAndNoChartIsShaded() throws {
        let out = scratchDirectory()
        _ = runCLI(["run", packageRoot + "/scenarios/alert-drill.json", "--out", out, "--report"])
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        let alerts = try CSVReader.parse(String(contentsOfFile: out + "/alerts.csv", encoding: .utf8))!.dropFirst()
        let rules = Set(alerts.map { $0[0] })
        #expect(rules.count >= 15)
        let timeline = String(html[html.range(of: "Incidents, alerts and actions</title>")!.lowerBound...].prefix { _ in true })
            .components(separatedBy: "</svg>")[0]
        for rule in rules {
            #expect(timeline.contains(">\(rule)</text>"), "no lane for \(rule)")
            #expect(timeline.contains("<title>\(rule) ("), "no bar for \(rule)")
        }
        // Every firing is a bar: as many as alerts.csv has rows.
        #expect(timeline.components(separatedBy: "fired at ").count - 1 == alerts.count)
        for severity in ["page", "critical", "warning"] { #expect(timeline.contains(">\(severity) alert</text>")) }
        #expect(!html.contains("fill-opacity=\"0.12\""))
        // The incidents are drawn: a lane each in the timeline and a strip atop every chart.
        #expect(timeline.contains(">bridges congested</text>"))
        #expect(html.components(separatedBy: "<title>incident bridges congested</title>").count - 1 == 6)
    }

    /// The report's scorecard is the run's printed one, cell for cell: the report, which
    /// reads kpi_summary.json back, once lost the detecting alert and the Paged column, so
    /// every later cell sat under the wrong header.
    @Test func theReportsScorecardIsTheRunsCellForCell() throws {
        let out = scratchDirectory()
        let r = runCLI(["run", packageRoot + "/scenarios/alert-drill.json", "--out", out, "--report"])
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        let section = html.components(separatedBy: "<h2>Scorecard</h2>")[1].components(separatedBy: "<h2>")[0]
        let rows = section.components(separatedBy: "<tr>").dropFirst().map { row in
            row.components(separatedBy: "</tr>")[0].components(separatedBy: "</t").dropLast().map { $0.components(separatedBy: ">").last! }
        }
        #expect(rows.first == WarGameOutcome.scorecardHeader)
        let printed = r.out.components(separatedBy: "  scorecard:\n")[1].split(separator: "\n").dropFirst()
            .prefix { $0.hasPrefix("    ") }
        #expect(rows.count - 1 == printed.count && printed.count == 5)
        for (cells, line) in zip(rows.dropFirst(), printed) {
            #expect(cells.count == WarGameOutcome.scorecardHeader.count, "\(cells)")
            // The printed table pads columns with two or more spaces; cells hold single spaces.
            let columns = line.trimmingCharacters(in: .whitespaces).components(separatedBy: "  ")
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            #expect(cells == columns)
        }
        #expect(section.contains("(BridgeRTTHigh)") && section.contains("Alert quality: 18 pages (critical and above)"))
        // The alert table names the incident each firing is attributed to, as alerts.csv does.
        let alerts = html.components(separatedBy: "<h2>Alerts</h2>")[1].components(separatedBy: "<h2>")[0]
        #expect(alerts.contains("<th>Incident</th>"))
        #expect(alerts.contains("<td>BridgeRTTHigh</td><td>warning</td><td>7260</td><td>8460</td><td>bridges congested</td>"))
        #expect(alerts.contains("<td>—</td>"))  // the noise: a firing of no incident
    }

    /// A step's value is plotted at the step's end: the open-breaker count "at the end of
    /// each step" of step 0 lands at minute 1, not minute 0 (it was drawn a step early).
    @Test func stepValuesArePlottedAtTheStepsEnd() {
        let header = ["step", "start_s", "fill_rate", "open_breakers"]
        let rows = [["0", "0.000", "1.0000", "2"], ["1", "60.000", "0.5000", "0"]]
        let input = RunReportInput(title: "t", identity: [], timeseriesHeader: header, timeseries: rows, slos: [], incidents: [], alerts: [], actions: [])
        let html = HTMLReport.run(input)
        let breakers = String(html[html.range(of: "Circuit breakers not CLOSED</title>")!.lowerBound...])
        let line = try! #require(breakers.split(separator: "\n").first { $0.hasPrefix("<polyline") })
        let xs = line.split(separator: "\"")[1].split(separator: " ").map { Double($0.split(separator: ",")[0])! }
        // The plot spans 64…710 px for 0…2 minutes: minute 1 is at 387, minute 2 at 710.
        #expect(xs == [387, 710], "\(xs)")
    }

    @Test func aSweepWritesItsReportAndItRebuildsByteForByte() throws {
        let out = scratchDirectory()
        #expect(runCLI(["sweep", packageRoot + "/scenarios/baseline.json", "--seeds", "1..6", "--steps", "5", "--out", out]).code == .success)
        let written = try Data(contentsOf: URL(fileURLWithPath: out + "/report.html"))
        #expect(runCLI(["report", out]).code == .success)
        #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/report.html")) == written)
        let scan = try scanReport(out + "/report.html")
        #expect(scan.svgs == 7 && scan.polylinesPerSVG.allSatisfy { $0 >= 1 })
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(html.contains("SLO pass fractions") && html.contains("6/6"))
        // Each KPI's histogram carries its SLO's threshold.
        for slo in SLO.aurora {
            #expect(html.contains(">\(slo.name) \(HTML.escape(slo.comparison.rawValue)) \(SVGChart.setting(slo.threshold))</text>"), "no threshold line for \(slo.name)")
        }
    }

    /// Every kind of output set has a report, and `wargame report` rebuilds each exactly.
    @Test(arguments: [
        ["search", packageRoot + "/scenarios/baseline.json", "--param", "demand.orders_per_second", "--range", "0.5..3", "--slo", "fill_rate_p95",
         "--seeds", "1..3", "--steps", "6"],
        ["sensitivity", packageRoot + "/scenarios/baseline.json", "--seeds", "1..3", "--steps", "4", "--params", "demand.orders_per_second,policy.workers"],
        ["study", packageRoot + "/scenarios/baseline.json", "--vary", "demand.orders_per_second=1,2", "--seeds", "1..3", "--steps", "4"],
    ])
    func everyKindsReportRebuildsByteForByte(command: [String]) throws {
        let out = scratchDirectory()
        let r = runCLI(command + ["--out", out])
        #expect(r.code == .success, "\(r.err)")
        let written = try Data(contentsOf: URL(fileURLWithPath: out + "/report.html"))
        try FileManager.default.removeItem(atPath: out + "/report.html")
        #expect(runCLI(["report", out]).code == .success)
        #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/report.html")) == written)
        #expect(try scanReport(out + "/report.html").svgs >= 1)
    }

    @Test func aSearchReportShowsTheCrossing() throws {
        let out = scratchDirectory()
        #expect(runCLI(["search", packageRoot + "/scenarios/baseline.json", "--param", "demand.orders_per_second", "--range", "0.5..4",
                        "--slo", "fill_rate_p95", "--seeds", "1..4", "--out", out]).code == .success)
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(html.contains("Pass fraction against demand.orders_per_second") && html.contains("bracket of the crossing"))
        #expect(html.contains(">target 0.95</text>"))
        let search = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/search.json"))) as? [String: Any]
        let evaluated = (search?["evaluated"] as? [Any])?.count ?? -1
        #expect(html.components(separatedBy: "<circle").count - 2 == evaluated)  // one per point, one in the legend
    }

    /// A whole-number KPI's histogram has one bar per value on whole-number ticks (twelve
    /// equal bins over 3…9 once drew a comb of empty bins between the values).
    @Test func wholeNumberKPIsGetOneBarPerValue() throws {
        let header = ["seed", KPI.failoversPer5mMax.rawValue]
        let rows = [["1", "3"], ["2", "5"], ["3", "5"], ["4", "9"]]
        let html = HTMLReport.sweep(title: "t", header: header, rows: rows)
        let svg = String(html[html.range(of: "<svg")!.lowerBound...])
        let ticks = svg.split(separator: "\n").filter { $0.contains("text-anchor=\"middle\">") && !$0.contains("font-size=\"12\"") }
            .compactMap { $0.split(separator: ">").dropFirst().first?.split(separator: "<").first.map(String.init) }
        #expect(ticks == ["2", "3", "4", "5", "6", "7", "8", "9", "10"], "\(ticks)")
        // The outline: from 0 at 2.5, a bar of 1 over 2.5…3.5, nothing at 4, 2 seeds at 5, …, back to 0 at 9.5.
        let polyline = try #require(svg.split(separator: "\n").first { $0.hasPrefix("<polyline") })
        let points = polyline.split(separator: "\"")[1].split(separator: " ")
        #expect(points.count == 2 * 7 + 2)
    }

    /// A ratio's histogram axis stays in 0…1 (a constant coverage of 1 once ran the axis to 1.05).
    @Test func aRatiosAxisNeverLeavesZeroToOne() {
        let header = ["seed", KPI.provenanceCoverage.rawValue]
        let html = HTMLReport.sweep(title: "t", header: header, rows: [["1", "1.0000"], ["2", "1.0000"]],
                                    slos: [SLO(name: "cov", kpi: .provenanceCoverage, comparison: .atLeast, threshold: 0.95)])
        let labels = html.split(separator: "\n").filter { $0.contains("text-anchor=\"middle\">") && !$0.contains("font-size=\"12\"") }
            .compactMap { $0.split(separator: ">").dropFirst().first?.split(separator: "<").first.map(String.init) }
        #expect(labels.last == "1.00", "\(labels)")
        #expect(labels.allSatisfy { Double($0)! <= 1 && Double($0)! >= 0 })
    }

    @Test func aDirectoryWithoutOutputsIsBadInput() throws {
        let dir = scratchDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let r = runCLI(["report", dir])
        #expect(r.code == .badInput)
        #expect(r.err == "Error: \(dir): expected the outputs of run, sweep, study, search or sensitivity (study.csv, sweep.csv, search.json, "
                + "sensitivity.json, kpi_summary.json), found none of them\n")
        #expect(runCLI(["report", dir + "/none"]).err == "Error: \(dir)/none: expected an output directory, found nothing at this path\n")
    }

    /// report.html standing as a directory is the user's path in the way: exit 2, not 3.
    @Test func aReportThatIsADirectoryIsBadInput() throws {
        let out = scratchDirectory()
        #expect(runCLI(["run", packageRoot + "/scenarios/baseline.json", "--steps", "2", "--out", out]).code == .success)
        try FileManager.default.createDirectory(atPath: out + "/report.html", withIntermediateDirectories: false)
        let r = runCLI(["report", out])
        #expect(r.code == .badInput)
        #expect(r.err == "Error: cannot write outputs to '\(out)/report.html': expected a file, found a directory\n")
    }

    /// An output set written over an older one takes the older one's report with it, or
    /// rebuilds it: a 5-seed report must never sit beside a 20-seed merge.
    @Test func aNewOutputSetReplacesTheOldReport() throws {
        let out = scratchDirectory()
        let baseline = packageRoot + "/scenarios/baseline.json"
        #expect(runCLI(["run", baseline, "--steps", "3", "--out", out, "--report"]).code == .success)
        #expect(FileManager.default.fileExists(atPath: out + "/report.html"))
        #expect(runCLI(["run", baseline, "--steps", "4", "--out", out]).code == .success)
        #expect(!FileManager.default.fileExists(atPath: out + "/report.html"))

        let merged = scratchDirectory(), single = scratchDirectory()
        #expect(runCLI(["sweep", baseline, "--seeds", "1..3", "--steps", "3", "--out", merged]).code == .success)
        let shards = (1...2).map { "\(merged)-shard\($0)" }
        for (i, s) in shards.enumerated() {
            #expect(runCLI(["sweep", baseline, "--seeds", "1..6", "--steps", "3", "--shard", "\(i + 1)/2", "--out", s]).code == .success)
        }
        #expect(runCLI(["merge"] + shards + ["--out", merged]).code == .success)
        #expect(runCLI(["sweep", baseline, "--seeds", "1..6", "--steps", "3", "--out", single]).code == .success)
        #expect(FileManager.default.contents(atPath: merged + "/report.html") == FileManager.default.contents(atPath: single + "/report.html"))
        // A shard written where a sweep was leaves no report describing other results.
        #expect(runCLI(["sweep", baseline, "--seeds", "1..6", "--steps", "3", "--shard", "1/2", "--out", single]).code == .success)
        #expect(!FileManager.default.fileExists(atPath: single + "/report.html"))
    }
}

/// The playbook's action labels in the timeline stay inside the plot and never overprint
/// each other (a long label near the right edge once ran over the legend and off the
/// chart; labels every third action shared a row and overlapped in Chromium).
@Suite struct TimelineLabelTests {
    @Test(arguments: [0, 1, 2, 3, 4, 5, 6, 7])
    func actionLabelsStayInsideThePlotAndNeverOverlap(seed: UInt64) {
        var rng = Xoshiro256StarStar(seed: seed)
        var chart = TimelineChart(title: "t", xLabel: "x", xRange: 0...60)
        let words = ["rollback", "halt_allocations", "set providers[flux].capacity=260 providers[ionet].capacity=240",
                     "set_provider_weight provider=akash weight=1.000", "pause_system"]
        chart.actions = (0..<(3 + Int(rng.next() % 10))).map { _ in
            (x: Double(rng.next() % 6_000) / 100, label: words[Int(rng.next() % UInt64(words.count))])
        }.sorted { $0.x < $1.x }
        let plotLeft = 64.0, plotRight = 710.0
        func px(_ x: Double) -> Double { plotLeft + x / 60 * (plotRight - plotLeft) }
        let placed = chart.placeActionLabels(px)
        #expect(placed.count == chart.actions.count)
        var extents: [(row: Int, range: ClosedRange<Double>)] = []
        for (a, p) in zip(chart.actions, placed) {
            let x = px(a.x), w = SVGChart.textWidth(p.text)
            let range = p.onLeft ? (x - 2 - w)...(x - 2) : (x + 2)...(x + 2 + w)
            #expect(range.lowerBound >= plotLeft - 0.5 && range.upperBound <= plotRight + 0.5, "\(p) at \(x)")
            #expect(!extents.contains { $0.row == p.row && $0.range.overlaps(range) }, "\(p) overprints a label in row \(p.row)")
            #expect(p.text == a.label || p.text.hasSuffix("…"))
            extents.append((p.row, range))
        }
    }
}
