/// Charts of studies as inline SVG: means with interval bars against a factor's levels, a
/// pass-fraction heat map over two factors, and a tornado of one-at-a-time effects.
/// Readable in greyscale: values are printed, not only coloured.
public enum StudyCharts {
    static func f(_ v: Double) -> String { NumberFormat.fixed(v, 1) }

    static func open(_ width: Double, _ height: Double, _ title: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(HTML.escape(title, attribute: true))\">\n"
            + "<title>\(HTML.escape(title))</title>\n<text x=\"8\" y=\"18\" font-size=\"14\" font-weight=\"bold\">\(HTML.escape(title))</text>\n"
    }

    static func text(_ x: Double, _ y: Double, _ s: String, size: Int = 11, anchor: String = "middle", fill: String = "#222") -> String {
        "<text x=\"\(f(x))\" y=\"\(f(y))\" font-size=\"\(size)\" text-anchor=\"\(anchor)\" fill=\"\(fill)\">\(HTML.escape(s))</text>\n"
    }

    /// One point per level: the mean, with a bar over its 95 % interval; a dashed line at
    /// `threshold` (the SLO's) when given.
    public static func intervals(title: String, xLabel: String, yLabel: String, levels: [String],
                                 points: [(mean: Double, low: Double, high: Double)?], threshold: Double? = nil) -> String {
        let width = 860.0, height = 250.0, left = 74.0, right = 20.0, top = 30.0, bottom = 46.0
        let pw = width - left - right, ph = height - top - bottom
        let ys = points.compactMap { $0 }.flatMap { [$0.low, $0.high] } + (threshold.map { [$0] } ?? [])
        let span = (ys.max() ?? 1) - (ys.min() ?? 0)
        let ticks = AxisTicks((ys.min() ?? 0) - span * 0.05, (ys.max() ?? 1) + span * 0.05, maximum: 6)
        let lo = ticks.low, hi = ticks.high
        func px(_ i: Int) -> Double { left + (Double(i) + 0.5) / Double(max(1, levels.count)) * pw }
        func py(_ y: Double) -> Double { top + ph - (y - lo) / (hi - lo) * ph }
        var s = open(width, height, title)
        s += "<line x1=\"\(f(left))\" y1=\"\(f(top + ph))\" x2=\"\(f(left + pw))\" y2=\"\(f(top + ph))\" stroke=\"#333\"/>\n"
        s += "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(top + ph))\" stroke=\"#333\"/>\n"
        for v in ticks.values {
            s += "<line x1=\"\(f(left - 4))\" y1=\"\(f(py(v)))\" x2=\"\(f(left + pw))\" y2=\"\(f(py(v)))\" stroke=\"#e4e4e4\"/>\n"
            s += text(left - 6, py(v) + 4, ticks.label(v), anchor: "end")
        }
        if let t = threshold {
            s += "<line x1=\"\(f(left))\" y1=\"\(f(py(t)))\" x2=\"\(f(left + pw))\" y2=\"\(f(py(t)))\" stroke=\"#000\" stroke-dasharray=\"4,3\"/>\n"
            s += text(left + pw - 4, py(t) - 4, "SLO " + SVGChart.setting(t), size: 10, anchor: "end")
        }
        for (i, level) in levels.enumerated() {
            s += text(px(i), top + ph + 16, level)
            guard i < points.count, let p = points[i] else { s += text(px(i), top + ph / 2, "no data", size: 10); continue }
            s += "<line x1=\"\(f(px(i)))\" y1=\"\(f(py(p.low)))\" x2=\"\(f(px(i)))\" y2=\"\(f(py(p.high)))\" stroke=\"#1b4f72\" stroke-width=\"2\"/>\n"
            for y in [p.low, p.high] {
                s += "<line x1=\"\(f(px(i) - 6))\" y1=\"\(f(py(y)))\" x2=\"\(f(px(i) + 6))\" y2=\"\(f(py(y)))\" stroke=\"#1b4f72\" stroke-width=\"2\"/>\n"
            }
            s += "<circle cx=\"\(f(px(i)))\" cy=\"\(f(py(p.mean)))\" r=\"4\" fill=\"#d35400\"><title>\(HTML.escape("\(level): mean \(SVGChart.tick(p.mean)), 95 % interval \(SVGChart.tick(p.low))…\(SVGChart.tick(p.high))"))</title></circle>\n"
        }
        s += text(left + pw / 2, height - 8, xLabel, size: 12)
        s += "<text x=\"14\" y=\"\(f(top + ph / 2))\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 14 \(f(top + ph / 2)))\">\(HTML.escape(yLabel))</text>\n"
        return s + "</svg>\n"
    }

