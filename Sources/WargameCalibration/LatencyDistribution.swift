#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import SimKernel
import WargameReports

/// A candidate family for a positive, right-skewed quantity (a latency, an order size):
/// the lognormal the model samples, and the three an input analyst would try beside it.
public enum LatencyFamily: String, Sendable, CaseIterable {
    case lognormal, gamma, weibull, exponential

    /// Free parameters, for AIC.
    public var parameterCount: Int { self == .exponential ? 1 : 2 }
}

/// One fully specified member of a `LatencyFamily`.
///
/// Parameters: lognormal (μ, σ) of ln X; gamma (shape k, scale θ); Weibull (shape k,
/// scale λ); exponential (rate λ, one parameter). Every function is defined for x > 0.
public struct LatencyDistribution: Sendable, Equatable {
    public let family: LatencyFamily
    public let parameters: [Double]

    public init(_ family: LatencyFamily, _ parameters: [Double]) {
        precondition(parameters.count == family.parameterCount, "LatencyDistribution: \(family) takes \(family.parameterCount) parameters")
        self.family = family
        self.parameters = parameters
    }

    /// Whether every parameter is finite and positive (σ, k, θ, λ > 0).
    public var isValid: Bool {
        switch family {
        case .lognormal: parameters[0].isFinite && parameters[1].isFinite && parameters[1] > 0
        default: parameters.allSatisfy { $0.isFinite && $0 > 0 }
        }
    }

    public func logDensity(_ x: Double) -> Double {
        guard x > 0 else { return -.infinity }
        let p = parameters
        switch family {
        case .lognormal:
            let z = (log(x) - p[0]) / p[1]
            return -log(x) - log(p[1]) - 0.5 * log(2 * Double.pi) - z * z / 2
        case .gamma: return (p[0] - 1) * log(x) - x / p[1] - Special.logGamma(p[0]) - p[0] * log(p[1])
        case .weibull: return log(p[0] / p[1]) + (p[0] - 1) * log(x / p[1]) - pow(x / p[1], p[0])
        case .exponential: return log(p[0]) - p[0] * x
        }
    }

    public func cdf(_ x: Double) -> Double {
        guard x > 0 else { return 0 }
        guard x.isFinite else { return 1 }
        let p = parameters
        switch family {
        case .lognormal: return Special.normalCDF((log(x) - p[0]) / p[1])
        case .gamma: return Special.gammaP(p[0], x / p[1])
        case .weibull: return -expm1(-pow(x / p[1], p[0]))
        case .exponential: return -expm1(-p[0] * x)
        }
    }

    /// P(X > x), computed directly where it is small (upper-tail probabilities).
    public func survival(_ x: Double) -> Double {
        guard x > 0 else { return 1 }
        guard x.isFinite else { return 0 }
        let p = parameters
        switch family {
        case .lognormal: return Special.normalCDF(-(log(x) - p[0]) / p[1])
        case .gamma: return Special.gammaQ(p[0], x / p[1])
        case .weibull: return exp(-pow(x / p[1], p[0]))
        case .exponential: return exp(-p[0] * x)
        }
    }

    /// P(a < X ≤ b), accurate in both tails.
    public func probability(from a: Double, to b: Double) -> Double {
        let m = median
        return b <= m ? cdf(b) - cdf(a) : a >= m ? survival(a) - survival(b) : 1 - cdf(a) - survival(b)
    }

    /// The p-quantile: closed forms where they exist, else bisection on the CDF.
    public func quantile(_ q: Double) -> Double {
        let p = parameters
        switch family {
        case .lognormal: return exp(p[0] + p[1] * NormalQuantile.of(q))
        case .weibull: return p[1] * pow(-log1p(-q), 1 / p[0])
        case .exponential: return -log1p(-q) / p[0]
        case .gamma:
            var lo = 0.0, hi = p[0] * p[1]
            while cdf(hi) < q { hi *= 2 }
            for _ in 0..<200 where hi - lo > hi * 1e-15 {
                let mid = (lo + hi) / 2
                if cdf(mid) < q { lo = mid } else { hi = mid }
            }
            return (lo + hi) / 2
        }
    }

    public var median: Double {
        let p = parameters
        switch family {
        case .lognormal: return exp(p[0])
        case .weibull: return p[1] * pow(log(2.0), 1 / p[0])
        case .exponential: return log(2.0) / p[0]
        case .gamma: return quantile(0.5)
        }
    }

    public var mean: Double {
        let p = parameters
        switch family {
        case .lognormal: return exp(p[0] + p[1] * p[1] / 2)
        case .gamma: return p[0] * p[1]
        case .weibull: return p[1] * exp(Special.logGamma(1 + 1 / p[0]))
        case .exponential: return 1 / p[0]
        }
    }

    /// A draw by inversion, from the caller's stream.
    public func sample(_ rng: inout Xoshiro256StarStar) -> Double { quantile(rng.nextOpenDouble()) }

    /// How the parameters read in a report: `lognormal(μ=…, σ=…)`.
    public var description: String {
        let names: [String]
        switch family {
        case .lognormal: names = ["mu", "sigma"]
        case .gamma: names = ["shape", "scale"]
        case .weibull: names = ["shape", "scale"]
        case .exponential: names = ["rate"]
        }
        return "\(family.rawValue)(" + zip(names, parameters).map { "\($0)=\(NumberFormat.significant($1))" }.joined(separator: ", ") + ")"
    }
}

