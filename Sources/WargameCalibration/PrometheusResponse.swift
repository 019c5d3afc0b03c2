import WargameScenario

/// A Prometheus HTTP API response (`/api/v1/query_range`, resultType `matrix`), saved to a
/// file or fetched: each series' increase over the window becomes a counter or a histogram
/// bucket count, and the order-arrival counter's step-by-step increases the arrival counts.
public enum PrometheusResponse {
    static func read(_ path: String, arrivalsMetric: String, into t: inout Telemetry) throws(TelemetryError) {
        try parse(try TelemetryReader.text(path), file: path, arrivalsMetric: arrivalsMetric, into: &t)
        t.sources.append(path)
    }

    /// Parses one response body; `file` names it in messages (a path, or the query's URL).
    public static func parse(_ text: String, file: String, arrivalsMetric: String, into t: inout Telemetry) throws(TelemetryError) {
        let json: JSON
        do { json = try JSONParser.parse(text) } catch {
            throw TelemetryError(file: file, location: "line \(error.line), column \(error.column)", message: error.message)
        }
        guard case .string(let status)? = json["status"] else {
            throw TelemetryError(file: file, location: "status", message: "expected a Prometheus API response (\"status\": \"success\"), found \(json["status"]?.described ?? "no status")")
        }
        guard status == "success" else {
            var why = "the API answered \"status\": \"\(status)\""
            if case .string(let kind)? = json["errorType"] { why += " (\(kind))" }
            if case .string(let e)? = json["error"] { why += ": " + e }
            throw TelemetryError(file: file, location: "error", message: why)
        }
        guard case .string("matrix")? = json["data"]?["resultType"] else {
            throw TelemetryError(file: file, location: "data.resultType", message: "expected \"matrix\" (a query_range response), found \(json["data"]?["resultType"]?.described ?? "nothing")")
        }
        guard case .array(let series)? = json["data"]?["result"] else {
            throw TelemetryError(file: file, location: "data.result", message: "expected an array of series, found \(json["data"]?["result"]?.described ?? "nothing")")
        }
        var buckets: [String: [(le: Double, count: Double)]] = [:], counts: [String: Double] = [:], sums: [String: Double] = [:]
        for (i, s) in series.enumerated() {
            let here = "data.result[\(i)]"
            guard case .object(let members)? = s["metric"] else {
                throw TelemetryError(file: file, location: here + ".metric", message: "expected an object of labels, found \(s["metric"]?.described ?? "nothing")")
            }
            var name = "", labels: [(String, String)] = []
            for m in members {
                guard case .string(let v) = m.value else {
                    throw TelemetryError(file: file, location: here + ".metric." + m.key, message: "expected a string, found \(m.value.described)")
                }
                if m.key == "__name__" { name = v } else { labels.append((m.key, v)) }
            }
            guard !name.isEmpty else {
                throw TelemetryError(file: file, location: here + ".metric", message: "expected a __name__ label (query the metric itself, not an expression), found none")
            }
            let points = try values(s["values"], file: file, at: here + ".values")
            let increase = Self.increase(points.map(\.value))
            if name.hasSuffix("_bucket"), let le = labels.first(where: { $0.0 == "le" }) {
                let key = Telemetry.key(String(name.dropLast(7)), labels.filter { $0.0 != "le" })
                if le.1 != "+Inf", let bound = Double(le.1) { buckets[key, default: []].append((bound, increase)) }
            } else if name.hasSuffix("_count") {
                counts[Telemetry.key(String(name.dropLast(6)), labels)] = increase
            } else if name.hasSuffix("_sum") {
                sums[Telemetry.key(String(name.dropLast(4)), labels)] = increase
            } else {
                t.counters[Telemetry.key(name, labels), default: 0] += increase
            }
            if name == arrivalsMetric { addArrivals(points, into: &t) }
        }
        for (key, points) in buckets {
            let sorted = points.sorted { $0.le < $1.le }
            t.histograms[key] = Telemetry.Histogram(bounds: sorted.map(\.le), cumulative: sorted.map(\.count),
                                                    count: counts[key] ?? sorted.last?.count ?? 0, sum: sums[key])
        }
        // A histogram's `_count` and `_sum` may come in queries of their own (one per family
        // and suffix): they complete the histogram read before, or wait for it.
        for (key, c) in counts {
            if t.histograms[key] != nil { t.histograms[key]!.count = c } else { t.counters[key + "_count"] = c }
        }
        for (key, v) in sums {
            if t.histograms[key] != nil { t.histograms[key]!.sum = v } else { t.counters[key + "_sum"] = v }
        }
        for key in buckets.keys {
            if let c = t.counters.removeValue(forKey: key + "_count") { t.histograms[key]!.count = c }
            if let v = t.counters.removeValue(forKey: key + "_sum") { t.histograms[key]!.sum = v }
        }
    }

    static func values(_ j: JSON?, file: String, at path: String) throws(TelemetryError) -> [(time: Double, value: Double)] {
        guard case .array(let items)? = j else {
            throw TelemetryError(file: file, location: path, message: "expected an array of [time, \"value\"] pairs, found \(j?.described ?? "nothing")")
        }
        var out: [(Double, Double)] = []
        for (k, item) in items.enumerated() {
            guard case .array(let pair) = item, pair.count == 2, case .number(let time) = pair[0], case .string(let v) = pair[1],
                  let value = Double(v.replacingOccurrences(of: "NaN", with: "nan")) else {
                throw TelemetryError(file: file, location: "\(path)[\(k)]", message: "expected a [time, \"value\"] pair, found \(item.described)")
            }
            out.append((time.value, value))
        }
        return out
    }

    /// A counter's increase over its samples: the sum of its rises, a fall being a reset
    /// after which the new value is all rise (Prometheus's `increase` without extrapolation).
    static func increase(_ v: [Double]) -> Double {
        var total = 0.0
        for (a, b) in zip(v, v.dropFirst()) where b.isFinite && a.isFinite { total += b >= a ? b - a : b }
        return total
    }

    /// Arrival counts per interval from consecutive samples of the submitted-orders counter;
    /// an interval longer than the step (a gap) is left out, as its arrivals have no time.
    static func addArrivals(_ points: [(time: Double, value: Double)], into t: inout Telemetry) {
        guard points.count >= 3 else { return }
        let gaps = zip(points, points.dropFirst()).map { $1.time - $0.time }
        let step = gaps.min()!
        var starts: [Double] = [], counts: [Int] = []
        if let existing = t.arrivals, existing.length == step { starts = existing.starts; counts = existing.counts }
        for (a, b) in zip(points, points.dropFirst()) where abs(b.time - a.time - step) < 1e-6 {
            starts.append(a.time); counts.append(Int((b.value >= a.value ? b.value - a.value : b.value).rounded()))
        }
        t.arrivals = ArrivalCounts(starts: starts, length: step, counts: counts)
        t.window = Double(counts.count) * step
    }
}