    /// Pass fractions (0…1) over two factors: rows are the first factor's levels.
    public static func heatMap(title: String, rowLabel: String, columnLabel: String, rows: [String], columns: [String],
                               values: [[Double?]]) -> String {
        let cell = 60.0, left = 110.0, top = 62.0
        let width = max(420, left + cell * Double(columns.count) + 20), height = top + cell * Double(rows.count) + 16
        var s = open(width, height, title)
        s += text(8, 38, "rows: \(rowLabel) · columns: \(columnLabel)", size: 12, anchor: "start")
        for (j, c) in columns.enumerated() { s += text(left + cell * (Double(j) + 0.5), top - 6, c) }
        for (i, r) in rows.enumerated() {
            let y = top + cell * Double(i)
            s += text(left - 8, y + cell / 2 + 4, r, anchor: "end")
            for j in columns.indices {
                let v = i < values.count && j < values[i].count ? values[i][j] : nil
                // Light (0) to dark blue (1); the value is printed on the cell.
                let shade = v.map { 1 - $0 } ?? 1
                let rgb = [27.0, 79.0, 114.0].map { Int(($0 + (247 - $0) * shade).rounded()) }
                let fill = v == nil ? "#ffffff" : "rgb(\(rgb[0]),\(rgb[1]),\(rgb[2]))"
                s += "<rect x=\"\(f(left + cell * Double(j)))\" y=\"\(f(y))\" width=\"\(f(cell))\" height=\"\(f(cell))\" fill=\"\(fill)\" stroke=\"#fff\"/>\n"
                s += text(left + cell * (Double(j) + 0.5), y + cell / 2 + 4, v.map { NumberFormat.fixed($0, 2) } ?? "—", size: 12,
                          fill: (v ?? 0) > 0.55 ? "#ffffff" : "#222222")
            }
        }
        return s + "</svg>\n"
    }

    /// One bar pair per parameter, largest first: the paired change in the KPI when the
    /// parameter moves down (−δ) and up (+δ), with 95 % interval whiskers.
    public static func tornado(title: String, xLabel: String,
                               bars: [(name: String, down: (mean: Double, low: Double, high: Double)?, up: (mean: Double, low: Double, high: Double)?)]) -> String {
        let left = 330.0, right = 30.0, top = 44.0, bar = 22.0, width = 860.0
        let height = top + bar * Double(bars.count) + 50
        let pw = width - left - right
        var xs: [Double] = [0]
        for b in bars {
            for e in [b.down, b.up] { if let e { xs += [e.low, e.high] } }
        }
        // No effect at all (a KPI no parameter moved) still gets a readable ±1 axis.
        let widest = max(abs(xs.min() ?? 0), abs(xs.max() ?? 0))
        let reach = widest > 1e-9 ? widest : 1
        let ticks = AxisTicks(-reach, reach, maximum: 9)  // symmetric about zero: floor(−a) = −ceil(a)
        let m = ticks.high
        func px(_ x: Double) -> Double { left + (x + m) / (2 * m) * pw }
        var s = open(width, height, title)
        s += "<rect x=\"\(f(left))\" y=\"26\" width=\"12\" height=\"10\" fill=\"#d35400\"/>" + text(left + 16, 35, "parameter −δ", size: 11, anchor: "start")
        s += "<rect x=\"\(f(left + 120))\" y=\"26\" width=\"12\" height=\"10\" fill=\"#1b4f72\"/>" + text(left + 136, 35, "parameter +δ", size: 11, anchor: "start")
        for (i, b) in bars.enumerated() {
            let y = top + bar * Double(i)
            s += text(left - 8, y + bar / 2 + 4, b.name, anchor: "end")
            for (k, e) in [b.down, b.up].enumerated() {
                guard let e else { continue }
                let y0 = y + 3 + Double(k) * (bar - 6) / 2, h = (bar - 6) / 2
                let x0 = min(px(0), px(e.mean)), w = max(1, abs(px(e.mean) - px(0)))
                s += "<rect x=\"\(f(x0))\" y=\"\(f(y0))\" width=\"\(f(w))\" height=\"\(f(h))\" fill=\"\(k == 0 ? "#d35400" : "#1b4f72")\"><title>\(HTML.escape("\(b.name) \(k == 0 ? "−δ" : "+δ"): \(SVGChart.tick(e.mean)) (95 % \(SVGChart.tick(e.low))…\(SVGChart.tick(e.high)))"))</title></rect>\n"
                s += "<line x1=\"\(f(px(e.low)))\" y1=\"\(f(y0 + h / 2))\" x2=\"\(f(px(e.high)))\" y2=\"\(f(y0 + h / 2))\" stroke=\"#000\"/>\n"
            }
        }
        let bottom = top + bar * Double(bars.count)
        s += "<line x1=\"\(f(px(0)))\" y1=\"\(f(top - 2))\" x2=\"\(f(px(0)))\" y2=\"\(f(bottom))\" stroke=\"#333\"/>\n"
        for v in ticks.values {
            s += "<line x1=\"\(f(px(v)))\" y1=\"\(f(bottom))\" x2=\"\(f(px(v)))\" y2=\"\(f(bottom + 4))\" stroke=\"#333\"/>\n"
            s += text(px(v), bottom + 16, ticks.label(v))
        }
        s += text(left + pw / 2, bottom + 36, xLabel, size: 12)
        return s + "</svg>\n"
    }

