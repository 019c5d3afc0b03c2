import Testing
import SimKernel
@testable import WargameModels

/// The whole pipeline: health with defaults, invariants, determinism, and that each
/// perturbation moves the figures it should (always against the same seed's baseline).
@Suite struct PipelineTests {
    static func run(_ edit: (inout PipelineConfig) -> Void = { _ in }, seed: UInt64 = 1,
                    hours: Int64 = 2) -> OrderPipeline {
        var c = PipelineConfig()
        edit(&c)
        return PipelineRun.run(c, seed: seed, duration: .hours(hours), sink: NullSink()).pipeline
    }

    /// Read-only after its one-time initialisation, so sharing it across parallel tests is safe.
    nonisolated(unsafe) static let baseline = run()

    @Test func aSimulatedDayWithDefaultsIsHealthyAndKeepsItsInvariants() {
        let (p, events) = PipelineRun.run(PipelineConfig(), seed: 7, duration: .hours(24), sink: NullSink())
        #expect(PipelineInvariants.violations(of: p) == [])
        let st = p.statistics
        #expect(st.totalSubmitted > 90_000 && events > 500_000)
        #expect(p.fillRate >= 0.85, "fill rate \(p.fillRate)")
        #expect(st.bridgeRTTMilliseconds(0.95)! <= 350, "bridge RTT p95 \(st.bridgeRTTMilliseconds(0.95)!) ms")
        #expect(p.provenance.coverage! >= 0.95, "coverage \(p.provenance.coverage!)")
        #expect(st.policyTimeMilliseconds(0.95)! <= 25, "decision p95 \(st.policyTimeMilliseconds(0.95)!) ms")
        #expect(!p.provenance.halted && st.count(.failClosed) == 0)
        // Each policy rule fires at the low rates the default demand carries.
        for r in [Reason.badSignature, .replayedNonce, .regionDenied] { #expect(st.count(r) > 0, "\(r)") }
    }

    @Test func sameSeedGivesTheSameDecisionSequence() {
        func decisions(_ seed: UInt64) -> [Decision] {
            PipelineRun.run(PipelineConfig(), seed: seed, duration: .minutes(40), sink: CollectingSink()).pipeline.collected
        }
        let a = decisions(3), b = decisions(3), c = decisions(4)
        #expect(a.count > 5_000)
        #expect(a == b)
        #expect(a != c)
    }

    /// Akash (the largest provider) down for the whole run: the router cannot know until it
    /// fails, so failovers jump, akash's breaker opens and keeps failing its trials, and
    /// nothing is filled there — while failover keeps the fill rate up.
    @Test func turningOneProviderOffFailsOverAndOpensItsBreaker() {
        var sink = CollectingSink()
        var c = PipelineConfig()
        c.providers[0].outages = [Outage(start: .zero, duration: .hours(3))]
        let p = PipelineRun.run(c, seed: 1, duration: .hours(2), sink: sink).pipeline
        sink = p.sink(as: CollectingSink.self)!
        #expect(PipelineInvariants.violations(of: p) == [])
        let base = Self.baseline.statistics
        #expect(p.statistics.failovers > base.failovers + 10)
        #expect(!sink.decisions.contains { $0.kind == .filled && $0.provider == 0 })
        let akash = sink.decisions.filter { $0.kind == .breakerTransition && $0.provider == 0 }.map(\.breakerState!)
        #expect(Array(akash.prefix(3)) == [.open, .halfOpen, .open])
        #expect(!akash.contains(.closed))
        #expect(p.fillRate >= 0.85)
    }

    @Test func aBreakerOpensDuringAnOutageAndClosesAfterIt() {
        var c = PipelineConfig()
        c.providers[0].outages = [Outage(start: .zero + .minutes(10), duration: .minutes(20))]
        let p = PipelineRun.run(c, seed: 2, duration: .minutes(90), sink: CollectingSink()).pipeline
        let akash = p.collected.filter { $0.kind == .breakerTransition && $0.provider == 0 }
        #expect(akash.first?.breakerState == .open)
        #expect(akash.first!.time >= .zero + .minutes(10))
        #expect(akash.last?.breakerState == .closed)
        #expect(akash.last!.time >= .zero + .minutes(30))
        #expect(p.breakers[0].state == .closed)
        #expect(p.collected.contains { $0.kind == .filled && $0.provider == 0 && $0.time > akash.last!.time })
    }

    /// Three times the demand outruns provider capacity and shard quotas.
    @Test func triplingDemandLowersTheFillRate() {
        let p = Self.run { $0.demand.ordersPerSecond *= 3 }
        #expect(PipelineInvariants.violations(of: p) == [])
        #expect(Self.baseline.fillRate >= 0.85)
        #expect(p.fillRate < 0.75, "fill rate \(p.fillRate)")
        #expect(p.statistics.count(.shardFull) + p.statistics.count(.noEligibleProvider) > 1_000)
        #expect(Self.baseline.statistics.count(.shardFull) == 0)
        // Bridge relayers carry more of our messages: RTT p95 rises, from queueing.
        #expect(p.statistics.bridgeRTTMilliseconds(0.95)! > Self.baseline.statistics.bridgeRTTMilliseconds(0.95)!)
    }

    /// Both TSAs unreachable for an hour: batches miss their deadline, coverage falls, the
    /// fail-closed guard halts allocations, and it resumes once time stamps flow again.
    @Test func stallingTheTSAsDropsCoverageAndTripsTheFailClosedGuard() {
        var sink = CollectingSink()
        var c = PipelineConfig()
        let stall = Outage(start: .zero + .minutes(30), duration: .minutes(60))
        c.provenance.primaryTSA.outages = [stall]
        c.provenance.backupTSA!.outages = [stall]
        let p = PipelineRun.run(c, seed: 1, duration: .hours(3), sink: sink).pipeline
        sink = p.sink(as: CollectingSink.self)!
        #expect(PipelineInvariants.violations(of: p) == [])
        #expect(p.provenance.coverage! < 0.95, "coverage \(p.provenance.coverage!)")
        #expect(Self.baseline.provenance.coverage! >= 0.95)
        let guardChanges = sink.decisions.filter { $0.kind == .guardChange }.map(\.reason)
        #expect(Array(guardChanges.prefix(2)) == [.halted, .resumed])
        #expect(p.statistics.count(.failClosed) > 0)
        #expect(!p.provenance.halted)
    }

    /// Prices tripled on every provider for an hour: budgets no longer cover them, so orders
    /// are refused as over budget, and only in that hour.
    @Test func aPriceSpikeMakesRoutesUneconomical() {
        var c = PipelineConfig()
        for i in c.providers.indices {
            c.providers[i].priceSpikes = [PriceSpike(start: .zero + .minutes(30), duration: .hours(1), factor: 3)]
        }
        let p = PipelineRun.run(c, seed: 1, duration: .hours(2), sink: CollectingSink()).pipeline
        let overBudget = p.collected.filter { $0.reason == .overBudget }
        #expect(overBudget.count > 10 * max(1, Self.baseline.statistics.count(.overBudget)))
        let inSpike = overBudget.filter { $0.time >= .zero + .minutes(30) && $0.time < .zero + .minutes(91) }
        #expect(inSpike.count >= overBudget.count * 9 / 10)
        #expect(p.fillRate < Self.baseline.fillRate)
    }

    @Test func bridgeCongestionRaisesRTTAndRetries() {
        let p = Self.run { c in for i in c.bridges.indices { c.bridges[i].latencyMultiplier = 2.2 } }
        let rtt = p.statistics.bridgeRTTMilliseconds(0.95)!
        #expect(rtt > 350, "RTT p95 \(rtt)")
        #expect(p.statistics.bridgeRetries > Self.baseline.statistics.bridgeRetries)
        #expect(PipelineInvariants.violations(of: p) == [])
    }

    /// With one policy worker and a heavy surge (gateway opened wide), requests wait for the
    /// worker: decision time's p95 rises from queueing, not from a formula.
    @Test func policyDecisionTimeRisesUnderLoad() {
        func p95(ordersPerSecond rate: Double, minutes: Int64) -> Double {
            var c = PipelineConfig()
            c.policy.workers = 1
            c.policy.dailyQuotaGPUHours = 1e9
            c.demand.ordersPerSecond = rate
            c.tenantLimit = .unlimited
            c.globalLimit = .unlimited
            // Wide bridges, so the load reaches the policy engine instead of stalling there.
            for i in c.bridges.indices { c.bridges[i].relayers = 64; c.bridges[i].backgroundMessagesPerSecond = 0 }
            return PipelineRun.run(c, seed: 1, duration: .minutes(minutes), sink: NullSink())
                .pipeline.statistics.policyTimeMilliseconds(0.95)!
        }
        let light = p95(ordersPerSecond: 1.2, minutes: 60)
        let heavy = p95(ordersPerSecond: 160, minutes: 2)  // ρ ≈ 0.7 on the single worker
        #expect(heavy > 2 * light, "p95 \(heavy) ms under load vs \(light) ms")
    }

    @Test func systemPauseFreezesIntakeAndUnpauseResumesIt() {
        var sim = Simulation<OrderPipeline.Event>()
        var p = OrderPipeline(config: PipelineConfig(), seed: 5, sink: CollectingSink())
        p.start(in: &sim, horizon: .zero + .hours(1))
        sim.run(&p, until: .zero + .minutes(20))
        p.setSystemPaused(true, in: &sim)
        sim.run(&p, until: .zero + .minutes(30))
        p.setSystemPaused(false, in: &sim)
        sim.run(&p, until: .zero + .minutes(40))
        let window = p.collected.filter { $0.time >= .zero + .minutes(20) && $0.time < .zero + .minutes(30) }
        #expect(window.contains { $0.reason == .systemPaused })
        #expect(!window.contains { $0.reason == .admitted })
        #expect(p.collected.contains { $0.reason == .admitted && $0.time >= .zero + .minutes(30) })
        #expect(PipelineInvariants.violations(of: p) == [])
    }

    /// One tenant ordering at 100× its share hits its own token bucket; other tenants are
    /// never rate-limited (though its shard-mates may feel the full shard).
    @Test func abusiveTenantIsRateLimitedAndOthersAreNot() {
        var c = PipelineConfig()
        c.demand.surges = [Surge(start: .zero, duration: .hours(1), multiplier: 100, tenant: 7)]
        let p = PipelineRun.run(c, seed: 1, duration: .hours(1), sink: CollectingSink()).pipeline
        let limited = p.collected.filter { $0.reason == .rateLimited }
        #expect(limited.count > 500)
        #expect(limited.allSatisfy { $0.tenant == 7 })
        #expect(PipelineInvariants.violations(of: p) == [])
    }
}

extension OrderPipeline {
    /// Decisions kept by a `CollectingSink` (tests only).
    var collected: [Decision] { sink(as: CollectingSink.self)?.decisions ?? [] }
}
