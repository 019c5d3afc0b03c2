/// A Prometheus-style histogram: fixed upper bounds (the `le` buckets), exact counts.
///
/// What production measures of a latency is usually this, not the samples: so the model
/// keeps one for every latency it draws, and calibration fits distributions to the bucket
/// counts as interval-censored data. A value equal to a bound falls in that bound's bucket
/// (Prometheus's `le`); values above the last bound count only in `+Inf` (`count`).
public struct BucketHistogram: Sendable, Equatable {
    /// Strictly increasing, finite upper bounds.
    public let bounds: [Double]
    /// Per-bucket (not cumulative) counts; `counts[i]` holds values in (bounds[i−1], bounds[i]].
    public private(set) var counts: [Int]
    public private(set) var sum = 0.0
    public private(set) var count = 0

    public init(bounds: [Double]) {
        precondition(zip(bounds, bounds.dropFirst()).allSatisfy { $0 < $1 } && bounds.allSatisfy(\.isFinite),
                     "BucketHistogram: bounds must be finite and strictly increasing")
        self.bounds = bounds
        counts = Array(repeating: 0, count: bounds.count)
    }

    /// Records one value. Bounds are few (about 20), so a linear scan from the bottom beats
    /// a binary search on latencies, which mostly land in the lower buckets.
    public mutating func add(_ x: Double) {
        count += 1
        sum += x
        var i = 0
        while i < bounds.count && x > bounds[i] { i += 1 }
        if i < bounds.count { counts[i] += 1 }
    }

    /// Cumulative counts per bound (the `le` series), excluding `+Inf` (= `count`).
    public var cumulative: [Int] {
        var running = 0
        return counts.map { running += $0; return running }
    }

    /// Values above the last bound (only in `+Inf`).
    public var overflow: Int { count - counts.reduce(0, +) }

    /// Adds another histogram with the same bounds.
    public mutating func merge(_ other: BucketHistogram) {
        precondition(other.bounds == bounds, "BucketHistogram.merge: different bounds")
        for i in counts.indices { counts[i] += other.counts[i] }
        count += other.count
        sum += other.sum
    }
}
