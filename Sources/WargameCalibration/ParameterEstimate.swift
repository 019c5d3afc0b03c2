/// One scenario field's estimate: the value, its 95 % interval, how it was found and how
/// well the data fit — or, when the data cannot identify it, the base value kept and why.
public struct ParameterEstimate: Sendable {
    public enum Method: String, Sendable { case mle, simulatedMoments = "simulated_moments" }

    /// The scenario path (`providers[akash].ack_median_ms`).
    public let path: String
    /// The base scenario's value.
    public let base: Double
    /// The estimate and its interval; nil when the base value is kept.
    public let estimate: Estimate?
    public let method: Method
    /// The fitted family: `lognormal`, `binomial`, `poisson`.
    public let distribution: String
    /// Observations behind the estimate (values, trials or arrivals).
    public let n: Int
    public let gof: GoodnessOfFit?
    /// Every candidate family by AIC, best first (latencies only).
    public let ranking: [(family: LatencyFamily, aic: Double)]
    /// The series read.
    public let series: String
    /// What a reader must know: too few samples, a poor fit, a family the data prefer.
    public internal(set) var notes: [String]
    /// The data against the fit, for the report's figures (latencies only).
    public var curve: FitCurve? = nil

    public init(path: String, base: Double, estimate: Estimate?, method: Method, distribution: String, n: Int, gof: GoodnessOfFit?,
                ranking: [(family: LatencyFamily, aic: Double)], series: String, notes: [String]) {
        self.path = path; self.base = base; self.estimate = estimate; self.method = method; self.distribution = distribution
        self.n = n; self.gof = gof; self.ranking = ranking; self.series = series; self.notes = notes
    }

    public var fitted: Bool { estimate != nil }
    /// The value the calibrated scenario carries.
    public var value: Double { estimate?.value ?? base }
}

/// A fitted latency and the data it was fitted to, in the field's unit: what the report
/// draws (observed against fitted CDF, and a Q–Q plot).
public struct FitCurve: Sendable {
    public enum Observed: Sendable {
        /// A sorted simple random sample of the raw values (at most `plotSample`).
        case sample([Double])
        /// Bucket upper bounds and the observed fraction at or below each.
        case buckets(bounds: [Double], cumulative: [Double])
    }
    /// The fields' prefix and names: `providers[akash]` ack_median_ms/ack_p95_ms.
    public let title: String
    public let unit: String
    public let distribution: LatencyDistribution
    public let observed: Observed
    public let n: Int

    public static let plotSample = 400
}
