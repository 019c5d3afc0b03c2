import WargameReports

/// The method of simulated moments for parameters seen only through their effect: each
/// parameter θᵢ is the value whose simulated moment matches the observed one, mᵢ(θᵢ) = oᵢ
/// (a bridge's background load from its mean round trip). The simulations use common
/// random numbers — the same seeds at every θ — so mᵢ(θ) is smooth and monotone and a
/// bisection finds the root in a dozen evaluations; parameters that barely interact (two
/// bridges' loads) are solved in lockstep, each evaluation running them all.
///
/// The interval is the set of θ the observation does not reject at 5 %: the observed
/// moment against the simulated moments over the seeds at θ, by the t prediction test of
/// `ModelValidation` (one more run of this length would give a moment this far off with
/// probability p). Its ends are found stepping out from the estimate (1 %, 2 %, 5 %, … 100 %)
/// to the first rejected value, then by bisection on p(θ) = 0.05; an end not found says so.
public struct SimulatedMoments: Sendable {
    public struct Target: Sendable {
        public let path: String
        public let base: Double
        /// Where to look; `range.lowerBound` may be 0.
        public let range: ClosedRange<Double>
        public let observed: Double
        /// The observation's size (values behind the observed moment), for the report.
        public let n: Int
        public let series: String
        /// What the estimate is conditional on, for its notes.
        public let given: String?
        public init(path: String, base: Double, range: ClosedRange<Double>, observed: Double, n: Int, series: String, given: String? = nil) {
            self.path = path; self.base = base; self.range = range; self.observed = observed; self.n = n; self.series = series; self.given = given
        }
    }

    /// Simulated moments for a vector of parameter values: `[target][seed]`.
    public typealias Evaluate = ([Double]) throws -> [[Double]]

    public static let bisections = 10

    /// Solves every target; `evaluate` runs the model at a vector of values.
    public static func solve(_ targets: [Target], evaluate: Evaluate) throws -> [ParameterEstimate] {
        let m = targets.count
        func means(_ v: [[Double]]) -> [Double] { v.map { $0.isEmpty ? .nan : $0.reduce(0, +) / Double($0.count) } }
        let lows = targets.map(\.range.lowerBound), highs = targets.map(\.range.upperBound)
        let atLow = try evaluate(lows), atHigh = try evaluate(highs)
        let mLow = means(atLow), mHigh = means(atHigh)
        var lo = lows, hi = highs
        // Increasing or decreasing, each moment's sign at the ends brackets its root.
        let increasing = (0..<m).map { mHigh[$0] >= mLow[$0] }
        var identified = (0..<m).map { i in
            let o = targets[i].observed
            return mLow[i].isFinite && mHigh[i].isFinite && (increasing[i] ? (o >= mLow[i] && o <= mHigh[i]) : (o <= mLow[i] && o >= mHigh[i]))
        }
        for _ in 0..<bisections {
            let mid = (0..<m).map { Self.middle(lo[$0], hi[$0]) }
            let v = means(try evaluate(mid))
            for i in 0..<m where identified[i] {
                guard v[i].isFinite else { identified[i] = false; continue }
                if (v[i] < targets[i].observed) == increasing[i] { lo[i] = mid[i] } else { hi[i] = mid[i] }
            }
        }
        let estimate = (0..<m).map { Self.middle(lo[$0], hi[$0]) }
        let atEstimate = try evaluate(estimate)
        // Interval ends: outward from the estimate in growing relative steps until the
        // observation rejects θ (not from the range's ends: far out, past a queue's
        // saturation, a moment can stop being informative), then bisection on p(θ) = 0.05.
        var ends: [[(accepted: Double, rejected: Double?)]] = []
        for direction in [-1.0, 1.0] {
            var side = estimate.map { (accepted: $0, rejected: Double?.none) }
            for delta in Self.steps {
                let open = (0..<m).filter { identified[$0] && side[$0].rejected == nil }
                guard !open.isEmpty else { break }
                let trial = (0..<m).map { i in min(targets[i].range.upperBound, max(targets[i].range.lowerBound, estimate[i] * (1 + direction * delta))) }
                let v = try evaluate(trial)
                for i in open {
                    if pValue(targets[i].observed, v[i]) < 0.05 { side[i].rejected = trial[i] } else { side[i].accepted = trial[i] }
                }
            }
            for _ in 0..<4 {
                let mid = (0..<m).map { i in side[i].rejected.map { (side[i].accepted + $0) / 2 } ?? side[i].accepted }
                let v = try evaluate(mid)
                for i in 0..<m where side[i].rejected != nil {
                    if pValue(targets[i].observed, v[i]) < 0.05 { side[i].rejected = mid[i] } else { side[i].accepted = mid[i] }
                }
            }
            ends.append(side)
        }
        return (0..<m).map { i in
            let t = targets[i]
            guard identified[i] else {
                return keptEstimate(t.path, t.base, "simulated", series: t.series, n: t.n,
                                    "the observed moment (\(g(t.observed))) lies outside what \(g(lows[i]))…\(g(highs[i])) give (\(g(mLow[i]))…\(g(mHigh[i])))")
            }
            var notes: [String] = t.given.map { [$0] } ?? []
            let low = ends[0][i], high = ends[1][i]
            if low.rejected == nil || high.rejected == nil {
                notes.append("the interval reaches \(g(low.rejected == nil ? low.accepted : high.accepted)) without the data rejecting it: they hardly constrain this parameter")
            }
            let seeds = atEstimate[i].count
            return ParameterEstimate(path: t.path, base: t.base, estimate: Estimate(estimate[i], low.accepted, high.accepted), method: .simulatedMoments,
                                     distribution: "simulated", n: t.n,
                                     gof: GoodnessOfFit(test: .prediction, statistic: tStatistic(t.observed, atEstimate[i]),
                                                        pValue: pValue(t.observed, atEstimate[i]), n: seeds, detail: seeds - 1),
                                     ranking: [], series: t.series, notes: notes)
        }
    }

    /// Relative steps out from the estimate when looking for an interval's end.
    static let steps = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0]

    /// Geometric middle on a positive range (loads span orders of magnitude), arithmetic from 0.
    static func middle(_ a: Double, _ b: Double) -> Double { a > 0 && b > 0 ? (a * b).squareRoot() : (a + b) / 2 }

    static func tStatistic(_ x: Double, _ values: [Double]) -> Double {
        let n = Double(values.count)
        guard n >= 2 else { return .nan }
        let mean = values.reduce(0, +) / n
        let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
        return sd > 0 ? (x - mean) / (sd * (1 + 1 / n).squareRoot()) : (x == mean ? 0 : .infinity)
    }

    /// Two-sided p of "x is one more draw like `values`" (t prediction, n − 1 df).
    public static func pValue(_ x: Double, _ values: [Double]) -> Double {
        let t = tStatistic(x, values)
        guard t.isFinite else { return t.isNaN ? 1 : 0 }
        return Special.studentTwoSided(t, degreesOfFreedom: Double(values.count - 1))
    }
}

/// Four significant digits, or "none".
private func g(_ x: Double) -> String { x.isFinite ? NumberFormat.significant(x, 4) : "none" }
