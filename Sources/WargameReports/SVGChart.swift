/// A line or stacked-area chart as inline SVG: axes with units and round ticks
/// (`AxisTicks`), threshold lines, vertical markers (playbook actions) and a strip of
/// windows along the top (incidents).
///
/// Alerts are not drawn here: shaded over every chart they covered the data edge to edge
/// once a few fired, and told the reader nothing of which alert fired when. They have their
/// own lanes in `TimelineChart`, on the same time axis.
///
/// Series are told apart by dash pattern and marker as well as by colour, so a chart still
/// reads printed in greyscale. Output is well-formed XML (the report's test parses it).
public struct SVGChart {
    public struct Series {
        public let name: String
        public let points: [(x: Double, y: Double)]
        public init(name: String, points: [(x: Double, y: Double)]) {
            self.name = name
            self.points = points
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series] = []
    public var stacked = false
    /// Horizontal lines at a value (SLO thresholds on a time chart).
    public var thresholds: [(value: Double, label: String)] = []
    /// Vertical lines at an x value (an SLO threshold on a histogram of that KPI).
    public var verticalThresholds: [(value: Double, label: String)] = []
    /// Vertical lines without labels, with a tooltip (playbook actions; the timeline labels them).
    public var markers: [(x: Double, label: String)] = []
    /// Windows drawn as a thin bar along the top of the plot (incidents), with a tooltip.
    public var strips: [(from: Double, to: Double, label: String)] = []
    public var yRange: ClosedRange<Double>?
    /// The x extent, so every chart of a report shares one time axis.
    public var xRange: ClosedRange<Double>?
    /// Whole-number axes get whole-number ticks (a count of breakers, of seeds, of failovers).
    public var integerX = false
    public var integerY = false
    let width = 860.0, height = 240.0, left = 64.0, right = 150.0, top = 28.0, bottom = 40.0

    public init(title: String, xLabel: String, yLabel: String) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
    }

    /// Colours of distinct lightness (a greyscale print keeps them apart) and dash patterns.
    static let palette = ["#1b4f72", "#d35400", "#27ae60", "#8e44ad", "#7f8c8d", "#c0392b", "#f1c40f", "#2c3e50"]
    static let dashes = ["", "6,3", "2,3", "10,3,2,3", "1,2", "8,2,2,2,2,2", "4,4", "12,4"]

    /// The plot's geometry: where x and y values land, and the ticks of both axes.
    struct Frame {
        let xTicks: AxisTicks, yTicks: AxisTicks
        let left: Double, top: Double, width: Double, height: Double
        func px(_ x: Double) -> Double { left + (x - xTicks.low) / (xTicks.high - xTicks.low) * width }
        func py(_ y: Double) -> Double {
            top + height - (min(max(y, yTicks.low), yTicks.high) - yTicks.low) / (yTicks.high - yTicks.low) * height
        }
    }

    func frame() -> Frame {
        let xs = series.flatMap { $0.points.map(\.x) } + markers.map(\.x) + strips.flatMap { [$0.from, $0.to] } + verticalThresholds.map(\.value)
        let xMin = xRange?.lowerBound ?? xs.min() ?? 0
        let xMax = max(xRange?.upperBound ?? xs.max() ?? 1, xMin + 1e-9)
        let yTicks: AxisTicks
        if let r = yRange {
            yTicks = AxisTicks(r.lowerBound, r.upperBound, maximum: 6, integer: integerY, extend: true)
        } else {
            let ys = stacked ? [1.0] : series.flatMap { $0.points.map(\.y) } + thresholds.map(\.value)
            // From zero, and at least 0…1: an all-zero series still gets a readable axis;
            // 5 % of headroom, so a threshold at the top keeps its label inside the plot.
            let top = max(ys.max() ?? 1, integerY ? 1 : 1e-9)
            yTicks = AxisTicks(min(0, ys.min() ?? 0), integerY ? top : top * 1.05, maximum: 6, integer: integerY, extend: true)
        }
        return Frame(xTicks: AxisTicks(xMin, xMax, maximum: 9, integer: integerX, extend: false), yTicks: yTicks,
                     left: left, top: top, width: width - left - right, height: height - top - bottom)
    }

