/// A monotone event count: requests seen, decisions made, failovers.
public struct Counter: Sendable, Equatable {
    @usableFromInline var _value: Int64 = 0
    @inlinable public var value: Int64 { _value }
    public init() {}
    @inlinable public mutating func increment(by n: Int64 = 1) {
        precondition(n >= 0, "Counter.increment: negative step \(n)")
        _value &+= n
    }
}

/// Count, mean, variance, min and max of observations, in O(1) memory.
///
/// Variance by Welford's online update (Welford 1962; Knuth TAOCP vol. 2 §4.2.2), which
/// stays accurate where the textbook Σx² − n·x̄² cancels catastrophically; `merge` uses
/// Chan et al.'s pairwise formula, so per-window or per-seed tallies combine exactly.
public struct Tally: Sendable, Equatable {
    @usableFromInline var _count: Int = 0
    @inlinable public var count: Int { _count }
    @usableFromInline var _mean: Double = 0
    @inlinable public var mean: Double { _mean }
    @usableFromInline var m2: Double = 0
    @usableFromInline var _min: Double = .infinity
    @inlinable public var min: Double { _min }
    @usableFromInline var _max: Double = -.infinity
    @inlinable public var max: Double { _max }

    public init() {}

    @inlinable public mutating func add(_ x: Double) {
        _count += 1
        let delta = x - _mean
        _mean += delta / Double(_count)
        m2 += delta * (x - _mean)
        if x < _min { _min = x }
        if x > _max { _max = x }
    }

    /// Sum of the observations.
    public var sum: Double { mean * Double(count) }
    /// Sample variance (n − 1 denominator); 0 for fewer than two observations.
    public var variance: Double { count > 1 ? m2 / Double(count - 1) : 0 }
    /// Population variance (n denominator).
    public var populationVariance: Double { count > 0 ? m2 / Double(count) : 0 }
    public var standardDeviation: Double { variance.squareRoot() }
    /// Standard error of the mean, assuming independent observations.
    public var standardError: Double { count > 0 ? (variance / Double(count)).squareRoot() : 0 }

    /// Combines another tally into this one as if its observations had been added here.
    public mutating func merge(_ other: Tally) {
        guard other.count > 0 else { return }
        guard count > 0 else { self = other; return }
        let n = Double(count + other.count)
        let delta = other.mean - mean
        _mean += delta * Double(other.count) / n
        m2 += other.m2 + delta * delta * Double(count) * Double(other.count) / n
        _count += other.count
        _min = Swift.min(min, other.min)
        _max = Swift.max(max, other.max)
    }
}

/// Standard error of a mean estimated from autocorrelated output (waits in a queue are
/// strongly correlated), by the method of non-overlapping batch means (Law & Kelton §9.5.3).
///
/// Observations are grouped into consecutive batches of `batchSize`; when batches are long
/// compared with the correlation time, batch means are nearly independent, and their
/// spread gives an honest standard error. O(1) memory.
public struct BatchMeans: Sendable, Equatable {
    public let batchSize: Int
    @usableFromInline var _batches: Tally = Tally()
    @inlinable public var batches: Tally { _batches }
    @usableFromInline var _overall: Tally = Tally()
    @inlinable public var overall: Tally { _overall }
    @usableFromInline var current = 0.0
    @usableFromInline var inBatch = 0

    public init(batchSize: Int) {
        precondition(batchSize > 0, "BatchMeans: batchSize must be positive, got \(batchSize)")
        self.batchSize = batchSize
    }

    @inlinable public mutating func add(_ x: Double) {
        _overall.add(x)
        current += x
        inBatch += 1
        if inBatch == batchSize {
            _batches.add(current / Double(batchSize))
            current = 0
            inBatch = 0
        }
    }

    /// Standard error of the grand mean from the completed batches.
    public var standardError: Double { batches.standardError }
}
