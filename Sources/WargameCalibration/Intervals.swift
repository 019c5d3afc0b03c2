#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import SimKernel
import WargameReports

/// A point estimate with its 95 % interval.
public struct Estimate: Sendable, Equatable {
    public let value: Double
    public let low: Double
    public let high: Double

    public init(_ value: Double, _ low: Double, _ high: Double) {
        self.value = value; self.low = low; self.high = high
    }

    public func contains(_ x: Double) -> Bool { x >= low && x <= high }
}

/// z for a two-sided 95 % interval.
let z975 = NormalQuantile.of(0.975)

/// Wilson's score interval for a binomial proportion (Wilson 1927, the one sweeps use):
/// unlike the Wald interval it stays inside [0, 1] and keeps its coverage near 0 or 1 and
/// for small n — failure probabilities of 0.3 % seen a handful of times.
public func wilsonInterval(successes k: Int, trials n: Int) -> Estimate? {
    guard n > 0, k >= 0, k <= n else { return nil }
    let w = SweepStatistics.wilson(successes: k, trials: n)
    return Estimate(Double(k) / Double(n), w.low, w.high)
}

/// A lognormal fitted by maximum likelihood, with the asymptotic covariance of (μ̂, σ̂),
/// so the model's own parameters — median e^μ and 95th percentile e^(μ + z₀.₉₅σ) — get
/// intervals by the delta method on the log scale (exp of a normal interval for η = μ + zσ,
/// whose variance is Var μ̂ + z² Var σ̂ + 2z Cov).
public struct LognormalEstimate: Sendable, Equatable {
    public let mu: Double, sigma: Double
    /// Var μ̂, Var σ̂, Cov(μ̂, σ̂).
    public let varMu: Double, varSigma: Double, covariance: Double

    /// Raw samples: the Fisher information is diagonal, Var μ̂ = σ²/n, Var σ̂ = σ²/2n.
    public init(raw fit: LatencyDistribution, n: Int) {
        mu = fit.parameters[0]; sigma = fit.parameters[1]
        varMu = sigma * sigma / Double(n); varSigma = sigma * sigma / (2 * Double(n)); covariance = 0
    }

    /// Bucket counts: the inverse of the observed information, the negative Hessian of the
    /// interval-censored log-likelihood at the MLE by central differences.
    public init?(binned fit: LatencyDistribution, bounds: [Double], counts: [Int], overflow: Int) {
        let m = fit.parameters[0], s = fit.parameters[1]
        func ll(_ a: Double, _ b: Double) -> Double {
            guard b > 0 else { return -.infinity }
            return LatencyFit.binnedLogLikelihood(LatencyDistribution(.lognormal, [a, b]), bounds: bounds, counts: counts, overflow: overflow)
        }
        let h = 1e-4 * s, f0 = ll(m, s)
        let hmm = (ll(m + h, s) - 2 * f0 + ll(m - h, s)) / (h * h)
        let hss = (ll(m, s + h) - 2 * f0 + ll(m, s - h)) / (h * h)
        let hms = (ll(m + h, s + h) - ll(m + h, s - h) - ll(m - h, s + h) + ll(m - h, s - h)) / (4 * h * h)
        // Covariance = (−H)⁻¹ for the 2 × 2 observed information −H.
        let a = -hmm, b = -hms, c = -hss, det = a * c - b * b
        guard det > 0, a > 0, det.isFinite else { return nil }
        mu = m; sigma = s
        varMu = c / det; varSigma = a / det; covariance = -b / det
    }

    func quantileEstimate(z: Double) -> Estimate {
        let eta = mu + z * sigma
        let se = (varMu + z * z * varSigma + 2 * z * covariance).squareRoot()
        return Estimate(exp(eta), exp(eta - z975 * se), exp(eta + z975 * se))
    }

    public var median: Estimate { quantileEstimate(z: 0) }
    public var p95: Estimate { quantileEstimate(z: NormalQuantile.of(0.95)) }
}
