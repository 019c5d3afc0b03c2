import SimKernel
import WargameModels

/// The numeric model parameters a sensitivity analysis can move, read from a loaded
/// scenario in the schema's units (so a value can be written back with `--set`).
public enum Knobs {
    typealias Getter = @Sendable (Scenario, String?) -> Double?

    static func provider(_ f: @escaping @Sendable (ProviderConfig) -> Double) -> Getter {
        { s, id in element(s.pipeline.providers, id, \.id).map(f) }
    }
    static func bridge(_ f: @escaping @Sendable (BridgeConfig) -> Double) -> Getter {
        { s, id in element(s.pipeline.bridges, id, \.name).map(f) }
    }
    static func shard(_ f: @escaping @Sendable (ShardConfig) -> Double) -> Getter {
        { s, id in element(s.pipeline.shards, id, \.name).map(f) }
    }
    static func element<T>(_ list: [T], _ id: String?, _ key: (T) -> String) -> T? {
        guard let id else { return nil }
        if let i = Int(id) { return i >= 0 && i < list.count ? list[i] : nil }
        return list.first { key($0) == id }
    }
    static func limiter(_ l: RateLimiterConfig, _ field: String) -> Double? {
        switch (l, field) {
        case (.tokenBucket(let r, _), "rate_per_s"): r
        case (.tokenBucket(_, let b), "burst"): b
        case (.slidingWindowLog(let n, _), "limit"), (.slidingWindowCounter(let n, _), "limit"): Double(n)
        default: nil
        }
    }

    /// Path pattern (list selectors as `[]`) → current value.
    static let table: [(String, Getter)] = [
        ("demand.orders_per_second", { s, _ in s.pipeline.demand.ordersPerSecond }),
        ("demand.tenants", { s, _ in Double(s.pipeline.demand.tenants) }),
        ("demand.diurnal_amplitude", { s, _ in s.pipeline.demand.diurnalAmplitude }),
        ("demand.gpu_hours.median", { s, _ in s.pipeline.demand.gpuHoursMedian }),
        ("demand.gpu_hours.p95", { s, _ in s.pipeline.demand.gpuHoursP95 }),
        ("demand.budget_per_gpu_hour.median", { s, _ in s.pipeline.demand.budgetMedian }),
        ("demand.budget_per_gpu_hour.p95", { s, _ in s.pipeline.demand.budgetP95 }),
        ("gateway.tenant_limit.rate_per_s", { s, _ in limiter(s.pipeline.tenantLimit, "rate_per_s") }),
        ("gateway.tenant_limit.burst", { s, _ in limiter(s.pipeline.tenantLimit, "burst") }),
        ("gateway.tenant_limit.limit", { s, _ in limiter(s.pipeline.tenantLimit, "limit") }),
        ("gateway.global_limit.rate_per_s", { s, _ in limiter(s.pipeline.globalLimit, "rate_per_s") }),
        ("gateway.global_limit.burst", { s, _ in limiter(s.pipeline.globalLimit, "burst") }),
        ("gateway.global_limit.limit", { s, _ in limiter(s.pipeline.globalLimit, "limit") }),
        ("bridges[].base_rtt_ms", bridge { $0.baseRTT.milliseconds }),
        ("bridges[].relay_median_ms", bridge { $0.relayMedian.milliseconds }),
        ("bridges[].relay_p95_ms", bridge { $0.relayP95.milliseconds }),
        ("bridges[].relayers", bridge { Double($0.relayers) }),
        ("bridges[].loss_probability", bridge { $0.lossProbability }),
        ("bridges[].timeout_ms", bridge { $0.timeout.milliseconds }),
        ("bridges[].max_attempts", bridge { Double($0.maxAttempts) }),
        ("bridges[].latency_multiplier", bridge { $0.latencyMultiplier }),
        ("bridges[].background_messages_per_s", bridge { $0.backgroundMessagesPerSecond }),
        ("policy.workers", { s, _ in Double(s.pipeline.policy.workers) }),
        ("policy.daily_quota_gpu_hours", { s, _ in s.pipeline.policy.dailyQuotaGPUHours }),
        ("policy.reputation_floor", { s, _ in s.pipeline.policy.reputationFloor }),
        ("shards[].max_open_jobs", shard { Double($0.maxOpenJobs) }),
        ("shards[].max_active_jobs", shard { Double($0.maxActiveJobs) }),
        ("shards[].reward_cap", shard { $0.rewardCap }),
        ("providers[].capacity", provider { Double($0.capacity) }),
        ("providers[].price_per_gpu_hour", provider { $0.pricePerGPUHour }),
        ("providers[].ack_median_ms", provider { $0.ackMedian.milliseconds }),
        ("providers[].ack_p95_ms", provider { $0.ackP95.milliseconds }),
        ("providers[].ack_timeout_ms", provider { $0.ackTimeout.milliseconds }),
        ("providers[].failure_probability", provider { $0.failureProbability }),
        ("providers[].reputation", provider { $0.reputation }),
        ("providers[].weight", provider { $0.weight }),
        ("breaker.failure_rate_threshold", { s, _ in s.pipeline.breaker.failureRateThreshold }),
        ("breaker.wait_in_open_s", { s, _ in s.pipeline.breaker.waitInOpen.seconds }),
        ("router.max_attempts", { s, _ in Double(s.pipeline.router.maxAttempts) }),
        ("provenance.batch_size", { s, _ in Double(s.pipeline.provenance.batchSize) }),
        ("provenance.batch_interval_s", { s, _ in s.pipeline.provenance.batchInterval.seconds }),
        ("provenance.deadline_s", { s, _ in s.pipeline.provenance.deadline.seconds }),
        ("max_queue_wait_s", { s, _ in s.pipeline.maxQueueWait.seconds }),
    ]

