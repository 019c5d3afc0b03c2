import Foundation
import WargameReports
import WargameScenario

/// Bad calibration input: which file, where in it, what was expected and what was found.
public struct TelemetryError: Error, Sendable, CustomStringConvertible {
    public let file: String
    /// A JSON path, `line N`, `line N, column M`, or empty.
    public let location: String
    public let message: String
    public var description: String { location.isEmpty ? "\(file): \(message)" : "\(file): \(location): \(message)" }
}

/// Reads observed telemetry into a `Telemetry`: a Wargame run's output directory, a saved
/// Prometheus `query_range` response, or a CSV of raw samples (`docs/calibration.md`).
public enum TelemetryReader {
    /// Reads `path` by its kind — a directory is a run's outputs, `.json` an API response,
    /// `.csv` raw samples — into `t`.
    public static func read(_ path: String, arrivalsMetric: String = SeriesMapping().ordersSubmitted.metric, into t: inout Telemetry) throws(TelemetryError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw TelemetryError(file: path, location: "", message: "expected a run's output directory, a .json query_range response or a .csv of samples, found nothing at this path")
        }
        if isDirectory.boolValue { return try readRunDirectory(path, into: &t) }
        if path.hasSuffix(".json") { return try PrometheusResponse.read(path, arrivalsMetric: arrivalsMetric, into: &t) }
        if path.hasSuffix(".csv") { return try readSamplesCSV(path, into: &t) }
        throw TelemetryError(file: path, location: "", message: "expected a run's output directory, a .json query_range response or a .csv of samples, found a file with neither extension")
    }

    static func text(_ path: String) throws(TelemetryError) -> String {
        switch InputFile.text(path) {
        case .success(let s): return s
        case .failure(let p): throw TelemetryError(file: path, location: "", message: "expected a readable file, found \(p.found)")
        }
    }

    /// A run directory: `metrics.prom` (every input's histogram and outcome counters),
    /// `kpi_timeseries.csv` (arrivals per step) and, when the run kept it,
    /// `order_events.csv` (every order's size, raw).
    static func readRunDirectory(_ dir: String, into t: inout Telemetry) throws(TelemetryError) {
        let metrics = dir + "/metrics.prom"
        guard FileManager.default.fileExists(atPath: metrics) else {
            throw TelemetryError(file: dir, location: "", message: "expected a Wargame run's output directory (with metrics.prom), found a directory without it")
        }
        try ExpositionText.read(metrics, into: &t)
        try readTimeSeries(dir + "/kpi_timeseries.csv", into: &t)
        t.sources.append(metrics)
        let events = dir + "/order_events.csv"
        if FileManager.default.fileExists(atPath: events) { try readOrderSizes(events, into: &t) }
    }

    static func records(_ path: String) throws(TelemetryError) -> [CSVReader.Record] {
        do { return try CSVReader.records(try text(path)) } catch let e as CSVReader.SyntaxError {
            throw TelemetryError(file: path, location: "line \(e.line)", message: e.message)
        } catch let e as TelemetryError { throw e } catch { throw TelemetryError(file: path, location: "", message: "\(error)") }
    }

    static func column(_ name: String, in header: CSVReader.Record, _ path: String) throws(TelemetryError) -> Int {
        guard let i = header.fields.firstIndex(of: name) else {
            throw TelemetryError(file: path, location: "line 1", message: "expected a column \"\(name)\", found the columns \(header.fields.joined(separator: ","))")
        }
        return i
    }

    static func number(_ s: String, _ path: String, line: Int, column: String) throws(TelemetryError) -> Double {
        guard let x = Double(s), x.isFinite else {
            throw TelemetryError(file: path, location: "line \(line), column \(column)", message: "expected a finite number, found \"\(s)\"")
        }
        return x
    }

    /// Arrivals per step: `start_s` and `submitted`.
    static func readTimeSeries(_ path: String, into t: inout Telemetry) throws(TelemetryError) {
        let rows = try records(path)
        guard let header = rows.first else { throw TelemetryError(file: path, location: "", message: "expected a header row, found an empty file") }
        let start = try column("start_s", in: header, path), submitted = try column("submitted", in: header, path)
        var starts: [Double] = [], counts: [Int] = []
        for r in rows.dropFirst() {
            guard r.fields.count == header.fields.count else {
                throw TelemetryError(file: path, location: "line \(r.line)", message: "expected \(header.fields.count) fields, found \(r.fields.count)")
            }
            starts.append(try number(r.fields[start], path, line: r.line, column: "start_s"))
            guard let c = Int(r.fields[submitted]), c >= 0 else {
                throw TelemetryError(file: path, location: "line \(r.line), column submitted", message: "expected a count ≥ 0, found \"\(r.fields[submitted])\"")
            }
            counts.append(c)
        }
        guard starts.count >= 2 else { return }
        let length = starts[1] - starts[0]
        t.arrivals = ArrivalCounts(starts: starts, length: length, counts: counts)
        t.window = Double(starts.count) * length
        t.sources.append(path)
    }

    /// The size of every order, from its first row (GPU hours, written with 4 decimals), as
    /// raw samples of the order-size series in GPU-seconds.
    static func readOrderSizes(_ path: String, into t: inout Telemetry) throws(TelemetryError) {
        let rows = try records(path)
        guard let header = rows.first else { return }
        let id = try column("order_id", in: header, path), hours = try column("gpu_hours", in: header, path)
        let decision = try column("decision", in: header, path)
        var seen = Set<Int>(), sizes: [Double] = []
        for r in rows.dropFirst() where r.fields.count == header.fields.count {
            // Provenance rows carry a batch id in order_id; breaker and guard rows none.
            guard let order = Int(r.fields[id]), !["provenance", "breaker_transition", "guard"].contains(r.fields[decision]) else { continue }
            guard seen.insert(order).inserted else { continue }
            sizes.append(try number(r.fields[hours], path, line: r.line, column: "gpu_hours") * 3_600)
        }
        guard !sizes.isEmpty else { return }
        t.samples[PrometheusText.InputFamily.orderSize] = sizes
        t.sources.append(path)
    }

    /// Raw samples, one per row: `metric`, `labels` (`name=value` pairs separated by `;`,
    /// possibly empty) and `value`, in the metric's own unit.
    static func readSamplesCSV(_ path: String, into t: inout Telemetry) throws(TelemetryError) {
        let rows = try records(path)
        guard let header = rows.first else { throw TelemetryError(file: path, location: "", message: "expected a header row metric,labels,value, found an empty file") }
        let m = try column("metric", in: header, path), l = try column("labels", in: header, path), v = try column("value", in: header, path)
        for r in rows.dropFirst() {
            guard r.fields.count == header.fields.count else {
                throw TelemetryError(file: path, location: "line \(r.line)", message: "expected \(header.fields.count) fields, found \(r.fields.count)")
            }
            var labels: [(String, String)] = []
            for pair in r.fields[l].split(separator: ";") where !pair.isEmpty {
                guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
                    throw TelemetryError(file: path, location: "line \(r.line), column labels", message: "expected name=value pairs separated by ';', found \"\(pair)\"")
                }
                labels.append((String(pair[..<eq]), String(pair[pair.index(after: eq)...])))
            }
            let x = try number(r.fields[v], path, line: r.line, column: "value")
            t.samples[Telemetry.key(r.fields[m], labels), default: []].append(x)
        }
        t.sources.append(path)
    }
}
