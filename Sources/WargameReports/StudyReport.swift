/// `report.html` for studies and sensitivity analyses, from their rows.
extension HTMLReport {
    /// Each KPI against each factor (level means with 95 % interval bars, SLO thresholds
    /// dashed), and with two factors a pass-fraction heat map per SLO.
    public static func study(title: String, notes: [String], header: [String], rows: [[String]],
                             thresholds: [String: Double]) -> String {
        let a = StudyAnalysis(header: header, rows: rows)
        var body = "<h1>Wargame study: \(HTML.escape(title))</h1>\n"
        body += notes.map { "<p>\(HTML.escape($0))</p>\n" }.joined()
        body += "<h2>SLO pass fraction per design point</h2>\n<p>Seeds passing, and below it the 95 % Wilson interval of the pass fraction.</p>\n"
        // Count over interval in one narrow cell, so seven SLO columns fit the page's width.
        body += table(["point"] + a.factors + a.slos, a.points.map { p in
            [String(p.point)] + p.levels + p.slos.map { "\($0.passes)/\($0.runs)\n\(NumberFormat.fixed($0.low, 2))–\(NumberFormat.fixed($0.high, 2))" }
        })
        if a.factors.count == 2 {
            body += "<h2>Pass-fraction heat maps</h2>\n<div class=\"grid\">\n"
            for (s, slo) in a.slos.enumerated() {
                let values: [[Double?]] = a.levels[0].map { r in
                    a.levels[1].map { c in a.points.first { $0.levels == [r, c] }.map { $0.slos[s].fraction } }
                }
                body += "<figure>\n" + StudyCharts.heatMap(title: "SLO \(slo): pass fraction", rowLabel: a.factors[0], columnLabel: a.factors[1],
                                                           rows: a.levels[0], columns: a.levels[1], values: values)
                body += "<figcaption>Share of seeds on which \(HTML.escape(slo)) held, per pair of levels.</figcaption>\n</figure>\n"
            }
            body += "</div>\n"
        }
        body += "<h2>Each KPI against each factor</h2>\n<p>Points: the level's mean over seeds (averaged over the other factors' levels); bars: 95 % t interval.</p>\n"
        for f in a.factors.indices {
            for (k, kpi) in a.kpis.enumerated() {
                let points = a.effects[f][k].map { e in e.summary.map { (mean: $0.mean, low: $0.ciLow, high: $0.ciHigh) } }
                body += "<figure>\n" + StudyCharts.intervals(title: "\(kpi.label) against \(a.factors[f])", xLabel: a.factors[f], yLabel: kpi.rawValue,
                                                             levels: a.levels[f], points: points, threshold: thresholds[kpi.rawValue])
                body += "<figcaption>\(HTML.escape(kpi.rawValue)) by level of \(HTML.escape(a.factors[f])).</figcaption>\n</figure>\n"
            }
        }
        return page("Wargame study: " + title, body)
    }

    /// Tornado charts, one per KPI: every parameter's paired effect at −δ and +δ.
    public static func sensitivity(title: String, notes: [String], kpis: [(kpi: KPI, bars: [(name: String, down: (mean: Double, low: Double, high: Double)?, up: (mean: Double, low: Double, high: Double)?)])],
                                   table rows: [[String]]) -> String {
        var body = "<h1>Wargame sensitivity: \(HTML.escape(title))</h1>\n" + notes.map { "<p>\(HTML.escape($0))</p>\n" }.joined()
        body += "<h2>Tornado charts</h2>\n"
        for k in kpis {
            body += "<figure>\n" + StudyCharts.tornado(title: "Change in \(k.kpi.label)", xLabel: "change in \(k.kpi.rawValue) (paired, same seeds)", bars: k.bars)
            body += "<figcaption>Parameters ranked by their larger effect on \(HTML.escape(k.kpi.rawValue)); whiskers: 95 % interval.</figcaption>\n</figure>\n"
        }
        body += "<h2>Effects</h2>\n" + table(["KPI", "rank", "parameter", "−δ value", "effect at −δ (95 % CI)", "+δ value", "effect at +δ (95 % CI)"], rows)
        return page("Wargame sensitivity: " + title, body)
    }

    /// A search's report: the pass fraction against the parameter with its Wilson
    /// intervals, the target and the bracket, then the conclusion and every point.
    public static func search(title: String, notes: [String], conclusion: String, warnings: [String], param: String,
                              points: [(x: Double, label: String, passes: Int, runs: Int, fraction: Double, low: Double, high: Double)],
                              target: Double, bracket: ClosedRange<Double>?, integer: Bool, reproduce: [String]) -> String {
        var body = "<h1>Wargame search: \(HTML.escape(title))</h1>\n" + notes.map { "<p>\(HTML.escape($0))</p>\n" }.joined()
        body += "<p><strong>\(HTML.escape(conclusion))</strong></p>\n"
        if !warnings.isEmpty { body += "<ul>" + warnings.map { "<li>Warning: \(HTML.escape($0))</li>" }.joined() + "</ul>\n" }
        body += "<figure>\n" + StudyCharts.passFractions(title: "Pass fraction against \(param)", xLabel: param,
                                                          points: points.map { (x: $0.x, fraction: $0.fraction, low: $0.low, high: $0.high) },
                                                          target: target, bracket: bracket, integer: integer)
        body += "<figcaption>Each evaluated value of \(HTML.escape(param)) on the same seeds; whiskers: 95 % Wilson interval.</figcaption>\n</figure>\n"
        if !reproduce.isEmpty { body += "<h2>Reproduce the ends</h2>\n<pre>" + reproduce.map(HTML.escape).joined(separator: "\n") + "</pre>\n" }
        body += "<h2>Every evaluated point</h2>\n" + table([param, "passes", "pass fraction", "95 % Wilson interval"], points.map {
            [$0.label, "\($0.passes)/\($0.runs)", NumberFormat.fixed($0.fraction, 3), NumberFormat.fixed($0.low, 3) + "…" + NumberFormat.fixed($0.high, 3)]
        })
        return page("Wargame search: " + title, body)
    }
}
