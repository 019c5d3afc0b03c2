/// One firing as alerts.csv records it.
public struct ReportAlert: Sendable {
    public var rule: String, severity: String, firedAt: Double, resolvedAt: Double?
    /// The incidents the firing is attributed to, `;`-separated; empty for none (noise).
    public var incident: String

    public init(rule: String, severity: String, firedAt: Double, resolvedAt: Double?, incident: String = "") {
        (self.rule, self.severity, self.firedAt, self.resolvedAt, self.incident) = (rule, severity, firedAt, resolvedAt, incident)
    }
}

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
    /// Lines shown under the scorecard: the alert quality (pages, precision, noise, recall).
    public var scorecardNotes: [String] = []
    public var alerts: [ReportAlert]
    public var actions: [(time: Double, action: String)]
    /// Each incident's window in seconds, for the timeline.
    public var incidentWindows: [(name: String, start: Double, end: Double)] = []
    /// The step length in seconds: a step's values are plotted at its end.
    public var stepSeconds: Double = 60
    /// The run's SLO table (its own, when the scenario changed the runbook's), drawn on the
    /// charts of the series each SLO summarises.
    public var sloLines: [SLO] = SLO.aurora

    public init(title: String, identity: [String], timeseriesHeader: [String], timeseries: [[String]], slos: [[String]],
                incidents: [[String]], scorecard: [[String]] = [], alerts: [ReportAlert],
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

    public static func page(_ title: String, _ body: String) -> String {
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
    public static func table(_ header: [String], _ rows: [[String]], verdictColumn: Int? = nil) -> String {
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

    /// A KPI's histogram over seeds. Bins sit on the round ticks of an axis that covers the
    /// values and the SLO thresholds (a ratio's axis never leaves 0…1); a whole-number KPI
    /// (failovers per 5 min) gets one bar per value on whole-number ticks — twelve equal
    /// bins over 3…9 left a comb of empty bins between the values.
    static func histogram(_ kpi: KPI, _ values: [Double], thresholds: [SLO]) -> SVGChart {
        var chart = SVGChart(title: kpi.label, xLabel: kpi.rawValue, yLabel: "seeds")
        let vmin = values.min()!, vmax = values.max()!
        let whole = values.allSatisfy { $0 == $0.rounded() } && vmax - vmin <= 40 && kpi.range.upperBound > 1
        // Bins from the values alone (about a dozen, on round edges), so a threshold far
        // from the data widens the axis without coarsening the bars.
        let bins = whole ? AxisTicks(vmin - 0.5, vmax + 0.5, maximum: 42, integer: true) : AxisTicks(vmin, vmax, maximum: 13)
        let width = whole ? 1 : bins.step
        let first = whole ? vmin - 0.5 : bins.low, last = whole ? vmax + 0.5 : bins.high
        var edges = stride(from: first, through: last + width / 2, by: width).map { whole ? $0 : AxisTicks.clean($0, step: width) }
        if kpi.range.upperBound == 1 { edges = edges.filter { $0 >= 0 && $0 <= 1 + 1e-12 } }  // a ratio's bins stay in 0…1
        if edges.count < 2 { edges = [min(vmin, 1 - width), min(vmin, 1 - width) + width] }
        let marks = thresholds.map(\.threshold)
        var axis = AxisTicks(min(edges[0], marks.min() ?? edges[0]), max(edges[edges.count - 1], marks.max() ?? edges[0]), maximum: 9, integer: whole)
        if kpi.range.upperBound == 1 && axis.high > 1 || axis.low < 0 {
            axis = AxisTicks(max(0, axis.low), min(kpi.range.upperBound, axis.high), maximum: 9, integer: whole)
        }
        chart.xRange = axis.low...axis.high
        chart.integerX = whole
        var counts = [Int](repeating: 0, count: edges.count - 1)
        for v in values {
            let k = edges.lastIndex(where: { $0 <= v }) ?? 0
            counts[min(counts.count - 1, k)] += 1
        }
        // A step outline closed at both ends, so the first and last bars have sides.
        let steps = counts.enumerated().flatMap { k, n in [(x: edges[k], y: Double(n)), (x: edges[k + 1], y: Double(n))] }
        chart.series = [SVGChart.Series(name: "seeds per bin", points: [(x: edges[0], y: 0)] + steps + [(x: edges[edges.count - 1], y: 0)])]
        chart.integerY = true
        chart.yRange = 0...Double(max(1, counts.max() ?? 1))
        chart.verticalThresholds = thresholds.map { (value: $0.threshold, label: "\($0.name) \($0.comparison.rawValue) \(SVGChart.setting($0.threshold))") }
        return chart
    }

    public static func figure(_ chart: SVGChart, _ caption: String) -> String {
        "<figure>\n" + chart.render() + "<figcaption>\(HTML.escape(caption))</figcaption>\n</figure>\n"
    }

    public static func run(_ input: RunReportInput) -> String {
        let h = input.timeseriesHeader
        let step = input.stepSeconds > 0 ? input.stepSeconds : 60
        let runSeconds = Double(max(1, input.timeseries.count)) * step
        let time = TimeAxis(runSeconds: runSeconds)
        let startColumn = h.firstIndex(of: "start_s")
        /// A step's value is known when the step ends (as Prometheus sees it, and as the
        /// alerts fire), so it is plotted there: a count of open breakers "at the end of
        /// the step" lands at the end, not a step early.
        func end(_ r: [String]) -> Double { time.value((startColumn.flatMap { Double(r[$0]) } ?? 0) + step) }
        func column(_ name: String) -> [(x: Double, y: Double)] {
            guard let c = h.firstIndex(of: name) else { return [] }
            return input.timeseries.compactMap { r in Double(r[c]).map { (x: end(r), y: $0) } }
        }
        let markers = input.actions.map { (x: time.value($0.time), label: $0.action) }
        let strips = input.incidentWindows.map { (from: time.value($0.start), to: time.value($0.end), label: "incident \($0.name)") }
        let xRange = 0...time.value(runSeconds)
        func chart(_ title: String, _ y: String, _ series: [SVGChart.Series], thresholds: [(Double, String)] = [],
                   range: ClosedRange<Double>? = nil, integer: Bool = false) -> SVGChart {
            var c = SVGChart(title: title, xLabel: time.label, yLabel: y)
            c.series = series
            c.thresholds = thresholds.map { (value: $0.0, label: $0.1) }
            c.markers = markers
            c.strips = strips
            c.yRange = range
            c.integerY = integer
            c.xRange = xRange
            return c
        }
        var body = "<h1>Wargame run: \(HTML.escape(input.title))</h1>\n<p>" + input.identity.map(HTML.escape).joined(separator: "<br/>") + "</p>\n"
        body += "<h2>SLOs</h2>\n" + table(["SLO", "Target", "Observed", "Verdict"], input.slos, verdictColumn: 3)
        if !input.incidents.isEmpty {
            body += "<h2>Incidents</h2>\n" + table(["Incident", "Window (s)", "Detected after", "Mitigated after", "Recovered after"], input.incidents)
            if !input.scorecard.isEmpty {
                body += "<h2>Scorecard</h2>\n<p>Each incident against its level's deadlines (✓ met, ✗ missed); see kpi_summary.md for the deadlines.</p>\n"
                body += table(WarGameOutcome.scorecardHeader, input.scorecard)
                body += input.scorecardNotes.map { "<p>" + HTML.escape($0) + "</p>\n" }.joined()
            }
        }
        body += "<h2>Timeline</h2>\n<p>Each point is a step's value, plotted at the step's end. Dashed black lines: SLO thresholds. "
            + "Dotted lines: playbook actions. Grey bars along the top: incident windows. Which alert fired when is in the lanes below the charts.</p>\n"
        if !input.incidentWindows.isEmpty || !input.alerts.isEmpty || !input.actions.isEmpty {
            var t = TimelineChart(title: "Incidents, alerts and actions", xLabel: time.label, xRange: xRange)
            t.incidents = input.incidentWindows.map { (name: $0.name, from: time.value($0.start), to: time.value($0.end)) }
            t.alerts = input.alerts.map { .init(rule: $0.rule, severity: $0.severity, from: time.value($0.firedAt), to: $0.resolvedAt.map(time.value)) }
            t.actions = markers
            t.describe = { NumberFormat.fixed($0 * time.secondsPerUnit, 0) }
            body += "<figure>\n" + t.render() + "<figcaption>One lane per incident and per alert rule (coloured by severity), and the playbook's actions.</figcaption>\n</figure>\n"
        }
        /// The SLO lines a chart carries: those of the KPIs it plots the per-step series of.
        func lines(_ kpis: [KPI], unit: String = "") -> [(Double, String)] {
            input.sloLines.filter { kpis.contains($0.kpi) }.map { ($0.threshold, "\($0.name) \($0.comparison.rawValue) \(SVGChart.setting($0.threshold))\(unit)") }
        }
        body += figure(chart("Fill rate per step", "fill rate (filled / submitted)", [SVGChart.Series(name: "fill rate", points: column("fill_rate"))],
                             thresholds: lines([.fillRateP50, .fillRateP95]), range: 0...1), "Per-step fill rate against the SLO lines.")
        body += figure(chart("Bridge round trip", "RTT (ms)", [SVGChart.Series(name: "p50", points: column("bridge_rtt_p50_ms")),
                                                               SVGChart.Series(name: "p95", points: column("bridge_rtt_p95_ms"))],
                             thresholds: lines([.bridgeRTTP95], unit: " ms")), "Bridge RTT percentiles per step.")
        body += figure(chart("Policy decision time", "p95 (ms)", [SVGChart.Series(name: "decision p95", points: column("decision_p95_ms"))],
                             thresholds: lines([.policyDecisionP95], unit: " ms")), "vault-law decision time (wait + evaluation), p95 per step.")
        body += figure(chart("Provenance coverage", "covered / decided", [SVGChart.Series(name: "coverage", points: column("provenance_coverage"))],
                             thresholds: lines([.provenanceCoverage]), range: 0...1),
                       "Share of jobs covered among those decided in each step.")
        var share = chart("Provider share of fills", "share of step's fills", h.filter { $0.hasPrefix("share_") }.map { name in
            let c = h.firstIndex(of: name)!
            return SVGChart.Series(name: String(name.dropFirst(6)), points: input.timeseries.map { r in (x: end(r), y: Double(r[c]) ?? 0) })
        }, range: 0...1)
        share.stacked = true
        body += figure(share, "Traffic share per provider (stacked).")
        body += figure(chart("Circuit breakers not CLOSED", "breakers", [SVGChart.Series(name: "open or half-open", points: column("open_breakers"))],
                             integer: true),
                       "Breakers OPEN or HALF_OPEN at the end of each step.")
        if !input.alerts.isEmpty {
            body += "<h2>Alerts</h2>\n" + table(["Alert", "Severity", "Fired at (s)", "Resolved at (s)", "Incident"], input.alerts.map {
                [$0.rule, $0.severity, NumberFormat.fixed($0.firedAt, 0), $0.resolvedAt.map { NumberFormat.fixed($0, 0) } ?? "still firing",
                 $0.incident.isEmpty ? "—" : $0.incident.replacingOccurrences(of: ";", with: "; ")]
            })
        }
        if !input.actions.isEmpty {
            body += "<h2>Playbook actions</h2>\n" + table(["At (s)", "Action"], input.actions.map { [NumberFormat.fixed($0.time, 0), $0.action] })
        }
        return page("Wargame: " + input.title, body)
    }

    /// A sweep report: each KPI's distribution across seeds, with its SLO's threshold, and
    /// each SLO's pass fraction.
    public static func sweep(title: String, header: [String], rows: [[String]], slos: [SLO] = [], notes: [String] = []) -> String {
        var body = "<h1>Wargame sweep: \(HTML.escape(title))</h1>\n<p>\(rows.count) replications (seeds \(HTML.escape(rows.first?[0] ?? ""))…\(HTML.escape(rows.last?[0] ?? "")))"
        body += notes.map { "<br/>" + HTML.escape($0) }.joined() + "</p>\n"
        body += "<h2>KPI distributions across seeds</h2>\n"
        for kpi in KPI.allCases {
            guard let c = header.firstIndex(of: kpi.rawValue) else { continue }
            let values = rows.compactMap { Double($0[c]) }
            guard !values.isEmpty else { continue }
            body += figure(histogram(kpi, values, thresholds: slos.filter { $0.kpi == kpi }),
                           "Histogram of \(kpi.rawValue) over \(NumberFormat.counted(values.count, "seed"))" + (slos.contains { $0.kpi == kpi } ? "; dashed: the SLO threshold." : "."))
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