    public func render() -> String {
        let fr = frame()
        let pw = fr.width, ph = fr.height
        func px(_ x: Double) -> Double { fr.px(x) }
        func py(_ y: Double) -> Double { fr.py(y) }
        func f(_ v: Double) -> String { NumberFormat.fixed(v, 1) }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(HTML.escape(title, attribute: true))\">\n"
        s += "<title>\(HTML.escape(title))</title>\n"
        s += "<text x=\"\(f(left))\" y=\"18\" font-size=\"14\" font-weight=\"bold\">\(HTML.escape(title))</text>\n"
        // Axes, grid lines on the round ticks, and labels.
        s += "<line x1=\"\(f(left))\" y1=\"\(f(top + ph))\" x2=\"\(f(left + pw))\" y2=\"\(f(top + ph))\" stroke=\"#333\"/>\n"
        s += "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(top + ph))\" stroke=\"#333\"/>\n"
        for yv in fr.yTicks.values {
            s += "<line x1=\"\(f(left - 4))\" y1=\"\(f(py(yv)))\" x2=\"\(f(left + pw))\" y2=\"\(f(py(yv)))\" stroke=\"#ddd\"/>\n"
            s += "<text x=\"\(f(left - 6))\" y=\"\(f(py(yv) + 4))\" font-size=\"11\" text-anchor=\"end\">\(HTML.escape(fr.yTicks.label(yv)))</text>\n"
        }
        for xv in fr.xTicks.values {
            s += "<line x1=\"\(f(px(xv)))\" y1=\"\(f(top + ph))\" x2=\"\(f(px(xv)))\" y2=\"\(f(top + ph + 4))\" stroke=\"#333\"/>\n"
            s += "<text x=\"\(f(px(xv)))\" y=\"\(f(top + ph + 16))\" font-size=\"11\" text-anchor=\"middle\">\(HTML.escape(fr.xTicks.label(xv)))</text>\n"
        }
        s += "<text x=\"\(f(left + pw / 2))\" y=\"\(f(height - 6))\" font-size=\"12\" text-anchor=\"middle\">\(HTML.escape(xLabel))</text>\n"
        s += "<text x=\"14\" y=\"\(f(top + ph / 2))\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 14 \(f(top + ph / 2)))\">\(HTML.escape(yLabel))</text>\n"
        // Incident windows: a thin bar along the top edge, out of the data's way.
        for w in strips {
            s += "<rect x=\"\(f(px(w.from)))\" y=\"\(f(top - 7))\" width=\"\(f(max(1, px(w.to) - px(w.from))))\" height=\"3\" fill=\"#555\"><title>\(HTML.escape(w.label))</title></rect>\n"
        }
        // Series: stacked areas, or lines.
        var base = [Double](repeating: 0, count: series.first?.points.count ?? 0)
        for (i, ser) in series.enumerated() {
            let colour = Self.palette[i % Self.palette.count], dash = Self.dashes[i % Self.dashes.count]
            if stacked {
                var upper: [(Double, Double)] = [], lower: [(Double, Double)] = []
                for (k, p) in ser.points.enumerated() where k < base.count {
                    lower.append((px(p.x), py(base[k])))
                    base[k] += p.y
                    upper.append((px(p.x), py(base[k])))
                }
                let poly = (upper + lower.reversed()).map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ")
                s += "<polygon points=\"\(poly)\" fill=\"\(colour)\" fill-opacity=\"\(NumberFormat.fixed(0.35 + 0.08 * Double(i % 6), 2))\" stroke=\"\(colour)\" stroke-dasharray=\"\(dash)\"><title>\(HTML.escape(ser.name))</title></polygon>\n"
            } else if !ser.points.isEmpty {
                let pts = ser.points.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
                s += "<polyline points=\"\(pts)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" stroke-dasharray=\"\(dash)\"><title>\(HTML.escape(ser.name))</title></polyline>\n"
            }
            let ly = top + 14 + Double(i) * 16
            s += "<line x1=\"\(f(width - right + 10))\" y1=\"\(f(ly))\" x2=\"\(f(width - right + 34))\" y2=\"\(f(ly))\" stroke=\"\(colour)\" stroke-width=\"\(stacked ? 8 : 2)\" stroke-dasharray=\"\(dash)\"/>\n"
            s += "<text x=\"\(f(width - right + 40))\" y=\"\(f(ly + 4))\" font-size=\"11\">\(HTML.escape(ser.name))</text>\n"
        }
        for (k, t) in thresholds.enumerated() {
            s += "<line x1=\"\(f(left))\" y1=\"\(f(py(t.value)))\" x2=\"\(f(left + pw))\" y2=\"\(f(py(t.value)))\" stroke=\"#000\" stroke-width=\"1.5\" stroke-dasharray=\"3,3\"/>\n"
            // Inside the plot at its left edge, clear of the legend column and of the
            // playbook's action lines, which mostly fall late in a run. Alternate above and
            // below the line, so close thresholds do not overprint.
            let above = k % 2 == 0 && py(t.value) - 13 >= top || py(t.value) + 14 > top + ph
            let ty = above ? py(t.value) - 3 : py(t.value) + 11
            s += "<text x=\"\(f(left + 4))\" y=\"\(f(ty))\" font-size=\"10\" text-anchor=\"start\">\(HTML.escape(t.label))</text>\n"
        }
        for (k, t) in verticalThresholds.enumerated() {
            let x = px(t.value)
            s += "<line x1=\"\(f(x))\" y1=\"\(f(top))\" x2=\"\(f(x))\" y2=\"\(f(top + ph))\" stroke=\"#000\" stroke-width=\"1.5\" stroke-dasharray=\"3,3\"/>\n"
            // On the side of the line with more room, one row per threshold.
            let onLeft = x - left > left + pw - x
            s += "<text x=\"\(f(onLeft ? x - 4 : x + 4))\" y=\"\(f(top + 10 + Double(k) * 11))\" font-size=\"10\" text-anchor=\"\(onLeft ? "end" : "start")\">\(HTML.escape(t.label))</text>\n"
        }
        for m in markers {
            s += "<line x1=\"\(f(px(m.x)))\" y1=\"\(f(top))\" x2=\"\(f(px(m.x)))\" y2=\"\(f(top + ph))\" stroke=\"#000\" stroke-width=\"1\" stroke-dasharray=\"1,2\"><title>\(HTML.escape(m.label))</title></line>\n"
        }
        return s + "</svg>\n"
    }

