#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Order arrivals counted per interval: what `increase(orders_submitted_total[step])`
/// gives, or a run's `kpi_timeseries.csv` `submitted` column.
public struct ArrivalCounts: Sendable, Equatable {
    /// Start of each interval, seconds from midnight of the first day (the clock the
    /// diurnal shape's `peak_hour` is on).
    public var starts: [Double]
    public var length: Double
    public var counts: [Int]
    /// The base scenario's known rate multiplier over each interval (its surges), 1 when none.
    public var multipliers: [Double]

    public init(starts: [Double], length: Double, counts: [Int], multipliers: [Double]? = nil) {
        self.starts = starts; self.length = length; self.counts = counts
        self.multipliers = multipliers ?? Array(repeating: 1, count: counts.count)
    }

    /// Seconds observed.
    public var window: Double { Double(counts.count) * length }
}

/// Maximum likelihood for a Poisson process whose rate has the model's diurnal shape,
///
///     λ(t) = m(t) · r · (1 + A cos(2π (h − peak) / 24)),   h = t / 3600,
///
/// written as the linear model λ = m (r + a cos ωh + b sin ωh) with a = rA cos ω·peak and
/// b = rA sin ω·peak, ω = 2π/24. The log-likelihood of interval counts is concave in
/// (r, a, b), so Newton's method with step halving (keeping every rate positive) finds the
/// maximum; the inverse Fisher information gives the covariance, and the delta method the
/// intervals of A = √(a² + b²)/r and peak = atan2(b, a)/ω. m(t) carries the base
/// scenario's surges, which are known and not re-estimated.
public enum ArrivalFit {
    public struct Result: Sendable, Equatable {
        public let rate: Estimate
        /// Nil when the window is shorter than `windowForShape`: the shape is then not identified and
        /// is held at the base scenario's.
        public let amplitude: Estimate?
        public let peakHour: Estimate?
        public let intervals: Int
        /// Σ counts.
        public let arrivals: Int
        /// Pearson's dispersion test of the counts against the fitted rates (χ² with
        /// intervals − parameters degrees of freedom): a Poisson process with this shape?
        public let gof: GoodnessOfFit?
    }

    /// The least data that identifies a 24-hour cycle's amplitude and phase apart from the
    /// rate: most of a cycle (20 h). Less, and a rise looks the same as a higher rate; a
    /// day read back from Prometheus is a step short of 24 h, so a day must pass.
    public static let windowForShape = 72_000.0

