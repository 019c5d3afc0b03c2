/// What a run report shows, read back from the run's output files.
public struct RunReportInput {
    public var title: String
    public var identity: [String]
    public var timeseriesHeader: [String]
    public var timeseries: [[String]]
    /// (SLO, target, observed, verdict)
    public var slos: [[String]]
    /// (incident, window, detected after, mitigated after, recovered after)
    public var incidents: [[String]]
    /// The scorecard rows (`WarGameOutcome.scorecardHeader` columns).
    public var scorecard: [[String]] = []
    public var alerts: [(rule: String, severity: String, firedAt: Double, resolvedAt: Double?)]
    public var actions: [(time: Double, action: String)]

    public init(title: String, identity: [String], timeseriesHeader: [String], timeseries: [[String]], slos: [[String]],
                incidents: [[String]], scorecard: [[String]] = [], alerts: [(rule: String, severity: String, firedAt: Double, resolvedAt: Double?)],
                actions: [(time: Double, action: String)]) {
        self.title = title
        self.identity = identity
        self.timeseriesHeader = timeseriesHeader
        self.timeseries = timeseries
        self.slos = slos
        self.incidents = incidents
        self.scorecard = scorecard
        self.alerts = alerts
        self.actions = actions
    }
}

/// `report.html`: one self-contained file (inline SVG, inline CSS, no scripts, nothing
/// fetched), readable offline and well-formed XHTML.
public enum HTMLReport {
    static let style = """
        body { font-family: DejaVu Sans, Helvetica, Arial, sans-serif; max-width: 900px; margin: 24px auto; color: #222; }
        h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; }
        table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; display: block; overflow-x: auto; }
        th, td { border: 1px solid #bbb; padding: 4px 8px; text-align: left; }
        th { background: #eee; } .pass { font-weight: bold; } .fail { font-weight: bold; text-decoration: underline; }
        figure { margin: 12px 0 20px; } figcaption { font-size: 12px; color: #555; }
        .grid { display: flex; flex-wrap: wrap; gap: 0 24px; } .grid figure { margin: 8px 0 12px; }
        .ci { font-size: 11px; color: #555; white-space: nowrap; }
        """

