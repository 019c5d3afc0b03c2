import WargameReports

/// Does the model reproduce what was observed? Each KPI of one observed window is set
/// against the distribution the model gives over many seeds of the same length — the
/// "comparison with a real system's output" of Sargent's and Law's validation techniques,
/// as a test with a stated size.
///
/// Per KPI, a two-sided p-value for "the observation is one more draw of the model":
/// from Student's t prediction statistic (x − mean) / (sd·√(1 + 1/n)) on n − 1 degrees of
/// freedom when the simulated values vary (an assumption of approximate normality across
/// seeds, stated in the output); when they take fewer than `minimumDistinct` values (a
/// coverage of 1 on every seed, a count), from the observation's rank among them, which
/// needs no assumption but cannot reject with few seeds — such a KPI is reported as not
/// judged rather than passed. The family of KPIs is judged by Holm–Bonferroni at `alpha`,
/// so the chance of rejecting a correct model on any KPI is at most `alpha`.
public struct ModelValidation: Sendable {
    public enum Verdict: String, Sendable { case reproduced, rejected, notJudged = "not_judged" }

    public struct Result: Sendable {
        public let kpi: String
        public let observed: Double
        public let mean: Double, sd: Double
        public let n: Int
        /// The 95 % prediction interval of one more observation (t), or the simulated range (rank).
        public let interval: (low: Double, high: Double)
        public let method: String
        public let pValue: Double
        public internal(set) var verdict: Verdict
        /// Holm's threshold this KPI's p-value was compared with.
        public internal(set) var threshold: Double
    }

    public static let minimumDistinct = 5
    public let alpha: Double
    public private(set) var results: [Result]

    /// `observed[i]` is KPI `names[i]`'s observation; `simulated[i]` its values over the seeds.
    public init(names: [String], observed: [Double], simulated: [[Double]], alpha: Double = 0.05) {
        self.alpha = alpha
        results = zip(names, zip(observed, simulated)).map { Self.judge($0, $1.0, $1.1) }
        // Holm: the k-th smallest p against alpha / (m − k); stop at the first that holds.
        let judged = results.indices.filter { results[$0].method == "t" }.sorted { results[$0].pValue < results[$1].pValue }
        var rejecting = true
        for (k, i) in judged.enumerated() {
            let threshold = alpha / Double(judged.count - k)
            results[i].threshold = threshold
            if rejecting && results[i].pValue <= threshold { results[i].verdict = .rejected } else { rejecting = false; results[i].verdict = .reproduced }
        }
    }

    static func judge(_ name: String, _ x: Double, _ values: [Double]) -> Result {
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        let sd = values.count > 1 ? (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot() : 0
        let distinct = Set(values).count
        if distinct >= minimumDistinct && sd > 0 {
            let scale = sd * (1 + 1 / n).squareRoot()
            let t = (x - mean) / scale, q = Special.studentQuantile(0.975, degreesOfFreedom: n - 1)
            // Every KPI is ≥ 0 and the ratios ≤ 1: the interval is shown inside that range.
            let ceiling = KPI(rawValue: name)?.range.upperBound ?? .greatestFiniteMagnitude
            return Result(kpi: name, observed: x, mean: mean, sd: sd, n: values.count,
                          interval: (max(0, mean - q * scale), min(ceiling, mean + q * scale)),
                          method: "t", pValue: Special.studentTwoSided(t, degreesOfFreedom: n - 1), verdict: .reproduced, threshold: 0)
        }
        let below = values.filter { $0 <= x }.count, above = values.filter { $0 >= x }.count
        let p = min(1, 2 * Double(min(below, above) + 1) / (n + 1))
        return Result(kpi: name, observed: x, mean: mean, sd: sd, n: values.count, interval: (values.min() ?? x, values.max() ?? x),
                      method: "rank", pValue: p, verdict: p >= 1 || (below > 0 && above > 0) ? .reproduced : .notJudged, threshold: 0)
    }

    /// Every judged KPI reproduced (none rejected).
    public var reproduced: Bool { !results.contains { $0.verdict == .rejected } }
}