    /// Fits the rate, and the shape when the window covers a day. `baseShape` is the base
    /// scenario's (amplitude, peak hour), used when the shape is not fitted.
    public static func fit(_ data: ArrivalCounts, baseShape: (amplitude: Double, peakHour: Double)) -> Result? {
        let n = data.counts.count
        let total = data.counts.reduce(0, +)
        guard n >= 2, total > 0, data.length > 0 else { return nil }
        let omega = 2 * Double.pi / 24
        let hours = data.starts.map { ($0 + data.length / 2) / 3_600 }
        if data.window < windowForShape {
            // λᵢ = r · sᵢ with a known shape sᵢ: the MLE is r = Σc / Σ Δ m s, Var r = r / Σ Δ m s.
            let exposure = zip(hours, data.multipliers).reduce(0.0) { acc, hm in
                acc + data.length * hm.1 * max(0, 1 + baseShape.amplitude * cos(omega * (hm.0 - baseShape.peakHour)))
            }
            guard exposure > 0 else { return nil }
            let r = Double(total) / exposure, se = (r / exposure).squareRoot()
            let expected = zip(hours, data.multipliers).map { data.length * $1 * r * max(0, 1 + baseShape.amplitude * cos(omega * ($0 - baseShape.peakHour))) }
            return Result(rate: Estimate(r, max(0, r - z975 * se), r + z975 * se), amplitude: nil, peakHour: nil, intervals: n,
                          arrivals: total, gof: dispersion(data.counts, expected, parameters: 1))
        }
        let x = zip(hours, data.multipliers).map { h, m in [data.length * m, data.length * m * cos(omega * h), data.length * m * sin(omega * h)] }
        func means(_ beta: [Double]) -> [Double] { x.map { $0[0] * beta[0] + $0[1] * beta[1] + $0[2] * beta[2] } }
        func logLikelihood(_ mu: [Double]) -> Double {
            var s = 0.0
            for (c, m) in zip(data.counts, mu) { guard m > 0 else { return -.infinity }; s += Double(c) * log(m) - m }
            return s
        }
        var beta = [Double(total) / x.reduce(0) { $0 + $1[0] }, 0, 0]
        var ll = logLikelihood(means(beta))
        for _ in 0..<100 {
            let mu = means(beta)
            var g = [0.0, 0, 0], h = [[0.0, 0, 0], [0, 0, 0], [0, 0, 0]]
            for (i, xi) in x.enumerated() {
                let c = Double(data.counts[i]), m = mu[i]
                for j in 0..<3 {
                    g[j] += (c / m - 1) * xi[j]
                    for k in 0..<3 { h[j][k] += c / (m * m) * xi[j] * xi[k] }
                }
            }
            guard let step = solve3(h, g) else { break }
            var t = 1.0, next = beta, nextLL = -Double.infinity
            while t > 1e-10 {
                next = (0..<3).map { beta[$0] + t * step[$0] }
                nextLL = logLikelihood(means(next))
                if nextLL >= ll { break }
                t /= 2
            }
            guard nextLL >= ll else { break }
            let done = abs(nextLL - ll) < 1e-10 * max(1, abs(ll))
            beta = next; ll = nextLL
            if done { break }
        }
        // Fisher information Σ xxᵀ/μ at the MLE, and its inverse.
        let mu = means(beta)
        var info = [[0.0, 0, 0], [0, 0, 0], [0, 0, 0]]
        for (i, xi) in x.enumerated() { for j in 0..<3 { for k in 0..<3 { info[j][k] += xi[j] * xi[k] / mu[i] } } }
        guard let cov = invert3(info) else { return nil }
        let r = beta[0], a = beta[1], b = beta[2]
        let rho = (a * a + b * b).squareRoot()
        func interval(_ value: Double, _ grad: [Double], floor: Double? = nil) -> Estimate {
            var v = 0.0
            for j in 0..<3 { for k in 0..<3 { v += grad[j] * cov[j][k] * grad[k] } }
            let se = max(v, 0).squareRoot()
            return Estimate(value, floor.map { max($0, value - z975 * se) } ?? value - z975 * se, value + z975 * se)
        }
        let amplitude = rho / r
        let ampGrad = rho > 0 ? [-rho / (r * r), a / (rho * r), b / (rho * r)] : [0, 0, 0]
        var peak = atan2(b, a) / omega
        if peak < 0 { peak += 24 }
        let peakGrad = rho > 0 ? [0, -b / (rho * rho) / omega, a / (rho * rho) / omega] : [0, 0, 0]
        return Result(rate: interval(r, [1, 0, 0], floor: 0), amplitude: interval(amplitude, ampGrad, floor: 0),
                      peakHour: interval(peak, peakGrad), intervals: n, arrivals: total,
                      gof: dispersion(data.counts, mu, parameters: 3))
    }

    /// Pearson's X² = Σ (c − μ)²/μ on n − p degrees of freedom: too large means the counts
    /// vary more than a Poisson process with this rate would (bursts the model lacks).
    static func dispersion(_ counts: [Int], _ mu: [Double], parameters: Int) -> GoodnessOfFit? {
        let df = counts.count - parameters
        guard df >= 1 else { return nil }
        var x2 = 0.0
        for (c, m) in zip(counts, mu) where m > 0 { x2 += (Double(c) - m) * (Double(c) - m) / m }
        return GoodnessOfFit(test: .chiSquare, statistic: x2, pValue: Special.chiSquareSurvival(x2, degreesOfFreedom: df),
                             n: counts.reduce(0, +), detail: df)
    }
}

/// Solves the 3 × 3 system A x = b (Gaussian elimination with partial pivoting).
func solve3(_ a: [[Double]], _ b: [Double]) -> [Double]? {
    var m = a.enumerated().map { $0.element + [b[$0.offset]] }
    for c in 0..<3 {
        let p = (c..<3).max { abs(m[$0][c]) < abs(m[$1][c]) }!
        guard abs(m[p][c]) > 1e-300 else { return nil }
        m.swapAt(c, p)
        for r in 0..<3 where r != c {
            let f = m[r][c] / m[c][c]
            for k in c..<4 { m[r][k] -= f * m[c][k] }
        }
    }
    return (0..<3).map { m[$0][3] / m[$0][$0] }
}

func invert3(_ a: [[Double]]) -> [[Double]]? {
    var columns: [[Double]] = []
    for j in 0..<3 {
        guard let col = solve3(a, (0..<3).map { $0 == j ? 1 : 0 }) else { return nil }
        columns.append(col)
    }
    return (0..<3).map { i in (0..<3).map { j in columns[j][i] } }
}
