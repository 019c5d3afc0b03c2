/// 1 with probability p, else 0: message loss, job failure, a coin per request.
public struct Bernoulli: Distribution, Equatable {
    public let p: Double
    public init(p: Double) throws(DistributionError) {
        try DistributionError.check(p >= 0 && p <= 1, "p", "a probability in 0…1", p)
        self.p = p
    }
    @inlinable public func trial(_ rng: inout Xoshiro256StarStar) -> Bool { rng.nextDouble() < p }
    @inlinable public func sample(_ rng: inout Xoshiro256StarStar) -> Double { trial(&rng) ? 1 : 0 }
    public var mean: Double { p }
    public var variance: Double { p * (1 - p) }
}

/// Picks an index with probability proportional to its weight: routing weights, region
/// mixes. One draw per pick; O(log n) by binary search over cumulative weights.
public struct WeightedChoice: Sendable, Equatable {
    public let weights: [Double]
    @usableFromInline let cumulative: [Double]

    /// Weights must be finite and ≥ 0 with a positive total.
    public init(weights: [Double]) throws(DistributionError) {
        try DistributionError.check(!weights.isEmpty, "weights", "at least one weight", 0)
        var running = 0.0
        var cumulative: [Double] = []
        cumulative.reserveCapacity(weights.count)
        for w in weights {
            try DistributionError.check(w.isFinite && w >= 0, "weights", "finite weights ≥ 0", w)
            running += w
            cumulative.append(running)
        }
        try DistributionError.check(running > 0, "weights", "a positive total", running)
        self.weights = weights
        self.cumulative = cumulative
    }

    /// The probability of choosing `index`.
    public func probability(_ index: Int) -> Double { weights[index] / cumulative[cumulative.count - 1] }

    /// A random index in `0..<weights.count`; zero-weight indices are never chosen.
    @inlinable public func pick(_ rng: inout Xoshiro256StarStar) -> Int {
        let target = rng.nextDouble() * cumulative[cumulative.count - 1]
        var lo = 0, hi = cumulative.count - 1
        while lo < hi {  // first index whose cumulative weight exceeds target
            let mid = (lo + hi) / 2
            if cumulative[mid] > target { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}

/// Samples uniformly from observed values: replaying measured latencies or job sizes.
public struct Empirical: Distribution, Equatable {
    public let values: [Double]
    public init(values: [Double]) throws(DistributionError) {
        try DistributionError.check(!values.isEmpty, "values", "at least one value", 0)
        for v in values { try DistributionError.check(v.isFinite, "values", "finite values", v) }
        self.values = values
    }
    @inlinable public func sample(_ rng: inout Xoshiro256StarStar) -> Double {
        values[rng.nextInt(below: values.count)]
    }
    public var mean: Double { values.reduce(0, +) / Double(values.count) }
    public var variance: Double {
        let m = mean
        return values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count)
    }
}
