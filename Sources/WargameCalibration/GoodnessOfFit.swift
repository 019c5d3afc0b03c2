#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import SimKernel
import WargameReports

/// A goodness-of-fit verdict: the test, its statistic and p-value, on how many values.
public struct GoodnessOfFit: Sendable, Equatable {
    public enum Test: String, Sendable {
        case andersonDarling = "anderson_darling", chiSquare = "chi_square"
        /// Simulated moments: the observed moment as one more run at the estimate (t, n − 1 df).
        case prediction = "t_prediction"

        /// How the statistic is written in tables: A², χ², t.
        public var symbol: String {
            switch self {
            case .andersonDarling: "A²"
            case .chiSquare: "χ²"
            case .prediction: "t"
            }
        }
    }
    public let test: Test
    public let statistic: Double
    public let pValue: Double
    /// Values the test was computed on (a raw sample is subsampled, see `andersonDarling`).
    public let n: Int
    /// Chi-square and t prediction: degrees of freedom; Anderson–Darling: bootstrap replicates.
    public let detail: Int

    /// The conventional reading at 5 %.
    public var rejected: Bool { pValue < 0.05 }

    /// The p-value as a reader should take it: a bootstrap p at its floor, 1/(B + 1) (no
    /// replicate as far off as the data), is only known to be at most that.
    public var pText: String {
        if test == .andersonDarling && pValue <= 1 / Double(detail + 1) { return "≤ " + NumberFormat.fixed(pValue, 3) }
        return pValue < 0.001 ? "< 0.001" : "= " + NumberFormat.fixed(pValue, 3)
    }
}

extension GoodnessOfFit {
    /// A² = −n − (1/n) Σ (2i − 1) [ln F(x₍ᵢ₎) + ln(1 − F(x₍ₙ₊₁₋ᵢ₎))] (Anderson & Darling 1954).
    public static func andersonDarlingStatistic(sorted x: [Double], _ d: LatencyDistribution) -> Double {
        let n = x.count
        var s = 0.0
        for i in 0..<n {
            let lo = max(d.cdf(x[i]), 1e-300), hi = max(d.survival(x[n - 1 - i]), 1e-300)
            s += Double(2 * i + 1) * (log(lo) + log(hi))
        }
        return -Double(n) - s / Double(n)
    }

    /// The largest sample the Anderson–Darling test is run on. With millions of values any
    /// departure, however small, is "significant", and the bootstrap would cost millions of
    /// refits; a seeded simple random subsample of this size keeps the test's power at
    /// departures that matter (a bimodal sample, a wrong family) and its cost in milliseconds.
    public static let andersonDarlingSubsample = 2_000
    public static let bootstrapReplicates = 199

    /// Anderson–Darling test of the composite hypothesis "`family` with parameters
    /// estimated from these data": the statistic of the (sub)sample against its own fit,
    /// and a p-value by parametric bootstrap (Stute, Manteiga & Quindimil 1993) — B samples
    /// of the same size drawn from the fit, each refitted, p = (1 + #{A²* ≥ A²}) / (B + 1).
    /// Tables for known parameters would overstate the p-value (the fit is closer to its
    /// own data than the truth is). Deterministic: every draw comes from `rng`.
    public static func andersonDarling(_ values: [Double], family: LatencyFamily, rng: inout Xoshiro256StarStar) -> GoodnessOfFit? {
        let sample = subsample(values, size: andersonDarlingSubsample, rng: &rng).sorted()
        guard let fit = LatencyFit.fit(family, .raw(sample)) else { return nil }
        let a2 = andersonDarlingStatistic(sorted: sample, fit.distribution)
        var atLeast = 0
        for _ in 0..<bootstrapReplicates {
            let replicate = (0..<sample.count).map { _ in fit.distribution.sample(&rng) }.sorted()
            guard let refit = LatencyFit.fit(family, .raw(replicate)) else { continue }
            if andersonDarlingStatistic(sorted: replicate, refit.distribution) >= a2 { atLeast += 1 }
        }
        return GoodnessOfFit(test: .andersonDarling, statistic: a2, pValue: Double(1 + atLeast) / Double(bootstrapReplicates + 1),
                             n: sample.count, detail: bootstrapReplicates)
    }

    /// A simple random sample of `size` values without replacement, in their original order
    /// (Knuth's selection sampling, Algorithm S: one pass), or all of them when fewer.
    static func subsample(_ values: [Double], size: Int, rng: inout Xoshiro256StarStar) -> [Double] {
        guard values.count > size else { return values }
        var out = [Double](); out.reserveCapacity(size)
        var needed = size, left = values.count
        for v in values where needed > 0 {
            if rng.nextDouble() * Double(left) < Double(needed) { out.append(v); needed -= 1 }
            left -= 1
        }
        return out
    }

    /// Pearson's chi-square of bucket counts against a distribution fitted to them by
    /// grouped maximum likelihood: adjacent buckets are pooled until each expects at least
    /// 5 values, and the statistic has k − 1 − (fitted parameters) degrees of freedom.
    /// Nil when fewer than `parameters + 2` pooled buckets remain (no degrees of freedom).
    public static func chiSquare(bounds: [Double], counts: [Int], overflow: Int, _ d: LatencyDistribution) -> GoodnessOfFit? {
        let n = Double(counts.reduce(0, +) + overflow)
        var cells: [(observed: Double, expected: Double)] = []
        var lower = 0.0, o = 0.0, e = 0.0
        for (b, c) in zip(bounds, counts) {
            o += Double(c); e += n * d.probability(from: lower, to: b); lower = b
            if e >= 5 { cells.append((o, e)); o = 0; e = 0 }
        }
        o += Double(overflow); e += n * d.survival(lower)
        if e >= 5 || cells.isEmpty { cells.append((o, e)) } else { cells[cells.count - 1].observed += o; cells[cells.count - 1].expected += e }
        let df = cells.count - 1 - d.family.parameterCount
        guard df >= 1 else { return nil }
        let x2 = cells.reduce(0.0) { $0 + ($1.observed - $1.expected) * ($1.observed - $1.expected) / max($1.expected, 1e-300) }
        return GoodnessOfFit(test: .chiSquare, statistic: x2, pValue: Special.chiSquareSurvival(x2, degreesOfFreedom: df), n: Int(n), detail: df)
    }
}