    /// A search's evaluated points: the pass fraction at each value of the parameter with
    /// its 95 % Wilson interval, the target as a dashed line, and the bracket where the
    /// crossing lies shaded.
    public static func passFractions(title: String, xLabel: String, points: [(x: Double, fraction: Double, low: Double, high: Double)],
                                     target: Double, bracket: ClosedRange<Double>?, integer: Bool) -> String {
        let width = 860.0, height = 280.0, left = 64.0, right = 30.0, top = 44.0, bottom = 46.0
        let pw = width - left - right, ph = height - top - bottom
        let xs = points.map(\.x)
        let xTicks = AxisTicks(xs.min() ?? 0, xs.max() ?? 1, maximum: 9, integer: integer)
        let yTicks = AxisTicks(0, 1, maximum: 6)
        func px(_ x: Double) -> Double { left + (x - xTicks.low) / (xTicks.high - xTicks.low) * pw }
        func py(_ y: Double) -> Double { top + ph - y * ph }
        var s = open(width, height, title)
        if let b = bracket {
            s += "<rect x=\"\(f(px(b.lowerBound)))\" y=\"\(f(top))\" width=\"\(f(max(2, px(b.upperBound) - px(b.lowerBound))))\" height=\"\(f(ph))\" fill=\"#f5cd79\" fill-opacity=\"0.6\"><title>\(HTML.escape("the crossing lies in [\(SVGChart.tick(b.lowerBound)), \(SVGChart.tick(b.upperBound))]"))</title></rect>\n"
        }
        for v in yTicks.values {
            s += "<line x1=\"\(f(left - 4))\" y1=\"\(f(py(v)))\" x2=\"\(f(left + pw))\" y2=\"\(f(py(v)))\" stroke=\"#e4e4e4\"/>\n"
            s += text(left - 6, py(v) + 4, yTicks.label(v), anchor: "end")
        }
        for v in xTicks.values {
            s += "<line x1=\"\(f(px(v)))\" y1=\"\(f(top + ph))\" x2=\"\(f(px(v)))\" y2=\"\(f(top + ph + 4))\" stroke=\"#333\"/>\n"
            s += text(px(v), top + ph + 16, xTicks.label(v))
        }
        s += "<line x1=\"\(f(left))\" y1=\"\(f(top + ph))\" x2=\"\(f(left + pw))\" y2=\"\(f(top + ph))\" stroke=\"#333\"/>\n"
        s += "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(top + ph))\" stroke=\"#333\"/>\n"
        s += "<line x1=\"\(f(left))\" y1=\"\(f(py(target)))\" x2=\"\(f(left + pw))\" y2=\"\(f(py(target)))\" stroke=\"#000\" stroke-width=\"1.5\" stroke-dasharray=\"3,3\"/>\n"
        s += text(left + 4, py(target) + (target > 0.9 ? 12 : -4), "target " + SVGChart.setting(target), size: 10, anchor: "start")
        // Legend.
        s += "<rect x=\"\(f(left + 200))\" y=\"26\" width=\"14\" height=\"9\" fill=\"#f5cd79\"/>" + text(left + 218, 34, "bracket of the crossing", size: 11, anchor: "start")
        s += "<circle cx=\"\(f(left + 400))\" cy=\"30\" r=\"4\" fill=\"#d35400\"/>" + text(left + 408, 34, "pass fraction, 95 % Wilson interval", size: 11, anchor: "start")
        for p in points.sorted(by: { $0.x < $1.x }) {
            let x = px(p.x)
            s += "<line x1=\"\(f(x))\" y1=\"\(f(py(p.low)))\" x2=\"\(f(x))\" y2=\"\(f(py(p.high)))\" stroke=\"#1b4f72\" stroke-width=\"2\"/>\n"
            for y in [p.low, p.high] {
                s += "<line x1=\"\(f(x - 5))\" y1=\"\(f(py(y)))\" x2=\"\(f(x + 5))\" y2=\"\(f(py(y)))\" stroke=\"#1b4f72\" stroke-width=\"2\"/>\n"
            }
            s += "<circle cx=\"\(f(x))\" cy=\"\(f(py(p.fraction)))\" r=\"4\" fill=\"#d35400\"><title>\(HTML.escape("\(SVGChart.tick(p.x)): pass fraction \(NumberFormat.fixed(p.fraction, 3)), 95 % \(NumberFormat.fixed(p.low, 3))…\(NumberFormat.fixed(p.high, 3))"))</title></circle>\n"
        }
        s += text(left + pw / 2, height - 8, xLabel, size: 12)
        s += "<text x=\"14\" y=\"\(f(top + ph / 2))\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 14 \(f(top + ph / 2)))\">pass fraction</text>\n"
        return s + "</svg>\n"
    }
}
