/// A run's incidents, alerts and playbook actions on one time axis, one lane each: what
/// happened, what fired and who acted, readable however many alerts fire at once.
///
/// Shading every chart with each firing alert (the earlier design) covered the charts edge
/// to edge in a drill and could not say which alert fired when. Here an incident is a grey
/// bar in its own lane, an alert a bar in its rule's lane coloured by severity (of distinct
/// lightness, so a greyscale print keeps them apart, and named in the lane's label), and an
/// action a ▲ on the actions lane with its label, its line drawn through every lane. The
/// plot has the same margins and x ticks as `SVGChart`, so the lanes line up with the
/// metric charts above and below them.
public struct TimelineChart {
    public struct Alert: Sendable {
        public let rule: String
        public let severity: String
        public let from: Double
        /// Nil while still firing at the end of the run.
        public let to: Double?
        public init(rule: String, severity: String, from: Double, to: Double?) {
            self.rule = rule
            self.severity = severity
            self.from = from
            self.to = to
        }
    }

    public var title: String
    public var xLabel: String
    /// The run's extent in the axis unit: the same as every metric chart's `xRange`.
    public var xRange: ClosedRange<Double>
    public var incidents: [(name: String, from: Double, to: Double)] = []
    public var alerts: [Alert] = []
    public var actions: [(x: Double, label: String)] = []
    /// How an x value reads in a tooltip (seconds, as the tables show them).
    public var describe: (Double) -> String = { NumberFormat.fixed($0, 1) }

    let width = 860.0, left = 64.0, right = 150.0, top = 44.0, lane = 14.0, gap = 4.0

    public init(title: String, xLabel: String, xRange: ClosedRange<Double>) {
        self.title = title
        self.xLabel = xLabel
        self.xRange = xRange
    }

    /// Fill colours by severity, darkest for the most urgent.
    static func colour(_ severity: String) -> String {
        switch severity {
        case "page": "#7b241c"
        case "critical": "#d35400"
        case "warning": "#f5cd79"
        default: "#95a5a6"
        }
    }

    static let severityOrder = ["page", "critical", "warning"]

    /// One lane per alert rule, ordered by first firing (then name).
    var alertLanes: [(rule: String, severity: String, spans: [Alert])] {
        var lanes: [(rule: String, severity: String, spans: [Alert])] = []
        for a in alerts.sorted(by: { ($0.from, $0.rule) < ($1.from, $1.rule) }) {
            if let i = lanes.firstIndex(where: { $0.rule == a.rule }) { lanes[i].spans.append(a) } else { lanes.append((a.rule, a.severity, [a])) }
        }
        return lanes
    }

    /// Where each action's label goes, below the actions lane: on the side of its line with
    /// room, cut with an ellipsis to fit the plot, in the first row where it overprints no
    /// label placed before it (at most `maximumRows`; beyond that it is cut to the room
    /// left in the least crowded row). The full text stays in the line's tooltip and the
    /// actions table.
    func placeActionLabels(_ px: (Double) -> Double) -> [(text: String, onLeft: Bool, row: Int)] {
        let pw = width - left - right, maximumRows = 6
        var rows: [[ClosedRange<Double>]] = []
        var out: [(text: String, onLeft: Bool, row: Int)] = []
        for a in actions {
            let x = px(a.x)
            let rightRoom = left + pw - x - 3, leftRoom = x - left - 3
            let onLeft = SVGChart.textWidth(a.label) > rightRoom && leftRoom > rightRoom
            let text = SVGChart.fit(a.label, width: onLeft ? leftRoom : rightRoom)
            let w = SVGChart.textWidth(text) + 6
            let extent = onLeft ? (x - w)...x : x...(x + w)
            if let r = rows.firstIndex(where: { $0.allSatisfy { !$0.overlaps(extent) } }) {
                rows[r].append(extent)
                out.append((text, onLeft, r))
            } else if rows.count < maximumRows {
                rows.append([extent])
                out.append((text, onLeft, rows.count - 1))
            } else {
                // Every row is taken here: cut the label to the free room of the row whose
                // nearest label on that side is farthest away.
                var best = 0, bestRoom = -1.0
                for (r, used) in rows.enumerated() {
                    let room = onLeft ? x - (used.filter { $0.upperBound <= x }.map(\.upperBound).max() ?? left)
                                      : (used.filter { $0.lowerBound >= x }.map(\.lowerBound).min() ?? left + pw) - x
                    if room > bestRoom { (best, bestRoom) = (r, room) }
                }
                let cut = SVGChart.fit(a.label, width: max(0, bestRoom - 6))
                let cw = SVGChart.textWidth(cut) + 6
                rows[best].append(onLeft ? (x - cw)...x : x...(x + cw))
                out.append((cut, onLeft, best))
            }
        }
        return out
    }