    /// The paths (as patterns) whose current value can be read.
    public static var known: [String] { table.map(\.0) }

    /// The current value at `path` (`providers[akash].capacity`, `providers[0].capacity`);
    /// nil for a path outside the table or an element that does not exist.
    public static func value(of path: String, in s: Scenario) -> Double? {
        var pattern = "", id: String?, inSelector = false
        for c in path {
            if c == "[" { inSelector = true; pattern += "[]"; id = "" } else if c == "]" { inSelector = false }
            else if inSelector { id = (id ?? "") + String(c) } else { pattern.append(c) }
        }
        return table.first { $0.0 == pattern }?.1(s, id)
    }

    /// The documented default set: demand; each provider's capacity and acknowledgement
    /// latency (median and p95 together, keeping p95 ≥ median); each bridge's relayers and
    /// timeout; the gateway limiters' rates; policy workers; provenance batching. Groups of
    /// paths move together.
    public static func defaults(for s: Scenario) -> [[String]] {
        var out: [[String]] = [["demand.orders_per_second"]]
        for p in s.pipeline.providers where p.capacity > 0 { out.append(["providers[\(p.id)].capacity"]) }
        for p in s.pipeline.providers where p.capacity > 0 { out.append(["providers[\(p.id)].ack_median_ms", "providers[\(p.id)].ack_p95_ms"]) }
        for b in s.pipeline.bridges where b.weight > 0 { out += [["bridges[\(b.name)].relayers"], ["bridges[\(b.name)].timeout_ms"]] }
        for (key, l) in [("tenant_limit", s.pipeline.tenantLimit), ("global_limit", s.pipeline.globalLimit)] {
            if limiter(l, "rate_per_s") != nil { out.append(["gateway.\(key).rate_per_s"]) }
            if limiter(l, "limit") != nil { out.append(["gateway.\(key).limit"]) }
        }
        out += [["policy.workers"], ["provenance.batch_size"], ["provenance.batch_interval_s"]]
        return out
    }
}
