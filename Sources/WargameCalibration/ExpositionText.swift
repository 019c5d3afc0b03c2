import WargameReports

/// Reads the Prometheus text exposition format (what `metrics.prom` and `/metrics` hold):
/// counters by their `# TYPE`, histograms from their `_bucket` (by `le`) and `_count` lines.
enum ExpositionText {
    static func read(_ path: String, into t: inout Telemetry) throws(TelemetryError) {
        try parse(try TelemetryReader.text(path), file: path, into: &t)
    }

    static func parse(_ text: String, file: String, into t: inout Telemetry) throws(TelemetryError) {
        var types: [String: String] = [:]
        var buckets: [String: [(le: Double, count: Double)]] = [:], counts: [String: Double] = [:], sums: [String: Double] = [:]
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.hasPrefix("# TYPE ") {
                let p = line.split(separator: " ")
                if p.count >= 4 { types[String(p[2])] = String(p[3]) }
                continue
            }
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let (name, labels, value) = sample(line) else {
                throw TelemetryError(file: file, location: "line \(lineNumber)", message: "expected a sample `name{labels} value`, found \"\(line.prefix(80))\"")
            }
            if types[name] == "counter" {
                t.counters[Telemetry.key(name, labels)] = value
            } else if name.hasSuffix("_bucket"), types[String(name.dropLast(7))] == "histogram" {
                guard let le = labels.first(where: { $0.0 == "le" }) else {
                    throw TelemetryError(file: file, location: "line \(lineNumber)", message: "expected an le label on a histogram bucket, found none")
                }
                let key = Telemetry.key(String(name.dropLast(7)), labels.filter { $0.0 != "le" })
                if le.1 != "+Inf", let bound = Double(le.1) { buckets[key, default: []].append((bound, value)) }
            } else if name.hasSuffix("_count"), types[String(name.dropLast(6))] == "histogram" {
                counts[Telemetry.key(String(name.dropLast(6)), labels)] = value
            } else if name.hasSuffix("_sum"), types[String(name.dropLast(4))] == "histogram" {
                sums[Telemetry.key(String(name.dropLast(4)), labels)] = value
            }
        }
        for (key, points) in buckets {
            let sorted = points.sorted { $0.le < $1.le }
            t.histograms[key] = Telemetry.Histogram(bounds: sorted.map(\.le), cumulative: sorted.map(\.count), count: counts[key] ?? sorted.last?.count ?? 0,
                                                    sum: sums[key])
        }
    }

    /// `name{a="x",b="y"} value` (no timestamp), label values unescaped.
    static func sample(_ line: Substring) -> (String, [(String, String)], Double)? {
        guard let space = line.lastIndex(of: " ") else { return nil }
        let head = line[..<space]
        guard let value = Double(line[line.index(after: space)...].replacingOccurrences(of: "NaN", with: "nan")) else { return nil }
        guard let brace = head.firstIndex(of: "{") else { return (String(head), [], value) }
        guard head.hasSuffix("}") else { return nil }
        var labels: [(String, String)] = []
        var rest = head[head.index(after: brace)..<head.index(before: head.endIndex)]
        while !rest.isEmpty {
            guard let eq = rest.firstIndex(of: "="), rest[rest.index(after: eq)...].first == "\"" else { return nil }
            let name = String(rest[..<eq])
            var i = rest.index(eq, offsetBy: 2), v = ""
            while i < rest.endIndex && rest[i] != "\"" {
                if rest[i] == "\\", rest.index(after: i) < rest.endIndex {
                    i = rest.index(after: i)
                    v.append(rest[i] == "n" ? "\n" : rest[i])
                } else { v.append(rest[i]) }
                i = rest.index(after: i)
            }
            guard i < rest.endIndex else { return nil }
            labels.append((name, v))
            rest = rest[rest.index(after: i)...]
            if rest.first == "," { rest = rest.dropFirst() }
        }
        return (String(head[..<brace]), labels, value)
    }
}
