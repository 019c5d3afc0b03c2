#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Observations of a positive quantity: raw values, or the bucket counts of a
/// Prometheus histogram (interval-censored: each value is known only to lie in its bucket).
public enum Observations: Sendable, Equatable {
    case raw([Double])
    /// `counts[i]` values in (bounds[i−1], bounds[i]] (bounds[−1] = 0), then `overflow`
    /// above the last bound (the `+Inf` bucket less the rest).
    case binned(bounds: [Double], counts: [Int], overflow: Int)

    public var count: Int {
        switch self {
        case .raw(let v): v.count
        case .binned(_, let c, let o): c.reduce(0, +) + o
        }
    }
}

/// Maximum-likelihood fits of a `LatencyFamily`.
///
/// Raw samples: closed forms for the lognormal and exponential, Newton's method on the
/// shape for the gamma (Minka 2002's start) and Weibull. Bucket counts: the
/// interval-censored likelihood Σ cᵢ ln P(bᵢ₋₁ < X ≤ bᵢ), maximised by Nelder–Mead in
/// log-parameters from a start at the buckets' geometric midpoints. Both report the
/// maximised log-likelihood for AIC; the two kinds are comparable only with their own kind.
public enum LatencyFit {
    public struct Result: Sendable, Equatable {
        public let distribution: LatencyDistribution
        public let logLikelihood: Double
        /// Akaike's information criterion, 2k − 2 ln L.
        public var aic: Double { 2 * Double(distribution.family.parameterCount) - 2 * logLikelihood }
    }

    /// The MLE of `family`, or nil when the data cannot give one (fewer than 2 values, a
    /// non-positive value, all values equal, all in one bucket).
    public static func fit(_ family: LatencyFamily, _ data: Observations) -> Result? {
        switch data {
        case .raw(let values): return fitRaw(family, RawSummary(values))
        case .binned(let bounds, let counts, let overflow): return fitBinned(family, bounds: bounds, counts: counts, overflow: overflow)
        }
    }

    /// Every family's MLE that exists, best (lowest AIC) first. Raw samples are summarised
    /// once for all four (their logs are most of the work at millions of values).
    public static func fitAll(_ data: Observations) -> [Result] {
        let fits: [Result]
        switch data {
        case .raw(let values):
            let summary = RawSummary(values)
            fits = LatencyFamily.allCases.compactMap { fitRaw($0, summary) }
        case .binned:
            fits = LatencyFamily.allCases.compactMap { fit($0, data) }
        }
        return fits.sorted { $0.aic < $1.aic }
    }

    // MARK: Raw samples

    /// What the raw fits need, in one pass: n, Σ ln x, Σ (ln x)², Σ x, and the logs (for
    /// the Weibull's iterations).
    struct RawSummary {
        let n: Double, meanLog: Double, varLog: Double, mean: Double
        let logs: [Double]
        let valid: Bool

        init(_ values: [Double]) {
            var sl = 0.0, sx = 0.0, ok = values.count >= 2
            var logs = [Double](); logs.reserveCapacity(values.count)
            for x in values {
                guard x > 0 && x.isFinite else { ok = false; break }
                let l = log(x); logs.append(l); sl += l; sx += x
            }
            n = Double(values.count)
            meanLog = sl / n
            var ss = 0.0
            if ok { for l in logs { ss += (l - meanLog) * (l - meanLog) } }
            varLog = ss / n
            mean = sx / n
            self.logs = logs
            valid = ok && varLog > 0
        }
    }

    static func fitRaw(_ family: LatencyFamily, _ s: RawSummary) -> Result? {
        guard s.valid else { return nil }
        let d: LatencyDistribution
        switch family {
        case .lognormal: d = LatencyDistribution(.lognormal, [s.meanLog, s.varLog.squareRoot()])
        case .exponential: d = LatencyDistribution(.exponential, [1 / s.mean])
        case .gamma:
            let g = log(s.mean) - s.meanLog  // > 0 by Jensen when values differ
            var k = (3 - g + ((g - 3) * (g - 3) + 24 * g).squareRoot()) / (12 * g)
            for _ in 0..<50 {
                let step = (log(k) - Special.digamma(k) - g) / (1 / k - Special.trigamma(k))
                k = max(k - step, k / 10)
                if abs(step) < k * 1e-12 { break }
            }
            d = LatencyDistribution(.gamma, [k, s.mean / k])
        case .weibull:
            guard let k = weibullShape(s) else { return nil }
            // λ = (mean xᵏ)^(1/k), in logs around the largest log for range.
            let top = s.logs.max()!
            var sum = 0.0
            for l in s.logs { sum += exp(k * (l - top)) }
            d = LatencyDistribution(.weibull, [k, exp(top + log(sum / s.n) / k)])
        }
        guard d.isValid else { return nil }
        return Result(distribution: d, logLikelihood: rawLogLikelihood(d, s))
    }

