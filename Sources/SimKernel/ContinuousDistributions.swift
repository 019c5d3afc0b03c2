/// Always `value`: the degenerate distribution, for fixed latencies and service times.
public struct Constant: Distribution, Equatable {
    public let value: Double
    public init(_ value: Double) throws(DistributionError) {
        try DistributionError.check(value.isFinite, "value", "a finite number", value)
        self.value = value
    }
    @inlinable public func sample(_ rng: inout Xoshiro256StarStar) -> Double { value }
    public var mean: Double { value }
    public var variance: Double { 0 }
}

/// Uniform on [lower, upper).
public struct Uniform: Distribution, Equatable {
    public let lower: Double, upper: Double
    public init(lower: Double, upper: Double) throws(DistributionError) {
        try DistributionError.check(lower.isFinite, "lower", "a finite number", lower)
        try DistributionError.check(upper.isFinite && upper >= lower, "upper", "a finite number ≥ lower (\(lower))", upper)
        self.lower = lower
        self.upper = upper
    }
    @inlinable public func sample(_ rng: inout Xoshiro256StarStar) -> Double {
        lower + (upper - lower) * rng.nextDouble()
    }
    public var mean: Double { (lower + upper) / 2 }
    public var variance: Double { (upper - lower) * (upper - lower) / 12 }
    public func quantile(_ p: Double) -> Double { lower + (upper - lower) * p }
}

/// Exponential with the given rate (mean 1/rate): inter-arrival times of a Poisson process.
///
/// Sampled by inversion, −ln(U)/rate with U on (0, 1], one draw per sample.
public struct Exponential: Distribution, Equatable {
    public let rate: Double
    @usableFromInline let scale: Double
    public init(rate: Double) throws(DistributionError) {
        try DistributionError.check(rate.isFinite && rate > 0, "rate", "a finite number > 0", rate)
        self.rate = rate
        self.scale = 1 / rate
    }
    public init(mean: Double) throws(DistributionError) {
        try DistributionError.check(mean.isFinite && mean > 0, "mean", "a finite number > 0", mean)
        try self.init(rate: 1 / mean)
    }
    @inlinable @inline(__always) public func sample(_ rng: inout Xoshiro256StarStar) -> Double {
        -kLog(rng.nextOpenClosedDouble()) * scale
    }
    public var mean: Double { scale }
    public var variance: Double { scale * scale }
    public func quantile(_ p: Double) -> Double { -kLog(1 - p) * scale }
}

/// Normal (Gaussian) by inversion: Φ⁻¹(U) with `NormalQuantile` (AS 241), one draw per
/// sample and no hidden state, so draw counts stay fixed.
public struct Normal: Distribution, Equatable {
    public let mu: Double, sigma: Double
    public init(mean mu: Double, standardDeviation sigma: Double) throws(DistributionError) {
        try DistributionError.check(mu.isFinite, "mean", "a finite number", mu)
        try DistributionError.check(sigma.isFinite && sigma >= 0, "standard_deviation", "a finite number ≥ 0", sigma)
        self.mu = mu
        self.sigma = sigma
    }
    @inlinable public func sample(_ rng: inout Xoshiro256StarStar) -> Double {
        mu + sigma * Normal.standard(&rng)
    }
    /// One standard normal variate.
    @inlinable public static func standard(_ rng: inout Xoshiro256StarStar) -> Double {
        NormalQuantile.of(rng.nextOpenDouble())
    }
    public var mean: Double { mu }
    public var variance: Double { sigma * sigma }
    /// P(X ≤ x).
    public func cdf(_ x: Double) -> Double { 0.5 * (1 + kErf((x - mu) / (sigma * 2.0.squareRoot()))) }
}

/// Lognormal: exp of a normal. The natural model of network and service latency — positive,
/// right-skewed, and specified by operators as "median 120 ms, p95 300 ms".
public struct LogNormal: Distribution, Equatable {
    /// Mean and standard deviation of the underlying normal (of ln X).
    public let mu: Double, sigma: Double
    public init(mu: Double, sigma: Double) throws(DistributionError) {
        try DistributionError.check(mu.isFinite, "mu", "a finite number", mu)
        try DistributionError.check(sigma.isFinite && sigma >= 0, "sigma", "a finite number ≥ 0", sigma)
        self.mu = mu
        self.sigma = sigma
    }
    /// From the median and 95th percentile: mu = ln(median), sigma = ln(p95/median) / z₀.₉₅.
    public init(median: Double, p95: Double) throws(DistributionError) {
        try DistributionError.check(median.isFinite && median > 0, "median", "a finite number > 0", median)
        try DistributionError.check(p95.isFinite && p95 >= median, "p95", "a finite number ≥ median (\(median))", p95)
        try self.init(mu: kLog(median), sigma: kLog(p95 / median) / standardNormalZ95)
    }
    @inlinable public func sample(_ rng: inout Xoshiro256StarStar) -> Double {
        quantile(rng.nextOpenDouble())
    }
    /// Q(u) = exp(μ + σ Φ⁻¹(u)): the value `sample` draws from the uniform u, so a caller
    /// holding the uniform can reproduce the draw exactly.
    @inlinable public func quantile(_ u: Double) -> Double { kExp(mu + sigma * NormalQuantile.of(u)) }
    public var median: Double { kExp(mu) }
    public var mean: Double { kExp(mu + sigma * sigma / 2) }
    public var variance: Double { (kExp(sigma * sigma) - 1) * kExp(2 * mu + sigma * sigma) }
    /// E[X^k] = exp(kμ + k²σ²/2): lets tests derive tolerances from higher moments.
    public func rawMoment(_ k: Double) -> Double { kExp(k * mu + k * k * sigma * sigma / 2) }
    /// The 95th percentile.
    public var p95: Double { kExp(mu + standardNormalZ95 * sigma) }
}

/// Pareto (type I) with scale x_m and shape α: the heavy tail of job sizes and stragglers.
///
/// Sampled by inversion, x_m · U^(−1/α). The mean exists only for α > 1 and the variance
/// only for α > 2; otherwise they are reported as infinite.
public struct Pareto: Distribution, Equatable {
    public let scale: Double, shape: Double
    @usableFromInline let negInvShape: Double
    public init(scale: Double, shape: Double) throws(DistributionError) {
        try DistributionError.check(scale.isFinite && scale > 0, "scale", "a finite number > 0", scale)
        try DistributionError.check(shape.isFinite && shape > 0, "shape", "a finite number > 0", shape)
        self.scale = scale
        self.shape = shape
        self.negInvShape = -1 / shape
    }
    @inlinable public func sample(_ rng: inout Xoshiro256StarStar) -> Double {
        scale * kPow(rng.nextOpenClosedDouble(), negInvShape)
    }
    public var mean: Double { shape > 1 ? shape * scale / (shape - 1) : .infinity }
    public var variance: Double {
        shape > 2 ? scale * scale * shape / ((shape - 1) * (shape - 1) * (shape - 2)) : .infinity
    }
    public func quantile(_ p: Double) -> Double { scale * kPow(1 - p, negInvShape) }
}
