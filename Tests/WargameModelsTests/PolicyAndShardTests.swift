import Testing
import SimKernel
@testable import WargameModels

func sampleOrder(tenant: Int = 0, region: Int = 0, gpuHours: Double = 1, budget: Double = 2, nonce: UInt64 = 1,
                 signatureValid: Bool = true) -> Order {
    Order(id: 1, tenant: tenant, region: region, gpuHours: gpuHours, budgetPerGPUHour: budget, nonce: nonce,
          signatureValid: signatureValid, submittedAt: .zero)
}

@Suite struct PolicyEngineTests {
    func engine(quota: Double = 10) -> PolicyEngine {
        var c = PolicyConfig()
        c.dailyQuotaGPUHours = quota
        c.allowedRegions = [0, 1]
        c.nonceTTL = .minutes(10)
        return PolicyEngine(config: c, tenants: 2, rng: Xoshiro256StarStar(seed: 1))
    }

    /// A request failing several checks is rejected by the first in vault-law's order.
    @Test func checksRunInFixedOrder() {
        var e = engine()
        let t = SimTime.zero
        let bad = sampleOrder(region: 3, gpuHours: 99, nonce: 5, signatureValid: false)
        #expect(e.evaluate(bad, regionHasProvider: false, at: t) == .badSignature)
        var o = bad; o.signatureValid = true
        #expect(e.evaluate(o, regionHasProvider: false, at: t) == .quotaExhausted)  // nonce 5 now recorded
        #expect(e.evaluate(o, regionHasProvider: false, at: t) == .replayedNonce)
        o.nonce = 6; o.gpuHours = 1
        #expect(e.evaluate(o, regionHasProvider: false, at: t) == .regionDenied)
        o.nonce = 7; o.region = 1
        #expect(e.evaluate(o, regionHasProvider: false, at: t) == .reputationFloor)
        o.nonce = 8
        #expect(e.evaluate(o, regionHasProvider: true, at: t) == .none)
    }

    @Test func noncesExpireAfterTheirTTLAndPurgeForgetsThem() {
        var e = engine()
        let o = sampleOrder(gpuHours: 0.1, nonce: 42)
        #expect(e.evaluate(o, regionHasProvider: true, at: .zero) == .none)
        #expect(e.evaluate(o, regionHasProvider: true, at: .zero + .minutes(9)) == .replayedNonce)
        #expect(e.evaluate(o, regionHasProvider: true, at: .zero + .minutes(10)) == .none)  // expired
        e.nonces.purge()
        #expect(e.nonces.count == 0)
        #expect(e.evaluate(o, regionHasProvider: true, at: .zero + .minutes(11)) == .none)
        var other = o; other.tenant = 1
        #expect(e.evaluate(other, regionHasProvider: true, at: .zero + .minutes(11)) == .none)  // per tenant
    }

    @Test func quotaIsPerTenantAndResetsEachSimulatedDay() {
        var e = engine(quota: 10)
        var nonce: UInt64 = 0
        func order(_ tenant: Int, _ hours: Double) -> Order { nonce += 1; return sampleOrder(tenant: tenant, gpuHours: hours, nonce: nonce) }
        #expect(e.evaluate(order(0, 6), regionHasProvider: true, at: .zero) == .none)
        #expect(e.evaluate(order(0, 4), regionHasProvider: true, at: .zero) == .none)   // exactly at quota
        #expect(e.evaluate(order(0, 0.5), regionHasProvider: true, at: .zero) == .quotaExhausted)
        #expect(e.evaluate(order(1, 5), regionHasProvider: true, at: .zero) == .none)   // another tenant
        #expect(e.used(by: 0) == 10)
        let nextDay = SimTime.zero + .hours(24)
        #expect(e.evaluate(order(0, 0.5), regionHasProvider: true, at: nextDay) == .none)
        #expect(e.used(by: 0) == 0.5)
    }

    @Test func rejectedEarlyCostsLessEvaluationTime() {
        var a = engine(), b = engine()
        var early = 0.0, full = 0.0
        for _ in 0..<2_000 {
            early += a.sampleDecisionTime(checksRun: 0).milliseconds
            full += b.sampleDecisionTime(checksRun: 4).milliseconds
        }
        #expect(early < full)
    }

    /// The fast decision time (through tables, recomputed near a rounding turn) is the
    /// definition's exact sum, microsecond for microsecond: a million decisions over every
    /// number of checks, on the default check times and on wide ones (σ = 1.4, the tables'
    /// stated limit), with the two engines' streams in step throughout.
    @Test func fastDecisionTimeIsTheExactOne() throws {
        for (median, p95) in [(nil, nil), (SimDuration.microseconds(2_000), SimDuration.microseconds(20_000))] as [(SimDuration?, SimDuration?)] {
            var c = PolicyConfig()
            if let median, let p95 {
                c.checkMedian = Array(repeating: median, count: 5)
                c.checkP95 = Array(repeating: p95, count: 5)
            }
            var fast = PolicyEngine(config: c, tenants: 1, rng: Xoshiro256StarStar(seed: 99))
            var exact = fast
            #expect(fast.checkTables != nil)
            var differing = 0
            for i in 0..<500_000 {
                let k = i % 5
                if fast.sampleDecisionTime(checksRun: k) != exact.exactDecisionTime(checksRun: k) { differing += 1 }
            }
            #expect(differing == 0)
            #expect(fast.rng.next() == exact.rng.next())
        }
    }

