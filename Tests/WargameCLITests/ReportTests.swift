import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
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
        #expect(scan.svgs == 6)
        #expect(scan.polylinesPerSVG.allSatisfy { $0 >= 1 }, "\(scan.polylinesPerSVG)")
        #expect(scan.scripts == 0 && scan.externalRefs == 0)
        #expect(scan.texts.contains("simulated time (minutes)") && scan.texts.contains("RTT (ms)"))
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(html.contains("FailoversHigh") && html.contains("akash down"))  // alert table, incident table
    }

    @Test func aSweepReportShowsDistributionsAndPassFractions() throws {
        let out = scratchDirectory()
        #expect(runCLI(["sweep", packageRoot + "/scenarios/baseline.json", "--seeds", "1..6", "--steps", "5", "--out", out]).code == .success)
        #expect(runCLI(["report", out]).code == .success)
        let scan = try scanReport(out + "/report.html")
        #expect(scan.svgs == 7 && scan.polylinesPerSVG.allSatisfy { $0 >= 1 })
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(html.contains("SLO pass fractions") && html.contains("6/6"))
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
        #expect(ticks == ["2", "4", "6", "8", "10", "12"], "\(ticks)")
        // The outline: from 0 at 2.5, a bar of 1 over 2.5…3.5, nothing at 4, 2 seeds at 5, …, back to 0 at 9.5.
        let polyline = try #require(svg.split(separator: "\n").first { $0.hasPrefix("<polyline") })
        let points = polyline.split(separator: "\"")[1].split(separator: " ")
        #expect(points.count == 2 * 7 + 2)
    }

    @Test func aDirectoryWithoutRunOutputsIsBadInput() {
        let r = runCLI(["report", scratchDirectory()])
        #expect(r.code == .badInput && r.err.contains("kpi_timeseries.csv"))
    }
}

/// Playbook markers' labels stay inside the plot, clear of the legend: a long label near the
/// right edge once ran over the legend and off the chart (seen in Chromium on
/// `sev1-late-response`, whose action sets two providers' capacity at minute 35 of 60).
@Suite struct ChartMarkerTests {
    /// Each marker label's text, anchor and x, in drawing order.
    func labels(_ svg: String) -> [(text: String, anchor: String, x: Double)] {
        svg.split(separator: "\n").filter { $0.hasPrefix("<text") && $0.contains("▲") }.map { line in
            let l = String(line)
            func attribute(_ name: String) -> String {
                guard let r = l.range(of: name + "=\"") else { return "" }
                return String(l[r.upperBound...].prefix { $0 != "\"" })
            }
            let text = l.split(separator: ">")[1].split(separator: "<")[0]
            return (String(text), attribute("text-anchor"), Double(attribute("x")) ?? .nan)
        }
    }

    @Test func longLabelsAreShortenedAndPlacedOnTheSideWithRoom() {
        var chart = SVGChart(title: "t", xLabel: "x", yLabel: "y")
        chart.xRange = 0...60
        chart.series = [.init(name: "s", points: [(0, 0.5), (60, 0.5)])]
        let long = "set providers[flux].capacity=260 providers[ionet].capacity=240"
        chart.markers = [(2, "halt_allocations"), (35, long), (36, "rollback"), (58, long)]
        let found = labels(chart.render())
        #expect(found.count == 4)
        // Markers a minute apart are drawn on different rows.
        let svg = chart.render()
        #expect(svg.contains("y=\"49.0\" font-size=\"10\" text-anchor=\"end\">set") && svg.contains("y=\"60.0\" font-size=\"10\" text-anchor=\"start\">▲ rollback"))
        // Left of the plot's right edge (860 − 150 = 710) whatever the side.
        let plotLeft = 64.0, plotRight = 710.0
        for l in found {
            let width = SVGChart.textWidth(l.text)
            let (from, to) = l.anchor == "end" ? (l.x - width, l.x) : (l.x, l.x + width)
            #expect(from >= plotLeft - 0.1 && to <= plotRight + 0.1, "\(l)")
        }
        #expect(found[0].text == "▲ halt_allocations" && found[0].anchor == "start")
        // Minute 35: more room on the left than on the right, but not enough: shortened.
        #expect(found[1].anchor == "end" && found[1].text.hasPrefix("set providers[flux]") && found[1].text.hasSuffix("… ▲"))
        #expect(found[2].text == "▲ rollback" && found[2].anchor == "start")
        // Minute 58: the whole label fits on the left.
        #expect(found[3].anchor == "end" && found[3].text == long + " ▲")
    }
}
