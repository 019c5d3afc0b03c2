import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
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

    @Test func aDirectoryWithoutRunOutputsIsBadInput() {
        let r = runCLI(["report", scratchDirectory()])
        #expect(r.code == .badInput && r.err.contains("kpi_timeseries.csv"))
    }
}
