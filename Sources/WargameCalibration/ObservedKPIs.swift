import Foundation
import SimKernel
import WargameReports
import WargameScenario

/// The KPIs of one observed window, as `validate-model` compares them: the seven of the
/// Aurora SLO table and the order rate (orders submitted per second), with the window's
/// length. Read from a run's `kpi_summary.json` (or its directory) or a Prometheus.
public struct ObservedKPIs: Sendable {
    /// In `names` order; nil where the source has no value.
    public var values: [Double?]
    /// Seconds observed (KPIs count from the end of any warm-up).
    public var window: Double
    public var source: String
    /// The latency p95s were read with Prometheus's `histogram_quantile` over the buckets
    /// (a Prometheus source), not as exact order statistics: the simulated side must be
    /// read the same way to compare like with like.
    public var quantilesFromBuckets = false

    public static let names = KPI.allCases.map(\.rawValue) + ["orders_per_second"]

    public init(values: [Double?], window: Double, source: String) {
        self.values = values; self.window = window; self.source = source
    }

    /// A run's `kpi_summary.json`, or the directory holding it.
    public static func read(_ path: String) throws(TelemetryError) -> ObservedKPIs {
        var isDirectory: ObjCBool = false
        let file = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue ? path + "/kpi_summary.json" : path
        let json: JSON
        do { json = try JSONParser.parse(try TelemetryReader.text(file)) } catch let e as JSONSyntaxError {
            throw TelemetryError(file: file, location: "line \(e.line), column \(e.column)", message: e.message)
        } catch let e as TelemetryError { throw e } catch { throw TelemetryError(file: file, location: "", message: "\(error)") }
        func number(_ j: JSON?, _ at: String) throws(TelemetryError) -> Double {
            guard case .number(let n)? = j else {
                throw TelemetryError(file: file, location: at, message: "expected a number (a kpi_summary.json written by 'wargame run'), found \(j?.described ?? "nothing")")
            }
            return n.value
        }
        let steps = try number(json["run"]?["steps"], "run.steps"), stepSeconds = try number(json["run"]?["step_s"], "run.step_s")
        let warmup = (try? number(json["run"]?["warmup_steps"], "run.warmup_steps")) ?? 0
        let window = (steps - warmup) * stepSeconds
        var values: [Double?] = KPI.allCases.map { kpi in
            if case .number(let n)? = json["kpis"]?[kpi.rawValue] { return n.value }
            return nil
        }
        values.append(try number(json["totals"]?["orders_submitted"], "totals.orders_submitted") / window)
        return ObservedKPIs(values: values, window: window, source: file)
    }
}

/// Prometheus's `histogram_quantile(q, …)` over one histogram (`prometheusQuantile`).
public func histogramQuantile(_ q: Double, _ h: BucketHistogram) -> Double? {
    prometheusQuantile(q, bounds: h.bounds, cumulative: h.cumulative.map(Double.init), count: Double(h.count))
}

/// Prometheus's `histogram_quantile`: the bucket holding rank q·count, linearly
/// interpolated between its bounds (the first bucket's lower bound 0); a rank in `+Inf`
/// gives the highest finite bound. One implementation for the simulated and the observed
/// side, so a validation compares like with like.
func prometheusQuantile(_ q: Double, bounds: [Double], cumulative: [Double], count: Double) -> Double? {
    guard count > 0, !bounds.isEmpty else { return nil }
    let rank = q * count
    var below = 0.0, lower = 0.0
    for (bound, c) in zip(bounds, cumulative) {
        if c >= rank && c > below { return lower + (bound - lower) * (rank - below) / (c - below) }
        below = c; lower = bound
    }
    return bounds.last
}
