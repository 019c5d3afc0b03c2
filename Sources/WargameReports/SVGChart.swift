/// A line or stacked-area chart as inline SVG: axes with units, ticks, threshold lines,
/// shaded bands (alerts firing) and vertical markers (playbook actions).
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
    public var thresholds: [(value: Double, label: String)] = []
    public var bands: [(from: Double, to: Double, label: String)] = []
    public var markers: [(x: Double, label: String)] = []
    public var yRange: ClosedRange<Double>?
    /// The x extent, so every chart of a report shares one time axis.
    public var xRange: ClosedRange<Double>?
    let width = 860.0, height = 240.0, left = 64.0, right = 150.0, top = 28.0, bottom = 40.0

    public init(title: String, xLabel: String, yLabel: String) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
    }

    /// Colours of distinct lightness (a greyscale print keeps them apart) and dash patterns.
    static let palette = ["#1b4f72", "#d35400", "#27ae60", "#8e44ad", "#7f8c8d", "#c0392b", "#f1c40f", "#2c3e50"]
    static let dashes = ["", "6,3", "2,3", "10,3,2,3", "1,2", "8,2,2,2,2,2", "4,4", "12,4"]

    public func render() -> String {
        let xs = series.flatMap { $0.points.map(\.x) } + bands.flatMap { [$0.from, $0.to] } + markers.map(\.x)
        let xMin = xRange?.lowerBound ?? xs.min() ?? 0
        let xMax = max(xRange?.upperBound ?? xs.max() ?? 1, xMin + 1e-9)
        var yMin = 0.0, yMax = 1.0
        if let r = yRange { (yMin, yMax) = (r.lowerBound, r.upperBound) } else {
            let ys = stacked ? [1.0] : series.flatMap { $0.points.map(\.y) } + thresholds.map(\.value)
            yMax = max(ys.max() ?? 1, 1) * 1.1  // at least 0…1.1: an all-zero series still gets a readable axis
        }
        let pw = width - left - right, ph = height - top - bottom
        func px(_ x: Double) -> Double { left + (x - xMin) / (xMax - xMin) * pw }
        func py(_ y: Double) -> Double { top + ph - (min(max(y, yMin), yMax) - yMin) / (yMax - yMin) * ph }
        func f(_ v: Double) -> String { NumberFormat.fixed(v, 1) }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(HTML.escape(title))\">\n"
        s += "<title>\(HTML.escape(title))</title>\n"
        s += "<text x=\"\(f(left))\" y=\"18\" font-size=\"14\" font-weight=\"bold\">\(HTML.escape(title))</text>\n"
        for b in bands {
            s += "<rect x=\"\(f(px(b.from)))\" y=\"\(f(top))\" width=\"\(f(max(1, px(b.to) - px(b.from))))\" height=\"\(f(ph))\" fill=\"#e74c3c\" fill-opacity=\"0.12\"><title>\(HTML.escape(b.label))</title></rect>\n"
        }
        // Axes, ticks and labels.
        s += "<line x1=\"\(f(left))\" y1=\"\(f(top + ph))\" x2=\"\(f(left + pw))\" y2=\"\(f(top + ph))\" stroke=\"#333\"/>\n"
        s += "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(top + ph))\" stroke=\"#333\"/>\n"
        for k in 0...5 {
            let yv = yMin + (yMax - yMin) * Double(k) / 5, xv = xMin + (xMax - xMin) * Double(k) / 5
            s += "<line x1=\"\(f(left - 4))\" y1=\"\(f(py(yv)))\" x2=\"\(f(left + pw))\" y2=\"\(f(py(yv)))\" stroke=\"#ddd\"/>\n"
            s += "<text x=\"\(f(left - 6))\" y=\"\(f(py(yv) + 4))\" font-size=\"11\" text-anchor=\"end\">\(HTML.escape(Self.tick(yv)))</text>\n"
            s += "<text x=\"\(f(px(xv)))\" y=\"\(f(top + ph + 16))\" font-size=\"11\" text-anchor=\"middle\">\(HTML.escape(Self.tick(xv)))</text>\n"
        }
        s += "<text x=\"\(f(left + pw / 2))\" y=\"\(f(height - 6))\" font-size=\"12\" text-anchor=\"middle\">\(HTML.escape(xLabel))</text>\n"
        s += "<text x=\"14\" y=\"\(f(top + ph / 2))\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 14 \(f(top + ph / 2)))\">\(HTML.escape(yLabel))</text>\n"
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
            // Inside the plot, right-aligned above the line: clear of the legend column.
            // Alternate above and below the line, so close thresholds do not overprint.
            let ty = k % 2 == 0 ? py(t.value) - 3 : py(t.value) + 11
            s += "<text x=\"\(f(left + pw - 4))\" y=\"\(f(ty))\" font-size=\"10\" text-anchor=\"end\">\(HTML.escape(t.label))</text>\n"
        }
        for (k, m) in markers.enumerated() {
            let x = px(m.x)
            s += "<line x1=\"\(f(x))\" y1=\"\(f(top))\" x2=\"\(f(x))\" y2=\"\(f(top + ph))\" stroke=\"#000\" stroke-width=\"1\"><title>\(HTML.escape(m.label))</title></line>\n"
            // The label stays inside the plot, clear of the legend column: on the side of the
            // line with room, shortened with an ellipsis when even that is too narrow (the
            // line's tooltip and the actions table keep the whole text). Successive markers
            // take three rows in turn, so actions minutes apart do not overprint.
            let rightRoom = left + pw - x - 3, leftRoom = x - left - 3
            let onLeft = Self.textWidth("▲ " + m.label) > rightRoom && leftRoom > rightRoom
            // The triangle always touches the line.
            let fitted = Self.fit(m.label, width: (onLeft ? leftRoom : rightRoom) - Self.textWidth("▲ "))
            let label = onLeft ? fitted + " ▲" : "▲ " + fitted
            let y = top + 10 + Double(k % 3) * 11
            s += "<text x=\"\(f(onLeft ? x - 3 : x + 3))\" y=\"\(f(y))\" font-size=\"10\" text-anchor=\"\(onLeft ? "end" : "start")\">\(HTML.escape(label))</text>\n"
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
