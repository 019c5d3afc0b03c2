import SimKernel

/// Checks the pipeline's invariants from the outside, TigerBeetle-style: a separate type
/// that reads the state and reports every violation in words, rather than trusting the
/// code that maintains it.
public enum PipelineInvariants {
    /// Every violated invariant, named with its values; empty when all hold.
    public static func violations(of p: OrderPipeline) -> [String] {
        var problems: [String] = []
        let st = p.statistics
        // Conservation, per tenant and in total.
        var inFlight = Array(repeating: 0, count: st.submitted.count)
        for (_, order) in p.orders.live() { inFlight[order.tenant] += 1 }
        for t in st.submitted.indices {
            // Every order ends exactly once: one final state, or still in flight.
            let accounted = st.completed[t] + st.rejected[t] + st.dropped[t] + st.interrupted[t] + inFlight[t]
            if st.submitted[t] != accounted {
                problems.append("tenant \(t): submitted \(st.submitted[t]) ≠ completed \(st.completed[t]) + rejected "
                                + "\(st.rejected[t]) + dropped \(st.dropped[t]) + interrupted \(st.interrupted[t]) + in flight \(inFlight[t])")
            }
        }
        if p.orders.inFlight != inFlight.reduce(0, +) {
            problems.append("order table counts \(p.orders.inFlight) in flight, live slots \(inFlight.reduce(0, +))")
        }
        // Providers never run more than their capacity; running matches placed orders.
        var occupying = Array(repeating: 0, count: p.providers.count)
        for (_, order) in p.orders.live() where order.stage == .placing || order.stage == .running {
            occupying[order.provider] += 1
        }
        for (i, prov) in p.providers.enumerated() {
            if prov.running > prov.config.capacity || prov.running < 0 {
                problems.append("provider \(prov.config.id): running \(prov.running) outside 0...\(prov.config.capacity)")
            }
            if prov.running != occupying[i] {
                problems.append("provider \(prov.config.id): running \(prov.running) but \(occupying[i]) orders hold its slots")
            }
        }
        // Shards within their quotas; active matches the orders assigned from each shard.
        var active = Array(repeating: 0, count: p.shards.count)
        for (_, order) in p.orders.live() where order.stage == .placing || order.stage == .running { active[order.shard] += 1 }
        for (i, s) in p.shards.enumerated() {
            // Above a quota only by what governance grandfathered when it lowered the quota.
            if s.open > s.config.maxOpenJobs + s.openAllowance {
                problems.append("shard \(s.config.name): open \(s.open) > \(s.config.maxOpenJobs) (+\(s.openAllowance) draining)")
            }
            if s.active > s.config.maxActiveJobs + s.activeAllowance {
                problems.append("shard \(s.config.name): active \(s.active) > \(s.config.maxActiveJobs) (+\(s.activeAllowance) draining)")
            }
            if s.active != active[i] { problems.append("shard \(s.config.name): active \(s.active) but \(active[i]) orders assigned") }
        }
        // Accepted GPU hours within each tenant's daily quota.
        for t in st.submitted.indices where p.policy.used(by: t) > p.policy.quota(of: t) + 1e-9 {
            problems.append("tenant \(t): \(p.policy.used(by: t)) GPU hours accepted today > quota \(p.policy.quota(of: t))")
        }
        // Breakers: the state each one is in is the state its last logged transition reached.
        for (i, b) in p.breakers.enumerated() where b.state != p.lastBreakerState[i] {
            problems.append("breaker \(p.providers[i].config.id): state \(b.state) but last transition reached \(p.lastBreakerState[i])")
        }
        return problems
    }
}

/// Runs a pipeline for a stretch of simulated time, for tests and simple drivers.
public enum PipelineRun {
    /// Tenants order until `duration`; the run stops there (work in flight stays in flight).
    /// The invariants are checked at the end; a violation is a bug in the models, so it
    /// traps with every violation listed (TigerBeetle's "assert invariants everywhere").
    public static func run(_ config: PipelineConfig, seed: UInt64, duration: SimDuration,
                           sink: some DecisionSink) -> (pipeline: OrderPipeline, events: UInt64) {
        var sim = Simulation<OrderPipeline.Event>(minimumCapacity: 4_096)
        var pipeline = OrderPipeline(config: config, seed: seed, sink: sink)
        pipeline.start(in: &sim, horizon: .zero + duration)
        sim.run(&pipeline, until: .zero + duration)
        let problems = PipelineInvariants.violations(of: pipeline)
        precondition(problems.isEmpty, "invariants violated at the end of the run:\n" + problems.joined(separator: "\n"))
        return (pipeline, sim.eventsHandled)
    }
}

extension OrderPipeline {
    /// Orders filled over orders that reached a verdict (filled, or ended without a fill).
    public var fillRate: Double {
        let st = statistics
        let decided = st.filled + st.totalRejected + st.totalDropped
        return decided > 0 ? Double(st.filled) / Double(decided) : 1
    }
}
