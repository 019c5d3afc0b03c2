#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#elseif canImport(ucrt)
import ucrt
#endif

/// Streaming quantiles (p50, p95, p99) in bounded memory with a guaranteed relative error.
///
/// A log-bucketed histogram in the manner of DDSketch (Masson, Rim & Lee, VLDB 2019):
/// bucket i holds values in (γ^(i−1), γ^i] with γ = (1 + α)/(1 − α), and a quantile is
/// answered with the bucket's centre 2γ^i/(γ + 1), which is within a relative α of every
/// value in the bucket. With α = 0.5 % the estimate of any quantile is within 0.5 % of the
/// sample of that rank — inside the 1 % the KPIs promise, with margin for ties of rank.
///
/// Memory is bounded, not proportional to the sample count: positive values are clamped
/// to [1e-9, 1e12] (≈ 4,800 buckets at most, ≈ 38 KB), and only the span of buckets
/// actually touched is allocated (two orders of magnitude of latency: ≈ 460 buckets).
/// Values ≤ 1e-9 (including zero and negatives) count in a zero bucket answered as 0.
/// Insertion is deterministic: one `log` and integer arithmetic.
public struct QuantileSketch: Sendable, Equatable {
    /// The relative accuracy α.
    public static let relativeAccuracy = 0.005
    // Literal constants rather than computed statics: a computed static is a lazily
    // initialised global, and its accessor (a `swift_once` check) ran on every `add`.
    // `QuantileSketchTests` pins them to their definitions.
    /// (1 + relativeAccuracy) / (1 − relativeAccuracy).
    @usableFromInline static var gamma: Double { 0x1.0292a73c765a0p+0 }
    /// 1 / ln(gamma).
    @usableFromInline static var inverseLogGamma: Double { 0x1.8fff258b92eeap+6 }
    @usableFromInline static var minTrackable: Double { 1e-9 }
    @usableFromInline static var maxTrackable: Double { 1e12 }

    @usableFromInline var buckets = BucketSpan()
    @usableFromInline var zeroCount: Int64 = 0
    @usableFromInline var _count: Int64 = 0
    @inlinable public var count: Int64 { _count }
    @usableFromInline var _min: Double = .infinity
    @inlinable public var min: Double { _min }
    @usableFromInline var _max: Double = -.infinity
    @inlinable public var max: Double { _max }

    public init() {}

    @inlinable static func bucketIndex(_ x: Double) -> Int {
        let clamped = Swift.min(x, maxTrackable)
        // ⌈y⌉ without a libm `ceil` call (x86-64's baseline has no rounding instruction):
        // truncation is the ceiling for negative y, and one short of it for positive
        // non-integers.
        let y = log(clamped) * inverseLogGamma
        let truncated = Int(y)
        return Double(truncated) < y ? truncated + 1 : truncated
    }

    /// Records one observation. Amortised O(1); NaN is ignored.
    @inlinable public mutating func add(_ x: Double) {
        if x.isNaN { return }
        _count += 1
        if x < _min { _min = x }
        if x > _max { _max = x }
        if x <= Self.minTrackable { zeroCount += 1; return }
        buckets.add(1, at: Self.bucketIndex(x))
    }

    /// The q-quantile (0 ≤ q ≤ 1) of everything recorded, or `nil` when empty.
    ///
    /// Rank convention: the sample of 0-based rank ⌊q·(n − 1)⌋ in sorted order, so q = 0 is
    /// the minimum and q = 1 the maximum (both exact: they are tracked separately).
    public func quantile(_ q: Double) -> Double? {
        guard count > 0 else { return nil }
        let qq = Swift.min(Swift.max(q, 0), 1)
        if qq == 0 { return min }
        if qq == 1 { return max }
        let rank = Int64((qq * Double(count - 1)).rounded(.down))
        if rank < zeroCount { return Swift.min(Swift.max(0, min), max) }
        guard let i = buckets.bucket(ofRank: rank, before: zeroCount) else { return max }
        let centre = 2 * pow(Self.gamma, Double(i)) / (Self.gamma + 1)
        return Swift.min(Swift.max(centre, min), max)
    }

    /// This sketch with another's observations added.
    public func merging(_ other: QuantileSketch) -> QuantileSketch {
        var s = self
        s.merge(other)
        return s
    }

    /// Adds another sketch's observations (exact: buckets align by construction).
    public mutating func merge(_ other: QuantileSketch) {
        guard other.count > 0 else { return }
        _count += other.count
        zeroCount += other.zeroCount
        _min = Swift.min(min, other.min)
        _max = Swift.max(max, other.max)
        buckets.merge(other.buckets)
    }

    /// Forgets every observation but keeps the allocated buckets, for per-window reuse.
    public mutating func reset() {
        buckets.clear()
        zeroCount = 0
        _count = 0
        _min = .infinity
        _max = -.infinity
    }

    /// Allocated buckets: the sketch's memory is about 8 bytes times this.
    public var bucketCount: Int { buckets.allocated }
}