    static func page(_ title: String, _ body: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE html>
        <html xmlns="http://www.w3.org/1999/xhtml" lang="en">
        <head><meta charset="UTF-8"/><title>\(HTML.escape(title))</title><style>\(style)</style></head>
        <body>
        \(body)</body>
        </html>

        """
    }

    /// Headers may break after '_' and '.' (`provenance_coverage`, `demand.orders_per_second`),
    /// so tables of many named columns fit the page. A cell's text after a line break is a
    /// note, shown on a second line in small type (a count above its interval).
    static func table(_ header: [String], _ rows: [[String]], verdictColumn: Int? = nil) -> String {
        let breakable = { (name: String) in HTML.escape(name).map { $0 == "_" || $0 == "." ? "\($0)<wbr/>" : String($0) }.joined() }
        var s = "<table><tr>" + header.map { "<th>\(breakable($0))</th>" }.joined() + "</tr>\n"
        for r in rows {
            s += "<tr>" + r.enumerated().map { i, v in
                let cls = i == verdictColumn ? (v == "PASS" ? " class=\"pass\"" : " class=\"fail\"") : ""
                let lines = v.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).map { HTML.escape(String($0)) }
                let text = lines.count == 2 ? "\(lines[0])<br/><span class=\"ci\">\(lines[1])</span>" : lines[0]
                return "<td\(cls)>\(text)</td>"
            }.joined() + "</tr>\n"
        }
        return s + "</table>\n"
    }

    static func figure(_ chart: SVGChart, _ caption: String) -> String {
        "<figure>\n" + chart.render() + "<figcaption>\(HTML.escape(caption))</figcaption>\n</figure>\n"
    }

    public static func run(_ input: RunReportInput) -> String {
        let h = input.timeseriesHeader
        func column(_ name: String) -> [(x: Double, y: Double)] {
            guard let c = h.firstIndex(of: name), let t = h.firstIndex(of: "start_s") else { return [] }
            return input.timeseries.compactMap { r in Double(r[c]).map { (x: (Double(r[t]) ?? 0) / 60, y: $0) } }
        }
        let bands = input.alerts.map { (from: $0.firedAt / 60, to: ($0.resolvedAt ?? ((input.timeseries.count > 0 ? Double(input.timeseries.count) : 1) * 60)) / 60,
                                        label: "\($0.rule) (\($0.severity))") }
        let markers = input.actions.map { (x: $0.time / 60, label: $0.action) }
        let stepMinutes: Double = {
            guard let t = h.firstIndex(of: "start_s"), input.timeseries.count > 1 else { return 1 }
            return ((Double(input.timeseries[1][t]) ?? 60) - (Double(input.timeseries[0][t]) ?? 0)) / 60
        }()
        func chart(_ title: String, _ y: String, _ series: [SVGChart.Series], thresholds: [(Double, String)] = [],
                   range: ClosedRange<Double>? = nil) -> SVGChart {
            var c = SVGChart(title: title, xLabel: "simulated time (minutes)", yLabel: y)
            c.series = series
            c.thresholds = thresholds.map { (value: $0.0, label: $0.1) }
            c.bands = bands
            c.markers = markers
            c.yRange = range
            c.xRange = 0...Double(max(1, input.timeseries.count)) * stepMinutes
            return c
        }
        var body = "<h1>Wargame run: \(HTML.escape(input.title))</h1>\n<p>" + input.identity.map(HTML.escape).joined(separator: "<br/>") + "</p>\n"
        body += "<h2>SLOs</h2>\n" + table(["SLO", "Target", "Observed", "Verdict"], input.slos, verdictColumn: 3)
        if !input.incidents.isEmpty {
            body += "<h2>Incidents</h2>\n" + table(["Incident", "Window (s)", "Detected after", "Mitigated after", "Recovered after"], input.incidents)
            if !input.scorecard.isEmpty {
                body += "<h2>Scorecard</h2>\n<p>Each incident against its level's deadlines (✓ met, ✗ missed); see kpi_summary.md for the deadlines.</p>\n"
                body += table(WarGameOutcome.scorecardHeader, input.scorecard)
            }
        }
        body += "<h2>Timeline</h2>\n<p>Shaded bands: alerts firing. ▲ lines: playbook actions. Dashed black lines: SLO thresholds.</p>\n"
        body += figure(chart("Fill rate per step", "fill rate (filled / submitted)", [SVGChart.Series(name: "fill rate", points: column("fill_rate"))],
                             thresholds: [(0.85, "p50 SLO 0.85"), (0.80, "p95 SLO 0.80")], range: 0...1), "Per-step fill rate against the SLO lines.")
        body += figure(chart("Bridge round trip", "RTT (ms)", [SVGChart.Series(name: "p50", points: column("bridge_rtt_p50_ms")),
                                                               SVGChart.Series(name: "p95", points: column("bridge_rtt_p95_ms"))],
                             thresholds: [(350, "SLO 350 ms")]), "Bridge RTT percentiles per step.")
        body += figure(chart("Policy decision time", "p95 (ms)", [SVGChart.Series(name: "decision p95", points: column("decision_p95_ms"))],
                             thresholds: [(25, "SLO 25 ms")]), "vault-law decision time (wait + evaluation), p95 per step.")
        body += figure(chart("Provenance coverage", "covered / decided", [SVGChart.Series(name: "coverage", points: column("provenance_coverage"))],
                             thresholds: [(0.95, "SLO 0.95"), (0.80, "fail-closed 0.80")], range: 0...1), "Share of jobs covered among those decided in each step.")
        var share = chart("Provider share of fills", "share of step's fills", h.filter { $0.hasPrefix("share_") }.map { name in
            SVGChart.Series(name: String(name.dropFirst(6)), points: column(name).isEmpty ? [] : input.timeseries.indices.map { k in
                let t = (Double(input.timeseries[k][h.firstIndex(of: "start_s")!]) ?? 0) / 60
                return (x: t, y: Double(input.timeseries[k][h.firstIndex(of: name)!]) ?? 0)
            })
        }, range: 0...1)
        share.stacked = true
        body += figure(share, "Traffic share per provider (stacked).")
        body += figure(chart("Circuit breakers not CLOSED", "breakers", [SVGChart.Series(name: "open or half-open", points: column("open_breakers"))]),
                       "Breakers OPEN or HALF_OPEN at the end of each step.")
        if !input.alerts.isEmpty {
            body += "<h2>Alerts</h2>\n" + table(["Alert", "Severity", "Fired at (s)", "Resolved at (s)"], input.alerts.map {
                [$0.rule, $0.severity, NumberFormat.fixed($0.firedAt, 0), $0.resolvedAt.map { NumberFormat.fixed($0, 0) } ?? "still firing"]
            })
        }
        if !input.actions.isEmpty {
            body += "<h2>Playbook actions</h2>\n" + table(["At (s)", "Action"], input.actions.map { [NumberFormat.fixed($0.time, 0), $0.action] })
        }
        return page("Wargame: " + input.title, body)
    }

    /// A sweep report: each KPI's distribution across seeds and each SLO's pass fraction.
    public static func sweep(title: String, header: [String], rows: [[String]]) -> String {
        var body = "<h1>Wargame sweep: \(HTML.escape(title))</h1>\n<p>\(rows.count) replications (seeds \(HTML.escape(rows.first?[0] ?? ""))…\(HTML.escape(rows.last?[0] ?? "")))</p>\n"
        body += "<h2>KPI distributions across seeds</h2>\n"
        for kpi in KPI.allCases {
            guard let c = header.firstIndex(of: kpi.rawValue) else { continue }
            let values = rows.compactMap { Double($0[c]) }
            guard var lo = values.min(), var hi = values.max() else { continue }
            if hi - lo < 1e-9 {  // constant across seeds: centre one bar on the value
                let pad = max(abs(lo) * 0.05, 0.05)
                lo -= pad
                hi += pad
            }
            var bins = 12, width = (hi - lo) / Double(bins)
            var c2 = SVGChart(title: kpi.label, xLabel: kpi.rawValue, yLabel: "seeds")
            // Whole-number KPIs (failovers per 5 min) get one bar per value, centred on it,
            // and an axis whose ticks are whole numbers: twelve equal bins over 3…9 left
            // empty bins between the values, a comb that read as missing seeds.
            if hi - lo >= 1, hi - lo <= 40, values.allSatisfy({ $0 == $0.rounded() }) {
                bins = Int(hi - lo) + 1
                width = 1
                lo -= 0.5
                let first = lo - 0.5, span = 5 * ((Double(bins) + 1) / 5).rounded(.up)
                c2.xRange = first...(first + span)
            }
            var counts = [Int](repeating: 0, count: bins)
            for v in values { counts[min(bins - 1, Int((v - lo) / width))] += 1 }
            // A step outline closed at both ends, so the first and last bars have sides.
            let steps = counts.enumerated().flatMap { k, n in
                [(x: lo + Double(k) * width, y: Double(n)), (x: lo + Double(k + 1) * width, y: Double(n))]
            }
            c2.series = [SVGChart.Series(name: "seeds per bin", points: [(x: lo, y: 0)] + steps + [(x: lo + Double(bins) * width, y: 0)])]
            // Whole-number ticks: the y axis counts seeds.
            let top = Double(((counts.max() ?? 1) + 4) / 5 * 5)
            c2.yRange = 0...max(5, top)
            body += figure(c2, "Histogram of \(kpi.rawValue) over \(values.count) seeds.")
        }
        body += "<h2>SLO pass fractions</h2>\n"
        var passes: [[String]] = []
        for (c, name) in header.enumerated() where name.hasPrefix("slo_") {
            let k = rows.filter { $0[c] == "pass" }.count
            let w = SweepStatistics.wilson(successes: k, trials: rows.count)
            passes.append([String(name.dropFirst(4)), "\(k)/\(rows.count)", NumberFormat.fixed(rows.isEmpty ? 0 : Double(k) / Double(rows.count), 3),
                           NumberFormat.fixed(w.low, 3) + "…" + NumberFormat.fixed(w.high, 3)])
        }
        body += table(["SLO", "Passes", "Fraction", "95 % Wilson interval"], passes)
        return page("Wargame sweep: " + title, body)
    }
}
