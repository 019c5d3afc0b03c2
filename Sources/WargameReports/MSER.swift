/// MSER-5 (White 1997; White, Cobb & Spratt 2000): the truncation point of a warm-up.
///
/// The series is cut into batches of 5 and their means Z₁…Zₘ taken. For each candidate
/// truncation d (in batches), MSER(d) = Σᵢ₌d₊₁..ₘ (Zᵢ − Z̄(d))² / (m − d)², the squared
/// standard error of the mean that remains, penalised for the data thrown away; the point
/// that minimises it balances bias against variance. Only d ≤ m/2 is considered: a minimum
/// in the second half means the series never settled, which is reported, not hidden.
public enum MSER {
    public struct Result: Sendable, Equatable {
        /// The truncation in batches and in observations (= batches × batch size).
        public let batches: Int
        public let observations: Int
        /// MSER(d) for d = 0 … m/2.
        public let statistic: [Double]
        /// The minimum sits at the last candidate: the series may not have reached steady state.
        public var atBoundary: Bool { batches == statistic.count - 1 }
    }

    public static func truncation(_ series: [Double], batch: Int = 5) -> Result? {
        let m = series.count / batch
        guard batch >= 1, m >= 4 else { return nil }
        let z = (0..<m).map { b in series[(b * batch)..<((b + 1) * batch)].reduce(0, +) / Double(batch) }
        var stats: [Double] = []
        for d in 0...(m / 2) {
            let tail = z[d...]
            let mean = tail.reduce(0, +) / Double(tail.count)
            let sse = tail.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
            stats.append(sse / Double((m - d) * (m - d)))
        }
        var best = 0
        for d in stats.indices where stats[d] < stats[best] { best = d }
        return Result(batches: best, observations: best * batch, statistic: stats)
    }
}