    /// A generous estimate of a 10-px sans-serif character's width (about 0.6 em), so a
    /// label judged to fit does fit.
    static var characterWidth: Double { 6 }
    static func textWidth(_ text: String) -> Double { Double(text.count) * characterWidth }

    /// `text`, cut to fit `width` with a trailing ellipsis (at least a few characters).
    static func fit(_ text: String, width: Double) -> String {
        guard textWidth(text) > width else { return text }
        let keep = max(3, Int(width / characterWidth) - 1)
        return String(text.prefix(keep)) + "…"
    }

    /// A configured number (an SLO threshold, a search target) as a person typed it: the
    /// fewest decimals, up to six, that show it exactly (`0.85`, `350`, `0.95`), not `0.850`.
    static func setting(_ v: Double) -> String {
        var text = NumberFormat.fixed(v, 6)
        guard text.contains(".") else { return text }
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }

    static func tick(_ v: Double) -> String {
        if v == 0 { return "0" }
        if v == v.rounded() && abs(v) < 1e6 { return String(Int64(v)) }
        let a = abs(v)
        return NumberFormat.fixed(v, a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3)
    }
}

/// Text escaping for HTML and XML 1.0 (report.html, SVG, JUnit XML): markup characters as
/// entities, characters XML cannot carry at all (C0 controls but tab and line ends,
/// U+FFFE, U+FFFF) as U+FFFD, and in attributes tab and line ends as character references,
/// which an XML parser would otherwise fold into spaces.
public enum HTML {
    public static func escape(_ s: String) -> String { escape(s, attribute: false) }

    public static func escape(_ s: String, attribute: Bool) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out += attribute ? "&#\(u.value);" : String(u)
            default: out.unicodeScalars.append(u.value < 0x20 || u.value == 0xFFFE || u.value == 0xFFFF ? "\u{FFFD}" : u)
            }
        }
        return out
    }
}
