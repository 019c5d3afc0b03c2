import SimKernel

/// vault-law's parameters: the checks, their order, and what each costs to evaluate.
public struct PolicyConfig: Sendable, Equatable {
    /// Workers evaluating decisions in parallel; requests queue when all are busy.
    public var workers: Int = 2
    /// Per-check evaluation time (lognormal by median and p95), in check order:
    /// signature, nonce, quota, region, reputation.
    public var checkMedian: [SimDuration] = [.microseconds(1_800), .microseconds(400), .microseconds(300),
                                             .microseconds(150), .microseconds(250)]
    public var checkP95: [SimDuration] = [.microseconds(5_000), .microseconds(1_200), .microseconds(900),
                                          .microseconds(400), .microseconds(700)]
    public var nonceTTL: SimDuration = .minutes(10)
    /// GPU hours a tenant may have accepted per simulated day.
    /// A normal tenant uses ~330 GPU hours a day at the default demand; the quota binds
    /// only on tenants ordering far above their share.
    public var dailyQuotaGPUHours: Double = 600
    /// Per-tenant overrides of the daily quota (index = tenant; shorter arrays fall back).
    public var quotaOverrides: [Double] = []
    /// Regions orders may target (indices into the scenario's region list).
    public var allowedRegions: [Int] = [0, 1, 2]
    /// A provider counts for an order only at or above this reputation.
    public var reputationFloor: Double = 0.6

    public init() {}

    public static let checkNames = ["signature", "nonce", "quota", "region", "reputation"]
}

/// The vault-law policy engine: ordered checks, a TTL nonce cache, per-tenant daily quotas
/// that reset each simulated day, and a region allowlist and reputation floor.
///
/// `evaluate` applies the rules; the pipeline serves requests through a `WorkerPool` and
/// samples per-check times with `sampleDecisionTime`, so decision time = waiting for a
/// worker + evaluation, and its p95 rises under load.
public struct PolicyEngine: Sendable {
    public var config: PolicyConfig
    public var nonces: NonceCache
    var usedToday: [Double]
    var day: Int64 = 0
    var rng: Xoshiro256StarStar
    let checkTimes: [LogNormal]
    /// The checks' quantile tables, when every check's σ is within the range the tables'
    /// accuracy is stated for (see `sampleDecisionTime`); `nil` draws every time exactly.
    let checkTables: [QuantileTable]?
    /// Scratch: this decision's uniforms, kept for an exact recomputation.
    var uniforms: [Double]
    /// Every check's evaluation time, per check (of the checks that ran).
    public internal(set) var checkDraws: [DrawRecord]

    public init(config: PolicyConfig, tenants: Int, rng: Xoshiro256StarStar) {
        self.config = config
        nonces = NonceCache(ttl: config.nonceTTL)
        usedToday = Array(repeating: 0, count: tenants)
        self.rng = rng
        checkTimes = zip(config.checkMedian, config.checkP95).map { try! LogNormal(median: $0.seconds, p95: $1.seconds) }
        checkTables = checkTimes.allSatisfy { $0.sigma <= Self.tableSigmaLimit }
            ? checkTimes.map { QuantileTableCache.shared.table(for: $0) } : nil
        uniforms = Array(repeating: 0, count: checkTimes.count)
        checkDraws = Array(repeating: DrawRecord(bounds: InputTelemetry.checkBounds, outcomes: 0), count: checkTimes.count)
    }

    /// The largest σ for which `QuantileTable`'s error is stated and tested (2e-8 relative).
    static var tableSigmaLimit: Double { 1.4 }

    public func quota(of tenant: Int) -> Double {
        tenant < config.quotaOverrides.count ? config.quotaOverrides[tenant] : config.dailyQuotaGPUHours
    }

    /// GPU hours accepted for `tenant` in the current simulated day.
    public func used(by tenant: Int) -> Double { usedToday[tenant] }

