import SimKernel
import WargameModels

/// What one step measured: one row of `kpi_timeseries.csv`.
public struct StepKPIs: Sendable {
    public var step = 0
    public var submitted = 0
    public var filled = 0
    public var dropped = 0
    /// Rejections by family: gateway (429), policy, shard admission, routing.
    public var rejectedGateway = 0, rejectedPolicy = 0, rejectedShard = 0, rejectedRouting = 0
    /// The step's bridge round trips and policy decision times, in microseconds: exact order
    /// statistics (sorted when the step closes).
    public var bridgeRTT = WindowSamples()
    public var decisionTime = WindowSamples()
    public var jobsCovered = 0, jobsUncovered = 0
    public var failovers = 0
    public var openBreakers = 0
    /// Jobs running on providers at the end of the step: how full the marketplace is, the
    /// slowest signal to reach steady state from an empty start (`wargame warmup`).
    public var runningJobs = 0
    /// 1 while the system was paused at the step's end.
    public var systemPaused = false
    /// GPU hours of the orders filled in the step (the dashboards' GPU-hours series).
    public var gpuHoursFilled = 0.0
    /// Per shard at the step's end: open (queued + active) and active jobs (`getShardUsage`).
    public var shardOpen: [Int] = []
    public var shardActive: [Int] = []
    /// The fullest shard's open jobs ÷ its open-jobs quota (nil with no quota anywhere).
    public var shardOpenUsage: Double?
    public var filledByProvider: [Int]

    init(providers: Int) { filledByProvider = Array(repeating: 0, count: providers) }

    /// filled / submitted, or `nil` for a step with no submissions.
    public var fillRate: Double? { submitted > 0 ? Double(filled) / Double(submitted) : nil }
    /// The step's bridge round trip at quantile q, in milliseconds (exact).
    public func bridgeRTTMilliseconds(_ q: Double) -> Double? { bridgeRTT.quantile(q).map { Double($0) / 1_000 } }
    /// The step's policy decision time at quantile q, in milliseconds (exact).
    public func decisionTimeMilliseconds(_ q: Double) -> Double? { decisionTime.quantile(q).map { Double($0) / 1_000 } }

    public var coverage: Double? {
        jobsCovered + jobsUncovered > 0 ? Double(jobsCovered) / Double(jobsCovered + jobsUncovered) : nil
    }
}

/// Folds the decision stream into per-step KPIs and run-level KPIs, in bounded memory.
///
/// A sink: the run feeds it every decision as it happens, and closes each step. Per-step
/// latency percentiles are exact (the step's values, sorted); run-level ones come from
/// `LogLinearHistogram`s (exact below 65.536 ms, within 2⁻¹⁶ above), and fill-rate
/// percentiles from a fixed histogram of per-step fill rates (10,001 bins of 1e-4), so
/// memory does not grow with the number of steps or decisions.
public struct KPIRecorder: DecisionSink, Sendable {
    public private(set) var current: StepKPIs
    let providers: Int
    // Run level, in microseconds: the closed steps' values; the open step's are added when
    // a quantile is asked for before it closes (`serve`'s snapshots).
    var closedBridgeRTT = LogLinearHistogram()
    var closedDecisionTime = LogLinearHistogram()
    public var bridgeRTT: LogLinearHistogram { Self.including(closedBridgeRTT, current.bridgeRTT) }
    public var decisionTime: LogLinearHistogram { Self.including(closedDecisionTime, current.decisionTime) }

    static func including(_ h: LogLinearHistogram, _ open: WindowSamples) -> LogLinearHistogram {
        if open.isEmpty { return h }
        var all = h
        for v in open.values { all.add(v) }
        return all
    }

    /// The run's bridge round trip at quantile q, in milliseconds.
    public func bridgeRTTMilliseconds(_ q: Double) -> Double? { bridgeRTT.quantile(q).map { $0 / 1_000 } }
    /// The run's policy decision time at quantile q, in milliseconds.
    public func decisionTimeMilliseconds(_ q: Double) -> Double? { decisionTime.quantile(q).map { $0 / 1_000 } }
    public private(set) var bridgeRTTHistogram = BucketHistogram(bounds: [25, 50, 100, 150, 200, 250, 300, 350, 500, 750, 1_000, 2_000, 5_000])
    public private(set) var decisionHistogram = BucketHistogram(bounds: [1, 2, 5, 10, 15, 25, 50, 100, 250, 1_000])
    var fillRateBins = [Int](repeating: 0, count: 10_001)
    public private(set) var stepsWithSubmissions = 0
    public private(set) var failovers = 0
    public private(set) var failoversPer5mMax = 0
    var recentFailovers = FIFOQueue<SimTime>()
    /// Final states by reason: a block of `Reason` slots each for rejected, dropped and
    /// interrupted, then one for completed.
    public private(set) var finalOutcomes: [Int]
    /// `Reason.allCases.count`, kept: `allCases` builds an array on every call, and `record`
    /// indexes by it for every finished order.
    let reasonCount: Int
    public private(set) var filledByProvider: [Int]
    public private(set) var filled = 0
    public private(set) var gpuHoursFilled = 0.0

    public init(providers: Int) {
        self.providers = providers
        current = StepKPIs(providers: providers)
        reasonCount = Reason.allCases.count
        finalOutcomes = Array(repeating: 0, count: reasonCount * 3 + 1)
        filledByProvider = Array(repeating: 0, count: providers)
    }

    /// Where in the pipeline a rejection happened.
    public enum Family: String, Sendable { case gateway, policy, shard, routing }

