#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The special functions maximum likelihood and goodness of fit need: log-gamma, digamma,
/// trigamma, the regularised incomplete gamma function, the normal CDF and the chi-square
/// survival function. Numerical Recipes (3rd ed., §6.1–6.2) and Abramowitz & Stegun
/// (6.3.18, 6.4.12) are the sources of the series and continued fractions.
enum Special {
    static func logGamma(_ x: Double) -> Double { lgamma(x) }

    /// ψ(x): recurrence up to x ≥ 10, then the asymptotic series (A&S 6.3.18).
    static func digamma(_ x: Double) -> Double {
        var x = x, r = 0.0
        while x < 10 { r -= 1 / x; x += 1 }
        let f = 1 / (x * x)
        return r + log(x) - 0.5 / x - f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f / 132))))
    }

    /// ψ′(x): recurrence up to x ≥ 10, then the asymptotic series (A&S 6.4.12).
    static func trigamma(_ x: Double) -> Double {
        var x = x, r = 0.0
        while x < 10 { r += 1 / (x * x); x += 1 }
        let f = 1 / (x * x)
        return r + 1 / x + f / 2 + f / x * (1.0 / 6 - f * (1.0 / 30 - f * (1.0 / 42 - f / 30)))
    }

    /// P(a, x) = γ(a, x)/Γ(a), the regularised lower incomplete gamma function: the series
    /// below x < a + 1, the continued fraction (modified Lentz) above.
    static func gammaP(_ a: Double, _ x: Double) -> Double {
        guard x > 0 else { return 0 }
        guard x.isFinite else { return 1 }
        return x < a + 1 ? gammaSeries(a, x) : 1 - gammaFraction(a, x)
    }

    /// Q(a, x) = 1 − P(a, x), computed directly where it is small.
    static func gammaQ(_ a: Double, _ x: Double) -> Double {
        guard x > 0 else { return 1 }
        guard x.isFinite else { return 0 }
        return x < a + 1 ? 1 - gammaSeries(a, x) : gammaFraction(a, x)
    }

    private static func gammaSeries(_ a: Double, _ x: Double) -> Double {
        var ap = a, term = 1 / a, sum = term
        for _ in 0..<10_000 {
            ap += 1
            term *= x / ap
            sum += term
            if abs(term) < abs(sum) * 1e-16 { break }
        }
        return sum * exp(-x + a * log(x) - logGamma(a))
    }

    private static func gammaFraction(_ a: Double, _ x: Double) -> Double {
        let tiny = 1e-300
        var b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d
        for i in 1...10_000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return exp(-x + a * log(x) - logGamma(a)) * h
    }

    /// Φ(z), the standard normal CDF.
    static func normalCDF(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }

    /// P(χ²_k > x): the chi-square test's p-value.
    static func chiSquareSurvival(_ x: Double, degreesOfFreedom k: Int) -> Double {
        gammaQ(Double(k) / 2, x / 2)
    }
}

extension Special {
    /// I_x(a, b), the regularised incomplete beta function, by its continued fraction
    /// (Numerical Recipes §6.4), using the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) where
    /// the fraction converges slowly.
    static func incompleteBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
        guard x > 0 else { return 0 }
        guard x < 1 else { return 1 }
        let front = exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * log(x) + b * log1p(-x))
        if x < (a + 1) / (a + b + 2) { return front * betaFraction(x, a, b) / a }
        return 1 - front * betaFraction(1 - x, b, a) / b
    }

    private static func betaFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0, d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...10_000 {
            let m = Double(m), m2 = 2 * m
            var aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d; h *= d * c
            aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return h
    }

    /// P(|T| ≥ |t|) for Student's t with ν degrees of freedom: I_{ν/(ν+t²)}(ν/2, 1/2).
    static func studentTwoSided(_ t: Double, degreesOfFreedom nu: Double) -> Double {
        incompleteBeta(nu / (nu + t * t), nu / 2, 0.5)
    }

    /// The q-quantile of Student's t (q > 0.5), by bisection on the two-sided tail.
    static func studentQuantile(_ q: Double, degreesOfFreedom nu: Double) -> Double {
        var lo = 0.0, hi = 1_000.0
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if studentTwoSided(mid, degreesOfFreedom: nu) / 2 > 1 - q { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }
}