    /// Applies the checks in order and, on acceptance, charges the quota. `regionHasProvider`
    /// says whether any provider serving the order's region meets the reputation floor.
    public mutating func evaluate(_ order: Order, regionHasProvider: Bool, at now: SimTime) -> Reason {
        rollDay(now)
        if !order.signatureValid { return .badSignature }
        if !nonces.checkAndInsert(tenant: order.tenant, nonce: order.nonce, at: now) { return .replayedNonce }
        if usedToday[order.tenant] + order.gpuHours > quota(of: order.tenant) + 1e-9 { return .quotaExhausted }
        if !config.allowedRegions.contains(order.region) { return .regionDenied }
        if !regionHasProvider { return .reputationFloor }
        usedToday[order.tenant] += order.gpuHours
        return .none
    }

    /// Evaluation time for a request that runs checks up to and including `lastCheck`
    /// (0-based; a request rejected early costs less). Draws every check's time so the
    /// stream stays in step whatever the outcome.
    ///
    /// Exactly `LogNormal.sample` per check, summed in check order and rounded to the
    /// microsecond — computed the fast way when that cannot change the result: the draws go
    /// through the checks' quantile tables (the same uniform each; within 2e-8 relative of
    /// the exact quantile, tails exact), so the fast sum is within 1e-7 relative of the
    /// exact one, and unless it lies within 1e-6 relative (ten times that, and more than
    /// fifty times the tables' tested error) of a half microsecond, where rounding turns,
    /// both round to the same microsecond. Otherwise — under one decision in a hundred (the
    /// band is 2e-6 of the sum: 0.6 % of 3 ms decisions) — the sum is recomputed exactly from
    /// the same uniforms. `PolicyAndShardTests` compares the
    /// two over a million decisions.
    public mutating func sampleDecisionTime(checksRun lastCheck: Int) -> SimDuration {
        guard let tables = checkTables else { return exactDecisionTime(checksRun: lastCheck) }
        var total = 0.0
        for i in checkTimes.indices {
            let u = rng.nextOpenDouble()
            uniforms[i] = u
            if i <= lastCheck {
                let v = tables[i].value(at: u) ?? checkTimes[i].quantile(u)
                checkDraws[i].latency.add(v)
                total += v
            }
        }
        let us = total * 1_000_000
        guard us < 9e15 else { return recompute(checksRun: lastCheck) }
        let fraction = us - Double(Int64(us))
        if abs(fraction - 0.5) <= us * 1e-6 + 1e-9 { return recompute(checksRun: lastCheck) }
        return SimDuration(seconds: total)
    }

    /// The definition: every check's exact draw (`LogNormal.sample`, one uniform each),
    /// summed in order.
    mutating func exactDecisionTime(checksRun lastCheck: Int) -> SimDuration {
        for i in checkTimes.indices { uniforms[i] = rng.nextOpenDouble() }
        for i in checkTimes.indices where i <= lastCheck { checkDraws[i].latency.add(checkTimes[i].quantile(uniforms[i])) }
        return recompute(checksRun: lastCheck)
    }

    /// The exact sum from the uniforms this decision drew.
    func recompute(checksRun lastCheck: Int) -> SimDuration {
        var total = 0.0
        for i in checkTimes.indices where i <= lastCheck { total += checkTimes[i].quantile(uniforms[i]) }
        return SimDuration(seconds: total)
    }

    /// Quotas reset at each simulated midnight.
    mutating func rollDay(_ now: SimTime) {
        let today = now.microseconds / SimDuration.hours(24).microseconds
        if today != day {
            day = today
            for i in usedToday.indices { usedToday[i] = 0 }
        }
    }

    /// Index of the last check run for an outcome (used to charge evaluation time).
    public static func lastCheck(for reason: Reason) -> Int {
        switch reason {
        case .badSignature: 0
        case .replayedNonce: 1
        case .quotaExhausted: 2
        case .regionDenied: 3
        default: 4
        }
    }
}