    /// Beyond the σ the tables are tested for, every draw is exact.
    @Test func wideCheckTimesAreDrawnExactly() {
        var c = PolicyConfig()
        c.checkMedian = Array(repeating: .microseconds(100), count: 5)
        c.checkP95 = Array(repeating: .microseconds(100_000), count: 5)  // σ ≈ 4.2
        var e = PolicyEngine(config: c, tenants: 1, rng: Xoshiro256StarStar(seed: 3))
        var exact = e
        #expect(e.checkTables == nil)
        for _ in 0..<1_000 { #expect(e.sampleDecisionTime(checksRun: 4) == exact.exactDecisionTime(checksRun: 4)) }
    }
}

@Suite struct ShardQueueTests {
    func shard() -> ShardQueue {
        ShardQueue(config: ShardConfig(name: "EARTH", maxOpenJobs: 3, maxActiveJobs: 2, rewardCap: 1_000,
                                       maxJobDuration: .hours(1)))
    }
    func ref(_ i: UInt32) -> OrderRef { OrderRef(slot: i, generation: 0) }

    @Test func admissionEnforcesTheShardsRules() {
        var s = shard()
        #expect(s.admit(ref(0), order: sampleOrder(), systemPaused: true) == .systemPaused)
        #expect(s.admit(ref(0), order: sampleOrder(gpuHours: 0.5, budget: 5_000), systemPaused: false) == .overRewardCap)
        #expect(s.admit(ref(0), order: sampleOrder(gpuHours: 1.5), systemPaused: false) == .durationExceeded)
        for i in 0..<3 { #expect(s.admit(ref(UInt32(i)), order: sampleOrder(), systemPaused: false) == .none) }
        #expect(s.admit(ref(9), order: sampleOrder(), systemPaused: false) == .shardFull)
        s.pause()
        #expect(s.admit(ref(9), order: sampleOrder(), systemPaused: false) == .shardPaused)
        #expect(!s.canStart)
    }

    @Test func activeJobsAreCappedAndUsageIsReadable() {
        var s = shard()
        for i in 0..<3 { _ = s.admit(ref(UInt32(i)), order: sampleOrder(), systemPaused: false) }
        var started: [OrderRef] = []
        while s.canStart, let r = s.peek(isLive: { _ in true }) { s.startHead(); started.append(r) }
        #expect(started == [ref(0), ref(1)])
        #expect(s.open == 3 && s.active == 2 && s.waiting == 1)
        s.finishActive()
        #expect(s.canStart && s.open == 2)
    }

    @Test func abandonedJobsAreSkippedAndLoweredQuotasDrain() {
        var s = shard()
        for i in 0..<3 { _ = s.admit(ref(UInt32(i)), order: sampleOrder(), systemPaused: false) }
        s.startHead(); s.startHead()
        s.setQuotas(maxOpenJobs: 1, maxActiveJobs: 1)
        #expect(s.openAllowance == 2 && s.activeAllowance == 1)
        #expect(!s.canStart)
        s.abandonWaiting()  // job 2 timed out in line
        #expect(s.waiting == 0 && s.openAllowance == 1)
        #expect(s.peek(isLive: { $0 != ref(2) }) == nil)
        s.finishActive()
        #expect(s.open == 1 && s.openAllowance == 0 && s.activeAllowance == 0)
    }
}

@Suite struct OrderTableTests {
    /// Orders are copied out of the table and back at every stage, so their size is a cost
    /// per order; the compact layout must stay compact, and round-trip every field.
    @Test func ordersAreCompactAndRoundTripTheirFields() {
        #expect(MemoryLayout<Order>.size <= 128, "Order is \(MemoryLayout<Order>.size) bytes")
        var o = sampleOrder(nonce: 3)
        o.shard = 2; o.provider = 63; o.bridge = 1; o.bridgeAttempt = 4; o.providerAttempt = 64
        o.bridgeRTT = .milliseconds(250); o.policyTime = nil; o.filledAt = SimTime(microseconds: 7)
        o.timeout = EventHandle(time: SimTime(microseconds: 9), seq: 11)
        #expect(o.shard == 2 && o.provider == 63 && o.bridge == 1 && o.bridgeAttempt == 4 && o.providerAttempt == 64)
        #expect(o.bridgeRTT == .milliseconds(250) && o.policyTime == nil && o.filledAt == SimTime(microseconds: 7))
        #expect(o.timeout == EventHandle(time: SimTime(microseconds: 9), seq: 11))
        o.timeout = nil; o.bridgeRTT = nil
        #expect(o.timeout == nil && o.bridgeRTT == nil)
    }

    @Test func staleReferencesFindNothingAndSlotsAreReused() {
        var t = OrderTable()
        let a = t.insert(sampleOrder(nonce: 1))
        t.remove(a)
        let b = t.insert(sampleOrder(nonce: 2))
        #expect(a.slot == b.slot && a.generation != b.generation)
        #expect(t[a] == nil)
        #expect(t[b]?.nonce == 2)
        #expect(t.inFlight == 1)
    }
}
