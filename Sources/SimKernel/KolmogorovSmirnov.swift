#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#elseif canImport(ucrt)
import ucrt
#endif

/// Kolmogorov–Smirnov goodness of fit: how far a sample's empirical distribution strays
/// from a CDF (one sample) or from another sample's (two samples).
///
/// The project checks every sampler against its definition with it at a fixed seed and a
/// stated sample size (`SamplerTests`, `BackgroundTrafficTests`), and it serves calibration:
/// does a simulated latency sample look like one measured in production?
public enum KolmogorovSmirnov {
    /// D = sup |F_n(x) − F(x)| of `sample` against `cdf`.
    public static func statistic(_ sample: [Double], cdf: (Double) -> Double) -> Double {
        let sorted = sample.sorted()
        let n = Double(sorted.count)
        var d = 0.0
        for (i, x) in sorted.enumerated() {
            let f = cdf(x)
            d = Swift.max(d, Double(i + 1) / n - f, f - Double(i) / n)
        }
        return d
    }

    /// D = sup |F_a(x) − F_b(x)| between two samples' empirical distributions.
    public static func statistic(_ a: [Double], _ b: [Double]) -> Double {
        let x = a.sorted(), y = b.sorted()
        var i = 0, j = 0, d = 0.0
        while i < x.count && j < y.count {
            let v = Swift.min(x[i], y[j])
            while i < x.count && x[i] <= v { i += 1 }
            while j < y.count && y[j] <= v { j += 1 }
            d = Swift.max(d, abs(Double(i) / Double(x.count) - Double(j) / Double(y.count)))
        }
        return d
    }

    /// The asymptotic critical D at significance `alpha`: c(α)·√(1/n) for one sample of n,
    /// c(α)·√((n + m)/(n·m)) for two, with c(α) = √(−ln(α/2)/2) (1.949 at α = 0.001).
    public static func critical(alpha: Double = 0.001, n: Int, m: Int? = nil) -> Double {
        let c = (-log(alpha / 2) / 2).squareRoot()
        guard let m else { return c / Double(n).squareRoot() }
        return c * ((Double(n) + Double(m)) / (Double(n) * Double(m))).squareRoot()
    }
}
