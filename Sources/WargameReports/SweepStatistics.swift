/// Statistics across replications (one value per seed): the numbers a sweep reports.
public enum SweepStatistics {
    /// Two-sided 95 % Student t quantiles t₀.₉₇₅ for 1…30 degrees of freedom (standard
    /// tables); beyond 30 the Cornish–Fisher expansion around z₀.₉₇₅, accurate to 1e-4.
    static let t975: [Double] = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                                 2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                                 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]

    public static func tQuantile975(degreesOfFreedom df: Int) -> Double {
        precondition(df >= 1, "t quantile needs at least one degree of freedom")
        if df <= 30 { return t975[df - 1] }
        let z = 1.959963984540054, n = Double(df)
        return z + (z * z * z + z) / (4 * n) + (5 * pow5(z) + 16 * z * z * z + 3 * z) / (96 * n * n)
    }

    static func pow5(_ x: Double) -> Double { x * x * x * x * x }

    /// Mean, sample standard deviation and the 95 % t confidence interval of the mean.
    public struct Summary: Sendable, Equatable {
        public let count: Int
        public let mean: Double
        public let standardDeviation: Double
        public let ciLow: Double
        public let ciHigh: Double
        public let p5: Double
        public let p50: Double
        public let p95: Double
    }

    /// `nil` for no values; a single value has a zero-width interval.
    public static func summarize(_ values: [Double]) -> Summary? {
        guard !values.isEmpty else { return nil }
        let n = values.count
        let mean = values.reduce(0, +) / Double(n)
        let sd = n > 1 ? (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n - 1)).squareRoot() : 0
        let half = n > 1 ? tQuantile975(degreesOfFreedom: n - 1) * sd / Double(n).squareRoot() : 0
        let sorted = values.sorted()
        return Summary(count: n, mean: mean, standardDeviation: sd, ciLow: mean - half, ciHigh: mean + half,
                       p5: percentile(sorted, 0.05), p50: percentile(sorted, 0.50), p95: percentile(sorted, 0.95))
    }

    /// Linear interpolation between order statistics (the usual "type 7" definition).
    public static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        let h = Double(sorted.count - 1) * q
        let lo = Int(h.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
        return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
    }

    /// The 95 % Wilson score interval for a proportion (Wilson 1927): well-behaved at 0
    /// and 1 and for small n, unlike the normal approximation.
    public static func wilson(successes k: Int, trials n: Int) -> (low: Double, high: Double) {
        guard n > 0 else { return (0, 1) }
        let z = 1.959963984540054, p = Double(k) / Double(n), nn = Double(n)
        let denominator = 1 + z * z / nn
        let centre = (p + z * z / (2 * nn)) / denominator
        let half = z * (p * (1 - p) / nn + z * z / (4 * nn * nn)).squareRoot() / denominator
        // At k = 0 and k = n the bounds are exactly 0 and 1; say so rather than round.
        return (k == 0 ? 0 : max(0, centre - half), k == n ? 1 : min(1, centre + half))
    }
}

extension SweepStatistics {
    /// A difference of means (B − A) with its 95 % confidence interval.
    public struct Difference: Sendable, Equatable {
        public let mean: Double
        public let ciLow: Double
        public let ciHigh: Double
        /// The interval excludes zero.
        public var significant: Bool { ciLow > 0 || ciHigh < 0 }
        public var width: Double { ciHigh - ciLow }
    }

    /// Paired differences bᵢ − aᵢ (common random numbers: the same seed for both), with a
    /// t interval on n − 1 degrees of freedom.
    public static func paired(_ a: [Double], _ b: [Double]) -> Difference? {
        precondition(a.count == b.count, "paired samples must have equal length")
        guard let s = summarize(zip(a, b).map { $1 - $0 }), s.count > 1 else { return nil }
        return Difference(mean: s.mean, ciLow: s.ciLow, ciHigh: s.ciHigh)
    }

    /// Independent samples: Welch's t interval (Welch–Satterthwaite degrees of freedom).
    public static func welch(_ a: [Double], _ b: [Double]) -> Difference? {
        guard let sa = summarize(a), let sb = summarize(b), sa.count > 1, sb.count > 1 else { return nil }
        let va = sa.standardDeviation * sa.standardDeviation / Double(sa.count)
        let vb = sb.standardDeviation * sb.standardDeviation / Double(sb.count)
        let se = (va + vb).squareRoot()
        let df = se > 0 ? (va + vb) * (va + vb) / (va * va / Double(sa.count - 1) + vb * vb / Double(sb.count - 1)) : 1
        let half = tQuantile975(degreesOfFreedom: max(1, Int(df.rounded(.down)))) * se
        let d = sb.mean - sa.mean
        return Difference(mean: d, ciLow: d - half, ciHigh: d + half)
    }
}
