import Foundation
import Testing
@testable import WargameCLI

@Suite struct OpenMetricsTests {
    /// OpenMetrics' ordering rules, checked line by line: each family declared once, a
    /// Metric's (label set's) points together and in time order, counters named without
    /// `_total` in metadata and with it in samples, `# EOF` last.
    @Test func seriesFileFollowsOpenMetricsAndEndsAtTheRunsMetrics() throws {
        let dir = scratchDirectory()
        let r = runCLI(["run", packageRoot + "/scenarios/baseline.json", "--steps", "12", "--logs", "none", "--openmetrics",
                        "--start-time", "2026-03-01T00:00:00Z", "--out", dir])
        #expect(r.code == .success, "\(r.err)")
        let text = try String(contentsOfFile: dir + "/series.om", encoding: .utf8)
        #expect(text.hasSuffix("\n# EOF\n"))
        var families = Set<String>(), type: [String: String] = [:], current = ""
        var finishedMetrics = Set<String>(), metric = "", lastTime: Int64 = 0, points: [String: Set<Int64>] = [:]
        for line in text.split(separator: "\n").dropLast() {
            if line.hasPrefix("# HELP ") { continue }
            if line.hasPrefix("# TYPE ") {
                let p = line.split(separator: " ")
                current = String(p[2])
                #expect(families.insert(current).inserted, "family \(current) declared twice")
                type[current] = String(p[3])
                if p[3] == "counter" { #expect(!current.hasSuffix("_total"), "\(current)") }
                continue
            }
            let parts = line.split(separator: " ")
            #expect(parts.count == 3, "\(line)")
            let name = String(parts[0].prefix { $0 != "{" })
            #expect(name.hasPrefix(current), "\(name) outside its family \(current)")
            if type[current] == "counter" { #expect(name == current + "_total") }
            let labels = parts[0].drop { $0 != "{" }.split(separator: ",").filter { !$0.hasPrefix("le=") && !$0.hasPrefix("{le=") }
            let key = current + labels.joined(separator: ",").replacingOccurrences(of: "}", with: "")
            let time = try #require(Int64(parts[2]))
            if key != metric {
                #expect(!finishedMetrics.contains(key), "Metric \(key) interleaved")
                finishedMetrics.insert(metric)
                metric = key
                lastTime = 0
            }
            #expect(time >= lastTime, "\(key): time went back")
            lastTime = time
            points[key, default: []].insert(time)
        }
        // 12 steps of 60 s from 2026-03-01T00:00:00Z (1772323200): every series at every step end.
        #expect(points["wargame_orders_submitted"] == Set((1...12).map { 1_772_323_200 + 60 * Int64($0) }))
        // The last point of each counter is what metrics.prom holds.
        let prom = try String(contentsOfFile: dir + "/metrics.prom", encoding: .utf8)
        let final = try #require(prom.split(separator: "\n").first { $0.hasPrefix("wargame_orders_submitted_total ") })
        #expect(text.contains(final + " 1772323920\n"))
        // Nothing of the spool is left beside the outputs.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(".") }.isEmpty)
        // A later run into the directory without --openmetrics removes the stale series.om.
        #expect(runCLI(["run", packageRoot + "/scenarios/baseline.json", "--steps", "3", "--logs", "none", "--out", dir]).code == .success)
        #expect(!FileManager.default.fileExists(atPath: dir + "/series.om"))
    }

    @Test func startTimeIsCheckedAndBelongsToOpenMetrics() {
        let base = packageRoot + "/scenarios/baseline.json"
        let alone = runCLI(["run", base, "--steps", "2", "--start-time", "2026-01-01T00:00:00Z", "--out", scratchDirectory()])
        #expect(alone.code == .badInput && alone.err.contains("'--start-time' times series.om; give it with '--openmetrics'."))
        let bad = runCLI(["run", base, "--steps", "2", "--openmetrics", "--start-time", "yesterday", "--out", scratchDirectory()])
        #expect(bad.code == .badInput && bad.err.contains("expected an RFC 3339 time in whole seconds"))
    }
}
