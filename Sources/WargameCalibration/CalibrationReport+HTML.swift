import WargameReports

extension CalibrationReport {
    /// `report.html`: the estimates' table, then for every fitted latency the observed
    /// distribution against the fitted lognormal (CDF) and a Q–Q plot — the two figures an
    /// input analyst looks at before trusting a fit.
    public func html() -> String {
        var body = "<h1>Calibration of \(HTML.escape(baseName))</h1>\n<p>Base scenario <code>\(HTML.escape(baseScenario))</code>; data from "
        body += sources.map { "<code>\(HTML.escape($0))</code>" }.joined(separator: ", ")
        if let window { body += ", \(HTML.escape(NumberFormat.significant(window / 3_600, 4))) h observed" }
        body += ". \(NumberFormat.counted(fitted.count, "parameter")) fitted, \(estimates.count - fitted.count) kept at the base value.</p>\n"
        body += "<h2>Estimates</h2>\n"
        // Every cell on one line (no-break spaces, none after the dash either), notes numbered
        // and listed under the table: as a column, a long note squeezed the intervals and
        // test results into cells three lines high.
        func unbroken(_ s: String) -> String {
            s.replacingOccurrences(of: " ", with: "\u{00A0}").replacingOccurrences(of: "–", with: "–\u{2060}")
        }
        var notes: [String] = []
        body += HTMLReport.table(["Parameter", "Base", "Estimate", "95 % interval", "n", "Fit", "Note"], estimates.map { e in
            var mark = "—"
            if !e.notes.isEmpty {
                notes.append("<li><code>\(HTML.escape(e.path))</code>: \(HTML.escape(e.notes.joined(separator: "; ")))</li>")
                mark = "[\(notes.count)]"
            }
            return [e.path, NumberFormat.significant(e.base, 6), e.fitted ? NumberFormat.significant(e.value, 6) : "(kept)",
                    e.estimate.map { unbroken("\(NumberFormat.significant($0.low, 4)) – \(NumberFormat.significant($0.high, 4))") } ?? "—",
                    String(e.n), e.gof.map { unbroken("\($0.test.symbol) p \($0.pText)") } ?? "—", mark]
        })
        if !notes.isEmpty { body += "<p>Notes:</p>\n<ol>\n" + notes.joined(separator: "\n") + "\n</ol>\n" }
        let curves = estimates.compactMap(\.curve)
        if !curves.isEmpty {
            body += "<h2>Fits</h2>\n<p>Left: the observed distribution (points: a sample of the raw values, or the histogram's buckets) "
            body += "against the fitted lognormal (line). Right: Q–Q plot, observed against fitted quantiles; points on the diagonal mean the "
            body += "family describes the data, a bend in the tail that it does not.</p>\n"
        }
        for c in curves {
            body += "<h3>\(HTML.escape(c.title))</h3>\n<div class=\"grid\">\n"
            body += HTMLReport.figure(Self.cdfChart(c), "\(c.title): observed and fitted CDF (n = \(c.n)).")
            body += HTMLReport.figure(Self.qqChart(c), "\(c.title): Q–Q plot against \(c.distribution.description).")
            body += "</div>\n"
        }
        return HTMLReport.page("Calibration of " + baseName, body)
    }

    static func cdfChart(_ c: FitCurve) -> SVGChart {
        var chart = SVGChart(title: c.title, xLabel: c.unit, yLabel: "fraction ≤ x")
        let top = c.distribution.quantile(0.99)
        let observed: [(x: Double, y: Double)]
        switch c.observed {
        case .sample(let values):
            observed = values.enumerated().filter { $0.element <= top }.map { (x: $0.element, y: (Double($0.offset) + 0.5) / Double(values.count)) }
        case .buckets(let bounds, let cumulative):
            observed = zip(bounds, cumulative).filter { $0.0 <= top }.map { (x: $0.0, y: $0.1) }
        }
        let fitted = (0...100).map { i -> (x: Double, y: Double) in let x = top * Double(i) / 100; return (x: x, y: c.distribution.cdf(x)) }
        chart.series = [SVGChart.Series(name: "fitted lognormal", points: fitted), SVGChart.Series(name: "observed", points: observed)]
        chart.xRange = 0...top
        chart.yRange = 0...1
        return chart
    }

    static func qqChart(_ c: FitCurve) -> SVGChart {
        var chart = SVGChart(title: c.title + " Q–Q", xLabel: "fitted quantile, " + c.unit, yLabel: "observed, " + c.unit)
        var points: [(x: Double, y: Double)]
        switch c.observed {
        case .sample(let values):
            points = values.enumerated().map { (x: c.distribution.quantile((Double($0.offset) + 0.5) / Double(values.count)), y: $0.element) }
        case .buckets(let bounds, let cumulative):
            points = zip(bounds, cumulative).filter { $0.1 > 0 && $0.1 < 1 }.map { (x: c.distribution.quantile($0.1), y: $0.0) }
        }
        let top = max(points.map(\.x).max() ?? 1, points.map(\.y).max() ?? 1)
        chart.series = [SVGChart.Series(name: "y = x", points: [(x: 0, y: 0), (x: top, y: top)]), SVGChart.Series(name: "observed", points: points)]
        chart.xRange = 0...top
        chart.yRange = 0...top
        return chart
    }
}