    public func render() -> String {
        let lanes = alertLanes
        let laneCount = incidents.count + lanes.count + (actions.isEmpty ? 0 : 1)
        let pw = width - left - right
        let ticks = AxisTicks(xRange.lowerBound, max(xRange.upperBound, xRange.lowerBound + 1e-9), maximum: 9, extend: false)
        func px(_ x: Double) -> Double { left + (min(max(x, ticks.low), ticks.high) - ticks.low) / (ticks.high - ticks.low) * pw }
        let placed = placeActionLabels(px)
        let actionRows = Double(placed.map(\.row).max().map { $0 + 1 } ?? 0)
        let ph = Double(max(1, laneCount)) * (lane + gap) + actionRows * 12
        let bottom = 40.0, height = top + ph + bottom
        func f(_ v: Double) -> String { NumberFormat.fixed(v, 1) }
        func laneY(_ k: Int) -> Double { top + Double(k) * (lane + gap) }

        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(HTML.escape(title, attribute: true))\">\n"
        s += "<title>\(HTML.escape(title))</title>\n"
        s += "<text x=\"\(f(left))\" y=\"18\" font-size=\"14\" font-weight=\"bold\">\(HTML.escape(title))</text>\n"
        // Legend: what each kind of bar means, only the kinds present.
        var legend: [(String, String)] = incidents.isEmpty ? [] : [("#7f8c8d", "incident")]
        for sev in Self.severityOrder where lanes.contains(where: { $0.severity == sev }) { legend.append((Self.colour(sev), sev + " alert")) }
        var lx = left
        for (colour, label) in legend {
            s += "<rect x=\"\(f(lx))\" y=\"26\" width=\"14\" height=\"9\" fill=\"\(colour)\" stroke=\"#333\" stroke-width=\"0.5\"/>\n"
            s += "<text x=\"\(f(lx + 18))\" y=\"34\" font-size=\"11\">\(HTML.escape(label))</text>\n"
            lx += 18 + SVGChart.textWidth(label) + 16
        }
        if !actions.isEmpty { s += "<text x=\"\(f(lx))\" y=\"34\" font-size=\"11\">▲ playbook action</text>\n" }
        // Lane backgrounds and the time grid.
        for k in 0..<laneCount where k % 2 == 0 {
            s += "<rect x=\"\(f(left))\" y=\"\(f(laneY(k) - gap / 2))\" width=\"\(f(pw))\" height=\"\(f(lane + gap))\" fill=\"#f4f6f7\"/>\n"
        }
        for xv in ticks.values {
            s += "<line x1=\"\(f(px(xv)))\" y1=\"\(f(top - gap / 2))\" x2=\"\(f(px(xv)))\" y2=\"\(f(top + ph + 4))\" stroke=\"#ddd\"/>\n"
            s += "<text x=\"\(f(px(xv)))\" y=\"\(f(top + ph + 16))\" font-size=\"11\" text-anchor=\"middle\">\(HTML.escape(ticks.label(xv)))</text>\n"
        }
        s += "<line x1=\"\(f(left))\" y1=\"\(f(top + ph))\" x2=\"\(f(left + pw))\" y2=\"\(f(top + ph))\" stroke=\"#333\"/>\n"
        s += "<text x=\"\(f(left + pw / 2))\" y=\"\(f(height - 6))\" font-size=\"12\" text-anchor=\"middle\">\(HTML.escape(xLabel))</text>\n"
        func bar(_ k: Int, _ from: Double, _ to: Double, _ colour: String, _ tip: String) -> String {
            "<rect x=\"\(f(px(from)))\" y=\"\(f(laneY(k)))\" width=\"\(f(max(2, px(to) - px(from))))\" height=\"\(f(lane))\" fill=\"\(colour)\" stroke=\"#333\" stroke-width=\"0.5\"><title>\(HTML.escape(tip))</title></rect>\n"
        }
        func name(_ k: Int, _ text: String) -> String {
            "<text x=\"\(f(left + pw + 8))\" y=\"\(f(laneY(k) + lane - 3))\" font-size=\"10\">\(HTML.escape(SVGChart.fit(text, width: right - 10)))</text>\n"
        }
        var k = 0
        for i in incidents {
            s += bar(k, i.from, i.to, "#7f8c8d", "incident \(i.name): \(describe(i.from)) – \(describe(i.to)) s")
            s += name(k, i.name)
            k += 1
        }
        for l in lanes {
            for a in l.spans {
                let end = a.to ?? xRange.upperBound
                s += bar(k, a.from, end, Self.colour(l.severity),
                         "\(l.rule) (\(l.severity)): fired at \(describe(a.from)) s, " + (a.to.map { "resolved at \(describe($0)) s" } ?? "still firing at the end"))
            }
            s += name(k, l.rule)
            k += 1
        }
        if !actions.isEmpty {
            let y = laneY(k)
            s += name(k, "playbook actions")
            for (j, a) in actions.enumerated() {
                let x = px(a.x)
                s += "<line x1=\"\(f(x))\" y1=\"\(f(top - gap / 2))\" x2=\"\(f(x))\" y2=\"\(f(y + lane))\" stroke=\"#000\" stroke-width=\"1\" stroke-dasharray=\"1,2\"><title>\(HTML.escape(a.label))</title></line>\n"
                s += "<text x=\"\(f(x))\" y=\"\(f(y + lane - 2))\" font-size=\"12\" text-anchor=\"middle\">▲<title>\(HTML.escape(a.label))</title></text>\n"
                let p = placed[j]
                s += "<text x=\"\(f(p.onLeft ? x - 2 : x + 2))\" y=\"\(f(y + lane + 11 + Double(p.row) * 12))\" font-size=\"10\" text-anchor=\"\(p.onLeft ? "end" : "start")\">\(HTML.escape(p.text))</text>\n"
            }
        }
        return s + "</svg>\n"
    }
}