    /// Newton's method on g(k) = Σ xᵏ ln x / Σ xᵏ − 1/k − mean(ln x), which is increasing
    /// in k; values are scaled by the largest so xᵏ cannot overflow.
    static func weibullShape(_ s: RawSummary) -> Double? {
        let top = s.logs.max()!
        var k = 1.2 / s.varLog.squareRoot()  // the shape whose log-variance matches, roughly
        for _ in 0..<100 {
            var a = 0.0, b = 0.0, c = 0.0
            for l in s.logs {
                let y = l - top, w = exp(k * y)
                a += w; b += w * y; c += w * y * y
            }
            let g = b / a - 1 / k - (s.meanLog - top)
            let dg = c / a - (b / a) * (b / a) + 1 / (k * k)
            let next = max(k - g / dg, k / 10)
            if abs(next - k) < k * 1e-12 { return next }
            k = next
        }
        return k.isFinite && k > 0 ? k : nil
    }

    static func rawLogLikelihood(_ d: LatencyDistribution, _ s: RawSummary) -> Double {
        let p = d.parameters
        switch d.family {
        case .lognormal:
            // Σ ln f = −Σ ln x − n ln σ − n/2 ln 2π − Σ (ln x − μ)² / 2σ², with Σ(ln x − μ)² = n(varLog + (meanLog − μ)²).
            let ss = s.n * (s.varLog + (s.meanLog - p[0]) * (s.meanLog - p[0]))
            return -s.n * s.meanLog - s.n * log(p[1]) - s.n / 2 * log(2 * Double.pi) - ss / (2 * p[1] * p[1])
        case .exponential: return s.n * log(p[0]) - p[0] * s.mean * s.n
        case .gamma: return s.n * ((p[0] - 1) * s.meanLog - s.mean / p[1] - Special.logGamma(p[0]) - p[0] * log(p[1]))
        case .weibull:
            var sum = 0.0
            let lk = log(p[1])
            for l in s.logs { sum += exp(p[0] * (l - lk)) }
            return s.n * (log(p[0]) - lk) + (p[0] - 1) * s.n * (s.meanLog - lk) - sum
        }
    }

    // MARK: Bucket counts

    static func fitBinned(_ family: LatencyFamily, bounds: [Double], counts: [Int], overflow: Int) -> Result? {
        let total = counts.reduce(0, +) + overflow
        let occupied = counts.filter { $0 > 0 }.count + (overflow > 0 ? 1 : 0)
        guard total >= 2, occupied >= 2, bounds.first.map({ $0 > 0 }) == true else { return nil }
        // Start: each bucket's count at its geometric midpoint (the overflow at 1.5 × the top bound).
        var mids = [Double](), weights = [Double]()
        for (i, c) in counts.enumerated() where c > 0 {
            let lo = i == 0 ? bounds[0] / 2 : bounds[i - 1]
            mids.append((lo * bounds[i]).squareRoot()); weights.append(Double(c))
        }
        if overflow > 0 { mids.append(bounds[bounds.count - 1] * 1.5); weights.append(Double(overflow)) }
        let w = weights.reduce(0, +)
        let ml = zip(mids, weights).map { log($0) * $1 }.reduce(0, +) / w
        let vl = max(zip(mids, weights).map { (log($0) - ml) * (log($0) - ml) * $1 }.reduce(0, +) / w, 1e-4)
        let mean = zip(mids, weights).map { $0 * $1 }.reduce(0, +) / w
        let start: [Double]
        switch family {
        case .lognormal: start = [ml, 0.5 * log(vl)]
        case .exponential: start = [-log(mean)]
        case .gamma: let k = max(0.05, 1 / max(vl, 1e-6)); start = [log(k), log(mean / k)]
        case .weibull: let k = 1.2 / vl.squareRoot(); start = [log(k), ml + 0.5772 / k]
        }
        let ll = { (u: [Double]) -> Double in
            binnedLogLikelihood(distribution(family, free: u), bounds: bounds, counts: counts, overflow: overflow)
        }
        let best = NelderMead.maximise(ll, from: start)
        let d = distribution(family, free: best.point)
        guard d.isValid, best.value.isFinite else { return nil }
        return Result(distribution: d, logLikelihood: best.value)
    }

    /// The family's parameters from unconstrained ones: μ and ln σ; ln k and ln θ; ln k and
    /// ln λ; ln λ.
    static func distribution(_ family: LatencyFamily, free u: [Double]) -> LatencyDistribution {
        switch family {
        case .lognormal: LatencyDistribution(.lognormal, [u[0], exp(u[1])])
        case .exponential: LatencyDistribution(.exponential, [exp(u[0])])
        case .gamma, .weibull: LatencyDistribution(family, [exp(u[0]), exp(u[1])])
        }
    }

    public static func binnedLogLikelihood(_ d: LatencyDistribution, bounds: [Double], counts: [Int], overflow: Int) -> Double {
        guard d.isValid else { return -.infinity }
        var sum = 0.0, lower = 0.0
        for (b, c) in zip(bounds, counts) {
            if c > 0 {
                let p = d.probability(from: lower, to: b)
                guard p > 0 else { return -.infinity }
                sum += Double(c) * log(p)
            }
            lower = b
        }
        if overflow > 0 {
            let p = d.survival(lower)
            guard p > 0 else { return -.infinity }
            sum += Double(overflow) * log(p)
        }
        return sum
    }
}
