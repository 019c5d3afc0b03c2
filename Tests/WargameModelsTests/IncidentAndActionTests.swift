import Testing
import SimKernel
@testable import WargameModels

/// Live-knob incidents change behaviour only inside their window; playbook actions take
/// effect when applied.
@Suite struct IncidentAndActionTests {
    func run(_ incidents: [Incident], minutes: Int64 = 60, seed: UInt64 = 3) -> OrderPipeline {
        var c = PipelineConfig()
        c.incidents = incidents
        return PipelineRun.run(c, seed: seed, duration: .minutes(minutes), sink: CollectingSink()).pipeline
    }

    @Test func aFailureRateRiseOpensTheBreakerWhichClosesAfterIt() {
        let p = run([Incident(name: "akash flaky", kind: .failureRate(provider: 0, probability: 0.9),
                              start: .zero + .minutes(10), duration: .minutes(15))])
        let akash = p.collected.filter { $0.kind == .breakerTransition && $0.provider == 0 }
        #expect(akash.first?.breakerState == .open && akash.first!.time >= .zero + .minutes(10))
        #expect(akash.last?.breakerState == .closed && akash.last!.time >= .zero + .minutes(25))
        #expect(p.providers[0].config.failureProbability == PipelineConfig().providers[0].failureProbability)
    }

    @Test func bridgeLossCausesTimeoutsAndRetriesOnlyInItsWindow() {
        let p = run([Incident(name: "loss", kind: .bridgeLoss(bridge: nil, probability: 0.3),
                              start: .zero + .minutes(20), duration: .minutes(10))])
        let retries = p.collected.filter { $0.kind == .retried }
        // The baseline loses 0.2 % of messages anyway; inside the window the rate per minute
        // must be far above the rate outside it (a retry lands ≤ 2 s after its try).
        let inside = retries.filter { $0.time >= .zero + .minutes(20) && $0.time < .zero + .minutes(30) + .seconds(3) }.count
        let outside = retries.count - inside
        #expect(inside > 100)
        #expect(Double(inside) / 10 > 20 * Double(outside) / 50, "\(inside) in 10 min vs \(outside) in 50 min")
    }

    @Test func replayAndInvalidSignatureIncidentsReachVaultLaw() {
        let p = run([Incident(name: "replay", kind: .replayAttack(probability: 0.5), start: .zero + .minutes(5), duration: .minutes(5)),
                     Incident(name: "skew", kind: .invalidSignatures(probability: 0.5), start: .zero + .minutes(20), duration: .minutes(5))])
        let replays = p.collected.filter { $0.reason == .replayedNonce }
        let skewed = p.collected.filter { $0.reason == .badSignature }
        #expect(replays.count > 50 && skewed.count > 50)
        // Baseline rates (0.1 % replays, 0.2 % bad signatures) continue outside the windows;
        // per minute, the windows must stand far above them.
        let replaysOutside = replays.filter { $0.time >= .zero + .minutes(11) }.count
        let skewedOutside = skewed.filter { $0.time < .zero + .minutes(20) }.count
        #expect(Double(replays.count - replaysOutside) / 5 > 20 * Double(replaysOutside) / 49)
        #expect(Double(skewed.count - skewedOutside) / 5 > 20 * Double(skewedOutside) / 20)
    }

    @Test func operatorHaltRefusesAdmissionsUntilResumed() {
        var sim = Simulation<OrderPipeline.Event>()
        var p = OrderPipeline(config: PipelineConfig(), seed: 4, sink: CollectingSink())
        p.start(in: &sim, horizon: .zero + .hours(1))
        sim.run(&p, until: .zero + .minutes(10))
        p.apply(.haltAllocations, in: &sim)
        sim.run(&p, until: .zero + .minutes(15))
        p.apply(.resumeAllocations, in: &sim)
        sim.run(&p, until: .zero + .minutes(20))
        // Logged as the operator's halt, not as the provenance guard's fail-closed.
        let halted = p.collected.filter { $0.reason == .operatorHalt }
        #expect(halted.count > 100)
        #expect(!p.collected.contains { $0.reason == .failClosed })
        #expect(halted.allSatisfy { $0.time >= .zero + .minutes(10) && $0.time < .zero + .minutes(15) })
        #expect(PipelineInvariants.violations(of: p) == [])
    }

    @Test func raisingATenantQuotaLetsItOrderAgain() {
        var c = PipelineConfig()
        c.policy.dailyQuotaGPUHours = 2
        var sim = Simulation<OrderPipeline.Event>()
        var p = OrderPipeline(config: c, seed: 4, sink: CollectingSink())
        p.start(in: &sim, horizon: .zero + .hours(2))
        sim.run(&p, until: .zero + .hours(1))
        let exhaustedBefore = p.collected.filter { $0.reason == .quotaExhausted && $0.tenant == 3 }.count
        #expect(exhaustedBefore > 0)
        p.apply(.setTenantQuota(tenant: 3, gpuHours: 1_000), in: &sim)
        sim.run(&p, until: .zero + .hours(2))
        let after = p.collected.filter { $0.tenant == 3 && $0.time >= .zero + .hours(1) }
        #expect(!after.contains { $0.reason == .quotaExhausted })
        #expect(after.contains { $0.reason == .policyAllowed })
        #expect(p.policy.quota(of: 3) == 1_000 && p.policy.quota(of: 4) == 2)
    }

    @Test func purgingTheNonceCacheForgetsEveryNonce() {
        var sim = Simulation<OrderPipeline.Event>()
        var p = OrderPipeline(config: PipelineConfig(), seed: 4, sink: CollectingSink())
        p.start(in: &sim, horizon: .zero + .hours(1))
        sim.run(&p, until: .zero + .minutes(5))
        #expect(p.policy.nonces.count > 100)
        p.apply(.purgeNonceCache, in: &sim)
        #expect(p.policy.nonces.count == 0)
    }
}
