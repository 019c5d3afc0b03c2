import SimKernel
/// The KPIs a run reports at its end, by their names in summaries, SLO tables and metrics.
public enum KPI: String, Sendable, CaseIterable {
    case fillRateP50 = "fill_rate_p50"
    case fillRateP95 = "fill_rate_p95"
    case bridgeRTTP95 = "bridge_rtt_p95_ms"
    case provenanceCoverage = "provenance_coverage"
    case policyDecisionP95 = "policy_decision_p95_ms"
    case droppedRatio = "dropped_ratio"
    case failoversPer5mMax = "failover_events_per_5m_max"

    /// Human label for tables.
    public var label: String {
        switch self {
        case .fillRateP50: "Fill rate p50 (per step)"
        case .fillRateP95: "Fill rate p95 (5th pct step)"
        case .bridgeRTTP95: "Bridge RTT p95 (ms)"
        case .provenanceCoverage: "Provenance coverage"
        case .policyDecisionP95: "Policy decision p95 (ms)"
        case .droppedRatio: "Dropped requests"
        case .failoversPer5mMax: "Failover events per 5 min"
        }
    }
}

extension KPI {
    /// The values the KPI can take: ratios lie in 0…1, times and counts are never negative.
    public var range: ClosedRange<Double> {
        switch self {
        case .fillRateP50, .fillRateP95, .provenanceCoverage, .droppedRatio: 0...1
        case .bridgeRTTP95, .policyDecisionP95, .failoversPer5mMax: 0...Double.greatestFiniteMagnitude
        }
    }

    /// Whether the KPI is a latency quantile in milliseconds (from a `LogLinearHistogram`).
    public var isLatency: Bool { self == .bridgeRTTP95 || self == .policyDecisionP95 }

    /// The most decimals a value of this KPI can resolve: microseconds for latencies (the
    /// simulation clock's unit), the 1e-4 bins of per-step fill rates and the 4 decimals
    /// ratios are written with, whole failovers.
    public var decimals: Int {
        switch self {
        case .bridgeRTTP95, .policyDecisionP95: 3
        case .failoversPer5mMax: 0
        default: 4
        }
    }

    /// How far apart two values near `value` must be to be told apart: a latency's
    /// histogram bucket there (1 µs below 65.536 ms, 2⁻¹⁶ of the value or less above), a
    /// ratio's last written decimal, one failover.
    public func resolution(at value: Double) -> Double {
        switch self {
        case .bridgeRTTP95, .policyDecisionP95:
            guard value.isFinite else { return 0.001 }
            return Double(LogLinearHistogram.resolution(at: Int64(Swift.min(max(0, value * 1_000), 9e15)))) / 1_000
        case .failoversPer5mMax: return 1
        default: return 1e-4
        }
    }

    /// The decimals one run's value resolves: fewer than `decimals` for a latency whose
    /// bucket is wider than a microsecond (2 decimals from 65.5 ms, 1 from 131 ms, none from
    /// 1.05 s), so no printed digit is finer than the histogram can tell.
    public func decimals(at value: Double) -> Int {
        guard isLatency else { return decimals }
        let widthMicroseconds = resolution(at: value) * 1_000
        return widthMicroseconds <= 1 ? 3 : widthMicroseconds <= 10 ? 2 : widthMicroseconds <= 100 ? 1 : 0
    }

    /// Decimals for a statistic over runs (a mean, an interval): `extra` more than one run's,
    /// but never finer than a microsecond for latencies.
    public func decimals(extra: Int) -> Int { isLatency ? decimals : decimals + extra }

    /// Whether a difference between values near `value` is smaller than they resolve.
    public func belowResolution(_ difference: Double, at value: Double) -> Bool {
        abs(difference) < resolution(at: value)
    }

    /// `range` for a message.
    public var rangeText: String {
        switch self {
        case .fillRateP50, .fillRateP95, .provenanceCoverage, .droppedRatio: "a ratio in 0…1"
        case .bridgeRTTP95, .policyDecisionP95: "a time in ms ≥ 0"
        case .failoversPer5mMax: "a count ≥ 0"
        }
    }
}

/// A comparison an SLO makes.
public enum Comparison: String, Sendable, CaseIterable {
    case atLeast = ">=", atMost = "<=", below = "<", above = ">"

    public func holds(_ value: Double, _ threshold: Double) -> Bool {
        switch self {
        case .atLeast: value >= threshold
        case .atMost: value <= threshold
        case .below: value < threshold
        case .above: value > threshold
        }
    }
}

/// One row of an SLO table: a KPI, a comparison and a threshold.
public struct SLO: Sendable, Equatable {
    public var name: String
    public var kpi: KPI
    public var comparison: Comparison
    public var threshold: Double

    public init(name: String, kpi: KPI, comparison: Comparison, threshold: Double) {
        self.name = name
        self.kpi = kpi
        self.comparison = comparison
        self.threshold = threshold
    }

    /// The Aurora runbook's SLO table.
    public static let aurora: [SLO] = [
        SLO(name: "fill_rate_p50", kpi: .fillRateP50, comparison: .atLeast, threshold: 0.85),
        SLO(name: "fill_rate_p95", kpi: .fillRateP95, comparison: .atLeast, threshold: 0.80),
        SLO(name: "bridge_rtt_p95", kpi: .bridgeRTTP95, comparison: .atMost, threshold: 350),
        SLO(name: "provenance_coverage", kpi: .provenanceCoverage, comparison: .atLeast, threshold: 0.95),
        SLO(name: "policy_decision_p95", kpi: .policyDecisionP95, comparison: .atMost, threshold: 25),
        SLO(name: "dropped_requests", kpi: .droppedRatio, comparison: .below, threshold: 0.05),
        SLO(name: "failover_events", kpi: .failoversPer5mMax, comparison: .below, threshold: 10),
    ]
}

/// An SLO's outcome in a run.
public enum Verdict: String, Sendable, CaseIterable {
    case pass, breach
}