    public static func family(_ r: Reason) -> Family {
        switch r {
        case .rateLimited, .globalRateLimited: .gateway
        case .badSignature, .replayedNonce, .quotaExhausted, .regionDenied, .reputationFloor: .policy
        case .systemPaused, .shardPaused, .shardFull, .overRewardCap, .durationExceeded, .failClosed, .operatorHalt: .shard
        default: .routing
        }
    }

    public mutating func record(_ d: Decision) {
        switch d.kind {
        case .accepted:
            if let rtt = d.bridgeRTT {
                current.bridgeRTT.add(rtt.microseconds); bridgeRTTHistogram.add(rtt.milliseconds)
            }
            if let p = d.policyDecisionTime { notePolicy(p) }
        case .rejected:
            if let p = d.policyDecisionTime { notePolicy(p) }
            switch Self.family(d.reason) {
            case .gateway: current.rejectedGateway += 1
            case .policy: current.rejectedPolicy += 1
            case .shard: current.rejectedShard += 1
            case .routing: current.rejectedRouting += 1
            }
            finalOutcomes[d.reason.ordinal] += 1
        case .dropped:
            current.dropped += 1
            finalOutcomes[reasonCount + d.reason.ordinal] += 1
        case .interrupted:
            finalOutcomes[2 * reasonCount + d.reason.ordinal] += 1
        case .completed:
            finalOutcomes[3 * reasonCount] += 1
        case .filled:
            current.filled += 1
            current.gpuHoursFilled += d.gpuHours
            gpuHoursFilled += d.gpuHours
            filled += 1
            if d.provider >= 0 { current.filledByProvider[d.provider] += 1; filledByProvider[d.provider] += 1 }
        case .failedOver:
            current.failovers += 1
            failovers += 1
            recentFailovers.append(d.time)
            while let first = recentFailovers.first, first <= d.time - .minutes(5) { _ = recentFailovers.popFirst() }
            failoversPer5mMax = max(failoversPer5mMax, recentFailovers.count)
        case .provenance:
            if d.reason == .covered { current.jobsCovered += d.attempt } else { current.jobsUncovered += d.attempt }
        case .retried, .breakerTransition, .guardChange:
            break
        }
    }

    mutating func notePolicy(_ p: SimDuration) {
        current.decisionTime.add(p.microseconds)
        decisionHistogram.add(p.milliseconds)
    }

    /// Ends the current step with the pipeline's view of it and returns its KPIs.
    public mutating func closeStep(submitted: Int, openBreakers: Int) -> StepKPIs {
        var done = current
        done.submitted = submitted
        done.openBreakers = openBreakers
        done.bridgeRTT.sort()
        done.decisionTime.sort()
        for v in done.bridgeRTT.values { closedBridgeRTT.add(v) }
        for v in done.decisionTime.values { closedDecisionTime.add(v) }
        if let f = done.fillRate {
            fillRateBins[Int((min(1, f) * 10_000).rounded())] += 1
            stepsWithSubmissions += 1
        }
        current = StepKPIs(providers: providers)
        current.step = done.step + 1
        return done
    }

    /// Forgets every run-level observation so far (the warm-up); per-step KPIs are kept,
    /// so the time series still shows the warm-up. Call between steps.
    public mutating func endWarmup() {
        precondition(current.bridgeRTT.count == 0 && current.decisionTime.count == 0, "KPIRecorder.endWarmup inside a step")
        let step = current
        self = KPIRecorder(providers: providers)
        current = step
    }

    /// The per-step fill rate at quantile q over steps with submissions: the value v such
    /// that at least a fraction q of steps have fill rate ≤ v (nearest rank, 1e-4 bins).
    public func fillRateQuantile(_ q: Double) -> Double? {
        guard stepsWithSubmissions > 0 else { return nil }
        let rank = max(1, Int((q * Double(stepsWithSubmissions)).rounded(.up)))
        var seen = 0
        for (i, c) in fillRateBins.enumerated() where c > 0 {
            seen += c
            if seen >= rank { return Double(i) / 10_000 }
        }
        return 1
    }

    public func outcomes(_ kind: DecisionKind, _ reason: Reason) -> Int {
        let i = reason.ordinal
        switch kind {
        case .rejected: return finalOutcomes[i]
        case .dropped: return finalOutcomes[reasonCount + i]
        case .interrupted: return finalOutcomes[2 * reasonCount + i]
        default: return finalOutcomes[3 * reasonCount]
        }
    }
}

/// The run's sink: every decision to the KPI recorder and, when written, to the two CSV
/// logs, which a `DecisionLogWriter` formats on its own thread.
///
/// A class: the pipeline holds its sink as `any DecisionSink`, and a struct this size sits
/// in a heap box that every `record` (several per order) checked for uniqueness and
/// projected; a class reference is stored inline and called directly. Its properties skip
/// the dynamic exclusivity check, which would otherwise cost a runtime call per field
/// access: one run owns its sink, and nothing reenters `record`.
public final class RunSink: DecisionSink {
    /// `routing_decisions.csv` (one row per routing outcome) and `order_events.csv`
    /// (every stage of every order), or nil when neither is written.
    public let logs: DecisionLogWriter?
    @exclusivity(unchecked) public var kpis: KPIRecorder

    public init(log: DecisionLog?, events: DecisionLog? = nil, kpis: KPIRecorder) {
        let written = [log, events].compactMap { $0 }
        logs = written.isEmpty ? nil : DecisionLogWriter(written)
        self.kpis = kpis
    }

    public func record(_ d: Decision) {
        logs?.record(d)
        kpis.record(d)
    }

    /// Writes out both logs; the first write failure, if any.
    @discardableResult public func flushLogs() -> OutputError? {
        logs?.finish()
    }
}
