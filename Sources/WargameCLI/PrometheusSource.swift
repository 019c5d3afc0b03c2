import Foundation
import WargameCalibration
import WargameReports
import WargameScenario

/// Reads calibration data from a Prometheus server's HTTP API: `/api/v1/series` to learn
/// which of the mapped families exist over the window, then one `/api/v1/query_range` per
/// family (histograms by their `_bucket` and `_count` series), each parsed as a saved
/// response would be. HTTP, API and network failures are `InputError`s naming the URL.
struct PrometheusSource {
    let base: String
    let start: Double, end: Double, step: Double
    let client: HTTPClient

    func fetch(_ mapping: SeriesMapping, into t: inout Telemetry) throws {
        let histograms = [mapping.providerAck, mapping.bridgeRelay, mapping.bridgeRoundTrip, mapping.policyCheck, mapping.tsaRequest, mapping.ipfsPin,
                          mapping.orderSize].map(\.metric)
        let counters = [mapping.providerAcks, mapping.bridgeMessages, mapping.tsaRequests, mapping.ipfsPins, mapping.ordersSubmitted, mapping.ordersFilled].map(\.metric)
        let wanted = histograms.flatMap { [$0 + "_bucket", $0 + "_count", $0 + "_sum"] } + counters
        let present = try seriesNames(wanted)
        for name in wanted where present.contains(name) {
            let url = endpoint("/api/v1/query_range", [("query", name), ("start", Self.number(start)), ("end", Self.number(end)), ("step", Self.number(step))])
            let text = try get(url)
            do { try PrometheusResponse.parse(text, file: url, arrivalsMetric: mapping.ordersSubmitted.metric, into: &t) } catch {
                throw InputError(message: error.description)
            }
        }
        t.sources.append("\(base) (\(present.count) of \(wanted.count) series, \(Self.number(start))…\(Self.number(end)) step \(Self.number(step)) s)")
        if t.window == nil { t.window = end - start }
    }

    /// Which of `names` have series over the window (`/api/v1/series`).
    func seriesNames(_ names: [String]) throws -> Set<String> {
        let url = endpoint("/api/v1/series", names.map { ("match[]", $0) } + [("start", Self.number(start)), ("end", Self.number(end))])
        let json: JSON
        do { json = try JSONParser.parse(try get(url)) } catch let e as JSONSyntaxError {
            throw InputError(message: "\(Self.shown(url)): line \(e.line), column \(e.column): \(e.message)")
        }
        guard case .array(let items)? = json["data"] else { throw InputError(message: "\(Self.shown(url)): data: expected an array of series, found \(json["data"]?.described ?? "nothing")") }
        var found = Set<String>()
        for item in items { if case .string(let n)? = item["__name__"] { found.insert(n) } }
        return found
    }

    /// The body of a 200 answer; an API error's message otherwise.
    func get(_ url: String) throws -> String {
        let r: HTTPClient.Response
        do { r = try client.get(url) } catch { throw InputError(message: "cannot query Prometheus at \(Self.shown(url)): \(error.message)") }
        if r.status == 200 { return r.text }
        if let json = try? JSONParser.parse(r.text), case .string(let e)? = json["error"] {
            throw InputError(message: "\(Self.shown(url)): the API answered HTTP \(r.status): \(e)")
        }
        throw InputError(message: "\(Self.shown(url)): expected HTTP 200 from the Prometheus API, found HTTP \(r.status)")
    }

    /// A URL as a message shows it: whole when short; a series lookup's query of two dozen
    /// matchers is cut after its first 80 characters (the path and the start say which call).
    static func shown(_ url: String) -> String {
        guard url.count > 160, let q = url.firstIndex(of: "?") else { return url }
        let query = url[url.index(after: q)...]
        return String(url[...q]) + String(query.prefix(80)) + "… (\(query.split(separator: "&").count) parameters)"
    }

    func endpoint(_ path: String, _ query: [(String, String)]) -> String {
        base + path + "?" + query.map { Self.encode($0.0) + "=" + Self.encode($0.1) }.joined(separator: "&")
    }

    static func encode(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            if (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x2E || b == 0x5F || b == 0x7E {
                out.append(Character(UnicodeScalar(b)))
            } else {
                out += String(format: "%%%02X", b)
            }
        }
        return out
    }

    static func number(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(x) }

    /// `--start`/`--end`: RFC 3339 or Unix seconds.
    static func time(_ text: String, option: String, command: String) throws(UsageError) -> Double {
        if let x = Double(text), x.isFinite, x >= 0 { return x }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        if let d = f.date(from: text) { return d.timeIntervalSince1970 }
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: text) { return d.timeIntervalSince1970 }
        throw UsageError(message: "The value '\(text)' is invalid for '--\(option)': expected an RFC 3339 time (2026-01-01T00:00:00Z) or Unix seconds.", command: command)
    }

    /// `--step`: `60s`, `5m`, `1h` or plain seconds.
    static func duration(_ text: String, option: String, command: String) throws(UsageError) -> Double {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3_600)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let x = Double(text.dropLast(suffix.count)), x > 0, x.isFinite { return x * scale }
        }
        if let x = Double(text), x > 0, x.isFinite { return x }
        throw UsageError(message: "The value '\(text)' is invalid for '--\(option)': expected a duration such as 60s, 5m or 1h.", command: command)
    }
}

extension PrometheusSource {
    /// The observed window's KPIs: the simulator's run-level KPI gauges at the window's end
    /// (`wargame_fill_rate_p50`, …, as `metrics.prom` names them), and the order rate from
    /// the submitted-orders counter's increase over the window.
    func kpis() throws -> ObservedKPIs {
        let gauges: [KPI: String] = [.fillRateP50: "wargame_fill_rate_p50", .fillRateP95: "wargame_fill_rate_p95",
                                     .provenanceCoverage: "wargame_provenance_coverage", .droppedRatio: "wargame_dropped_ratio",
                                     .failoversPer5mMax: "wargame_failover_events_per_5m_max"]
        var values: [Double?] = []
        for kpi in KPI.allCases {
            switch kpi {
            case .bridgeRTTP95: values.append(try instant("histogram_quantile(0.95, wargame_bridge_rtt_seconds_bucket)").map { $0 * 1_000 })
            case .policyDecisionP95: values.append(try instant("histogram_quantile(0.95, wargame_policy_decision_seconds_bucket)").map { $0 * 1_000 })
            default: values.append(try instant(gauges[kpi]!))
            }
        }
        let first = try instant("wargame_orders_submitted_total", at: start), last = try instant("wargame_orders_submitted_total")
        values.append(last.map { ($0 - (first ?? 0)) / (end - start) })
        var k = ObservedKPIs(values: values, window: end - start, source: base)
        k.quantilesFromBuckets = true
        return k
    }

    /// One value of `query` at `time` (default: the window's end), nil when it has none.
    func instant(_ query: String, at time: Double? = nil) throws -> Double? {
        let url = endpoint("/api/v1/query", [("query", query), ("time", Self.number(time ?? end))])
        let json: JSON
        do { json = try JSONParser.parse(try get(url)) } catch let e as JSONSyntaxError {
            throw InputError(message: "\(Self.shown(url)): line \(e.line), column \(e.column): \(e.message)")
        }
        guard case .array(let result)? = json["data"]?["result"], let first = result.first,
              case .array(let pair)? = first["value"], pair.count == 2, case .string(let v) = pair[1], let x = Double(v), x.isFinite else { return nil }
        return x
    }
}
