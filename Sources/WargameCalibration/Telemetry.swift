/// Observed telemetry, by series: what `calibrate` reads from a run's output directory,
/// Prometheus API responses or a CSV of samples, before any fitting.
///
/// A series is named by its metric and labels, canonically written `name{a="x",b="y"}`
/// with labels sorted, so two sources of the same series meet under one key. Dictionaries
/// here are only looked up; every listing goes through `keys(of:)`, which sorts.
public struct Telemetry: Sendable {
    /// A cumulative histogram: counts at each `le` bound, and the total (`+Inf`).
    public struct Histogram: Sendable, Equatable {
        public var bounds: [Double]
        public var cumulative: [Double]
        public var count: Double
        /// The observations' sum (`_sum`), when the source has it.
        public var sum: Double?

        public init(bounds: [Double], cumulative: [Double], count: Double, sum: Double? = nil) {
            self.bounds = bounds; self.cumulative = cumulative; self.count = count; self.sum = sum
        }

        /// Prometheus's `histogram_quantile(q, …)` (`prometheusQuantile`).
        public func quantile(_ q: Double) -> Double? { prometheusQuantile(q, bounds: bounds, cumulative: cumulative, count: count) }

        /// The exact mean, `_sum / _count`.
        public var mean: Double? { sum.flatMap { count > 0 ? $0 / count : nil } }

        /// Per-bucket counts and the overflow above the last bound, as integers (counts of
        /// observations; a fractional count from an extrapolated `increase` is rounded).
        public var buckets: (counts: [Int], overflow: Int) {
            var previous = 0.0, counts: [Int] = []
            for c in cumulative { counts.append(max(0, Int((c - previous).rounded()))); previous = max(previous, c) }
            return (counts, max(0, Int((count - previous).rounded())))
        }

        /// Adds another histogram of the same bounds (another instance of the series).
        mutating func add(_ o: Histogram) {
            for i in cumulative.indices { cumulative[i] += o.cumulative[i] }
            count += o.count
            sum = sum.flatMap { a in o.sum.map { a + $0 } }
        }
    }

    public var histograms: [String: Histogram] = [:]
    public var counters: [String: Double] = [:]
    public var samples: [String: [Double]] = [:]
    /// Order arrivals per interval, when the source has them.
    public var arrivals: ArrivalCounts?
    /// Seconds of observation the data cover (nil when unknown).
    public var window: Double?
    /// Where each kind of data came from, for the report.
    public var sources: [String] = []

    public init() {}

    /// `name{a="x",b="y"}` with labels sorted by name (no braces without labels).
    public static func key(_ metric: String, _ labels: [(String, String)]) -> String {
        let sorted = labels.sorted { $0.0 < $1.0 }
        guard !sorted.isEmpty else { return metric }
        return metric + "{" + sorted.map { "\($0.0)=\"\($0.1)\"" }.joined(separator: ",") + "}"
    }

    /// The metric and labels of a key (the inverse of `key`).
    static func parse(_ key: String) -> (metric: String, labels: [String: String]) {
        guard let brace = key.firstIndex(of: "{") else { return (key, [:]) }
        var labels: [String: String] = [:]
        for part in key[key.index(after: brace)..<key.index(before: key.endIndex)].split(separator: ",") {
            guard let eq = part.firstIndex(of: "=") else { continue }
            labels[String(part[..<eq])] = String(part[part.index(eq, offsetBy: 2)..<part.index(before: part.endIndex)])
        }
        return (String(key[..<brace]), labels)
    }

    /// Keys of `metric` whose labels include every one of `matching` (other labels, such as
    /// `instance` or `job`, are free), sorted.
    static func keys<V>(_ table: [String: V], metric: String, matching: [String: String]) -> [String] {
        table.keys.filter { k in
            let (m, labels) = parse(k)
            return m == metric && matching.allSatisfy { labels[$0.key] == $0.value }
        }.sorted()
    }

    /// The histogram of `metric` with these labels, summed over the series that match (the
    /// instances of a replicated service); nil when none does or their bounds differ.
    public func histogram(_ metric: String, _ matching: [String: String]) -> Histogram? {
        let found = Self.keys(histograms, metric: metric, matching: matching).compactMap { histograms[$0] }
        guard var total = found.first, found.dropFirst().allSatisfy({ $0.bounds == total.bounds }) else { return nil }
        for h in found.dropFirst() { total.add(h) }
        return total
    }

    /// The sum of the counters of `metric` with these labels; nil when none matches.
    public func counter(_ metric: String, _ matching: [String: String]) -> Double? {
        let found = Self.keys(counters, metric: metric, matching: matching)
        return found.isEmpty ? nil : found.reduce(0) { $0 + (counters[$1] ?? 0) }
    }

    /// The raw samples of `metric` with these labels, concatenated in key order.
    public func rawSamples(_ metric: String, _ matching: [String: String]) -> [Double]? {
        let found = Self.keys(samples, metric: metric, matching: matching)
        return found.isEmpty ? nil : found.flatMap { samples[$0] ?? [] }
    }
}
