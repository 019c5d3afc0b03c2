import WargameModels
/// The simulated Aurora service's own metrics, served by `wargame serve` on port 9109 as
/// the runbook's commands expect to find them there:
///
///     curl -s localhost:9109/metrics | grep fill_rate
///     curl -s localhost:9109/metrics | grep tenant_id
///     curl -s localhost:9109/metrics | grep provenance_coverage
///     curl -s localhost:9109/metrics | grep -E "(fill_rate|rtt_ms|provenance)"
///     query=provider_active{provider_id="akash"}
///
/// The names are the service's, kept verbatim (`bridge_rtt_ms_p95` keeps its runbook unit),
/// so these lines work as written; the simulator's own metrics on 9110 follow Prometheus's
/// naming conventions instead. Same text format, HELP and TYPE on every family.
public struct ServiceState: Sendable {
    /// Per tenant: GPU hours charged today, and the daily quota.
    public var tenants: [(used: Double, quota: Double)]
    public var shards: [ShardUsage]
    /// The step that just closed.
    public var lastStep: StepKPIs?

    public init(tenants: [(used: Double, quota: Double)], shards: [ShardUsage], lastStep: StepKPIs?) {
        self.tenants = tenants
        self.shards = shards
        self.lastStep = lastStep
    }
}

/// `getShardUsage`: a shard's open and active jobs against its quotas.
public struct ShardUsage: Sendable, Equatable {
    public let name: String
    public let open: Int
    public let active: Int
    public let maxOpen: Int
    public let maxActive: Int
    public let paused: Bool

    public init(name: String, open: Int, active: Int, maxOpen: Int, maxActive: Int, paused: Bool) {
        self.name = name
        self.open = open
        self.active = active
        self.maxOpen = maxOpen
        self.maxActive = maxActive
        self.paused = paused
    }
}

public enum ServiceMetrics {
    public static func render(_ snapshot: MetricsSnapshot) -> String {
        var p = PrometheusText()
        write(snapshot, into: &p)
        return p.text
    }

    /// Every family of the :9109 endpoint, into the text or the rule engine's sink.
    public static func write(_ snapshot: MetricsSnapshot, into p: inout PrometheusText) {
        func family(_ name: String, _ type: String, _ help: String, _ samples: @autoclosure () -> [(labels: [(String, String)], value: SampleValue)]) {
            p.family(name, type, help)
            guard p.wanted else { return }
            for s in samples() { p.sample(name, s.labels, value: s.value) }
        }
        func v(_ x: Double?, _ d: Int) -> SampleValue { x.map { .fixed($0, d) } ?? .text("NaN") }
        let r = snapshot.report, step = snapshot.service?.lastStep
        family("fill_rate", "gauge", "Orders filled / submitted in the last step.", [([], v(step?.fillRate.map { min(1, $0) }, 4))])
        family("fill_rate_p50", "gauge", "Median per-step fill rate so far.", [([], v(r.kpis[.fillRateP50], 4))])
        family("fill_rate_p95", "gauge", "Per-step fill rate that 95 % of steps reach so far (the SLO's value).", [([], v(r.kpis[.fillRateP95], 4))])
        family("bridge_rtt_ms_p50", "gauge", "Median bridge round trip in the last step, milliseconds.", [([], v(step?.bridgeRTTMilliseconds(0.5), 3))])
        family("bridge_rtt_ms_p95", "gauge", "95th percentile bridge round trip in the last step, milliseconds.", [([], v(step?.bridgeRTTMilliseconds(0.95), 3))])
        family("provenance_coverage", "gauge", "Covered jobs / jobs whose coverage was decided, so far.", [([], v(r.kpis[.provenanceCoverage], 4))])
        family("policy_decision_ms_p95", "gauge", "95th percentile policy decision time so far, milliseconds.", [([], v(r.kpis[.policyDecisionP95], 3))])
        family("orders_submitted_total", "counter", "Orders submitted.", [([], .count(r.totals.submitted))])
        family("orders_filled_total", "counter", "Orders filled.", [([], .count(r.totals.filled))])
        family("orders_dropped_total", "counter", "Orders dropped.", [([], .count(r.totals.dropped))])
        family("failover_events_total", "counter", "Failovers to another provider.", [([], .count(r.totals.failovers))])
        let providers = snapshot.providers
        family("provider_active", "gauge", "1 when the provider takes jobs: capacity offered and its breaker not OPEN.",
               providers.map { ([("provider_id", $0.id)], .count($0.capacity > 0 && $0.breaker != .open ? 1 : 0)) })
        family("provider_capacity", "gauge", "GPU slots the provider offers.", providers.map { ([("provider_id", $0.id)], .count($0.capacity)) })
        family("provider_running_jobs", "gauge", "Jobs running on the provider.", providers.map { ([("provider_id", $0.id)], .count($0.running)) })
        if let service = snapshot.service {
            let tenants = service.tenants.enumerated()
            family("tenant_quota_used_gpu_hours", "gauge", "GPU hours charged to the tenant today (vault-law daily quota).",
                   tenants.map { ([("tenant_id", TenantID.name($0.offset))], .fixed($0.element.used, 4)) })
            family("tenant_quota_gpu_hours_daily", "gauge", "The tenant's daily GPU-hour quota.",
                   tenants.map { ([("tenant_id", TenantID.name($0.offset))], .fixed($0.element.quota, 4)) })
            family("tenant_quota_remaining_gpu_hours", "gauge", "GPU hours the tenant may still order today.",
                   tenants.map { ([("tenant_id", TenantID.name($0.offset))], .fixed(max(0, $0.element.quota - $0.element.used), 4)) })
            family("shard_open_jobs", "gauge", "Queued + active jobs in the shard (getShardUsage open).", service.shards.map { ([("shard", $0.name)], .count($0.open)) })
            family("shard_active_jobs", "gauge", "Jobs on providers from the shard (getShardUsage active).", service.shards.map { ([("shard", $0.name)], .count($0.active)) })
            family("shard_max_open_jobs", "gauge", "The shard's open-jobs quota.", service.shards.map { ([("shard", $0.name)], .count($0.maxOpen)) })
            family("shard_max_active_jobs", "gauge", "The shard's active-jobs quota.", service.shards.map { ([("shard", $0.name)], .count($0.maxActive)) })
            family("shard_paused", "gauge", "1 while the shard is paused.", service.shards.map { ([("shard", $0.name)], .count($0.paused ? 1 : 0)) })
        }
    }

    static func label(_ name: String, _ value: String) -> String { "{\(name)=\"\(PrometheusText.escape(value))\"}" }
}
